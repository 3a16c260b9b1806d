#!/usr/bin/env bats
# Many commands at once on one store, as a user's scripts run them: what held must keep
# holding (no lost record, no half image, no serialising on anything slow).

load helpers
load registry

setup_file()
{
	holt_setup_file_with_image
	export XDG_CONFIG_HOME=$HOLT_TMP/config
	start_registry plain
	holt push -q "$IMG" "$(reg plain)/c/one:1" >/dev/null
}

teardown_file()
{
	stop_registries
	local o
	for o in "$HOLT_TMP"/empty-*; do
		[ -d "$o" ] && HOLT_ROOT=$o/root HOLT_RUNROOT=$o/run holt_teardown_file
	done
	holt_teardown_file
}

@test "32 run --rm at once: every one exits 0 with its own output, nothing is left" {
	local i out=$BATS_TEST_TMPDIR
	for i in $(seq 1 32); do
		holt run --rm "$IMG" echo "n$i" >"$out/$i.out" 2>"$out/$i.err" &
	done
	wait
	for i in $(seq 1 32); do
		[ "$(cat "$out/$i.out")" = "n$i" ] || { echo "run $i:"; cat "$out/$i.out" "$out/$i.err"; false; }
	done
	run_holt ps -aq
	check_output ""
}

@test "10 pulls of one image into an empty store at once: one image, whole, and it runs" {
	local i d=$HOLT_TMP/empty-pulls
	mkdir -p "$d/run" && chmod 700 "$d/run"
	for i in $(seq 1 10); do
		HOLT_ROOT=$d/root HOLT_RUNROOT=$d/run holt pull -q "$(reg plain)/c/one:1" \
			>"$BATS_TEST_TMPDIR/$i.out" 2>&1 &
	done
	wait
	local first
	first=$(grep -E '^[0-9a-f]{64}$' "$BATS_TEST_TMPDIR/1.out")
	for i in $(seq 1 10); do
		grep -qx "$first" "$BATS_TEST_TMPDIR/$i.out" || { cat "$BATS_TEST_TMPDIR/$i.out"; false; }
	done
	HOLT_ROOT=$d/root HOLT_RUNROOT=$d/run run_holt images -q
	[ "${#lines[@]}" -eq 1 ] || { show_run; false; }
	HOLT_ROOT=$d/root HOLT_RUNROOT=$d/run run_holt system check
	check_status 0
	HOLT_ROOT=$d/root HOLT_RUNROOT=$d/run run_holt run --rm "$(reg plain)/c/one:1" cat /etc/passwd
	check_status 0
	[ -z "$(ls -A "$d/root/tmp")" ]
}

@test "20 run -d, then rm -f of all of them at once: every one goes, nothing is left running" {
	local i
	for i in $(seq 1 20); do
		holt run -d --name "par$i" "$IMG" sleep 4321 >/dev/null
	done
	for i in $(seq 1 20); do
		holt rm -f "par$i" >/dev/null 2>"$BATS_TEST_TMPDIR/rm$i.err" &
	done
	wait
	run_holt ps -aq
	check_output ""
	sleep 0.2
	run pgrep -u "$(id -u)" -f 'sleep 4321'
	[ -z "$output" ] || { echo "left running: $output"; false; }
}
