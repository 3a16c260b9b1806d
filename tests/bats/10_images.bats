#!/usr/bin/env bats
# import, images, rmi: what lands in the store and how it is listed and removed.

load helpers

setup_file()
{
	holt_setup_file
}

teardown_file()
{
	holt_teardown_file
}

teardown()
{
	local name
	for name in $(holt_image_names); do
		holt rmi "$name" >/dev/null 2>&1 || true
	done
}

HEADER_RE='^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$'

# The `holt images` row of REPOSITORY $1 TAG $2.
image_row()
{
	holt images | awk -v r="$1" -v t="$2" '$1 == r && $2 == t'
}

@test "holt images on an empty store prints only the header" {
	run_holt images
	check_status 0
	[ "${#lines[@]}" -eq 1 ] || { show_run; false; }
	[[ ${lines[0]} =~ $HEADER_RE ]] || { show_run; false; }
}

@test "import a .tar.gz prints the image id and images lists it" {
	run_holt import "$HOLT_FIXTURES/rootfs.tar.gz" myimg:1
	check_status 0
	[[ $output =~ ^sha256:[0-9a-f]{64}$ ]] || { show_run; false; }
	local id=${output#sha256:}

	run_holt images
	check_status 0
	[[ ${lines[0]} =~ $HEADER_RE ]] || { show_run; false; }
	[ "${#lines[@]}" -eq 2 ] || { show_run; false; }
	# REPOSITORY TAG IMAGE-ID CREATED... SIZE; CREATED is words like "2 seconds ago".
	read -r repo tag short rest <<<"${lines[1]}"
	[ "$repo" = myimg ] || { show_run; false; }
	[ "$tag" = 1 ] || { show_run; false; }
	[ "$short" = "${id:0:12}" ] || { echo "short id $short is not ${id:0:12}"; show_run; false; }
	[[ $rest =~ (ago|now)\ +[0-9.]+\ ?[kMG]?B$ ]] || { show_run; false; }
	# about 2.9 MB of files; docker prints decimal units
	[[ $rest =~ [^0-9.]([23]\.[0-9]+\ ?MB)$ ]] || { echo "size not about 3MB"; show_run; false; }
}

@test "import .tar, .tar.zst and stdin" {
	run_holt import "$HOLT_FIXTURES/rootfs.tar" plain:1
	check_status 0
	[[ $output =~ ^sha256:[0-9a-f]{64}$ ]] || { show_run; false; }
	run_holt import "$HOLT_FIXTURES/rootfs.tar.zst" zst:1
	check_status 0
	[[ $output =~ ^sha256:[0-9a-f]{64}$ ]] || { show_run; false; }
	run_holt import - stdin:1 <"$HOLT_FIXTURES/rootfs.tar.gz"
	check_status 0
	[[ $output =~ ^sha256:[0-9a-f]{64}$ ]] || { show_run; false; }
	[ -n "$(image_row plain 1)" ]
	[ -n "$(image_row zst 1)" ]
	[ -n "$(image_row stdin 1)" ]
}

@test "the same files imported three ways share one unpacked layer" {
	holt import "$HOLT_FIXTURES/rootfs.tar" a:1 >/dev/null
	holt import "$HOLT_FIXTURES/rootfs.tar.gz" b:1 >/dev/null
	holt import "$HOLT_FIXTURES/rootfs.tar.zst" c:1 >/dev/null
	[ -d "$HOLT_ROOT/layers" ] || { echo "no layers/ in the store"; ls -la "$HOLT_ROOT"; false; }
	run ls "$HOLT_ROOT/layers"
	[ "${#lines[@]}" -eq 1 ] || { echo "expected one layer"; show_run; false; }
}

@test "image names take docker's short form and default to :latest" {
	holt import "$HOLT_FIXTURES/rootfs.tar" docker.io/library/longform:2 >/dev/null
	holt import "$HOLT_FIXTURES/rootfs.tar" notag >/dev/null
	[ -n "$(image_row longform 2)" ] || { holt images; false; }
	[ -n "$(image_row notag latest)" ] || { holt images; false; }
}

@test "import without a name makes an untagged image, removed by its id" {
	local id
	id=$(holt import "$HOLT_FIXTURES/rootfs.tar")
	[[ $id =~ ^sha256:[0-9a-f]{64}$ ]] || { echo "import printed: $id"; false; }
	run_holt images
	[ "${#lines[@]}" -eq 2 ] || { show_run; false; }
	read -r repo tag short _ <<<"${lines[1]}"
	[ "$repo $tag $short" = "<none> <none> ${id:7:12}" ] || { show_run; false; }
	run_holt rmi "${id:7:12}"
	check_status 0
	check_output "Deleted: $id"
	run_holt images
	[ "${#lines[@]}" -eq 1 ] || { show_run; false; }
}

@test "an invalid image name: exit 125, the name quoted, nothing stored" {
	local before
	before=$(store_listing)
	run_holt import "$HOLT_FIXTURES/rootfs.tar" 'Bad/NAME:1'
	check_holt_error '"Bad/NAME:1"'
	check_store_unchanged "$before"
}

@test "import into a name in use moves the name to the new image" {
	local first second
	first=$(holt import "$HOLT_FIXTURES/rootfs.tar" moved:1)
	sleep 1 # a different created time, so a different config and image id
	second=$(holt import "$HOLT_FIXTURES/rootfs.tar" moved:1)
	[ "$first" != "$second" ] || skip "both imports made the same image id"
	run_holt images
	[ "$(grep -c '^moved ' <<<"$output")" -eq 1 ] || { show_run; false; }
	[[ $(image_row moved 1) == *" ${second:7:12} "* ]] || { show_run; false; }
}

@test "rmi prints Untagged and Deleted, and the image is gone" {
	local id
	id=$(holt import "$HOLT_FIXTURES/rootfs.tar.gz" gone:1)
	run_holt rmi gone:1
	check_status 0
	[ "${lines[0]}" = "Untagged: gone:1" ] || { show_run; false; }
	[ "${lines[1]}" = "Deleted: $id" ] || { show_run; false; }
	[ -z "$(image_row gone 1)" ] || { holt images; false; }
}

@test "rmi of the last image leaves the store as it was before the import" {
	holt images >/dev/null # creates the store's skeleton
	local before
	before=$(store_listing)
	holt import "$HOLT_FIXTURES/rootfs.tar.gz" transient:1 >/dev/null
	holt rmi transient:1 >/dev/null
	check_store_unchanged "$before"
}

@test "rmi of an image that shares its layer keeps the layer for the other" {
	holt import "$HOLT_FIXTURES/rootfs.tar" keep:1 >/dev/null
	local before
	before=$(store_listing)
	holt import "$HOLT_FIXTURES/rootfs.tar.gz" drop:1 >/dev/null
	holt rmi drop:1 >/dev/null
	check_store_unchanged "$before"
	run_holt run --rm keep:1 cat /etc/image-file
	check_status 0
	check_output "image file"
}

@test "rmi of a missing image: exit 125 and the name quoted" {
	run_holt rmi nosuch:9
	check_holt_error 'nosuch:9'
	[ -z "$output" ] || { show_run; false; }
}
