#!/usr/bin/env bats
# --userns keep-id[:uid=N,gid=N]: the container runs as the user's own ids (or N), in a
# user namespace of its own; files the user owns in binds and volumes are theirs on
# both sides, and the image's files keep their owners (native overlay over a shared,
# shifted view of the image, or a fuse-overlayfs of the container's own). Without
# subordinate ids the user's id is all there is: every file is theirs.

load helpers
load registry # free_port
load fuse_root

@test "keep-id: the command runs as the user's uid and gid, with a passwd entry" {
	run_holt run --rm --userns keep-id "$IMG" sh -c 'id -u; id -g; id -un; id -gn'
	check_status 0
	check_output "$(printf '%s\n' "$(id -u)" "$(id -g)" "$(id -un)" "$(id -gn)")"
	check_no_stderr
}

@test "keep-id: a file made in a bind is the user's on the host, and theirs inside" {
	mkdir -p "$BATS_TEST_TMPDIR/w"
	touch "$BATS_TEST_TMPDIR/w/mine"
	run_holt run --rm --userns keep-id -v "$BATS_TEST_TMPDIR/w:/w" "$IMG" \
		sh -c 'echo x > /w/made && holt-test-tool owner /w/mine /w/made'
	check_status 0
	check_output "$(printf '%s\n' "$(id -u):$(id -g) 0644 /w/mine" \
		"$(id -u):$(id -g) 0644 /w/made")"
	[ "$(stat -c %u:%g "$BATS_TEST_TMPDIR/w/made")" = "$(id -u):$(id -g)" ]
}

@test "keep-id: the image's files keep their owners (root, and 1000)" {
	subids_or_skip # without: every owner in the store is the user, as always
	run_holt run --rm --userns keep-id "$IMG" \
		holt-test-tool owner /bin/busybox /etc/image-file /home/tester/owned
	check_status 0
	check_output "$(printf '%s\n' '0:0 0755 /bin/busybox' '0:0 0644 /etc/image-file' \
		'1000:1000 0755 /home/tester/owned')"
}

@test "keep-id: the map puts the user at their uid, the range around it" {
	subids_or_skip
	local u g
	u=$(id -u) g=$(id -g)
	run_holt run --rm --userns keep-id "$IMG" holt-test-tool uidmap
	check_status 0
	check_output "$(printf 'uid 0 1 %s\nuid %s 0 1\nuid %s %s %s\ngid 0 1 %s\ngid %s 0 1\ngid %s %s %s' \
		"$u" "$u" $((u + 1)) $((u + 1)) $((65536 - u)) \
		"$g" "$g" $((g + 1)) $((g + 1)) $((65536 - g)))"
}

@test "keep-id without subordinate ids: the user's id only, and every file is theirs" {
	nosubids_or_skip
	run_holt run --rm --userns keep-id "$IMG" sh -c 'holt-test-tool uidmap; holt-test-tool owner /bin/busybox'
	check_status 0
	check_output "$(printf 'uid %s 0 1\ngid %s 0 1\n%s:%s 0755 /bin/busybox' \
		"$(id -u)" "$(id -g)" "$(id -u)" "$(id -g)")"
}

@test "keep-id:uid=1000,gid=1000: the user is 1000 inside, their files too" {
	mkdir -p "$BATS_TEST_TMPDIR/w"
	run_holt run --rm --userns keep-id:uid=1000,gid=1000 -v "$BATS_TEST_TMPDIR/w:/w" "$IMG" \
		sh -c 'id -u; id -g; id -un; echo x > /w/made && holt-test-tool owner /w/made'
	check_status 0
	check_output "$(printf '1000\n1000\ntester\n1000:1000 0644 /w/made')"
	[ "$(stat -c %u:%g "$BATS_TEST_TMPDIR/w/made")" = "$(id -u):$(id -g)" ]
}

@test "keep-id: an image that has the user leaves /etc/passwd unchanged; one without gets them" {
	subids_or_skip # without, the root is not fuse-overlayfs's
	holt run --name kid-has --userns keep-id:uid=1000,gid=1000 "$IMG" true
	run_holt diff kid-has
	check_status 0
	check_output ""
	holt run --name kid-adds --userns keep-id "$IMG" true
	run_holt diff kid-adds
	check_status 0
	check_output "$(printf 'C /etc\nC /etc/group\nC /etc/passwd')"
}

@test "keep-id with -u 0: root inside, the user's files still theirs" {
	subids_or_skip # without, there is no root to switch to
	mkdir -p "$BATS_TEST_TMPDIR/w"
	touch "$BATS_TEST_TMPDIR/w/mine"
	run_holt run --rm --userns keep-id -u 0 -v "$BATS_TEST_TMPDIR/w:/w" "$IMG" \
		sh -c 'id -u; echo x > /root-made; holt-test-tool owner /w/mine /root-made'
	check_status 0
	check_output "$(printf '0\n%s:%s 0644 /w/mine\n0:0 0644 /root-made' "$(id -u)" "$(id -g)")"
}

@test "keep-id: a named volume's files are the user's on both sides" {
	run_holt run --rm --userns keep-id -v kvol:/data "$IMG" \
		sh -c 'echo x > /data/f && holt-test-tool owner /data/f'
	check_status 0
	check_output "$(id -u):$(id -g) 0644 /data/f"
	local mp
	mp=$(holt volume inspect -f '{{.Mountpoint}}' kvol)
	[ "$(stat -c %u:%g "$mp/f")" = "$(id -u):$(id -g)" ]
	holt volume rm kvol >/dev/null
}

@test "keep-id: exec and a restart keep it; inspect says UsernsMode" {
	holt run -d --name kid --userns keep-id "$IMG" sleep 60 >/dev/null
	run_holt exec kid id -u
	check_status 0
	check_output "$(id -u)"
	run_holt inspect -f '{{.HostConfig.UsernsMode}}' kid
	check_output "keep-id"
	holt stop -t 0 kid >/dev/null
	holt start kid >/dev/null
	run_holt exec kid sh -c 'id -u; grep -c "^$(id -un):" /etc/passwd'
	check_status 0
	check_output "$(printf '%s\n1' "$(id -u)")"
}

@test "keep-id: cp into and out of the running container" {
	holt run -d --name kcp --userns keep-id "$IMG" sleep 60 >/dev/null
	echo hello >"$BATS_TEST_TMPDIR/in"
	run_holt cp "$BATS_TEST_TMPDIR/in" kcp:/tmp/in
	check_status 0
	run_holt exec kcp cat /tmp/in
	check_output hello
	run_holt cp kcp:/etc/passwd "$BATS_TEST_TMPDIR/passwd"
	check_status 0
	grep -q "^$(id -un):x:$(id -u):" "$BATS_TEST_TMPDIR/passwd"
}

@test "keep-id: a published port reaches the container (the net helper joins its network)" {
	local p i got=""
	p=$(free_port)
	holt run -d --name kweb --userns keep-id -p "$p:8080" "$IMG" sh -c \
		'echo served > /tmp/index.html; exec httpd -f -p 8080 -h /tmp' >/dev/null
	for ((i = 0; i < 100; i++)); do
		got=$(curl -s --noproxy '*' -m 2 "http://127.0.0.1:$p/" 2>/dev/null) && [ "$got" = served ] && break
		sleep 0.05
	done
	[ "$got" = served ] || { echo "got '$got'"; false; }
}

@test "keep-id: a stopped container's layer is read as written (a dir made anew hides the image's)" {
	local as_root=()
	! has_subids || as_root=(-u 0) # without, the user owns every file already
	holt run --name kex --userns keep-id "${as_root[@]}" "$IMG" \
		sh -c 'rm -rf /home/tester && mkdir /home/tester && echo n > /home/tester/new' >/dev/null
	run --separate-stderr bash -c "$(holt_cmdline) export kex | tar -t | grep '^home/tester/' | sort"
	check_status 0
	check_output "$(printf 'home/tester/\nhome/tester/new')"
	run --separate-stderr bash -c "$(holt_cmdline) cp kex:/home/tester - | tar -t | sort"
	check_output "$(printf 'tester/\ntester/new')"
}

@test "keep-id on a view takes CAP_SYS_PTRACE: no fuse-overlayfs is in its reach" {
	subids_or_skip # without, there is no fuse-overlayfs at all
	run_holt run --rm --userns keep-id --privileged "$IMG" sh -c \
		'cat /proc/[0-9]*/comm | grep -c fuse-overlayfs; id -u'
	check_status 0
	check_output "$(printf '0\n%s' "$(id -u)")"
	holt run -d --name kpriv --userns keep-id "$IMG" sleep 60 >/dev/null
	run_holt exec --privileged kpriv true
	check_status 0
}

@test "keep-id on fuse-overlayfs refuses CAP_SYS_PTRACE: it could reach the host through it" {
	subids_or_skip # without, there is no fuse-overlayfs process to reach
	local fuse=(--storage-driver fuse-overlayfs)
	run_holt "${fuse[@]}" run --rm --userns keep-id --privileged "$IMG" true
	check_holt_error "CAP_SYS_PTRACE"
	run_holt "${fuse[@]}" run --rm --userns keep-id --cap-add SYS_PTRACE "$IMG" true
	check_holt_error "CAP_SYS_PTRACE"
	holt "${fuse[@]}" run -d --name kpriv --userns keep-id "$IMG" sleep 60 >/dev/null
	run_holt exec --privileged kpriv true
	check_holt_error "CAP_SYS_PTRACE"
	# every other capability leaves the process's /proc/PID/root out of reach
	run_holt "${fuse[@]}" run --rm --userns keep-id -u 0 --cap-add ALL --cap-drop SYS_PTRACE \
		"$IMG" sh -c \
		'for p in /proc/[0-9]*; do [ "$(cat $p/comm)" = fuse-overlayfs ] && ls $p/root/; done; true'
	check_status 0
	[[ $stderr == *"Permission denied"* ]] || { show_run; false; }
}

# Whether PID has ended (a zombie has: an init that does not reap is no holder's fault).
ended()
{
	local state
	state=$(ps -o stat= -p "$1" 2>/dev/null) || return 0
	[[ $state == Z* ]]
}

# The holder of each view under the runroot, one pid a line.
view_holders()
{
	local f
	for f in "$HOLT_RUNROOT"/views/*/holder.pid; do
		[ -e "$f" ] || continue
		[ "$(cat "/proc/$(cat "$f")/comm" 2>/dev/null)" = holt-view ] && cat "$f"
	done
	true
}

@test "keep-id: one view serves every container of an image, and goes with the image" {
	subids_or_skip # without, nothing is shifted: no view
	# an image of its own (a layer of its own) whose views this test sees made and ended
	holt run --name kbase "$IMG" sh -c 'echo v > /v' >/dev/null
	holt commit kbase kview:1 >/dev/null
	holt rm kbase >/dev/null
	local before mine
	before=$(view_holders | sort)
	holt run --rm --userns keep-id kview:1 true
	mine=$(comm -13 <(echo "$before") <(view_holders | sort))
	[ "$(echo "$mine" | grep -c .)" = 1 ] || { echo "new holders: '$mine'"; false; }
	holt run --name kv1 --userns keep-id kview:1 true
	holt run --rm --userns keep-id kview:1 true
	[ "$(comm -13 <(echo "$before") <(view_holders | sort))" = "$mine" ]
	# another mapping, another view
	holt run --rm --userns keep-id:uid=1234,gid=1234 kview:1 true
	[ "$(comm -13 <(echo "$before") <(view_holders | sort) | grep -c .)" = 2 ]
	run_holt run --rm --userns keep-id kview:1 sh -c \
		"grep ' / / ' /proc/self/mountinfo | sed 's/.* - //' | cut -d' ' -f1"
	check_output overlay
	# its layers stay while a container or another name has them: so do the views
	holt rm kv1 >/dev/null
	holt tag kview:1 kview:2
	holt rmi kview:1 >/dev/null
	[ "$(comm -13 <(echo "$before") <(view_holders | sort) | grep -c .)" = 2 ]
	holt rmi kview:2 >/dev/null
	[ "$(view_holders | sort)" = "$before" ] || { view_holders; false; }
	ended "$mine"
}

@test "keep-id: starts at once make one view between them" {
	subids_or_skip
	holt run --name kbase2 "$IMG" sh -c 'echo w > /w' >/dev/null
	holt commit kbase2 kview2:1 >/dev/null
	holt rm kbase2 >/dev/null
	local before i pids=()
	before=$(view_holders | sort)
	for i in 1 2 3 4; do
		holt run --rm --userns keep-id kview2:1 cat /w >"$BATS_TEST_TMPDIR/out$i" 2>&1 &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i"; done
	for i in 1 2 3 4; do [ "$(cat "$BATS_TEST_TMPDIR/out$i")" = w ]; done
	[ "$(comm -13 <(echo "$before") <(view_holders | sort) | grep -c .)" = 1 ]
	holt rmi kview2:1 >/dev/null
}

@test "keep-id: system migrate ends the views with the pause process; the next run makes one anew" {
	subids_or_skip
	holt run --rm --userns keep-id "$IMG" true
	local holder
	holder=$(view_holders)
	[ -n "$holder" ]
	holt system migrate
	ended "$holder"
	run_holt run --rm --userns keep-id "$IMG" id -u
	check_status 0
	check_output "$(id -u)"
	[ -n "$(view_holders)" ] && [ "$(view_holders)" != "$holder" ]
}

@test "keep-id: a running container keeps its files when the views end; their daemon ends with it" {
	subids_or_skip
	local m=$BATS_TEST_TMPDIR/m i
	mkdir -p "$m"
	holt run -d --name kmig --userns keep-id -v "$m:/m" "$IMG" sh -c \
		'while [ ! -e /m/go ]; do sleep 0.02; done; cat /etc/passwd > /m/read; echo > /m/done' \
		>/dev/null
	holt system migrate
	[ -z "$(view_holders)" ]
	# the next start makes the view anew in the same place
	holt run --rm --userns keep-id "$IMG" true
	touch "$m/go"
	for ((i = 0; i < 250; i++)); do [ -e "$m/done" ] && break; sleep 0.02; done
	grep -q '^root:' "$m/read"
	holt wait kmig >/dev/null
	# the old view's daemon ends with the container; the new view's serves on
	for ((i = 0; i < 100; i++)); do
		[ "$(pgrep -u "$(id -u)" -f "fuse-overlayfs.*$HOLT_RUNROOT/views" | wc -l)" = 1 ] && break
		sleep 0.02
	done
	[ "$(pgrep -u "$(id -u)" -f "fuse-overlayfs.*$HOLT_RUNROOT/views" | wc -l)" = 1 ]
}

@test "keep-id: the working directory stays the caller's, even where the view's namespace has none" {
	subids_or_skip
	holt run --name krel --userns keep-id -u 0 "$IMG" sh -c 'mkdir /o && echo r > /o/root' >/dev/null
	cd "$BATS_TEST_TMPDIR"
	holt export -o rel.tar krel
	tar -tf rel.tar | grep -qx 'o/root'
	holt cp krel:/o rel-o
	[ "$(cat rel-o/root)" = r ]
	command -v fusermount3 >/dev/null || return 0
	# a user's FUSE mount, made after the view: a directory the view's namespace lacks
	local d=$BATS_TEST_TMPDIR/later
	mkdir -p "$d/low/sub" "$d/up" "$d/work" "$d/m"
	# the daemon must not hold bats's descriptors
	fuse-overlayfs -o "lowerdir=$d/low,upperdir=$d/up,workdir=$d/work" "$d/m" \
		</dev/null >/dev/null 2>&1 3>&- || return 0
	run --separate-stderr bash -c "cd '$d/m/sub' && $(holt_cmdline) run --rm --userns keep-id '$IMG' id -u"
	fusermount3 -u "$d/m"
	check_status 0
	check_output "$(id -u)"
}

@test "keep-id: a killed view is made anew by the next run" {
	subids_or_skip
	holt run --rm --userns keep-id "$IMG" true
	local holder
	holder=$(view_holders)
	kill -9 "$holder"
	while ! ended "$holder"; do sleep 0.02; done
	run_holt run --rm --userns keep-id "$IMG" cat /etc/hostname
	check_status 0
	[ -n "$(view_holders)" ]
}

@test "keep-id: owners come back as the container had them in commit, export, cp and diff" {
	subids_or_skip # without, every owner is the user's
	# made at the first start, shown at the next
	holt run --name kown --userns keep-id -u 0 "$IMG" sh -c \
		'if [ -d /o ]; then for f in /o/root /o/user /o/other /etc/passwd; do
			echo "$(stat -c %u:%g $f) $f"; done; exit; fi
		 mkdir /o && echo r > /o/root && echo u > /o/user && echo x > /o/other &&
		 chown 1000:1000 /o/user && chown 5:7 /o/other && chown 1000:1000 /home/tester' >/dev/null
	# /home/tester is 1000's in the image already: no change
	run_holt diff kown
	check_output "$(printf 'C /etc\nC /etc/group\nC /etc/passwd\nA /o\nA /o/other\nA /o/root\nA /o/user')"
	local want
	want=$(printf '0:0 /o/root\n1000:1000 /o/user\n5:7 /o/other\n0:0 /etc/passwd')
	holt commit kown kown:1 >/dev/null
	run_holt run --rm kown:1 sh -c 'for f in /o/root /o/user /o/other /etc/passwd; do echo "$(stat -c %u:%g $f) $f"; done'
	check_output "$want"
	run --separate-stderr bash -c "$(holt_cmdline) export kown | tar -tv --numeric-owner | awk '/ o\// {print \$2, \$6}' | sort"
	check_output "$(printf '0/0 o/\n0/0 o/root\n1000/1000 o/user\n5/7 o/other' | sort)"
	run --separate-stderr bash -c "$(holt_cmdline) cp kown:/o - | tar -tv --numeric-owner | awk '{print \$2, \$6}' | sort"
	check_output "$(printf '0/0 o/\n0/0 o/root\n1000/1000 o/user\n5/7 o/other' | sort)"
	run_holt start -a kown
	check_output "$want"
}

@test "keep-id: the user's lines are added with /etc's owner, mode and times kept" {
	subids_or_skip
	run_holt run --rm "$IMG" stat -c '%u:%g %a %Y' /etc /etc/passwd /etc/group
	local plain=$output
	run_holt run --rm --userns keep-id -u 0 "$IMG" sh -c \
		'stat -c "%u:%g %a %Y" /etc; stat -c "%u:%g %a" /etc/passwd /etc/group; grep -c "^$0:" /etc/passwd' "$(id -un)"
	check_status 0
	check_output "$(echo "$plain" | sed -n 1p; echo "$plain" | sed -n '2,3p' | cut -d' ' -f1,2; echo 1)"
}

@test "keep-id: a container that ran on fuse-overlayfs stays on it; one on a view refuses it" {
	subids_or_skip
	holt --storage-driver fuse-overlayfs run --name kfuse --userns keep-id -u 0 "$IMG" \
		sh -c 'echo f > /made' >/dev/null
	run_holt start -a kfuse
	check_status 0
	run_holt run --rm --volumes-from kfuse "$IMG" true
	check_status 0
	run_holt --storage-driver overlay start kfuse
	check_holt_error "fuse-overlayfs"
	holt commit kfuse kfuse:1 >/dev/null
	run_holt run --rm kfuse:1 stat -c %u:%g /made
	check_output "0:0"
	holt run --name kview --userns keep-id "$IMG" true
	run_holt --storage-driver fuse-overlayfs start kview
	check_holt_error "own user namespace"
}

@test "the fuse-overlayfs driver refuses CAP_SYS_PTRACE too, without keep-id" {
	fuse_or_skip
	run_holt --storage-driver fuse-overlayfs run --rm --privileged "$IMG" true
	check_holt_error "CAP_SYS_PTRACE"
	run_holt --storage-driver fuse-overlayfs run --rm "$IMG" true
	check_status 0
}

@test "keep-id without subordinate ids takes --privileged: there is no fuse-overlayfs" {
	nosubids_or_skip
	run_holt run --rm --userns keep-id --privileged "$IMG" id -u
	check_status 0
	check_output "$(id -u)"
}

@test "--userns: host is the default, private its podman spelling; junk is refused" {
	for mode in host private; do
		run_holt run --rm --userns "$mode" "$IMG" id -u
		check_status 0
		check_output 0
	done
	for mode in nomapx keep-id:uid=x auto:size=0 auto:size=x bogus; do
		run_holt run --rm --userns "$mode" "$IMG" true
		check_holt_error "--userns \"$mode\""
	done
}

@test "keep-id and --network container:NAME conflict" {
	run_holt run --rm --userns keep-id --network container:other "$IMG" true
	check_holt_error "conflict"
}
