#!/usr/bin/env bats
# --userns keep-id[:uid=N,gid=N]: the container runs as the user's own ids (or N), in a
# user namespace of its own; files the user owns in binds and volumes are theirs on
# both sides, and the image's files keep their owners (through fuse-overlayfs's
# mapping). Without subordinate ids the user's id is all there is: every file is theirs.

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

@test "keep-id refuses CAP_SYS_PTRACE where fuse-overlayfs serves the root: it could reach the host through it" {
	subids_or_skip # without, there is no fuse-overlayfs process to reach
	run_holt run --rm --userns keep-id --privileged "$IMG" true
	check_holt_error "CAP_SYS_PTRACE"
	run_holt run --rm --userns keep-id --cap-add SYS_PTRACE "$IMG" true
	check_holt_error "CAP_SYS_PTRACE"
	holt run -d --name kpriv --userns keep-id "$IMG" sleep 60 >/dev/null
	run_holt exec --privileged kpriv true
	check_holt_error "CAP_SYS_PTRACE"
	# every other capability leaves the process's /proc/PID/root out of reach
	run_holt run --rm --userns keep-id -u 0 --cap-add ALL --cap-drop SYS_PTRACE "$IMG" sh -c \
		'for p in /proc/[0-9]*; do [ "$(cat $p/comm)" = fuse-overlayfs ] && ls $p/root/; done; true'
	check_status 0
	[[ $stderr == *"Permission denied"* ]] || { show_run; false; }
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
