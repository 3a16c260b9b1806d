#!/usr/bin/env bats
# holt events, as docker's: what commands and monitors did, from the store's journal,
# filtered, formatted, and followed as it grows.

load helpers

setup_file()
{
	holt_setup_file_with_image
}

teardown_file()
{
	holt_teardown_file
}

teardown()
{
	[ -z "${follower-}" ] || kill "$follower" 2>/dev/null || true
	remove_all_containers
}

# The events since $t0 up to now, with the remaining arguments.
past_events()
{
	run_holt events --since "$t0" --until "$(date +%s.%N)" "$@"
}

@test "container lifecycle: create, start, die with its exit code (from the monitor), rename, destroy" {
	t0=$(date +%s.%N)
	holt run -d --name ev1 --label team=blue "$IMG" sh -c 'exit 3' >/dev/null
	holt wait ev1 >/dev/null || true
	holt rename ev1 ev2
	holt rm ev2 >/dev/null
	past_events --format '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}'
	check_status 0
	check_output "container create ev1
container start ev1
container die ev1
container rename ev2
container destroy ev2"
	past_events --filter event=die
	[[ $output =~ ^[0-9-]+T[0-9:.]+(Z|[+-][0-9:]+)\ container\ die\ [0-9a-f]{64}\ \(exitCode=3,\ image=$IMG,\ name=ev1,\ team=blue\)$ ]] ||
		{ show_run; false; }
}

@test "--filter: container=, event=, type=, image=, label= with docker's semantics" {
	t0=$(date +%s.%N)
	holt create --name fa -l tier=web "$IMG" true >/dev/null
	holt create --name fb -l tier=db "$IMG" true >/dev/null
	holt tag "$IMG" evtag:1
	holt rmi evtag:1 >/dev/null
	past_events --filter container=fa --format '{{.Actor.Attributes.name}} {{.Action}}'
	check_output "fa create"
	# one key's values are alternatives
	past_events -f container=fa -f container=fb -f event=create --format '{{.Actor.Attributes.name}}'
	check_output $'fa\nfb'
	# labels all apply
	past_events -f label=tier -f label=tier=db --format '{{.Actor.Attributes.name}}'
	check_output "fb"
	past_events -f type=image --format '{{.Action}} {{.Actor.Attributes.name}}'
	check_output $'tag evtag:1\nuntag evtag:1'
	past_events -f image=evtag --format '{{.Action}}'
	check_output $'tag\nuntag'
	past_events -f image="$IMG" -f event=create --format '{{.Actor.Attributes.name}}'
	check_output $'fa\nfb'
	run_holt events -f nope=1 --until 0s
	check_holt_error "--filter \"nope=1\""
	run_holt events --since yesterday
	check_holt_error "--since \"yesterday\""
}

@test "--format '{{json .}}' prints docker's message; exec_start names the command" {
	t0=$(date +%s.%N)
	holt run -d --name fj "$IMG" sleep 30 >/dev/null
	holt exec fj true
	past_events -f event=exec_start --format '{{json .}}'
	check_status 0
	[[ $output == '{"status":"exec_start: true","id":"'*'","from":"'"$IMG"'","Type":"container","Action":"exec_start: true","Actor":{"ID":"'*'","Attributes":{"image":"'"$IMG"'","name":"fj","execID":"'*'"}},"scope":"local","time":'*',"timeNano":'*'}' ]] ||
		{ show_run; false; }
	past_events -f container=fj --format json
	[[ ${lines[0]} == '{"status":"create",'* ]] || { show_run; false; }
	past_events -f container=fj --format '{{.Status}} {{.From}} {{.Scope}}'
	[ "${lines[0]}" = "create $IMG local" ] || { show_run; false; }
}

@test "follow: past events from --since, then new ones as they come; --until ends it" {
	holt create --name before "$IMG" true >/dev/null
	# not through holt(), which keeps the output until the command ends
	"$HOLT" --root "$HOLT_ROOT" --runroot "$HOLT_RUNROOT" events --since 1m \
		--format '{{.Action}} {{.Actor.Attributes.name}}' >"$BATS_TEST_TMPDIR/ev" 2>&1 &
	follower=$!
	wait_for_line "$BATS_TEST_TMPDIR/ev" 10 "create before"
	holt run -d --name later "$IMG" true >/dev/null
	wait_for_line "$BATS_TEST_TMPDIR/ev" 10 "die later"
	kill -0 "$follower" # still following
	# a past --until: the events before it, and no waiting
	run_holt events --until 0s --format '{{.Action}} {{.Actor.Attributes.name}}'
	check_status 0
	check_output_has "die later"
	# a future --until follows until then
	local start=$SECONDS
	holt events --since "$(date +%s.%N)" --until "$(($(date +%s) + 2))" --format '{{.Action}} {{.Actor.Attributes.name}}' \
		>"$BATS_TEST_TMPDIR/ev2" &
	local bounded=$!
	sleep 0.5
	holt create --name during "$IMG" true >/dev/null
	wait "$bounded"
	[ "$(cat "$BATS_TEST_TMPDIR/ev2")" = "create during" ] || { cat "$BATS_TEST_TMPDIR/ev2"; false; }
	[ $((SECONDS - start)) -le 5 ]
}

@test "images and volumes: import, tag, untag, delete, save, load, volume create and destroy" {
	t0=$(date +%s.%N)
	holt import "$HOLT_FIXTURES/rootfs.tar.gz" evimg:1 >/dev/null
	holt save -o "$BATS_TEST_TMPDIR/s.tar" evimg:1
	holt rmi evimg:1 >/dev/null
	holt load -i "$BATS_TEST_TMPDIR/s.tar" >/dev/null
	holt rmi evimg:1 >/dev/null
	holt volume create evvol >/dev/null
	holt volume rm evvol >/dev/null
	past_events -f type=image -f type=volume --format '{{.Type}} {{.Action}}'
	check_output "image import
image save
image untag
image delete
image load
image untag
image delete
volume create
volume destroy"
}

@test "the journal: rotated past its cap with the old file kept, whole lines under concurrency" {
	local dir=$HOLT_ROOT/events i
	mkdir -p "$dir"
	local line='{"Type":"container","Action":"old","Actor":{"ID":"x","Attributes":{}},"time":1,"timeNano":1000000000}'
	for ((i = 0; i < 12000; i++)); do echo "$line"; done >"$dir/events.log"
	holt create --name rot "$IMG" true >/dev/null
	[ -f "$dir/events.log.1" ] || { ls -l "$dir"; false; }
	holt rm rot >/dev/null
	[ "$(stat -c %s "$dir/events.log")" -lt 4096 ] || { ls -l "$dir"; false; }
	run_holt events --since 1 --until 0s -f event=old --format '{{.Action}}'
	[ "${#lines[@]}" -eq 12000 ] || { echo "old events: ${#lines[@]}"; false; }
	t0=$(date +%s.%N)
	for ((i = 0; i < 12; i++)); do holt create "$IMG" true >/dev/null & done
	wait
	past_events -f event=create --format '{{.Actor.ID}}'
	[ "${#lines[@]}" -eq 12 ] || { show_run; false; }
	# every line of the journal is one JSON object
	run python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$dir/events.log"
	check_status 0
}

@test "lines of the journal that are not whole events are skipped or shown as they are" {
	local dir=$HOLT_ROOT/events
	mkdir -p "$dir"
	printf '%s\n' 'not json' '[1,2]' '{"Type":"container","timeNano":2500000000}' >>"$dir/events.log"
	run_holt events --since 2 --until 3
	check_status 0
	[[ $output =~ T[0-9:.]+(Z|[+-][0-9:]+)\ container\ \ $ ]] || { show_run; false; }
	run_holt events --since 2 --until 3 --format '{{.Type}}|{{.Status}}|{{json .Actor}}'
	check_output "container||null"
}
