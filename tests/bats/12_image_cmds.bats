#!/usr/bin/env bats
# The image commands a docker user expects around the store: tag, images' flags and
# filters, history, image inspect, image prune, and the `image` group.

load helpers

setup_file()
{
	holt_setup_file_with_image
}

teardown_file()
{
	holt_teardown_file
}

# Containers the tests make, by name.
CONTAINERS='user long'

# Back to the test image alone: the containers go, then every other image, named or not.
teardown()
{
	local c id keep
	for c in $CONTAINERS; do
		holt rm -f "$c" >/dev/null 2>&1 || true
	done
	# a test that pruned the test image imports it again; so does a failed one
	[ -n "$(holt images -q "$IMG")" ] ||
		holt import "$HOLT_FIXTURES/rootfs.tar.gz" "$IMG" >"$HOLT_TMP/image-id"
	keep=$(image_id)
	holt images --no-trunc --format '{{.ID}} {{.Repository}}:{{.Tag}}' |
		while read -r id name; do
			if [ "$id" != "$keep" ]; then
				holt rmi -f "$id" >/dev/null 2>&1 || true
			elif [ "$name" != "$IMG" ]; then
				holt rmi "$name" >/dev/null 2>&1 || true
			fi
		done
}

# The `holt images` row of REPOSITORY $1 TAG $2.
image_row()
{
	holt images | awk -v r="$1" -v t="$2" '$1 == r && $2 == t'
}

# The short id of the test image.
short_id()
{
	local id
	id=$(image_id)
	echo "${id:7:12}"
}

# A second image, with the same files as the test image and a later created time.
import_later()
{
	sleep 1.1 # a different created time, so a different config and id
	holt import "$HOLT_FIXTURES/rootfs.tar" "$@"
}

# --- tag ------------------------------------------------------------------------------

@test "tag names an image again, normalized as docker does, and prints nothing" {
	run_holt tag "$IMG" myimg
	check_status 0
	check_output ""
	check_no_stderr
	[[ $(image_row myimg latest) == *" $(short_id) "* ]] || { holt images; false; }
	run_holt tag "$IMG" docker.io/library/longform:2
	check_status 0
	[ -n "$(image_row longform 2)" ] || { holt images; false; }
	run_holt tag "$IMG" localhost:5000/team/app:t
	check_status 0
	[ -n "$(image_row localhost:5000/team/app t)" ] || { holt images; false; }
	# the new names run the same image
	run_holt run --rm myimg cat /etc/image-file
	check_status 0
	check_output "image file"
}

@test "tag takes an id or id prefix as the source" {
	run_holt tag "$(short_id)" byprefix:1
	check_status 0
	run_holt tag "$(image_id)" byid:1
	check_status 0
	[[ $(image_row byprefix 1) == *" $(short_id) "* ]] || { holt images; false; }
	[[ $(image_row byid 1) == *" $(short_id) "* ]] || { holt images; false; }
}

@test "tag moves a name another image had, and that image keeps its others" {
	local second
	second=$(import_later moving:1)
	holt tag moving:1 keep:1
	run_holt tag "$IMG" moving:1
	check_status 0
	[[ $(image_row moving 1) == *" $(short_id) "* ]] || { holt images; false; }
	[[ $(image_row keep 1) == *" ${second:7:12} "* ]] || { holt images; false; }
}

@test "tag errors: exit 125 naming the image or the name, the store unchanged" {
	local before
	before=$(store_listing)
	run_holt tag nosuch:9 target:1
	check_holt_error '"nosuch:9": no such image'
	check_output ""
	run_holt tag "$IMG" 'target@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'
	check_holt_error 'a digest cannot be a tag'
	check_stderr_has '"target@sha256:0123'
	run_holt tag "$IMG" 'Bad/NAME:1'
	check_holt_error '"Bad/NAME:1"'
	run_holt tag "$IMG"
	check_holt_error 'SOURCE_IMAGE TARGET_IMAGE'
	run_holt tag "$IMG" a:1 b:1
	check_holt_error 'SOURCE_IMAGE TARGET_IMAGE'
	check_store_unchanged "$before"
}

# --- images ---------------------------------------------------------------------------

@test "images: an untagged image shows <none> <none>" {
	local id
	id=$(holt import "$HOLT_FIXTURES/rootfs.tar")
	run_holt images
	check_status 0
	grep -Eq "^<none> +<none> +${id:7:12} " <<<"$output" || { show_run; false; }
}

@test "images -q, -a and --no-trunc" {
	holt tag "$IMG" second:1
	run_holt images -q
	check_status 0
	check_output "$(short_id)"$'\n'"$(short_id)"
	run_holt images -a -q
	check_status 0
	check_output "$(short_id)"$'\n'"$(short_id)"
	run_holt images --no-trunc
	check_status 0
	[[ ${lines[1]} == *" $(image_id) "* ]] || { show_run; false; }
	run_holt images -q --no-trunc second:1
	check_status 0
	check_output "$(image_id)"
}

@test "images --digests: a DIGEST column with the manifest digest" {
	run_holt images --digests
	check_status 0
	[[ ${lines[0]} =~ ^REPOSITORY\ +TAG\ +DIGEST\ +IMAGE\ ID\ +CREATED\ +SIZE$ ]] ||
		{ show_run; false; }
	local digest
	read -r _ _ digest _ <<<"${lines[1]}"
	[[ $digest =~ ^sha256:[0-9a-f]{64}$ ]] || { show_run; false; }
	# the manifest the image's record names
	grep -q "\"manifest\":\"$digest\"" "$HOLT_ROOT/images/$(image_id | cut -c8-)/image.json" ||
		{ echo "$digest is not the image's manifest"; false; }
	run_holt images --format '{{.Digest}}'
	check_output "$digest"
	# -q wins over --digests, as in docker
	run_holt images -q --digests
	check_output "$(short_id)"
}

@test "images --format: json, a table template, a plain template" {
	run_holt images --format '{{.Repository}}:{{.Tag}}'
	check_status 0
	check_output "$IMG"
	run_holt images --format json
	check_status 0
	local f
	for f in ID Repository Tag Digest CreatedSince CreatedAt Size; do
		[[ $output == *"\"$f\":"* ]] || { echo "json lacks $f"; show_run; false; }
	done
	[[ $output == *'"Repository":"testimg"'* && $output == *'"Tag":"1"'* ]] || { show_run; false; }
	run_holt images --format 'table {{.ID}}\t{{.Repository}}'
	check_status 0
	[[ ${lines[0]} =~ ^IMAGE\ ID\ +REPOSITORY$ ]] || { show_run; false; }
	[[ ${lines[1]} =~ ^$(short_id)\ +testimg$ ]] || { show_run; false; }
}

@test "images --filter dangling=true|false" {
	local id
	id=$(holt import "$HOLT_FIXTURES/rootfs.tar")
	run_holt images -q --filter dangling=true
	check_status 0
	check_output "${id:7:12}"
	run_holt images --filter dangling=false --format '{{.Repository}}:{{.Tag}}'
	check_status 0
	check_output "$IMG"
}

@test "images --filter reference=PATTERN and the REPOSITORY[:TAG] operand" {
	holt tag "$IMG" web/app:1
	holt tag "$IMG" web/app:2
	holt tag "$IMG" webby:1
	holt import "$HOLT_FIXTURES/rootfs.tar" >/dev/null # untagged: never matches
	list()
	{
		holt images --format '{{.Repository}}:{{.Tag}}' "$@" | sort | tr '\n' ' '
	}
	[ "$(list --filter reference=web/app)" = "web/app:1 web/app:2 " ] || list --filter reference=web/app
	[ "$(list --filter 'reference=web*')" = "webby:1 " ] || { list --filter 'reference=web*'; false; }
	[ "$(list --filter 'reference=web/*:1')" = "web/app:1 " ] || false
	# any of several patterns; '*' stops at '/', as Go's path.Match
	[ "$(list -f 'reference=webby' -f 'reference=*/*:2')" = "web/app:2 webby:1 " ] || false
	[ "$(list -f 'reference=*:2')" = "" ] || false
	[ "$(list web/app:2)" = "web/app:2 " ] || false
	[ "$(list webby)" = "webby:1 " ] || false
	[ "$(list nomatch)" = "" ] || false
}

@test "images --filter before= and since= another image" {
	local second
	second=$(import_later later:1)
	run_holt images -q --filter before=later:1
	check_status 0
	check_output "$(short_id)"
	run_holt images -q --filter "since=$IMG"
	check_status 0
	check_output "${second:7:12}"
}

@test "images errors: a bad filter or operand is exit 125 naming it" {
	run_holt images --filter nope=1
	check_holt_error '"nope"'
	run_holt images --filter dangling=maybe
	check_holt_error '"dangling=maybe"'
	run_holt images --filter justaword
	check_holt_error '"justaword"'
	run_holt images --filter before=nosuch:9
	check_holt_error '"nosuch:9"'
	check_output ""
	run_holt images a b
	check_holt_error '"b"'
}

# --- history --------------------------------------------------------------------------

HISTORY_HEADER_RE='^IMAGE +CREATED +CREATED BY +SIZE +COMMENT$'

@test "history of an imported image: one step, the image's id, its layer's size" {
	run_holt history "$IMG"
	check_status 0
	[[ ${lines[0]} =~ $HISTORY_HEADER_RE ]] || { show_run; false; }
	[ "${#lines[@]}" -eq 2 ] || { show_run; false; }
	[[ ${lines[1]} =~ ^$(short_id)\ +(Less\ than\ a\ second|[0-9]+\ seconds|About\ a\ minute|[0-9]+\ minutes)\ ago\ +holt\ import\ +2\.[0-9]+MB\ *$ ]] ||
		{ show_run; false; }
	run_holt history -q "$IMG"
	check_output "$(short_id)"
	run_holt history -q --no-trunc "$IMG"
	check_output "$(image_id)"
	run_holt history --format '{{.ID}}|{{.CreatedBy}}|{{.Comment}}|{{.CreatedAt}}' "$IMG"
	check_status 0
	[[ $output =~ ^$(short_id)\|holt\ import\|\|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(Z|[+-][0-9]{2}:[0-9]{2})$ ]] ||
		{ show_run; false; }
	run_holt history --format json "$IMG"
	check_status 0
	local f
	for f in ID CreatedSince CreatedAt CreatedBy Size Comment; do
		[[ $output == *"\"$f\":"* ]] || { echo "json lacks $f"; show_run; false; }
	done
}

@test "history of a committed image: the new step on top, <missing> below, -m's comment" {
	local long='echo 0123456789012345678901234567890123456789 > /long'
	run_holt run --name long "$IMG" sh -c "$long"
	check_status 0
	run_holt commit -m 'made long' long myimg:2
	check_status 0
	local id=${output#sha256:}
	run_holt history myimg:2
	check_status 0
	[ "${#lines[@]}" -eq 3 ] || { show_run; false; }
	[[ ${lines[1]} == "${id:0:12} "* ]] || { show_run; false; }
	[[ ${lines[2]} == "<missing> "* ]] || { show_run; false; }
	[[ ${lines[1]} =~ \ +([0-9]+B)\ +made\ long$ ]] || { show_run; false; }
	[[ ${lines[2]} == *" holt import "* ]] || { show_run; false; }
	# CREATED BY cut to 45 characters, the last an ellipsis; whole with --no-trunc
	run_holt history --format '{{.CreatedBy}}' myimg:2
	local full="sh -c $long"
	check_output "${full:0:44}…"$'\n'"holt import"
	run_holt history --no-trunc --format '{{.ID}} {{.CreatedBy}}' myimg:2
	check_output "sha256:$id sh -c $long"$'\n'"<missing> holt import"
	run_holt history -q myimg:2
	check_output "${id:0:12}"$'\n'"<missing>"
}

@test "history errors: exit 125 naming the image" {
	run_holt history nosuch:9
	check_holt_error '"nosuch:9": no such image'
	check_output ""
	run_holt history
	check_holt_error 'history'
	run_holt history "$IMG" other
	check_holt_error 'history'
}

# --- image inspect --------------------------------------------------------------------

@test "image inspect: docker's document for an image" {
	holt tag "$IMG" second:2
	run_holt image inspect "$IMG"
	check_status 0
	[ "${lines[0]}" = "[" ] || { show_run; false; }
	local f
	for f in Id RepoTags RepoDigests Created Config Architecture Os Size RootFS; do
		[[ $output == *"\"$f\": "* ]] || { echo "no $f"; show_run; false; }
	done
	run_holt image inspect -f '{{.Id}} {{json .RepoTags}} {{.RootFS.Type}} {{len .RootFS.Layers}}' "$IMG"
	check_status 0
	check_output "$(image_id) [\"second:2\",\"$IMG\"] layers 1"
	run_holt image inspect --format '{{index .RepoDigests 0}}' second:2
	[[ $output =~ ^second@sha256:[0-9a-f]{64}$ ]] || { show_run; false; }
	run_holt image inspect -f '{{.Os}}/{{.Architecture}}' "$IMG" second:2
	check_status 0
	[ "${#lines[@]}" -eq 2 ] && [[ ${lines[0]} == linux/* ]] || { show_run; false; }
	# the top-level inspect shows the same document
	run_holt inspect -f '{{.Id}} {{.RootFS.Type}}' "$IMG"
	check_output "$(image_id) layers"
}

@test "image inspect errors: exit 125 naming what is not an image" {
	run_holt run --name user "$IMG" true
	run_holt image inspect nosuch:9
	check_holt_error '"nosuch:9"'
	check_output $'[]'
	# a container's name is not an image's
	run_holt image inspect user
	check_holt_error '"user"'
	run_holt image inspect
	check_holt_error 'inspect'
}

# --- image prune ----------------------------------------------------------------------

@test "image prune -f removes the untagged images only, as docker prints it" {
	local id
	id=$(holt import "$HOLT_FIXTURES/rootfs.tar")
	run_holt image prune -f
	check_status 0
	check_output "Deleted Images:
deleted: $id

Total reclaimed space: 0B"
	run_holt images -q
	check_output "$(short_id)"
}

@test "image prune with nothing to remove" {
	local before
	before=$(store_listing)
	run_holt image prune -f
	check_status 0
	check_output "Total reclaimed space: 0B"
	check_store_unchanged "$before"
}

@test "image prune -a removes what no container uses, with its layers' size" {
	local second
	second=$(holt import "$HOLT_FIXTURES/rootfs.tar.zst" other:1) # another layer blob, same layer
	holt tag other:1 other:2
	run_holt run --name user "$IMG" true
	check_status 0
	run_holt image prune -a -f
	check_status 0
	check_output "Deleted Images:
untagged: other:1
untagged: other:2
deleted: $second

Total reclaimed space: 0B"
	run_holt images -q
	check_output "$(short_id)"
	# once the container is gone, the test image goes too, with its layer
	holt rm user >/dev/null
	run_holt image prune --all --force
	check_status 0
	[ "${lines[1]}" = "untagged: $IMG" ] || { show_run; false; }
	[ "${lines[2]}" = "deleted: $(image_id)" ] || { show_run; false; }
	[[ ${lines[3]} =~ ^Total\ reclaimed\ space:\ 2\.[0-9]+MB$ ]] || { show_run; false; }
	run_holt images -q
	check_output ""
	[ -z "$(ls "$HOLT_ROOT/layers")" ] || { ls -la "$HOLT_ROOT/layers"; false; }
}

@test "image prune asks first: no, or the end of input, removes nothing" {
	holt import "$HOLT_FIXTURES/rootfs.tar" >/dev/null
	local before
	before=$(store_listing)
	run_holt image prune </dev/null
	check_status 0
	[[ $output == "WARNING! This will remove all dangling images."* ]] || { show_run; false; }
	check_output_has "Are you sure you want to continue? [y/N]"
	check_store_unchanged "$before"
	run_holt image prune -a <<<"n"
	check_status 0
	check_output_has "images without at least one container"
	check_store_unchanged "$before"
	run_holt image prune <<<"y"
	check_status 0
	check_output_has "Deleted Images:"
	[ "$(store_listing)" != "$before" ] || { echo "nothing was removed"; false; }
}

@test "image prune errors: an operand is exit 125 and removes nothing" {
	holt import "$HOLT_FIXTURES/rootfs.tar" >/dev/null
	local before
	before=$(store_listing)
	run_holt image prune -f extra
	check_holt_error '"extra"'
	check_store_unchanged "$before"
}

# --- the image group ------------------------------------------------------------------

@test "image ls and image list are images" {
	local want
	want=$(holt images --format '{{.ID}} {{.Repository}}:{{.Tag}}')
	run_holt image ls --format '{{.ID}} {{.Repository}}:{{.Tag}}'
	check_status 0
	check_output "$want"
	run_holt image list -q
	check_output "$(short_id)"
	run_holt image ls --help
	check_status 0
	[[ ${lines[0]} == "Usage: holt images"* ]] || { show_run; false; }
}

@test "image tag, history, rm and import run the top-level commands" {
	run_holt image tag "$IMG" grouped:1
	check_status 0
	[ -n "$(image_row grouped 1)" ] || { holt images; false; }
	run_holt image history -q grouped:1
	check_output "$(short_id)"
	run_holt image rm grouped:1
	check_status 0
	check_output "Untagged: grouped:1"
	run_holt image import "$HOLT_FIXTURES/rootfs.tar" imported:1
	check_status 0
	[[ $output =~ ^sha256:[0-9a-f]{64}$ ]] || { show_run; false; }
	[ -n "$(image_row imported 1)" ] || { holt images; false; }
}

@test "image rm -f of an image a stopped container uses only untags it" {
	holt tag "$IMG" used:1
	local id
	id=$(holt import "$HOLT_FIXTURES/rootfs.tar" victim:1)
	run_holt run --name user victim:1 true
	check_status 0
	run_holt image rm victim:1
	check_holt_error 'uses it'
	run_holt image rm -f victim:1
	check_status 0
	check_output "Untagged: victim:1"
	holt images -q --no-trunc | grep -qx "$id" || { holt images; false; }
}

@test "image with no command, or an unknown one: exit 125" {
	run_holt image
	check_holt_error 'image: name a command'
	run_holt image frob
	check_holt_error '"frob"'
	run_holt image --help
	check_status 0
	[[ ${lines[0]} == "Usage: holt image "* ]] || { show_run; false; }
}

@test "image ls and container ls set up what images and ps do: no user namespace" {
	local fresh=$HOLT_TMP/fresh-runroot
	mkdir -m 700 "$fresh"
	run "$HOLT" --root "$HOLT_ROOT" --runroot "$fresh" image ls -q
	[ "$status" -eq 0 ] && [ -n "$output" ]
	run "$HOLT" --root "$HOLT_ROOT" --runroot "$fresh" container ls -a
	[ "$status" -eq 0 ]
	[ ! -e "$fresh/pause.pid" ] || { echo "image ls or container ls entered the namespace"; false; }
	if [ "$(id -u)" -ne 0 ]; then
		run "$HOLT" --root "$HOLT_ROOT" --runroot "$fresh" image rm nosuch:1
		[ -e "$fresh/pause.pid" ] || { echo "image rm did not enter the namespace"; false; }
		"$HOLT" --runroot "$fresh" system migrate >/dev/null
	fi
}
