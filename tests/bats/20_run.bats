#!/usr/bin/env bats
# holt run: the command, its exit status, environment, working dir, user, hostname,
# entrypoint, and the filesystems a container sees.

load helpers

setup_file()
{
	holt_setup_file_with_image
}

teardown_file()
{
	holt_teardown_file
}

# --- the command and its exit status ---------------------------------------------------

@test "run a command: its output, exit 0, nothing else on stderr" {
	run_holt run --rm "$IMG" echo hello from a holt container
	check_status 0
	check_output "hello from a holt container"
	check_no_stderr
}

@test "arguments reach the command unchanged" {
	run_holt run --rm "$IMG" holt-test-tool argv 'a b' '' '$HOME' '*' "it's"
	check_status 0
	check_output "$(printf '[a b]\n[]\n[$HOME]\n[*]\n[it'"'"'s]')"
}

@test "exit status: the container's own" {
	run_holt run --rm "$IMG" true
	check_status 0
	run_holt run --rm "$IMG" false
	check_status 1
	run_holt run --rm "$IMG" sh -c 'exit 7'
	check_status 7
	run_holt run --rm "$IMG" holt-test-tool exit 255
	check_status 255
}

@test "exit status 126: the command is not executable" {
	run_holt run --rm "$IMG" /bin/notexec
	check_status 126
	check_stderr_has "/bin/notexec"
	run_holt run --rm "$IMG" /etc
	check_status 126
}

@test "exit status 127: the command is not found" {
	run_holt -127 run --rm "$IMG" /no/such/command
	check_status 127
	check_stderr_has "/no/such/command"
	run_holt -127 run --rm "$IMG" no-such-command-on-path
	check_status 127
	check_stderr_has "no-such-command-on-path"
}

@test "exit status 137: the container's process killed by SIGKILL" {
	# The container's first process is pid 1 of its namespace: only a signal from
	# outside kills it, so kill it from here.
	holt run --rm "$IMG" sleep 4242 >"$BATS_TEST_TMPDIR/out" 2>&1 &
	local hpid=$! cpid="" i
	for ((i = 0; i < 100; i++)); do
		cpid=$(pgrep -u "$(id -u)" -f '^sleep 4242$' | head -1) && [ -n "$cpid" ] && break
		sleep 0.05
	done
	[ -n "$cpid" ] || { echo "container process not found"; cat "$BATS_TEST_TMPDIR/out"; false; }
	kill -KILL "$cpid"
	local rc=0
	wait "$hpid" || rc=$?
	[ "$rc" -eq 137 ] || { echo "status $rc, want 137"; cat "$BATS_TEST_TMPDIR/out"; false; }
}

@test "exit status 128+N: a process of the container killed by signal N" {
	# A child of the container's pid 1, killed by itself; the shell reports 128+N.
	run_holt run --rm "$IMG" sh -c 'holt-test-tool kill 15; exit $?'
	check_status 143
	run_holt run --rm "$IMG" sh -c 'holt-test-tool kill 9; exit $?'
	check_status 137
}

@test "the command runs as pid 1 of a pid namespace of its own" {
	run_holt run --rm "$IMG" holt-test-tool pid
	check_status 0
	check_output "1 0"
	run_holt run --rm "$IMG" sh -c 'ls /proc | grep -c "^[0-9]"'
	check_status 0
	[ "$output" -le 3 ] || { echo "the container sees other processes"; show_run; false; }
}

@test "no command and none in the image: exit 125 and a clear message" {
	run_holt run --rm "$IMG"
	check_holt_error "command"
}

@test "no image named: exit 125" {
	run_holt run --rm
	check_status 125
	check_stderr_has "holt: error: "
}

# --- entrypoint ----------------------------------------------------------------------

@test "--entrypoint runs that program with the command as its arguments" {
	run_holt run --rm --entrypoint /bin/holt-test-tool "$IMG" argv one 'two three'
	check_status 0
	check_output "$(printf '[one]\n[two three]')"
	run_holt run --rm --entrypoint /bin/echo "$IMG"
	check_status 0
	check_output ""
	run_holt run --rm --entrypoint /bin/sh "$IMG" -c 'echo "$0|$1"' zero one
	check_status 0
	check_output "zero|one"
}

@test "--entrypoint that does not exist: exit 127" {
	run_holt -127 run --rm --entrypoint /nope "$IMG"
	check_status 127
	check_stderr_has "/nope"
}

# --- environment ---------------------------------------------------------------------

@test "the default environment: PATH, HOME, HOSTNAME; nothing leaks from the host" {
	run_holt run --rm "$IMG" env
	check_status 0
	grep -qx 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' <<<"$output" ||
		{ show_run; false; }
	grep -qx 'HOME=/root' <<<"$output" || { show_run; false; }
	grep -q '^HOSTNAME=.' <<<"$output" || { show_run; false; }
	HOLT_LEAK_CHECK=leaked run_holt run --rm "$IMG" env
	[[ $output != *HOLT_LEAK_CHECK* ]] || { show_run; false; }
	[[ $output != *HOLT_ROOT* ]] || { show_run; false; }
}

@test "-e sets variables, -e NAME takes the host's value, later ones win" {
	export FROM_HOST='host value'
	run_holt run --rm -e A=1 -e 'B=two words' --env C= -e FROM_HOST -e A=3 -e NOT_SET_ANYWHERE \
		"$IMG" env
	check_status 0
	grep -qx 'A=3' <<<"$output" || { show_run; false; }
	grep -qx 'B=two words' <<<"$output" || { show_run; false; }
	grep -qx 'C=' <<<"$output" || { show_run; false; }
	grep -qx 'FROM_HOST=host value' <<<"$output" || { show_run; false; }
	[ "$(grep -c '^A=' <<<"$output")" -eq 1 ] || { show_run; false; }
	! grep -q '^NOT_SET_ANYWHERE' <<<"$output" || { show_run; false; }
	run_holt run --rm -e PATH=/bin "$IMG" env
	grep -qx 'PATH=/bin' <<<"$output" || { show_run; false; }
}

@test "--env-file: KEY=VALUE lines, comments and blank lines skipped, KEY alone from host" {
	local f=$BATS_TEST_TMPDIR/env
	cat >"$f" <<-'EOF'
		# a comment
		X=1

		Y=two words = and more
		FILE_FROM_HOST
		QUOTED="kept as is"
	EOF
	FILE_FROM_HOST=fh run_holt run --rm --env-file "$f" -e X=overridden "$IMG" env
	check_status 0
	grep -qx 'X=overridden' <<<"$output" || { show_run; false; }
	grep -qx 'Y=two words = and more' <<<"$output" || { show_run; false; }
	grep -qx 'FILE_FROM_HOST=fh' <<<"$output" || { show_run; false; }
	grep -qx 'QUOTED="kept as is"' <<<"$output" || { show_run; false; }
	! grep -q 'comment' <<<"$output" || { show_run; false; }
}

@test "--env-file that does not exist: exit 125 and the file named" {
	run_holt run --rm --env-file "$BATS_TEST_TMPDIR/nope.env" "$IMG" true
	check_holt_error "nope.env"
}

# --- working dir -----------------------------------------------------------------------

@test "the working dir is / by default, -w sets it" {
	run_holt run --rm "$IMG" pwd
	check_status 0
	check_output "/"
	run_holt run --rm -w /tmp "$IMG" pwd
	check_status 0
	check_output "/tmp"
	run_holt run --rm --workdir /home/tester/owned "$IMG" sh -c 'pwd; ls'
	check_status 0
	check_output "$(printf '/home/tester/owned\nfile')"
}

@test "-w with a dir that does not exist creates it" {
	run_holt run --rm -w /new/work/dir "$IMG" pwd
	check_status 0
	check_output "/new/work/dir"
}

@test "-w relative: exit 125" {
	run_holt run --rm -w relative/dir "$IMG" pwd
	check_holt_error "relative/dir"
}

# --- user --------------------------------------------------------------------------------

@test "the default user is root, uid 0 gid 0" {
	run_holt run --rm "$IMG" sh -c 'id -u; id -g; id -un'
	check_status 0
	check_output "$(printf '0\n0\nroot')"
}

@test "-u by name: uid, gid and HOME from the image's /etc/passwd" {
	subids_or_skip
	run_holt run --rm -u tester "$IMG" sh -c 'id -u; id -g; id -un; echo $HOME'
	check_status 0
	check_output "$(printf '1000\n1000\ntester\n/home/tester')"
}

@test "-u by name: supplementary groups from the image's /etc/group" {
	subids_or_skip
	run_holt run --rm -u tester "$IMG" id -G
	check_status 0
	check_output "1000 100"
}

@test "-u by number: uid and gid, the gid from /etc/passwd when the uid is there" {
	subids_or_skip
	run_holt run --rm -u 1000 "$IMG" sh -c 'id -u; id -g'
	check_status 0
	check_output "$(printf '1000\n1000')"
	run_holt run --rm -u 1000:100 "$IMG" sh -c 'id -u; id -g'
	check_status 0
	check_output "$(printf '1000\n100')"
	run_holt run --rm -u 4321 "$IMG" sh -c 'id -u; id -g'
	check_status 0
	check_output "$(printf '4321\n0')"
	run_holt run --rm -u tester:users "$IMG" sh -c 'id -u; id -g'
	check_status 0
	check_output "$(printf '1000\n100')"
}

@test "-u 1000 can write the files that 1000 owns, and not root's" {
	subids_or_skip
	run_holt run --rm -u 1000 "$IMG" sh -c \
		'echo more >> /home/tester/owned/file && cat /home/tester/owned/file; touch /etc/nope'
	[ "$status" -ne 0 ] || { show_run; false; }
	check_output "$(printf 'owned by tester\nmore')"
	[[ $stderr == *"/etc/nope"* ]] || { show_run; false; }
}

@test "-u with a uid the user cannot map: exit 125 and the uid named" {
	nosubids_or_skip
	run_holt run --rm -u 1000 "$IMG" id -u
	check_holt_error "1000"
}

@test "-u with a name not in the image: an error naming it" {
	run_holt run --rm -u nosuchuser "$IMG" true
	[ "$status" -eq 125 ] || [ "$status" -eq 126 ] || { show_run; false; }
	check_stderr_has "nosuchuser"
}

# --- hostname, name ---------------------------------------------------------------------

@test "--hostname sets the hostname and /etc/hostname" {
	run_holt run --rm --hostname box.example "$IMG" sh -c 'hostname; cat /etc/hostname; echo $HOSTNAME'
	check_status 0
	check_output "$(printf 'box.example\nbox.example\nbox.example')"
}

@test "the default hostname is the container's own, not the host's" {
	run_holt run --rm "$IMG" sh -c 'hostname; cat /etc/hostname'
	check_status 0
	[ "${lines[0]}" != "$(hostname)" ] || { show_run; false; }
	[ "${lines[0]}" = "${lines[1]}" ] || { show_run; false; }
	[[ ${lines[0]} =~ ^[0-9a-f]{12}$ ]] || { echo "not a short container id"; show_run; false; }
}

@test "--name: a second container with a name in use is refused; --rm frees it" {
	local out=$BATS_TEST_TMPDIR/out
	"$HOLT" --root "$HOLT_ROOT" --runroot "$HOLT_RUNROOT" run --rm --name dup "$IMG" \
		holt-test-tool signals >"$out" 2>&1 &
	local hpid=$!
	wait_for_line "$out" 20 ready
	run_holt run --rm --name dup "$IMG" true
	kill -TERM "$hpid"
	wait "$hpid" || true
	check_holt_error '"dup"'
	run_holt run --rm --name dup "$IMG" true
	check_status 0
}

# --- what the container sees ------------------------------------------------------------

@test "/dev has null zero full random urandom tty ptmx pts shm, and they work" {
	run_holt run --rm "$IMG" sh -c '
		for d in null zero full random urandom tty; do test -c /dev/$d || echo "no $d"; done
		test -e /dev/ptmx || echo "no ptmx"
		test -d /dev/pts || echo "no pts"
		test -d /dev/shm || echo "no shm"
		test -d /dev/mqueue || echo "no mqueue"
		echo x > /dev/null || echo "null broken"
		head -c 5 /dev/zero | wc -c
		head -c 5 /dev/urandom | wc -c
		echo y > /dev/full && echo "full accepted a write"
		ls /dev | grep -c "^sd\|^vd\|^nvme\|^kmsg\|^mem$" || true'
	check_status 0
	check_output "$(printf '5\n5\n0')"
}

@test "/proc is the container's, /sys is read-only" {
	run_holt run --rm "$IMG" sh -c 'head -c 5 /proc/1/cmdline | tr "\0" " "; echo
		touch /sys/x 2>/dev/null && echo sys writable
		grep " /sys " /proc/mounts | grep -c "[ ,]ro[ ,]"'
	check_status 0
	check_output "$(printf 'sh -c\n1')"
}

@test "/etc/hosts and /etc/resolv.conf are provided" {
	run_holt run --rm "$IMG" sh -c 'grep -c "^127.0.0.1[[:space:]].*localhost" /etc/hosts; grep -c "[[:space:]]$(hostname)\([[:space:]]\|$\)" /etc/hosts; test -f /etc/resolv.conf && echo resolv'
	check_status 0
	check_output "$(printf '1\n1\nresolv')"
}

@test "an image's own /etc/hosts, resolv.conf and hostname are bound over, not copied up" {
	local ctx=$BATS_TEST_TMPDIR/ctx id
	mkdir -p "$ctx/etc"
	printf 'FROM %s\nCOPY etc /etc\n' "$IMG" >"$ctx/Dockerfile"
	echo '192.0.2.1 image' >"$ctx/etc/hosts"
	echo 'nameserver 192.0.2.1' >"$ctx/etc/resolv.conf"
	echo image >"$ctx/etc/hostname"
	holt build -q -t etcfiles:1 "$ctx" >/dev/null
	run_holt run --name etcfiles etcfiles:1 sh -c 'grep -c 192.0.2.1 /etc/hosts /etc/resolv.conf'
	check_output "$(printf '/etc/hosts:0\n/etc/resolv.conf:0')"
	id=$(holt inspect -f '{{.Id}}' etcfiles)
	# the container changed nothing: its layer holds nothing
	[ -z "$(ls -A "$HOLT_ROOT/containers/$id/upper")" ] || {
		ls -lAR "$HOLT_ROOT/containers/$id/upper"
		false
	}
	holt rm etcfiles >/dev/null
	holt rmi etcfiles:1 >/dev/null
}

@test "the root filesystem is writable and /tmp is there" {
	run_holt run --rm "$IMG" sh -c 'echo w > /written && cat /written; echo t > /tmp/t && cat /tmp/t'
	check_status 0
	check_output "$(printf 'w\nt')"
}

@test "--debug says what holt decided: store, user namespace, rootfs driver" {
	run_holt --debug run --rm "$IMG" true
	check_status 0
	check_stderr_has "holt: debug: store \"$HOLT_ROOT\""
	check_stderr_matches "holt: debug: user namespace: "
	check_stderr_matches "holt: debug: rootfs: (overlay|fuse-overlayfs|vfs)"
	run_holt --log-level info run --rm "$IMG" true
	check_status 0
	[[ $stderr != *"holt: debug:"* ]] || { show_run; false; }
}

@test "--log-level error hides warnings; warn (the default) shows no debug lines" {
	run_holt --log-level error run --rm "$IMG" true
	check_status 0
	[ -z "$stderr" ] || { show_run; false; }
	run_holt run --rm "$IMG" true
	check_status 0
	[[ $stderr != *"holt: debug:"* && $stderr != *"holt: info:"* ]] || { show_run; false; }
}
