#!/usr/bin/env bats
# Detached containers and the commands around them: run -d, ps (filters, formats),
# inspect, names and ids, create/start, wait, stop, kill, restart, rm, prune, rename,
# restart policies, a monitor killed under a running container, many containers at
# once, --init, top, port and attach.

load helpers

setup_file()
{
	holt_setup_file_with_image
}

teardown_file()
{
	holt_teardown_file
}

setup()
{
	cd "$BATS_TEST_TMPDIR" || return
}

# Every test starts with no container: what one leaves is removed here.
teardown()
{
	remove_all_containers
}

# A shell loop that runs until it is signalled, never for long in one sleep.
LOOP='while :; do sleep 0.1; done'

now_ms()
{
	date +%s%3N
}

# wait_log NAME REGEX [SECS]: until a line of NAME's log (either stream) matches.
wait_log()
{
	local name=$1 re=$2 secs=${3:-10} i
	for ((i = 0; i < secs * 20; i++)); do
		holt logs "$name" 2>&1 | grep -q -- "$re" && return 0
		sleep 0.05
	done
	echo "timed out after ${secs}s waiting for '$re' in the log of $name:"
	holt logs "$name" 2>&1
	return 1
}

# wait_inspect NAME TEMPLATE WANT [SECS]: until inspect -f TEMPLATE NAME prints WANT.
wait_inspect()
{
	local name=$1 tmpl=$2 want=$3 secs=${4:-10} i got=""
	for ((i = 0; i < secs * 20; i++)); do
		got=$(holt inspect -f "$tmpl" "$name" 2>/dev/null) || true
		[ "$got" = "$want" ] && return 0
		sleep 0.05
	done
	echo "timed out after ${secs}s waiting for $tmpl of $name to be '$want'; it is '$got'"
	return 1
}

# run_ready NAME [OPTIONS...] SCRIPT: run -d --name NAME OPTIONS $IMG sh -c SCRIPT, where
# SCRIPT echoes "ready" once it is set up (its traps, say); returns when the log says so.
run_ready()
{
	local name=$1 script=${!#}
	local opts=("${@:2:$#-2}")
	holt run -d --name "$name" "${opts[@]}" "$IMG" sh -c "$script" >/dev/null ||
		{ echo "run -d --name $name failed"; return 1; }
	wait_log "$name" '^ready$'
}

# Whether process $1 runs (a zombie does not).
alive()
{
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[ -n "$st" ] && [[ $st != Z* ]]
}

# Sorted names of `ps ARGS`.
ps_names()
{
	holt ps "$@" --format '{{.Names}}' | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//'
}

# --- run -d and ps ---------------------------------------------------------------------

@test "run -d prints the full id and returns while the container runs; ps shows it Up" {
	local t0 took id
	t0=$(now_ms)
	run_holt run -d --name web "$IMG" sleep 60
	took=$(($(now_ms) - t0))
	check_status 0
	[[ $output =~ ^[0-9a-f]{64}$ ]] || { echo "not a 64-hex id"; show_run; false; }
	((took < 5000)) || { echo "run -d took ${took} ms"; false; }
	id=$output

	run_holt ps
	check_status 0
	[ "${#lines[@]}" -eq 2 ] || { show_run; false; }
	[[ ${lines[0]} =~ ^CONTAINER\ ID\ +IMAGE\ +COMMAND\ +CREATED\ +STATUS\ +PORTS\ +NAMES$ ]] ||
		{ show_run; false; }
	[[ ${lines[1]} == "${id:0:12} "*" $IMG "*'"sleep 60"'*" Up "*" web" ]] || { show_run; false; }

	run_holt ps --format '{{.Names}}|{{.State}}|{{.Status}}'
	check_status 0
	[[ $output =~ ^web\|running\|Up\  ]] || { show_run; false; }
}

@test "ps shows running containers; -a all of them, newest first; -q ids; --no-trunc" {
	local up down made
	up=$(holt run -d --name up "$IMG" sleep 60)
	holt run --name down "$IMG" true
	made=$(holt create --name made "$IMG" true)
	down=$(holt inspect -f '{{.Id}}' down)

	run_holt ps -q
	check_status 0
	check_output "${up:0:12}"

	run_holt ps -aq
	check_status 0
	check_output "$(printf '%s\n' "${made:0:12}" "${down:0:12}" "${up:0:12}")"

	run_holt ps -a --format '{{.Names}}|{{.Status}}'
	check_status 0
	[ "${#lines[@]}" -eq 3 ] || { show_run; false; }
	[ "${lines[0]}" = "made|Created" ] || { show_run; false; }
	[[ ${lines[1]} =~ ^down\|Exited\ \(0\)\ .*ago$ ]] || { show_run; false; }
	[[ ${lines[2]} =~ ^up\|Up\  ]] || { show_run; false; }

	run_holt ps -q --no-trunc
	check_status 0
	check_output "$up"
	run_holt ps --no-trunc
	check_status 0
	[[ ${lines[1]} == "$up "* ]] || { show_run; false; }
	run_holt ps -a --no-trunc --format '{{.ID}}'
	check_status 0
	check_output "$(printf '%s\n' "$made" "$down" "$up")"

	# --latest, --last N: the newest, whatever their state.
	run_holt ps -l --format '{{.Names}}'
	check_output "made"
	run_holt ps -n 2 --format '{{.Names}}'
	check_output "$(printf 'made\ndown')"
}

@test "ps --filter: status, name, label, ancestor, id; one key ORs, different keys AND" {
	local fa
	fa=$(holt run -d --name fa -l app=web -l tier=front "$IMG" sleep 60)
	holt run --name fb -l app=db "$IMG" true
	holt create --name fc "$IMG" true >/dev/null

	[ "$(ps_names -a --filter status=running)" = "fa" ]
	[ "$(ps_names -a --filter status=exited)" = "fb" ]
	[ "$(ps_names -a --filter status=created)" = "fc" ]
	[ "$(ps_names --filter status=exited)" = "fb" ] # a filter on status needs no -a
	[ "$(ps_names -a --filter name=fa)" = "fa" ]
	[ "$(ps_names -a --filter name=^f)" = "fa fb fc" ]
	[ "$(ps_names -a --filter name=nobody)" = "" ]
	[ "$(ps_names -a --filter label=app=web)" = "fa" ]
	[ "$(ps_names -a --filter label=app)" = "fa fb" ]
	[ "$(ps_names -a --filter label=tier=front)" = "fa" ]
	[ "$(ps_names -a --filter label=app=none)" = "" ]
	[ "$(ps_names -a --filter ancestor="$IMG")" = "fa fb fc" ]
	[ "$(ps_names -a --filter ancestor="$(image_id)")" = "fa fb fc" ]
	[ "$(ps_names -a --filter id="${fa:0:10}")" = "fa" ]
	[ "$(ps_names -a --filter status=running --filter status=exited)" = "fa fb" ]
	[ "$(ps_names -a --filter label=app --filter status=exited)" = "fb" ]
	[ "$(ps_names -a --filter exited=0)" = "fb" ]

	run_holt ps --filter color=blue
	check_holt_error "color=blue"
}

@test "ps --filter label=KEY=VALUE does not match a label KEY that has no value" {
	holt create --name fl -l flag "$IMG" true >/dev/null
	[ "$(ps_names -a --filter label=flag)" = "fl" ]
	[ "$(ps_names -a --filter label=flag=x)" = "" ]
}

@test "ps --format json: one JSON object a line, with Names, State, ID, Image" {
	local j1
	j1=$(holt run -d --name j1 "$IMG" sleep 60)
	holt run --name j2 "$IMG" sh -c 'exit 3' || true
	run_holt ps -a --format json
	check_status 0
	[ "${#lines[@]}" -eq 2 ] || { show_run; false; }
	python3 -c '
import json, sys
rows = [json.loads(line) for line in sys.stdin]
by = {r["Names"]: r for r in rows}
assert set(by) == {"j1", "j2"}, by
assert by["j1"]["State"] == "running", by["j1"]
assert by["j2"]["State"] == "exited", by["j2"]
assert by["j1"]["ID"] == sys.argv[1][:12], by["j1"]
assert by["j1"]["Image"] == sys.argv[2], by["j1"]
assert by["j1"]["Status"].startswith("Up "), by["j1"]
assert by["j2"]["Status"].startswith("Exited (3) "), by["j2"]
' "$j1" "$IMG" <<<"$output" || { show_run; false; }
}

@test "ps --format: a table with its header, and a plain template" {
	holt run -d --name t1 "$IMG" sleep 60 >/dev/null
	holt create --name t2 "$IMG" true >/dev/null
	run_holt ps -a --format 'table {{.Names}}\t{{.State}}'
	check_status 0
	[ "${#lines[@]}" -eq 3 ] || { show_run; false; }
	[[ ${lines[0]} =~ ^NAMES\ +STATE$ ]] || { show_run; false; }
	[[ ${lines[1]} =~ ^t2\ +created$ ]] || { show_run; false; }
	[[ ${lines[2]} =~ ^t1\ +running$ ]] || { show_run; false; }

	run_holt ps -a --format '{{.Names}}'
	check_status 0
	check_output "$(printf 't2\nt1')"
}

# --- inspect ---------------------------------------------------------------------------

@test "inspect -f: status and exit code, one line per container" {
	holt run -d --name i1 "$IMG" sleep 60 >/dev/null
	holt run --name i2 "$IMG" sh -c 'exit 3' || true
	run_holt inspect -f '{{.State.Status}} {{.State.ExitCode}}' i1 i2
	check_status 0
	check_output "$(printf 'running 0\nexited 3')"
	run_holt inspect -f '{{.Name}} {{.State.Running}}' i1
	check_status 0
	check_output "/i1 true"
}

@test "inspect: docker's JSON shape (Id, Name /x, State, Config.Cmd, HostConfig)" {
	local id
	id=$(holt run -d --name shape -l k=v "$IMG" sleep 60)
	run_holt inspect shape
	check_status 0
	python3 -c '
import json, sys
data = json.loads(sys.stdin.read())
assert isinstance(data, list) and len(data) == 1, data
c = data[0]
assert c["Id"] == sys.argv[1], c["Id"]
assert c["Name"] == "/shape", c["Name"]
st = c["State"]
assert st["Status"] == "running" and st["Running"] is True, st
assert st["Paused"] is False and st["Restarting"] is False, st
assert isinstance(st["Pid"], int) and st["Pid"] > 0, st
assert st["StartedAt"].startswith("20"), st
assert c["Config"]["Cmd"] == ["sleep", "60"], c["Config"]
assert c["Config"]["Labels"] == {"k": "v"}, c["Config"]
assert c["Config"]["Image"] == sys.argv[2], c["Config"]
assert c["Image"].startswith("sha256:"), c["Image"]
assert c["HostConfig"]["RestartPolicy"]["Name"] == "no", c["HostConfig"]
assert c["RestartCount"] == 0, c
' "$id" "$IMG" <<<"$output" || { show_run; false; }

	holt stop -t 0 shape >/dev/null
	run_holt inspect shape
	check_status 0
	python3 -c '
import json, sys
st = json.loads(sys.stdin.read())[0]["State"]
assert st["Status"] == "exited" and st["Running"] is False, st
assert st["ExitCode"] == 137 and st["Pid"] == 0, st
assert st["FinishedAt"].startswith("20"), st
' <<<"$output" || { show_run; false; }
}

# --- names and ids ---------------------------------------------------------------------

@test "a container is found by name, full id, short id and a unique prefix" {
	local id ref
	id=$(holt run -d --name byname "$IMG" sleep 60)
	for ref in byname "$id" "${id:0:12}" "${id:0:5}"; do
		run_holt inspect -f '{{.Name}} {{.Id}}' "$ref"
		check_status 0
		check_output "/byname $id"
	done
	run_holt stop -t 0 "${id:0:7}"
	check_status 0
	check_output "${id:0:7}"
	run_holt inspect -f '{{.State.Status}}' byname
	check_output "exited"
}

@test "an id prefix that several containers share: exit 125, nothing done" {
	local ids=() p="" i
	# 17 ids cannot all start with different hex digits.
	for ((i = 0; i < 17; i++)); do
		ids+=("$(holt create "$IMG" true)")
		p=$(printf '%s\n' "${ids[@]}" | cut -c1 | LC_ALL=C sort | uniq -d | head -n 1)
		[ -z "$p" ] || break
	done
	[ -n "$p" ] || { echo "no two ids share a first digit:" "${ids[@]}"; false; }
	local n=${#ids[@]}

	run_holt inspect -f '{{.Id}}' "$p"
	check_holt_error "$p"
	[[ ${stderr-} != *"no such"* ]] || { echo "ambiguous is not missing"; show_run; false; }
	run_holt rm "$p"
	check_holt_error "$p"
	run_holt start "$p"
	check_holt_error "$p"
	[ "$(holt ps -aq | wc -l)" -eq "$n" ] || { echo "a container went"; holt ps -a; false; }
	[ "$(holt ps -q | wc -l)" -eq 0 ] || { echo "a container started"; holt ps; false; }

	# More of the id settles it.
	run_holt inspect -f '{{.Id}}' "${ids[0]:0:12}"
	check_status 0
	check_output "${ids[0]}"
}

@test "a name wins over an id prefix it looks like" {
	local a b
	a=$(holt create "$IMG" true)
	b=$(holt create --name "${a:0:6}" "$IMG" true)
	run_holt inspect -f '{{.Id}}' "${a:0:6}"
	check_status 0
	check_output "$b"
	run_holt inspect -f '{{.Id}}' "${a:0:7}"
	check_status 0
	check_output "$a"
}

@test "an unknown container: exit 125, 'no such container', for every command" {
	local cmd
	for cmd in logs stop start kill rm wait top port restart attach; do
		run_holt "$cmd" nosuch
		check_holt_error "no such container: nosuch" || { echo "(holt $cmd)"; false; }
	done
	run_holt exec nosuch true
	check_holt_error "no such container: nosuch"
	run_holt rename nosuch other
	check_holt_error "no such container: nosuch"
	run_holt inspect --type container nosuch
	check_holt_error "no such container: nosuch"
	run_holt inspect nosuch
	check_holt_error "no such object: nosuch"
}

@test "a name in use: run, create and rename refuse it (125), the first keeps it" {
	local id
	id=$(holt run -d --name dup "$IMG" sleep 60)
	holt create --name other "$IMG" true >/dev/null
	run_holt run --name dup "$IMG" true
	check_holt_error "already in use"
	run_holt run -d --name dup "$IMG" true
	check_holt_error "already in use"
	run_holt create --name dup "$IMG" true
	check_holt_error "already in use"
	run_holt rename other dup
	check_holt_error "already in use"
	[ "$(holt ps -aq | wc -l)" -eq 2 ] || { holt ps -a; false; }
	run_holt inspect -f '{{.Id}} {{.State.Status}}' dup
	check_output "$id running"
	run_holt inspect -f '{{.Name}}' other
	check_output "/other"
}

@test "a container without --name gets a generated adjective_noun name" {
	local i name names=()
	for ((i = 0; i < 3; i++)); do
		holt create "$IMG" true >/dev/null
	done
	mapfile -t names < <(holt ps -a --format '{{.Names}}')
	[ "${#names[@]}" -eq 3 ] || { echo "names:" "${names[@]}"; false; }
	# (not i: bats's run sets an i of its own)
	for name in "${names[@]}"; do
		[[ $name =~ ^[a-z]+_[a-z]+[0-9]*$ ]] || { echo "name $name"; false; }
		run_holt inspect -f '{{.Name}}' "$name"
		check_output "/$name"
	done
	[ "$(printf '%s\n' "${names[@]}" | sort -u | wc -l)" -eq 3 ] ||
		{ echo "names repeat:" "${names[@]}"; false; }
}

# --- create, start, wait, attach -------------------------------------------------------

@test "create makes a container that start runs: start prints the name, ps shows it Up" {
	local id
	id=$(holt create --name cs "$IMG" sleep 60)
	[[ $id =~ ^[0-9a-f]{64}$ ]] || { echo "create printed '$id'"; false; }
	[ -z "$(holt ps -q)" ]
	run_holt ps -a --format '{{.Names}} {{.State}} {{.Status}}'
	check_output "cs created Created"

	run_holt start cs
	check_status 0
	check_output "cs"
	run_holt ps --format '{{.Names}} {{.State}}'
	check_output "cs running"
	run_holt inspect -f '{{.State.Running}} {{.Id}}' cs
	check_output "true $id"

	# Starting a running container changes nothing and is no error.
	run_holt start cs
	check_status 0
	check_output "cs"
}

@test "start -a shows the output and returns the container's exit code" {
	holt create --name sa "$IMG" sh -c 'echo to-out; echo to-err >&2; exit 5' >/dev/null
	run_holt start -a sa
	check_status 5
	check_output "to-out"
	check_stderr_has "to-err"
	run_holt inspect -f '{{.State.Status}} {{.State.ExitCode}}' sa
	check_output "exited 5"
}

@test "wait on two containers prints each one's exit code, in order" {
	holt run -d --name w1 "$IMG" sh -c 'sleep 0.6; exit 3' >/dev/null
	holt run -d --name w2 "$IMG" sh -c 'sleep 0.2; exit 4' >/dev/null
	run_holt wait w1 w2
	check_status 0
	check_output "$(printf '3\n4')"
	# An exited container: at once.
	run_holt wait w2
	check_status 0
	check_output "4"
}

@test "attach: the output of a running container, and its exit code" {
	holt run -d --name at "$IMG" sh -c 'sleep 1; echo late; exit 6' >/dev/null
	run_holt attach at
	check_status 6
	check_output "late"
	run_holt attach at
	check_holt_error "not running"
}

@test "a --runroot whose parents do not exist yet, deeper than a socket path may be: attach works" {
	local deep=$HOLT_TMP/deep/$(printf 'd%.0s' {1..60})/$(printf 'e%.0s' {1..60})
	local h=("$HOLT" --root "$HOLT_ROOT" --runroot "$deep")
	"${h[@]}" run -d --name dp "$IMG" sh -c 'sleep 1; echo deep; exit 5' >/dev/null
	[ -d "$deep" ] || { echo "$deep was not made"; false; }
	run timeout -k 5 "$HOLT_TIMEOUT" "${h[@]}" attach dp
	check_status 5
	check_output "deep"
	# wait returns once the monitor is gone: nothing is left running under $deep.
	run timeout -k 5 "$HOLT_TIMEOUT" "${h[@]}" wait dp
	check_status 0
	check_output "5"
	"${h[@]}" system migrate # ends the namespace holder of that runroot
}

@test "start -a on a running container attaches to it" {
	holt run -d --name sr "$IMG" sh -c 'sleep 1; echo late2; exit 9' >/dev/null
	run_holt start -a sr
	check_status 9
	check_output "late2"
}

# --- stop, kill, restart ---------------------------------------------------------------

@test "stop -t 1: a pid 1 that ignores SIGTERM is killed after a second (137)" {
	run_ready st "trap '' TERM; echo ready; $LOOP"
	local t0 took
	t0=$(now_ms)
	run_holt stop -t 1 st
	took=$(($(now_ms) - t0))
	check_status 0
	check_output "st"
	((took >= 900 && took < 5000)) || { echo "stop -t 1 took ${took} ms"; false; }
	run_holt inspect -f '{{.State.Status}} {{.State.ExitCode}}' st
	check_output "exited 137"
}

@test "stop sends --stop-signal: the container's trap runs and it exits 0" {
	run_ready sg --stop-signal USR1 "trap 'echo got-usr1; exit 0' USR1; echo ready; $LOOP"
	local t0 took
	t0=$(now_ms)
	run_holt stop -t 10 sg
	took=$(($(now_ms) - t0))
	check_status 0
	((took < 5000)) || { echo "stop took ${took} ms: the signal was not USR1"; false; }
	run_holt inspect -f '{{.State.Status}} {{.State.ExitCode}}' sg
	check_output "exited 0"
	run_holt logs sg
	check_output "$(printf 'ready\ngot-usr1')"
}

@test "stop sends the image's STOPSIGNAL" {
	holt create --name base "$IMG" true >/dev/null
	holt commit -c 'STOPSIGNAL SIGUSR1' base stopsig:1 >/dev/null
	holt rm base >/dev/null
	holt run -d --name ss stopsig:1 sh -c \
		"trap 'echo got-usr1; exit 0' USR1; echo ready; $LOOP" >/dev/null
	wait_log ss '^ready$'
	run_holt stop -t 10 ss
	check_status 0
	run_holt inspect -f '{{.State.ExitCode}}' ss
	check_output "0"
	wait_log ss got-usr1 1
	holt rm ss >/dev/null
	holt rmi stopsig:1 >/dev/null
}

@test "stop on a stopped or created container succeeds, as docker's does" {
	holt run --name fin "$IMG" sh -c 'exit 2' || true
	run_holt stop fin
	check_status 0
	check_output "fin"
	run_holt inspect -f '{{.State.Status}} {{.State.ExitCode}}' fin
	check_output "exited 2"
	holt create --name fresh "$IMG" true >/dev/null
	run_holt stop fresh
	check_status 0
	run_holt inspect -f '{{.State.Status}}' fresh
	check_output "created"
}

@test "kill -s HUP reaches the container's trap; kill alone is SIGKILL (137)" {
	run_ready k "trap 'echo got-hup' HUP; echo ready; $LOOP"
	run_holt kill -s HUP k
	check_status 0
	check_output "k"
	wait_log k got-hup
	run_holt inspect -f '{{.State.Status}}' k
	check_output "running"
	run_holt kill -s 1 k
	check_status 0
	run_holt kill -s NOSUCHSIG k
	check_status 125

	run_holt kill k
	check_status 0
	wait_inspect k '{{.State.Status}} {{.State.ExitCode}}' "exited 137"
}

@test "kill of a stopped or created container: exit 125, not running" {
	holt run --name ks "$IMG" true
	run_holt kill ks
	check_holt_error "not running"
	holt create --name kc "$IMG" true >/dev/null
	run_holt kill -s HUP kc
	check_holt_error "not running"
}

@test "restart: a new start (StartedAt changes), the same id and name" {
	local id before after
	id=$(holt run -d --name rs "$IMG" sh -c "trap 'exit 0' TERM; echo ready; $LOOP")
	wait_log rs '^ready$'
	before=$(holt inspect -f '{{.State.StartedAt}}' rs)
	run_holt restart -t 10 rs
	check_status 0
	check_output "rs"
	after=$(holt inspect -f '{{.State.StartedAt}}' rs)
	[ "$before" != "$after" ] || { echo "StartedAt stayed $before"; false; }
	run_holt inspect -f '{{.Id}} {{.Name}} {{.State.Status}}' rs
	check_output "$id /rs running"
	run_holt ps --format '{{.Names}}'
	check_output "rs"
	# The log has both runs.
	wait_log rs '^ready$'
	[ "$(holt logs rs | grep -c '^ready$')" -eq 2 ] || { holt logs rs; false; }
}

@test "restart of an exited container starts it again" {
	holt run --name rx "$IMG" sh -c 'echo ran' >/dev/null
	run_holt restart rx
	check_status 0
	check_output "rx"
	run_holt wait rx
	check_output "0"
	run_holt logs rx
	check_output_has "ran"
}

# --- rm, prune, rename -----------------------------------------------------------------

@test "rm of a running container needs -f (125); rm -f kills and removes it" {
	holt run -d --name rr "$IMG" sleep 60 >/dev/null
	run_holt rm rr
	check_holt_error "running"
	run_holt inspect -f '{{.State.Status}}' rr
	check_output "running"

	run_holt rm -f rr
	check_status 0
	check_output "rr"
	run_holt ps -aq
	check_output ""
	# The name is free again.
	run_holt create --name rr "$IMG" true
	check_status 0
}

@test "rm removes stopped containers; an error for one leaves the others removed" {
	holt run --name r1 "$IMG" true
	holt create --name r2 "$IMG" true >/dev/null
	run_holt rm r1 nosuch r2
	check_status 125
	check_output "$(printf 'r1\nr2')"
	check_stderr_has "nosuch"
	run_holt ps -aq
	check_output ""
}

@test "container prune -f removes stopped containers and keeps running ones" {
	local ex cr
	holt run -d --name p1 "$IMG" sleep 60 >/dev/null
	holt run --name p2 "$IMG" true
	ex=$(holt inspect -f '{{.Id}}' p2)
	cr=$(holt create --name p3 "$IMG" true)

	# Without -f it asks; no is no.
	run_holt container prune <<<"n"
	check_status 0
	[ "$(holt ps -aq | wc -l)" -eq 3 ] || { holt ps -a; false; }

	run_holt container prune -f
	check_status 0
	check_output_has "$ex"
	check_output_has "$cr"
	check_output_has "Total reclaimed space:"
	run_holt ps -a --format '{{.Names}} {{.State}}'
	check_output "p1 running"
	run_holt container ls --format '{{.Names}}'
	check_output "p1"
}

@test "rename: the container answers to its new name, the old one is free" {
	local id
	id=$(holt run -d --name old "$IMG" sleep 60)
	run_holt rename old new
	check_status 0
	run_holt inspect -f '{{.Id}} {{.Name}}' new
	check_output "$id /new"
	run_holt inspect --type container old
	check_holt_error "no such container"
	run_holt ps --format '{{.Names}}'
	check_output "new"
	run_holt create --name old "$IMG" true
	check_status 0
	run_holt stop -t 0 new
	check_status 0
	check_output "new"
	run_holt rename new 'bad/name'
	check_status 125
}

@test "rename of a running --rm container: when it is removed, its new name is free" {
	holt run -d --rm --name rmold "$IMG" sleep 60 >/dev/null
	run_holt rename rmold rmnew
	check_status 0
	run_holt stop -t 0 rmnew
	check_status 0
	local i
	for ((i = 0; i < 100; i++)); do
		[ -z "$(holt ps -aq)" ] && break
		sleep 0.05
	done
	run_holt ps -aq
	check_output ""
	run_holt create --name rmnew "$IMG" true
	check_status 0
	run_holt create --name rmold "$IMG" true
	check_status 0
}

# --- restart policies ------------------------------------------------------------------

@test "--restart on-failure:2: restarted twice, then exited with RestartCount 2" {
	run_holt run -d --name of --restart on-failure:2 "$IMG" sh -c 'echo try; exit 3'
	check_status 0
	wait_inspect of '{{.State.Status}}' exited 20
	run_holt inspect -f '{{.State.ExitCode}} {{.RestartCount}} {{.HostConfig.RestartPolicy.Name}}' of
	check_output "3 2 on-failure"
	[ "$(holt logs of | grep -c '^try$')" -eq 3 ] || { holt logs of; false; }

	# Success is no failure: no restart.
	holt run -d --name ok --restart on-failure:2 "$IMG" true >/dev/null
	wait_inspect ok '{{.State.Status}}' exited
	sleep 0.3
	run_holt inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}' ok
	check_output "exited 0 0"
}

@test "--restart always: restarts a container that exits, and stop stops it for good" {
	holt run -d --name ra --restart always "$IMG" sh -c 'sleep 0.2; exit 1' >/dev/null
	local i n=0
	for ((i = 0; i < 200 && n < 1; i++)); do
		n=$(holt inspect -f '{{.RestartCount}}' ra)
		sleep 0.05
	done
	((n >= 1)) || { echo "no restart seen"; false; }
	run_holt stop -t 1 ra
	check_status 0
	run_holt inspect -f '{{.State.Status}}' ra
	check_output "exited"
	n=$(holt inspect -f '{{.RestartCount}}' ra)
	sleep 1
	run_holt inspect -f '{{.State.Status}} {{.RestartCount}}' ra
	check_output "exited $n"

	# A running one, stopped while it runs.
	run_ready rb --restart always "trap 'exit 0' TERM; echo ready; $LOOP"
	run_holt stop -t 10 rb
	check_status 0
	sleep 1
	run_holt inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}' rb
	check_output "exited 0 0"
	run_holt ps -q
	check_output ""
}

@test "rm -f of a container that waits to restart: at once" {
	holt run -d --name rw --restart always "$IMG" sh -c 'exit 1' >/dev/null
	wait_inspect rw '{{.State.Status}}' restarting
	local t0 took
	t0=$(now_ms)
	run_holt rm -f rw
	took=$(($(now_ms) - t0))
	check_status 0
	((took < 3000)) || { echo "rm -f took ${took} ms"; false; }
	run_holt ps -aq
	check_output ""
}

@test "--rm with --restart: exit 125, no container made" {
	run_holt run --rm --restart always "$IMG" true
	check_holt_error "--rm"
	run_holt run -d --rm --restart on-failure "$IMG" true
	check_holt_error "--rm"
	run_holt create --rm --restart always "$IMG" true
	check_holt_error "--rm"
	run_holt ps -aq
	check_output ""
}

# --- a monitor that dies ---------------------------------------------------------------

@test "the monitor killed with SIGKILL: the container is exited (255), its processes gone, rm works" {
	local id pid mpid kids="" i p
	id=$(holt run -d --name mk "$IMG" sh -c 'sleep 1000 & exec sleep 1001')
	pid=$(holt inspect -f '{{.State.Pid}}' mk)
	[ "$pid" -gt 0 ]
	for ((i = 0; i < 100; i++)); do
		kids=$(pgrep -P "$pid" || true)
		[ -n "$kids" ] && break
		sleep 0.05
	done
	[ -n "$kids" ] || { echo "the container's child never started"; false; }
	mpid=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["MonitorPid"])' \
		"$HOLT_ROOT/containers/$id/state.json")
	[ "$(cat "/proc/$mpid/comm")" = holt-monitor ] || { echo "pid $mpid is no monitor"; false; }

	kill -KILL "$mpid"
	wait_inspect mk '{{.State.Status}} {{.State.Running}}' "exited false"
	run_holt inspect -f '{{.State.ExitCode}}' mk
	check_output "255"
	run_holt ps -q
	check_output ""
	run_holt ps -a --format '{{.Names}} {{.State}}'
	check_output "mk exited"

	# Dead: gone, or a zombie that whoever inherited it has yet to reap.
	for p in $pid $kids; do
		for ((i = 0; i < 100; i++)); do
			alive "$p" || break
			sleep 0.05
		done
		! alive "$p" || { echo "process $p of the container outlived its monitor:"; ps -o pid,stat,args -p "$p"; false; }
	done

	run_holt rm mk
	check_status 0
	run_holt ps -aq
	check_output ""
}

# --- many at once ----------------------------------------------------------------------

@test "20 run -d at once, then 20 rm -f at once: all succeed, nothing left behind" {
	local d=$BATS_TEST_TMPDIR/many i ids names_before
	mkdir -p "$d"
	# (what an earlier test may have left in names/ is not this test's)
	names_before=$(ls -A "$HOLT_ROOT/containers/names" 2>/dev/null)
	for ((i = 0; i < 20; i++)); do
		(
			rc=0
			holt run -d "$IMG" sleep 60 >"$d/out.$i" 2>"$d/err.$i" || rc=$?
			echo "$rc" >"$d/rc.$i"
		) &
	done
	wait
	for ((i = 0; i < 20; i++)); do
		[ "$(cat "$d/rc.$i")" = 0 ] || { echo "run $i:"; cat "$d/rc.$i" "$d/err.$i"; false; }
		grep -Eqx '[0-9a-f]{64}' "$d/out.$i" || { echo "run $i printed:"; cat "$d/out.$i"; false; }
	done
	ids=$(cat "$d"/out.* | LC_ALL=C sort)
	[ "$(uniq <<<"$ids" | wc -l)" -eq 20 ] || { echo "ids repeat:"; echo "$ids"; false; }
	run_holt ps -q --no-trunc
	check_status 0
	[ "$(printf '%s\n' "${lines[@]}" | LC_ALL=C sort)" = "$ids" ] || { show_run; false; }
	[ "$(holt ps --format '{{.Names}}' | sort -u | wc -l)" -eq 20 ] || { holt ps; false; }

	for ((i = 0; i < 20; i++)); do
		(
			rc=0
			holt rm -f "$(cat "$d/out.$i")" >"$d/rmout.$i" 2>"$d/rmerr.$i" || rc=$?
			echo "$rc" >"$d/rmrc.$i"
		) &
	done
	wait
	for ((i = 0; i < 20; i++)); do
		[ "$(cat "$d/rmrc.$i")" = 0 ] || { echo "rm $i:"; cat "$d/rmrc.$i" "$d/rmerr.$i"; false; }
	done
	run_holt ps -aq
	check_status 0
	check_output ""
	[ "$(ls -A "$HOLT_ROOT/containers")" = names ] || { ls -la "$HOLT_ROOT/containers"; false; }
	[ "$(ls -A "$HOLT_ROOT/containers/names")" = "$names_before" ] ||
		{ ls -la "$HOLT_ROOT/containers/names"; false; }
	if [ -d "$HOLT_RUNROOT/containers" ]; then
		[ -z "$(ls -A "$HOLT_RUNROOT/containers")" ] || { ls -la "$HOLT_RUNROOT/containers"; false; }
	fi
}

# --- --init ----------------------------------------------------------------------------

@test "--init: pid 1 is init, the command is another process" {
	run_holt run --rm --init "$IMG" sh -c 'cat /proc/1/comm; echo $$'
	check_status 0
	[ "${lines[0]}" = init ] || { show_run; false; }
	[ "${lines[1]}" != 1 ] || { echo "the command is pid 1"; show_run; false; }
	run_holt run --rm --init "$IMG" sh -c 'exit 7'
	check_status 7
}

@test "--init: run -d returns at once, and stop is quick: init hands SIGTERM to the command" {
	local t0 took
	t0=$(now_ms)
	# Ends by itself after 5 s, so that a run -d that waits for it cannot hang the test.
	run_holt run -d --init --name in "$IMG" sh -c \
		'echo ready; i=0; while [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done'
	took=$(($(now_ms) - t0))
	check_status 0
	((took < 3000)) || { echo "run -d --init took ${took} ms: it waited for the container to end"; false; }
	wait_log in '^ready$'
	run_holt ps --format '{{.Names}}'
	check_output "in"

	t0=$(now_ms)
	run_holt stop -t 5 in
	took=$(($(now_ms) - t0))
	check_status 0
	((took < 3000)) || { echo "stop -t 5 took ${took} ms"; false; }
	run_holt inspect -f '{{.State.Status}} {{.State.ExitCode}}' in
	check_output "exited 143"
}

@test "--init in the foreground: a SIGTERM to holt reaches the command through init" {
	local out=$BATS_TEST_TMPDIR/out
	# Ends by itself after 5 s, so that a signal that never arrives cannot hang the test.
	timeout -k 5 "$HOLT_TIMEOUT" "$HOLT" --root "$HOLT_ROOT" --runroot "$HOLT_RUNROOT" \
		run --rm --init "$IMG" sh -c "trap 'echo got-term; exit 3' TERM; echo ready
			i=0; while [ \$i -lt 50 ]; do sleep 0.1; i=\$((i + 1)); done; echo not-signalled" \
		>"$out" 2>&1 &
	local tpid=$! hpid="" i rc=0
	wait_for_line "$out" 10 '^ready$' || { kill "$tpid"; false; }
	hpid=$(pgrep -P "$tpid" | head -n 1)
	[ -n "$hpid" ] || { echo "no holt under timeout $tpid"; false; }
	kill -TERM "$hpid"
	wait "$tpid" || rc=$?
	grep -q got-term "$out" || { echo "the command never got SIGTERM:"; cat "$out"; false; }
	[ "$rc" -eq 3 ] || { echo "status $rc, want 3"; cat "$out"; false; }
}

@test "--init: a SIGTERM sent while the container is still being set up reaches the command" {
	# pid 1 opens /etc/passwd, a FIFO here, in its setup, and waits there for a writer
	# until the test opens it: a signal sent then must stay pending for init, not be
	# dropped as pid 1's default.
	local fifo=$BATS_TEST_TMPDIR/passwd pid1="" p i rc=0
	mkfifo "$fifo"
	"$HOLT" --root "$HOLT_ROOT" --runroot "$HOLT_RUNROOT" run -d --init --name early \
		-v "$fifo:/etc/passwd" "$IMG" sleep 20 >/dev/null 2>&1 &
	local runpid=$!
	for ((i = 0; i < 100; i++)); do
		for p in $(pgrep -u "$(id -u)" -f -- '--name early'); do
			# the container's pid 1 (its own pid namespace sees it as 1), in that open
			awk '/^NSpid:/ && $3 == 1 { found = 1 } END { exit !found }' \
				"/proc/$p/status" 2>/dev/null &&
				[ "$(cat "/proc/$p/wchan" 2>/dev/null)" = wait_for_partner ] && pid1=$p
		done
		[ -z "$pid1" ] || break
		sleep 0.05
	done
	[ -n "$pid1" ] || { kill "$runpid"; echo "no pid 1 waiting on the FIFO found"; false; }
	kill -TERM "$pid1"
	# an empty passwd: the open is what it waits for (a write could meet a reader gone)
	: >"$fifo"
	wait "$runpid" || rc=$?
	[ "$rc" -eq 0 ] || { echo "run -d failed: $rc"; false; }
	run timeout 5 "$HOLT" --root "$HOLT_ROOT" --runroot "$HOLT_RUNROOT" wait early
	check_output 143
}

# --- top, port -------------------------------------------------------------------------

@test "top: the container's processes, numbered as it sees them" {
	holt run -d --name tp "$IMG" sh -c 'sleep 60; true' >/dev/null
	local i
	for ((i = 0; i < 100; i++)); do
		holt top tp 2>/dev/null | grep -q 'sleep 60' && break
		sleep 0.05
	done
	run_holt top tp
	check_status 0
	[[ ${lines[0]} =~ ^UID\ +PID\ +PPID\ +.*CMD$ ]] || { show_run; false; }
	[ "${#lines[@]}" -eq 3 ] || { show_run; false; }
	awk 'NR > 1 && $2 == 1 && $3 == 0 && /sh -c sleep 60; true$/ { found = 1 } END { exit !found }' \
		<<<"$output" || { echo "no pid 1 running sh"; show_run; false; }
	awk 'NR > 1 && $2 > 1 && $3 == 1 && /sleep 60$/ { found = 1 } END { exit !found }' \
		<<<"$output" || { echo "no sleep, child of pid 1"; show_run; false; }

	holt stop -t 0 tp >/dev/null
	run_holt top tp
	check_holt_error "not running"
}

@test "port: nothing published, so nothing listed, and a named port is an error" {
	holt run -d --name pt "$IMG" sleep 60 >/dev/null
	run_holt port pt
	check_status 0
	check_output ""
	run_holt port pt 80/tcp
	check_holt_error "80/tcp"
}

@test "a container made with --storage-driver vfs keeps its files when started without it" {
	run_holt --storage-driver vfs run --name keep "$IMG" sh -c 'cat /kept 2>/dev/null; echo kept >/kept'
	check_status 0
	check_output ""
	run_holt start -a keep
	check_status 0
	check_output "kept"
}

@test "a run -d killed at any moment leaves its name free: the next run --name takes it" {
	local i
	for i in $(seq 1 16); do
		"$HOLT" --root "$HOLT_ROOT" --runroot "$HOLT_RUNROOT" run -d --name killed "$IMG" \
			sleep 100 >/dev/null 2>&1 &
		sleep "0.00$((i % 9 + 1))"
		kill -9 $! 2>/dev/null || true
		wait $! 2>/dev/null || true
		holt rm -f killed >/dev/null 2>&1 || true
		run_holt run -d --name killed "$IMG" sleep 100
		check_status 0 || { echo "try $i"; false; }
		run_holt ps -aq --filter name=killed
		[ "${#lines[@]}" -eq 1 ] || { echo "try $i: ${#lines[@]} containers named killed"; false; }
		holt rm -f killed >/dev/null
	done
	local half
	half=$(find "$HOLT_ROOT/containers" -mindepth 1 -maxdepth 1 -name '????????????????????????????????????????????????????????????????' \
		'!' -exec test -e '{}/config.json' ';' -print)
	[ -z "$half" ] || { echo "half-made containers: $half"; false; }
}

@test "rm -f racing run -d leaves no container running that no record describes" {
	local i
	for i in $(seq 1 12); do
		"$HOLT" --root "$HOLT_ROOT" --runroot "$HOLT_RUNROOT" run -d --name raced "$IMG" \
			sleep 1234 >/dev/null 2>&1 &
		sleep "0.00$((i % 9 + 1))"
		holt rm -f raced >/dev/null 2>&1 || true
		wait $! || true
		holt rm -f raced >/dev/null 2>&1 || true
	done
	sleep 0.2
	run pgrep -u "$(id -u)" -f 'sleep 1234'
	[ -z "$output" ] || { echo "left running: $output"; ps -o pid,args -p "$(echo $output | tr ' ' ,)"; false; }
	run_holt ps -aq --filter name=raced
	check_output ""
}
