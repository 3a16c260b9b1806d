#!/usr/bin/env bats
# Input that is too big, not a file, or holds bytes meant to break the output: refused
# with a clear error, or stored and printed escaped so that it cannot forge JSON or rows.

load helpers

setup_file()
{
	holt_setup_file_with_image
}

teardown_file()
{
	holt_teardown_file
}

@test "--env-file refuses a directory, a device and a file over 1 MiB" {
	local before big=$HOLT_TMP/big.env
	before=$(store_listing)
	run_holt create --env-file "$HOLT_TMP" "$IMG" true
	check_holt_error "env file \"$HOLT_TMP\": is a directory"
	run_holt run --rm --env-file /dev/zero "$IMG" true
	check_holt_error 'env file "/dev/zero": not a regular file'
	head -c 1100000 /dev/zero | tr '\0' 'A' | fold -w 99 | sed 's/^/X=/' >"$big"
	run_holt run --rm --env-file "$big" "$IMG" true
	check_holt_error "env file \"$big\": larger than the limit of 1 MiB"
	[ "$(store_listing)" = "$before" ] || { echo "the store changed"; false; }
}

@test "--env-file of 100,000 variables is read in linear time" {
	local f=$HOLT_TMP/many.env
	seq 1 100000 | sed 's/^/V/; s/$/=x/' >"$f"
	echo 'LAST=here' >>"$f"
	SECONDS=0
	run holt run --rm --env-file "$f" "$IMG" sh -c 'echo "$V1 $V100000 $LAST"'
	[ "$status" -eq 0 ] && [ "$output" = "x x here" ] || { echo "status $status, output: ${output:0:200}"; false; }
	((SECONDS < 10)) || { echo "took ${SECONDS}s"; false; }
}

@test "a label with a newline and invalid UTF-8 keeps inspect valid JSON and ps one row" {
	local id label
	label=$(printf 'evil=x\nfake_row   forged\xff\x1b[2J')
	id=$(holt create --label "$label" -e "$(printf 'E=1\n2\xfe')" "$IMG" true)
	run_holt inspect "$id"
	check_status 0
	python3 -c 'import json,sys; d = json.loads(sys.stdin.buffer.read().decode("utf-8"));
assert d[0]["Config"]["Labels"]["evil"] == "x\nfake_row   forged\ufffd\x1b[2J", d' <<<"$output"
	run_holt inspect --format json "$id"
	python3 -c 'import json,sys; json.loads(sys.stdin.buffer.read().decode("utf-8"))' <<<"$output"
	run_holt ps -a --format json
	python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin.buffer.read().decode("utf-8").splitlines()]' <<<"$output"
	run_holt ps -a --no-trunc --format 'table {{.ID}}\t{{.Labels}}'
	check_status 0
	[ "${#lines[@]}" -eq 2 ] || { show_run; false; }
	check_output_has 'evil=x\nfake_row   forged\xff\x1b[2J'
	holt rm "$id" >/dev/null
}
