#!/usr/bin/env bats
# holt cp: both directions, stopped and running containers, docker's rules for where a
# copy lands, tars on stdin and stdout, owners with and without -a, and symlinks in the
# container that point at the host, which must lead nowhere outside it.

load helpers

setup_file()
{
	holt_setup_file_with_image
	# What the containers' symlinks point at: host paths that exist only on the host.
	export HOST_FILE=$HOLT_TMP/host_file HOST_DIR=$HOLT_TMP/host_dir
	echo "host secret" >"$HOST_FILE"
	mkdir -p "$HOST_DIR"
}

teardown_file()
{
	holt_teardown_file
}

setup()
{
	CTRS=()
	cd "$BATS_TEST_TMPDIR"
}

teardown()
{
	local c
	for c in "${CTRS[@]}"; do
		holt rm -f "$c" >/dev/null 2>&1 || true
	done
	# Copies made with -a belong to subordinate ids, which only a mapped root removes.
	if [ -e "$BATS_TEST_TMPDIR/kept" ]; then
		unshare --map-auto --map-root-user rm -rf "$BATS_TEST_TMPDIR/kept" ||
			echo "# teardown: could not remove $BATS_TEST_TMPDIR/kept" >&3
	fi
}

# Far enough up to climb past any container's root.
UP=../../../../../../../../../../../../../../../..

# The files every test container has, and symlinks that lead out of it if followed on
# the host: relative ones climbing past its root, and absolute ones.
CONTENT='echo hello >/tmp/hello
	mkdir -p /tmp/d/sub; echo a >/tmp/d/a; echo b >/tmp/d/sub/b
	ln -s /etc /tmp/evil'
escapes()
{
	printf 'ln -s %s /x; ln -s %s /xd; ln -s %s /abs' "$UP$HOST_FILE" "$UP$HOST_DIR" "$HOST_DIR"
}

# make_ctr NAME [holt global options]: a stopped container with CONTENT.
make_ctr()
{
	local name=$1
	shift
	CTRS+=("$name")
	holt "$@" run --name "$name" "$IMG" sh -c "$CONTENT; $(escapes)" >/dev/null ||
		{ echo "make_ctr $name failed"; return 1; }
}

# make_live NAME: the same, running, once it has made its files. When /tmp/go appears,
# its command copies /tmp/in to /tmp/seen: the test sees what the container sees.
make_live()
{
	CTRS+=("$1")
	holt run -d --name "$1" "$IMG" sh -c "$CONTENT; $(escapes); touch /ready
		while [ ! -e /tmp/go ]; do sleep 0.05; done; cp -r /tmp/in /tmp/seen
		exec sleep 1000" >/dev/null || { echo "make_live $1 failed"; return 1; }
	wait_for_file "$1" /ready
}

# wait_for_file NAME PATH: until PATH is in container NAME (10 s at most).
wait_for_file()
{
	local i
	for ((i = 0; i < 200; i++)); do
		holt cp "$1:$2" - >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	echo "no $2 in container $1"
	return 1
}

# The file at PATH in container NAME (read with cp to stdout).
ctr_cat()
{
	holt cp "$1:$2" - | tar -xOf -
}

# The members of the tar that cp gives for NAME:PATH, sorted.
ctr_list()
{
	holt cp "$1:$2" - | tar -tf - | LC_ALL=C sort
}

# The host side of the symlinks' targets is as setup_file left it.
check_host_untouched()
{
	[ "$(cat "$HOST_FILE")" = "host secret" ] || { echo "host file changed"; return 1; }
	[ -z "$(ls -A "$HOST_DIR")" ] || { echo "host dir written:"; ls -la "$HOST_DIR"; return 1; }
}

# --- out of a container ----------------------------------------------------------------

@test "cp a file out: to a new name, into a directory, over a file" {
	make_ctr c1
	run_holt cp c1:/tmp/hello new
	check_status 0
	check_no_stderr
	[ "$(cat new)" = hello ]

	mkdir dir
	run_holt cp c1:/tmp/hello dir
	check_status 0
	[ "$(cat dir/hello)" = hello ]

	echo old >file
	run_holt cp c1:/tmp/hello file
	check_status 0
	[ "$(cat file)" = hello ]
}

@test "cp a directory out: created, into an existing one, its contents with /." {
	make_ctr c1
	run_holt cp c1:/tmp/d new
	check_status 0
	[ "$(cd new && find . | LC_ALL=C sort | tr '\n' ' ')" = ". ./a ./sub ./sub/b " ]

	mkdir have
	run_holt cp c1:/tmp/d have
	check_status 0
	[ "$(cat have/d/sub/b)" = b ]

	mkdir into
	run_holt cp c1:/tmp/d/. into
	check_status 0
	[ "$(cat into/a)" = a ] && [ "$(cat into/sub/b)" = b ] && [ ! -e into/d ]

	run_holt cp c1:/tmp/d/ slash
	check_status 0
	[ "$(cat slash/a)" = a ]
}

@test "cp: container paths are relative to its /" {
	make_ctr c1
	run_holt cp c1:tmp/hello rel
	check_status 0
	[ "$(cat rel)" = hello ]
}

@test "cp: a destination ending in / must be an existing directory" {
	make_ctr c1
	run_holt cp c1:/tmp/hello nodir/
	check_holt_error "destination directory does not exist"
	check_stderr_has "nodir/"
	[ ! -e nodir ]
	run_holt cp c1:/tmp/hello missing/parent/file
	check_holt_error 'destination directory "missing/parent" does not exist'
}

@test "cp a directory onto a file: exit 125, cannot copy a directory to a file" {
	make_ctr c1
	echo keep >file
	run_holt cp c1:/tmp/d file
	check_holt_error "cannot copy a directory to a file"
	check_stderr_has '"file"'
	[ "$(cat file)" = keep ]
}

@test "cp: no such container, no such file: exit 125 and the message" {
	make_ctr c1
	run_holt cp nosuch:/tmp/hello out
	check_holt_error "no such container: nosuch"
	run_holt cp c1:/nope out
	check_holt_error "could not find the file /nope in container c1"
	run_holt cp ./nope c1:/tmp
	check_holt_error "could not find the file ./nope"
	[ ! -e out ]
}

@test "cp: bad arguments exit 125" {
	run_holt cp onlyone
	check_holt_error "a source and a destination are required"
	run_holt cp a b
	check_holt_error "name a container"
	run_holt cp a:/x b:/y
	check_holt_error "copying between containers is not supported"
	run_holt cp --nope a:/x .
	check_status 125
}

# --- into a container ------------------------------------------------------------------

@test "cp a file in: to a new name, into a directory, over a file" {
	make_ctr c1
	echo local >f
	run_holt cp f c1:/tmp/new
	check_status 0
	check_no_stderr
	[ "$(ctr_cat c1 /tmp/new)" = local ]
	run_holt cp f c1:/tmp
	check_status 0
	[ "$(ctr_cat c1 /tmp/f)" = local ]
	run_holt cp f c1:/tmp/hello
	check_status 0
	[ "$(ctr_cat c1 /tmp/hello)" = local ]
}

@test "cp a directory in: created, into an existing one, its contents with /." {
	make_ctr c1
	mkdir -p src/sub
	echo s >src/sub/s
	echo t >src/t
	run_holt cp src c1:/tmp/created
	check_status 0
	[ "$(ctr_list c1 /tmp/created | tr '\n' ' ')" = "created/ created/sub/ created/sub/s created/t " ]
	run_holt cp src c1:/tmp/d
	check_status 0
	[ "$(ctr_cat c1 /tmp/d/src/sub/s)" = s ]
	run_holt cp src/. c1:/tmp/d
	check_status 0
	[ "$(ctr_cat c1 /tmp/d/t)" = t ]
	run_holt cp src c1:/tmp/hello
	check_holt_error "cannot copy a directory to a file"
	check_stderr_has "in container c1"
	run_holt cp src/t c1:/nodir/
	check_holt_error "destination directory does not exist"
}

# --- tars on stdin and stdout ----------------------------------------------------------

@test "cp -: a tar from stdin into a directory of the container, and out to stdout" {
	make_ctr c1
	mkdir -p t/sub
	echo one >t/one
	echo two >t/sub/two
	tar -C t -cf in.tar one sub
	holt cp - c1:/tmp/d <in.tar
	[ "$(ctr_cat c1 /tmp/d/sub/two)" = two ]

	holt cp c1:/tmp/d - >out.tar
	[ "$(tar -tf out.tar | LC_ALL=C sort | tr '\n' ' ')" = "d/ d/a d/one d/sub/ d/sub/b d/sub/two " ]

	run_holt cp - c1:/tmp/hello <in.tar
	check_holt_error "/tmp/hello"
	run_holt cp - c1:/nope <in.tar
	check_holt_error "destination directory does not exist"
	run_holt cp - c1:/tmp <"$HOLT_FIXTURES/notatar.tar"
	check_status 125
}

@test "cp - refuses a tar whose members climb out or go through a symlink" {
	make_ctr c1
	local f
	for f in escape absolute symlink-escape; do
		run_holt cp - c1:/tmp <"$HOLT_FIXTURES/$f.tar"
		check_status 125
	done
	run ctr_list c1 /tmp
	[[ $output != *escaped* && $output != *absolute* ]] || { show_run; false; }
	check_host_untouched
}

# --- the container's symlinks lead nowhere outside it -----------------------------------

# Writes and reads through symlinks of container $1 that point out of it.
symlink_attacks()
{
	local c=$1
	echo planted >f
	run_holt cp f "$c:/xd/planted"
	check_status 125 || return 1
	run_holt cp f "$c:/abs/planted"
	check_status 125 || return 1
	run_holt cp f "$c:/x"
	check_status 0 || return 1
	check_host_untouched || return 1

	# Reading: without -L, the link itself; with -L or through it, nothing of the host.
	run_holt cp "$c:/xd" link
	check_status 0 || return 1
	[ -L link ] || { echo "not a symlink"; ls -la; return 1; }
	run_holt cp -L "$c:/xd" followed
	check_holt_error "could not find the file /xd in container $c" || return 1
	run_holt cp "$c:/abs/." through
	check_holt_error "could not find the file" || return 1
	[ ! -e followed ] && [ ! -e through ] || return 1

	# An absolute link resolves in the container: /tmp/evil is its /etc.
	local name=cp-test-$$-$RANDOM
	run_holt cp f "$c:/tmp/evil/$name"
	check_status 0 || return 1
	[ ! -e "/etc/$name" ] || { echo "wrote the host's /etc/$name"; return 1; }
	[ "$(ctr_cat "$c" "/etc/$name")" = planted ] || return 1
	check_host_untouched
}

@test "cp follows no symlink out of a stopped container" {
	make_ctr c1
	symlink_attacks c1
}

@test "cp follows no symlink out of a running container" {
	make_live live
	symlink_attacks live
}

@test "cp -L follows a symlink at the source only" {
	make_ctr c1
	run_holt cp -L c1:/tmp/evil etc
	check_status 0
	[ -f etc/passwd ] && [ ! -L etc ] || { ls -la etc; false; }
	run_holt cp c1:/tmp/evil nolink
	check_status 0
	[ "$(readlink nolink)" = /etc ]
}

# --- running containers ----------------------------------------------------------------

@test "cp to and from a running container" {
	make_live live
	mkdir -p in/sub
	echo running >in/sub/f
	run_holt cp in live:/tmp/
	check_status 0
	touch go
	run_holt cp go live:/tmp/go
	check_status 0
	# The container's own process found the files where they were copied.
	wait_for_file live /tmp/seen/sub/f
	[ "$(ctr_cat live /tmp/seen/sub/f)" = running ]
	run_holt cp live:/tmp/seen back
	check_status 0
	[ "$(cat back/sub/f)" = running ]
	run_holt cp live:/tmp/d/. into
	check_status 0
	[ "$(cat into/sub/b)" = b ]
}

# --- owners ----------------------------------------------------------------------------

@test "cp: the receiving user owns the copy; -a keeps the owners" {
	subids_or_skip
	make_ctr c1
	# /home/tester/owned is 1000:1000 in the image.
	run_holt cp c1:/home/tester/owned plain
	check_status 0
	[ "$(stat -c %u plain/file)" = "$(id -u)" ]
	run_holt cp -a c1:/home/tester/owned kept
	check_status 0
	[ "$(stat -c %u kept/file)" != "$(id -u)" ] || { ls -ln kept; false; }

	run_holt cp kept c1:/tmp/plain
	check_status 0
	run_holt cp -a kept c1:/tmp/kept
	check_status 0
	holt cp c1:/tmp - | tar -tvf - >list
	grep -q ' 0/0 .* tmp/plain/file$' list || { cat list; false; }
	grep -q ' 1000/1000 .* tmp/kept/file$' list || { cat list; false; }
}

# --- storage drivers -------------------------------------------------------------------

@test "cp with fuse-overlayfs: both ways, and no fuse-overlayfs left running" {
	fuse_or_skip
	make_ctr cf --storage-driver fuse-overlayfs
	echo fuse >f
	run_holt --storage-driver fuse-overlayfs cp f cf:/tmp/f
	check_status 0
	run_holt --storage-driver fuse-overlayfs cp cf:/tmp/f back
	check_status 0
	[ "$(cat back)" = fuse ]
	! pgrep -u "$(id -u)" -f "fuse-overlayfs.*$HOLT_ROOT" || { echo "fuse-overlayfs left"; false; }
}

@test "cp with vfs: the container's own copy, found without --storage-driver" {
	make_ctr cv --storage-driver vfs
	echo vfs >f
	run_holt cp f cv:/tmp/f
	check_status 0
	run_holt --storage-driver vfs cp cv:/tmp/f back
	check_status 0
	[ "$(cat back)" = vfs ]
	[ "$(ctr_cat cv /tmp/hello)" = hello ]
}

@test "holt container cp is cp" {
	make_ctr c1
	run_holt container cp c1:/tmp/hello h
	check_status 0
	[ "$(cat h)" = hello ]
}
