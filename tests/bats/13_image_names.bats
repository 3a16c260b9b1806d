#!/usr/bin/env bats
# One resolver of the image names a user types: a short name that unqualified-search-
# registries resolves (as pull and run do) works in every command that takes an image.

load helpers

# A registry nobody asks: the names are resolved in the store, never fetched.
SEARCH=127.0.0.1:1

setup_file()
{
	holt_setup_file_with_image
	export XDG_CONFIG_HOME=$HOLT_TMP/config
	mkdir -p "$XDG_CONFIG_HOME/holt"
	echo "{\"unqualified-search-registries\": [\"$SEARCH\"]}" \
		>"$XDG_CONFIG_HOME/holt/registries.json"
}

teardown_file()
{
	holt_teardown_file
}

setup()
{
	holt tag "$IMG" "$SEARCH/team/short:1"
}

teardown()
{
	local ids
	ids=$(holt ps -aq --no-trunc 2>/dev/null) || true
	# shellcheck disable=SC2086 # one id a word
	[ -z "$ids" ] || holt rm -f $ids >/dev/null 2>&1 || true
	holt rmi "$SEARCH/team/short:1" >/dev/null 2>&1 || true
	holt rmi team/copy:2 >/dev/null 2>&1 || true
}

@test "inspect, history, images --filter, tag and save find a short name by the search list" {
	local id
	id=$(image_id)
	run_holt image inspect -f '{{.Id}}' team/short:1
	check_status 0
	check_output "$id"
	run_holt inspect -f '{{.Id}}' team/short:1
	check_output "$id"
	run_holt history -q team/short:1
	check_status 0
	[ -n "$output" ] || { show_run; false; }
	run_holt images -q --filter since=team/short:1
	check_status 0
	run_holt tag team/short:1 team/copy:2
	check_status 0
	[ -n "$(holt images -q team/copy:2)" ] || { holt images; false; }
	run_holt save -o "$BATS_TEST_TMPDIR/s.tar" team/short:1
	check_status 0
	tar -tf "$BATS_TEST_TMPDIR/s.tar" | grep -q manifest.json
}

@test "ps --filter ancestor= and rmi take the short name too" {
	holt create --name anc team/short:1 true >/dev/null
	run_holt ps -a --filter ancestor=team/short:1 --format '{{.Names}}'
	check_status 0
	check_output "anc"
	holt rm anc >/dev/null
	run_holt rmi team/short:1
	check_status 0
	check_output "Untagged: $SEARCH/team/short:1"
	[ -n "$(holt images -q "$IMG")" ] || { holt images; false; }
}

@test "a short name the store lacks under any search registry: the name as typed, 125" {
	run_holt inspect team/nosuch:1
	check_holt_error "team/nosuch:1"
	run_holt rmi team/nosuch:1
	check_holt_error "team/nosuch:1"
}
