#!/usr/bin/env bats
# --format, docker's Go templates for list commands, through `holt images`: json lines,
# tables with docker's headers and column alignment, plain templates, and bad templates.

load helpers

setup_file()
{
	holt_setup_file_with_image
	sleep 1 # a later created time: listed first, and a different image id
	holt import "$HOLT_FIXTURES/rootfs.tar" other/app:2.0 >"$HOLT_TMP/other-id"
}

teardown_file()
{
	holt_teardown_file
}

# 12-hex ids of the two images.
short_id()
{
	local id
	id=$(cat "$HOLT_TMP/$1")
	id=${id#sha256:}
	echo "${id:0:12}"
}

# Each line of stdin, a JSON object, as "KEYS..." then "KEY=VALUE" lines in key order.
json_rows()
{
	python3 -c '
import json, sys
for line in sys.stdin:
    row = json.loads(line)
    print(" ".join(row))
    for k, v in row.items():
        print(f"{k}={v}")
'
}

@test "--format json prints one object per image with docker's fields" {
	run_holt images --format json
	check_status 0
	[ "${#lines[@]}" -eq 2 ] || { show_run; false; }
	local rows
	rows=$(json_rows <<<"$output") || { show_run; false; }
	local keys="Containers CreatedAt CreatedSince Digest ID Repository SharedSize Size Tag"
	keys+=" UniqueSize VirtualSize"
	[ "$(grep -c "^$keys\$" <<<"$rows")" -eq 2 ] || { echo "$rows"; false; }
	# the newer image first, as docker sorts
	[ "$(grep -m1 '^Repository=' <<<"$rows")" = "Repository=other/app" ] || { echo "$rows"; false; }
	grep -qx "ID=$(short_id image-id)" <<<"$rows" || { echo "$rows"; false; }
	grep -qx "ID=$(short_id other-id)" <<<"$rows" || { echo "$rows"; false; }
	grep -qx 'Tag=2.0' <<<"$rows" && grep -qx 'Tag=1' <<<"$rows" || { echo "$rows"; false; }
	[ "$(grep -cx 'Containers=N/A' <<<"$rows")" -eq 2 ] || { echo "$rows"; false; }
	# the manifest digest holt keeps for every image, as podman shows it
	[ "$(grep -cE '^Digest=sha256:[0-9a-f]{64}$' <<<"$rows")" -eq 2 ] || { echo "$rows"; false; }
	[ "$(grep -cE '^Size=[23]\.[0-9]+MB$' <<<"$rows")" -eq 2 ] || { echo "$rows"; false; }
	[ "$(grep -cE '^CreatedSince=.* ago$' <<<"$rows")" -eq 2 ] || { echo "$rows"; false; }
	local time_re='^CreatedAt=[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4} [A-Z]+$'
	[ "$(grep -cE "$time_re" <<<"$rows")" -eq 2 ] || { echo "$rows"; false; }
	[ "$(grep '^Size=' <<<"$rows")" = "$(grep '^VirtualSize=' <<<"$rows" | sed 's/^Virtual//')" ] ||
		{ echo "$rows"; false; }
}

@test "a table of chosen columns: docker's headers, aligned as its tabwriter does" {
	run_holt images --format 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}'
	check_status 0
	# each column as wide as its widest cell plus 3, and at least 10
	check_output "REPOSITORY   TAG       IMAGE ID
other/app    2.0       $(short_id other-id)
testimg      1         $(short_id image-id)"
	check_no_stderr
}

@test "a field without a header of its own is titled by its name, split at capitals" {
	run_holt images --format 'table {{.CreatedAt}}\t{{.UniqueSize}}\t{{.VirtualSize}}'
	check_status 0
	[[ ${lines[0]} =~ ^CREATED\ AT\ +UNIQUE\ SIZE\ +SIZE$ ]] || { show_run; false; }
	[[ ${lines[1]} =~ ^[0-9-]+\ [0-9:]+\ [+-][0-9]{4}\ [A-Z]+\ +N/A\ +[0-9.]+MB$ ]] ||
		{ show_run; false; }
}

# $output is the default table: REPOSITORY TAG IMAGE ID CREATED SIZE, newest first.
check_default_table()
{
	[ "${#lines[@]}" -eq 3 ] &&
		[[ ${lines[0]} =~ ^REPOSITORY\ {3}TAG\ {7}IMAGE\ ID\ {7}CREATED\ +SIZE$ ]] &&
		[[ ${lines[1]} =~ ^other/app\ {4}2\.0\ {7}$(short_id other-id)\ {3}[A-Za-z0-9\ ]+\ ago\ +[0-9.]+MB$ ]] &&
		[[ ${lines[2]} =~ ^testimg\ {6}1\ {9}$(short_id image-id)\ {3}[A-Za-z0-9\ ]+\ ago\ +[0-9.]+MB$ ]] ||
		{ show_run; false; }
}

@test "table, an empty --format, and none print the default table" {
	run_holt images
	check_status 0
	check_default_table
	run_holt images --format table
	check_status 0
	check_default_table
	run_holt images --format ''
	check_default_table
}

@test "a plain template prints one line per image and no header" {
	run_holt images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
	check_status 0
	check_output "other/app:2.0 $(short_id other-id)
testimg:1 $(short_id image-id)"
}

@test "\\t and \\n typed in --format are a tab and a newline" {
	run_holt images --format '{{.Repository}}\t{{.Tag}}\n--'
	check_status 0
	check_output $'other/app\t2.0\n--\ntestimg\t1\n--'
}

@test "--no-trunc shows sha256 ids; -q shows ids unless --format says otherwise" {
	local full
	full=$(cat "$HOLT_TMP/image-id")
	run_holt images --no-trunc --format '{{.ID}}'
	check_status 0
	[ "${lines[1]}" = "$full" ] || { show_run; false; }
	run_holt images -q
	check_output "$(short_id other-id)
$(short_id image-id)"
	run_holt images -q --no-trunc
	[ "${lines[1]}" = "$full" ] || { show_run; false; }
	run_holt images -q --format '{{.Tag}}'
	check_output $'2.0\n1'
}

@test "functions, conditions, variables and range over a row" {
	run_holt images --format \
		'{{if eq .Tag "1"}}{{upper .Repository}}{{else}}{{.Repository | printf "%-10s|"}}{{end}}'
	check_status 0
	check_output $'other/app |\nTESTIMG'
	run_holt images --format '{{json .Tag}} {{len .ID}} {{join (split .Repository "/") "+"}}'
	check_output $'"2.0" 12 other+app\n"1" 12 testimg'
	run_holt images --format '{{range $k, $v := .}}{{if eq $v "N/A"}}{{$k}} {{end}}{{end}}'
	check_output $'Containers SharedSize UniqueSize \nContainers SharedSize UniqueSize '
	run_holt images --format '{{with .Tag}}{{.}}{{end}}'
	check_output $'2.0\n1'
}

@test "a field the rows lack is an error, as in docker: images, ps, history" {
	run_holt images --format '{{.Nope}}|{{.Tag}}'
	check_holt_error 'Nope'
	[ -z "$output" ] || { show_run; false; }
	holt create --name fmt "$IMG" true >/dev/null
	run_holt ps -a --format '{{.Nope}}'
	check_holt_error 'Nope'
	holt rm fmt >/dev/null
	run_holt history --format '{{.Comment}}|{{.Nope}}' "$IMG"
	check_holt_error 'Nope'
}

@test "a bad template: exit 125, nothing on stdout, the problem and where it is" {
	run_holt images --format '{{.Repository | nosuch}}'
	check_holt_error '"{{.Repository | nosuch}}": 1:17: function "nosuch" not defined'
	[ -z "$output" ] || { show_run; false; }
	run_holt images --format 'table {{.ID}}\t{{.Repository'
	check_holt_error '1:10: unclosed action'
	run_holt images --format '{{if .Tag}}yes'
	check_holt_error '1:1: missing {{end}} for {{if}}'
	run_holt images --format '{{join .Repository}}'
	check_holt_error 'wrong number of args for join: want 2 got 1'
	run_holt images --format '{{"open}}'
	check_holt_error 'unterminated quoted string'
}

@test "a template that fails on a row: exit 125 and no partial table" {
	run_holt images --format 'table {{.ID}}\t{{index .Tag 1}}'
	check_holt_error '1:12: at <index .Tag 1>: error calling index: can'"'"'t index item of type string'
	[ -z "$output" ] || { show_run; false; }
}

@test "an empty store: a table prints its header, json and templates nothing" {
	local empty=$BATS_TEST_TMPDIR/empty-root
	run "$HOLT" --root "$empty" --runroot "$HOLT_RUNROOT" images --format 'table {{.ID}}\t{{.Tag}}'
	[ "$status" -eq 0 ] || { show_run; false; }
	[ "$output" = "IMAGE ID   TAG" ] || { show_run; false; }
	run "$HOLT" --root "$empty" --runroot "$HOLT_RUNROOT" images --format json
	[ "$status" -eq 0 ] && [ -z "$output" ] || { show_run; false; }
	rm -rf "$empty"
}
