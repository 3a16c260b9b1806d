# Shared by every tests/bats/NN_area.bats: where things are, a store of the file's own,
# the test image, `*_or_skip` gates that say why a test cannot run here, and asserts that
# print what they expected and what they got.
#
# Environment (tests/run-checks sets these; the defaults fit a plain `bats tests/bats`
# from the top of a built tree):
#   HOLT             the binary under test             (default: ./holt)
#   HOLT_TEST_TOOL   the static helper for containers  (default: build/tests/holt-test-tool)
#   HOLT_FIXTURES    where tests/lib/mkimage's output goes (default: per bats run)
#   HOLT_TIMEOUT     seconds one holt command may take (default: 30)

bats_require_minimum_version 1.5.0

HOLT_SRC=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
HOLT=${HOLT:-$HOLT_SRC/holt}
HOLT_TEST_TOOL=${HOLT_TEST_TOOL:-$HOLT_SRC/build/tests/holt-test-tool}
HOLT_LIB=${HOLT_LIB:-$HOLT_SRC/tests/lib}
HOLT_FIXTURES=${HOLT_FIXTURES:-$BATS_RUN_TMPDIR/fixtures}
HOLT_TIMEOUT=${HOLT_TIMEOUT:-30}
IMG=testimg:1

# The warning a user with no subordinate ids gets once per run/import.
NOSUB_WARNING_RE='^holt: warning: .*no subordinate id ranges'

# --- the store of this file ----------------------------------------------------------

# holt with this file's store. A command that hangs is killed after HOLT_TIMEOUT, and
# so are the processes it left behind with this store in their command line (a stuck
# fuse-overlayfs, say). Output goes through files, not pipes, so that a leftover process
# holding the pipe cannot hang the test that captures it. The files are named without
# mktemp and left for bats to remove with the file's tmpdir: on this VM every fork costs
# more than holt itself, and the suites are bound by the harness's forks.
holt()
{
	local o e rc=0 t0=$SECONDS
	o=$HOLT_TMP/out.$BASHPID.$((++holt_calls))
	e=$HOLT_TMP/err.$BASHPID.$holt_calls
	timeout -k 5 "$HOLT_TIMEOUT" "$HOLT" --root "$HOLT_ROOT" --runroot "$HOLT_RUNROOT" "$@" \
		>"$o" 2>"$e" || rc=$?
	[ ! -s "$o" ] || cat "$o"
	[ ! -s "$e" ] || cat "$e" >&2
	if ((SECONDS - t0 >= HOLT_TIMEOUT)); then
		echo "holt $*: killed after ${HOLT_TIMEOUT}s" >&2
		reap_store_processes
	fi
	return "$rc"
}

# Kills, by pid, the processes of this user that name this file's store in their command
# line: only what the tests started.
reap_store_processes()
{
	local pids
	pids=$(pgrep -u "$(id -u)" -f -- "$HOLT_ROOT" 2>/dev/null) || return 0
	echo "# killing leftover processes of $HOLT_ROOT:" $pids >&2 # shellcheck disable=SC2086
	# shellcheck disable=SC2086 # one pid a word
	kill -KILL $pids 2>/dev/null || true
}

# The same, as a shell word list for `script -c` and `sh -c` strings.
holt_cmdline()
{
	printf '%q ' "$HOLT" --root "$HOLT_ROOT" --runroot "$HOLT_RUNROOT"
}

# run holt, as bats' `run --separate-stderr holt` would, with stdout in $output and
# $lines, stderr in $stderr and $stderr_lines, the status in $status; a first argument
# -N fails the test unless the status is N. It reads holt's files with builtins instead
# of bats' run, which forks a mktemp, a subshell and a cat for every call.
run_holt()
{
	local want='' o e t0=$SECONDS
	if [[ ${1-} =~ ^-[0-9]+$ ]]; then
		want=${1#-}
		shift
	fi
	o=$HOLT_TMP/out.$BASHPID.$((++holt_calls))
	e=$HOLT_TMP/err.$BASHPID.$holt_calls
	status=0
	timeout -k 5 "$HOLT_TIMEOUT" "$HOLT" --root "$HOLT_ROOT" --runroot "$HOLT_RUNROOT" "$@" \
		>"$o" 2>"$e" || status=$?
	if ((SECONDS - t0 >= HOLT_TIMEOUT)); then
		echo "holt $*: killed after ${HOLT_TIMEOUT}s" >>"$e"
		reap_store_processes
	fi
	output=''
	IFS= read -r -d '' output <"$o" || true
	while [[ $output == *$'\n' ]]; do
		output=${output%$'\n'}
	done
	read -r -d '' stderr <"$e" || true
	IFS=$'\n' read -r -d '' -a lines <<<"$output" || true
	IFS=$'\n' read -r -d '' -a stderr_lines <<<"$stderr" || true
	BATS_RUN_COMMAND="holt $*"
	if [ -n "$want" ] && [ "$status" -ne "$want" ]; then
		BATS_ERROR_SUFFIX=", expected exit code $want, got $status"
		return 1
	fi
	return 0
}

# Builds the fixtures once per bats run (several files may ask at once under --jobs).
fixtures()
{
	[ -e "$HOLT_FIXTURES/.done" ] && return 0
	mkdir -p "$HOLT_FIXTURES"
	(
		flock 9
		if [ ! -e "$HOLT_FIXTURES/.done" ]; then
			"$HOLT_LIB/mkimage" "$HOLT_FIXTURES" "$HOLT_TEST_TOOL" >&2 &&
				touch "$HOLT_FIXTURES/.done"
		fi
	) 9>"$HOLT_FIXTURES/.lock"
	[ -e "$HOLT_FIXTURES/.done" ]
}

# setup_file of most files: a fresh store and the test image in it as $IMG.
holt_setup_file()
{
	[ -x "$HOLT" ] || {
		echo "holt binary $HOLT: not found; run make" >&2
		return 1
	}
	[ -x "$HOLT_TEST_TOOL" ] || {
		echo "test tool $HOLT_TEST_TOOL: not found; run make check" >&2
		return 1
	}
	export HOLT_TMP=$BATS_FILE_TMPDIR
	export HOLT_ROOT=$HOLT_TMP/root HOLT_RUNROOT=$HOLT_TMP/run
	mkdir -p "$HOLT_RUNROOT"
	chmod 700 "$HOLT_RUNROOT"
	has_subids || true
	fixtures
}

holt_setup_file_with_image()
{
	holt_setup_file
	local id
	id=$(holt import "$HOLT_FIXTURES/rootfs.tar.gz" "$IMG" 2>"$HOLT_TMP/import.err") || {
		echo "setup: holt import of the test image failed:" >&2
		cat "$HOLT_TMP/import.err" >&2
		return 1
	}
	echo "$id" >"$HOLT_TMP/image-id"
}

image_id()
{
	cat "$HOLT_TMP/image-id"
}

# holt_rm_containers: removes every container, running or not (a test's teardown).
holt_rm_containers()
{
	local id
	for id in $(holt ps -aq 2>/dev/null); do
		holt rm -f "$id" >/dev/null 2>&1 || true
	done
}

# kill_mid_write PID DIR NAME: sends TERM to PID once DIR holds its temporary file of
# -o NAME (".NAME.holt-*") with a megabyte written, and waits for it: a fixed delay
# lets a fast machine finish first.
kill_mid_write()
{
	local pid=$1 dir=$2 name=$3 i
	for ((i = 0; i < 1000; i++)); do
		[ -n "$(find "$dir" -name ".$name.holt-*" -size +1M)" ] && break
		sleep 0.005
	done
	kill -TERM "$pid"
	wait "$pid" || true
}

# teardown_file: the store may hold files owned by subordinate ids that the user cannot
# delete from outside, so holt removes what it made first; the user namespace of
# `unshare --map-auto` is the last resort.
holt_teardown_file()
{
	[ -n "${HOLT_ROOT:-}" ] || return 0
	if [ -d "$HOLT_ROOT" ]; then
		if holt system --help 2>/dev/null | grep -qw reset; then
			holt system reset -f >/dev/null 2>&1 || true
		else
			local name
			for name in $(holt_image_names) $(holt_image_ids); do
				holt rmi "$name" >/dev/null 2>&1 || true
			done
		fi
	fi
	# The pause process that holds this runroot's user namespace, and anything stuck.
	holt system migrate >/dev/null 2>&1 || true
	if pgrep -u "$(id -u)" -f -- "$HOLT_ROOT" >/dev/null 2>&1; then
		echo "# teardown: processes left running:" >&3
		pgrep -a -u "$(id -u)" -f -- "$HOLT_ROOT" | sed 's/^/#   /' >&3
		reap_store_processes 2>/dev/null
	fi
	local d
	for d in "$HOLT_ROOT" "$HOLT_RUNROOT"; do
		[ -e "$d" ] || continue
		chmod -R u+rwx "$d" 2>/dev/null || true
		rm -rf "$d" 2>/dev/null ||
			unshare --map-auto --map-root-user rm -rf "$d" 2>/dev/null ||
			echo "# teardown: could not remove $d" >&3
	done
}

# REPOSITORY:TAG of every image, from `holt images`.
holt_image_names()
{
	holt images 2>/dev/null | awk 'NR > 1 && $1 != "<none>" { print $1 ":" $2 }'
}

# IMAGE ID of every image (untagged ones have no name to remove them by).
holt_image_ids()
{
	holt images 2>/dev/null | awk 'NR > 1 { print $3 }'
}

# A listing of the store that changes when anything in it does (names, types, sizes,
# modes, owners); mtimes are left out since reads may touch them, and the events journal,
# which records every command by design.
store_listing()
{
	[ -d "$HOLT_ROOT" ] || return 0
	(cd "$HOLT_ROOT" && find . -path ./events -prune -o -printf '%p %y %s %m %U:%G\n' 2>/dev/null |
		LC_ALL=C sort)
}

# Checks that the store is what $1 (a store_listing) was, showing the difference if not.
check_store_unchanged()
{
	[ "$(store_listing)" = "$1" ] && return 0
	echo "the store changed (< before, > after):"
	diff <(echo "$1") <(store_listing)
	return 1
}

# --- gates -----------------------------------------------------------------------------

# Asked once per file (holt_setup_file exports the answer to its tests).
has_subids()
{
	if [ -z "${HOLT_HAS_SUBIDS:-}" ]; then
		local me
		me=$(id -un)
		HOLT_HAS_SUBIDS=no
		getsubids "$me" >/dev/null 2>&1 && getsubids -g "$me" >/dev/null 2>&1 &&
			HOLT_HAS_SUBIDS=yes
		export HOLT_HAS_SUBIDS
	fi
	[ "$HOLT_HAS_SUBIDS" = yes ]
}

subids_or_skip()
{
	has_subids || skip "user $(id -un) has no subordinate id range"
}

nosubids_or_skip()
{
	! has_subids || skip "user $(id -un) has a subordinate id range"
}

# holt's own messages are about the unprivileged case; root skips what depends on that.
nonroot_or_skip()
{
	[ "$(id -u)" -ne 0 ] || skip "running as root"
}

fuse_or_skip()
{
	command -v fuse-overlayfs >/dev/null || skip "fuse-overlayfs not installed"
	if [ ! -r /dev/fuse ] || [ ! -w /dev/fuse ]; then
		skip "/dev/fuse not usable by $(id -un)"
	fi
}

# Native overlay in a user namespace (kernel >= 5.11, userxattr), probed with unshare.
overlay_or_skip()
{
	local d=$HOLT_TMP/ovl-probe
	mkdir -p "$d"/{l,u,w,m}
	unshare -rm sh -c "mount -t overlay -o lowerdir=$d/l,upperdir=$d/u,workdir=$d/w,userxattr none $d/m" \
		2>/dev/null || {
		rm -rf "$d"
		skip "native overlay in a user namespace does not work here"
	}
	rm -rf "$d"
}

script_or_skip()
{
	command -v script >/dev/null || skip "script (util-linux) not installed"
}

# Removes every container of this file's store: the teardown of files whose tests make
# containers as they go.
remove_all_containers()
{
	local ids
	ids=$(holt ps -aq --no-trunc 2>/dev/null) || true
	# shellcheck disable=SC2086 # one id a word
	[ -z "$ids" ] || holt rm -f $ids >/dev/null 2>&1 || true
}

# --- asserts ---------------------------------------------------------------------------

show_run()
{
	echo "status: $status"
	echo "stdout: ----"
	printf '%s\n' "$output"
	echo "stderr: ----"
	printf '%s\n' "${stderr-}"
	echo "------------"
}

check_status()
{
	[ "$status" -eq "$1" ] && return 0
	echo "expected status $1, got $status"
	show_run
	return 1
}

check_output()
{
	[ "$output" = "$1" ] && return 0
	printf 'expected stdout:\n%s\n' "$1"
	show_run
	return 1
}

check_output_has()
{
	[[ $output == *"$1"* ]] && return 0
	printf 'expected stdout to contain: %s\n' "$1"
	show_run
	return 1
}

check_stderr_has()
{
	[[ ${stderr-} == *"$1"* ]] && return 0
	printf 'expected stderr to contain: %s\n' "$1"
	show_run
	return 1
}

check_stderr_matches()
{
	[[ ${stderr-} =~ $1 ]] && return 0
	printf 'expected stderr to match: %s\n' "$1"
	show_run
	return 1
}

# stderr without the no-subordinate-ids warning.
stderr_sans_warning()
{
	printf '%s\n' "${stderr-}" | grep -Ev "$NOSUB_WARNING_RE" | sed '/^$/d'
}

check_no_stderr()
{
	local rest
	rest=$(stderr_sans_warning)
	[ -z "$rest" ] && return 0
	echo "expected no stderr (beyond the subordinate-id warning)"
	show_run
	return 1
}

# An error from holt: exit 125 and one `holt: error: ...` line that names $1.
check_holt_error()
{
	check_status 125 || return 1
	local line
	line=$(stderr_sans_warning | grep '^holt: error: ') || {
		echo "expected a 'holt: error: ' line on stderr"
		show_run
		return 1
	}
	[[ $line == *"$1"* ]] && return 0
	printf 'expected the error to name: %s\n' "$1"
	show_run
	return 1
}

# Waits up to $2 seconds (default 10) for file $1 to hold a line matching $3.
wait_for_line()
{
	local file=$1 secs=${2:-10} re=$3 i
	for ((i = 0; i < secs * 20; i++)); do
		grep -q -- "$re" "$file" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "timed out waiting for '$re' in $file:"
	cat "$file" 2>/dev/null
	return 1
}
