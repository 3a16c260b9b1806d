#!/usr/bin/env bats
# save and load: docker-archive and oci-archive as docker, podman and skopeo write and read
# them; skopeo is the other side of every interop test.

load helpers
load podman

setup_file()
{
	holt_setup_file_with_image
}

teardown_file()
{
	podman_teardown
	holt_teardown_file
}

CONTAINERS='layered'

teardown()
{
	local c name
	for c in $CONTAINERS; do
		holt rm -f "$c" >/dev/null 2>&1 || true
	done
	for name in $(holt_image_names); do
		[ "$name" = "$IMG" ] || holt rmi "$name" >/dev/null 2>&1 || true
	done
	for name in $(holt images 2>/dev/null | awk 'NR > 1 && $1 == "<none>" { print $3 }'); do
		holt rmi "$name" >/dev/null 2>&1 || true
	done
}

skopeo_or_skip()
{
	command -v skopeo >/dev/null || skip "skopeo not installed"
}

# skopeo with no policy file and no home of its own; its temporary files in the test's dir.
skopeo()
{
	TMPDIR=$BATS_TEST_TMPDIR command skopeo --insecure-policy "$@"
}

# A fresh image of the test rootfs named $1 (import stamps the time: a new id each call);
# its id in $new_id.
new_image()
{
	new_id=$(holt import "$HOLT_FIXTURES/rootfs.tar.gz" "$1" 2>/dev/null) || return 1
	new_id=${new_id#sha256:}
}

# The config digest (hex) of the only image in OCI layout dir $1.
oci_config_digest()
{
	local m
	m=$(grep -o '"digest":"sha256:[0-9a-f]*"' "$1/index.json" | head -1 | cut -d: -f3 | tr -d '"')
	grep -o '"config":{[^}]*}' "$1/blobs/sha256/$m" | grep -o 'sha256:[0-9a-f]*' | cut -d: -f2
}

# docker_archive OUT LAYER...: a docker-archive in docker's legacy layout (<hex>.json,
# layerN.tar) of one image named built:1 with these layers (plain, gzip or zstd); with
# BAD_DIFF_ID set, the config names another diff_id for the last layer.
docker_archive()
{
	local out=$1 d=$BATS_TEST_TMPDIR/da i=0 l diff_ids='' layers='' sum
	shift
	rm -rf "$d"
	mkdir -p "$d"
	for l; do
		cp "$l" "$d/layer$i.tar"
		case $l in
		*.zst) sum=$(zstd -dcq "$l" | sha256sum) ;;
		*) sum=$(gzip -dcf "$l" | sha256sum) ;;
		esac
		sum=${sum%% *}
		if [ -n "${BAD_DIFF_ID-}" ] && [ $((i + 1)) -eq $# ]; then
			sum=$(echo bad | sha256sum)
			sum=${sum%% *}
		fi
		diff_ids+="${diff_ids:+,}\"sha256:$sum\""
		layers+="${layers:+,}\"layer$i.tar\""
		i=$((i + 1))
	done
	printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
		"$diff_ids" >"$d/config"
	sum=$(sha256sum <"$d/config")
	sum=${sum%% *}
	mv "$d/config" "$d/$sum.json"
	printf '[{"Config":"%s.json","RepoTags":["built:1"],"Layers":[%s]}]' "$sum" "$layers" \
		>"$d/manifest.json"
	tar -C "$d" -cf "$out" .
}

# images/, layers/ and blobs/: names, types, sizes, modes.
image_store_listing()
{
	(cd "$HOLT_ROOT" && find images layers blobs -printf '%p %y %s %m\n' | LC_ALL=C sort)
}

# Loads archive $1, which must fail naming $2, and checks the store did not change.
load_fails()
{
	local before
	before=$(image_store_listing)
	run_holt load -i "$1"
	check_holt_error "$2" || return 1
	[[ $stderr == *"load \"$1\""* ]] || { echo "the archive is not named"; show_run; return 1; }
	[ "$(image_store_listing)" = "$before" ] ||
		{ diff <(echo "$before") <(image_store_listing); return 1; }
	[ -z "$(ls -A "$HOLT_ROOT/tmp")" ] || { echo "left in tmp/:"; ls -A "$HOLT_ROOT/tmp"; return 1; }
}

@test "save: a docker-archive with manifest.json, the config and uncompressed layers" {
	local f=$BATS_TEST_TMPDIR/img.tar id
	id=$(image_id)
	run_holt save -o "$f" "$IMG"
	check_status 0
	check_no_stderr
	run tar -xOf "$f" manifest.json
	[[ $output == '[{"Config":"blobs/sha256/'"${id#sha256:}"'","RepoTags":["testimg:1"],"Layers":["blobs/sha256/'* ]] ||
		{ show_run; false; }
	local layer
	layer=$(grep -o '"Layers":\["[^"]*"' <<<"$output" | cut -d'"' -f4)
	# an uncompressed tar, named by its digest (the diff_id)
	[ "$(tar -xOf "$f" "$layer" | sha256sum | cut -d' ' -f1)" = "${layer##*/}" ]
	tar -xOf "$f" "$layer" | tar -t | grep -Ex '(\./)?etc/passwd'
	# saving twice gives the same bytes
	holt save "$IMG" | cmp - "$f"
}

@test "save: skopeo reads both formats, and its copy has the image's config digest" {
	skopeo_or_skip
	local id
	id=$(image_id)
	id=${id#sha256:}
	for format in docker-archive oci-archive; do
		local f=$BATS_TEST_TMPDIR/$format.tar
		run_holt save --format "$format" -o "$f" "$IMG"
		check_status 0
		run skopeo inspect "$format:$f"
		[ "$status" -eq 0 ] || { show_run; false; }
		check_output_has '"Os": "linux"'
	done
	# docker-archive into dir:, which keeps docker's manifest: into oci:, skopeo converts
	# it and re-encodes the config with Go's encoder, a new digest whenever holt's
	# nanoseconds end in 0.
	run skopeo copy -q "docker-archive:$BATS_TEST_TMPDIR/docker-archive.tar" "dir:$BATS_TEST_TMPDIR/dir"
	[ "$status" -eq 0 ] || { show_run; false; }
	grep -q '"config":{[^}]*"digest":"sha256:'"$id"'"' "$BATS_TEST_TMPDIR/dir/manifest.json"
	run skopeo copy -q "oci-archive:$BATS_TEST_TMPDIR/oci-archive.tar" "oci:$BATS_TEST_TMPDIR/oci:x"
	[ "$status" -eq 0 ] || { show_run; false; }
	[ "$(oci_config_digest "$BATS_TEST_TMPDIR/oci")" = "$id" ] ||
		{ echo "config digest is not $id"; cat "$BATS_TEST_TMPDIR/oci/index.json"; false; }
	run tar -xOf "$BATS_TEST_TMPDIR/oci-archive.tar" index.json
	check_output_has '"org.opencontainers.image.ref.name":"docker.io/library/testimg:1"'
	run skopeo inspect "oci-archive:$BATS_TEST_TMPDIR/oci-archive.tar:docker.io/library/testimg:1"
	[ "$status" -eq 0 ] || { show_run; false; }
}

@test "save to stdout; refused on a terminal, as docker does" {
	holt save "$IMG" >"$BATS_TEST_TMPDIR/out.tar"
	tar -tf "$BATS_TEST_TMPDIR/out.tar" | grep -qx manifest.json
	script_or_skip
	run script -qec "$(holt_cmdline) save $IMG" /dev/null
	[ "$status" -eq 125 ] || { show_run; false; }
	[[ $output == *"holt: error: save: refusing to write an archive to a terminal"* ]] ||
		{ show_run; false; }
}

@test "save: bad arguments and unknown images exit 125, no file left" {
	run_holt save
	check_holt_error "at least one image"
	run_holt save --format tarball -o "$BATS_TEST_TMPDIR/x.tar" "$IMG"
	check_holt_error '"tarball"'
	run_holt save -o "$BATS_TEST_TMPDIR/x.tar" "$IMG" nosuch:1
	check_holt_error 'nosuch:1'
	[ ! -e "$BATS_TEST_TMPDIR/x.tar" ]
	[ -z "$(find "$BATS_TEST_TMPDIR" -name '.holt-save.*')" ]
}

@test "round trip in both formats: save, rmi, load gives the same id, and it runs" {
	local format f
	for format in docker-archive oci-archive; do
		new_image rt:1
		local id=$new_id
		f=$BATS_TEST_TMPDIR/$format.tar
		run_holt save --format "$format" -o "$f" rt:1
		check_status 0
		holt rmi rt:1 >/dev/null
		run_holt load -i "$f"
		check_status 0
		check_output "Loaded image: rt:1"
		run_holt images --no-trunc
		check_output_has "$id"
		run_holt run --rm rt:1 cat /etc/passwd
		check_status 0
		check_output_has "tester:x:1000:1000"
		holt rmi rt:1 >/dev/null
	done
}

@test "load from stdin, compressed, with -q" {
	new_image gz:1
	holt save gz:1 | gzip >"$BATS_TEST_TMPDIR/a.tar.gz"
	holt save --format oci-archive gz:1 | zstd -q >"$BATS_TEST_TMPDIR/o.tar.zst"
	holt rmi gz:1 >/dev/null
	run_holt load -q <"$BATS_TEST_TMPDIR/a.tar.gz"
	check_status 0
	check_output "Loaded image: gz:1"
	holt rmi gz:1 >/dev/null
	run_holt load <"$BATS_TEST_TMPDIR/o.tar.zst"
	check_status 0
	check_output "Loaded image: gz:1"
	run_holt run --rm gz:1 cat /etc/image-file
	check_status 0
}

@test "load what skopeo wrote: docker-archive and oci-archive of the test image" {
	skopeo_or_skip
	local layout=$BATS_TEST_TMPDIR/layout
	run skopeo copy -q "tarball:$HOLT_FIXTURES/rootfs.tar.gz" "oci:$layout:busybox:latest"
	[ "$status" -eq 0 ] || { show_run; false; }
	skopeo copy -q "oci:$layout:busybox:latest" "docker-archive:$BATS_TEST_TMPDIR/d.tar:busybox:latest"
	skopeo copy -q "oci:$layout:busybox:latest" "oci-archive:$BATS_TEST_TMPDIR/o.tar:busybox:latest"
	local want
	want=$(oci_config_digest "$layout")
	for f in d.tar o.tar; do
		run_holt load -i "$BATS_TEST_TMPDIR/$f"
		check_status 0
		check_output "Loaded image: busybox:latest"
		run_holt images --no-trunc
		check_output_has "$want"
		run_holt run --rm busybox cat /etc/passwd
		check_status 0
		check_output_has "root:x:0:0:root:/root:/bin/sh"
		holt rmi busybox >/dev/null
	done
}

@test "podman loads what holt saved, in both formats, and runs it with the files' owners" {
	local format
	new_image pm:1
	for format in docker-archive oci-archive; do
		holt save --format "$format" -o "$BATS_TEST_TMPDIR/$format.tar" pm:1
		run --separate-stderr podman_here load -i "$BATS_TEST_TMPDIR/$format.tar"
		[ "$status" -eq 0 ] && [[ $output == *"Loaded image"*"pm:1"* ]] || { show_run; false; }
		run --separate-stderr podman_here images -q --no-trunc pm:1
		[ "$output" = "sha256:$new_id" ] || { show_run; false; }
		run --separate-stderr podman_here run --rm --network none pm:1 \
			stat -c '%u %n' /home/tester/owned/file
		[ "$status" -eq 0 ] && [ "$output" = "$(podman_owner_1000) /home/tester/owned/file" ] ||
			{ show_run; false; }
		podman_here rmi -f pm:1 >/dev/null 2>&1
	done
}

@test "load what podman saved, in both formats: the same image id, and it runs" {
	local format
	new_image ps:1
	local id=$new_id
	holt save -o "$BATS_TEST_TMPDIR/in.tar" ps:1
	podman_here load -q -i "$BATS_TEST_TMPDIR/in.tar" >/dev/null 2>&1
	holt rmi ps:1 >/dev/null
	for format in docker-archive oci-archive; do
		run --separate-stderr podman_here save --format "$format" -o "$BATS_TEST_TMPDIR/p-$format.tar" \
			localhost/ps:1
		[ "$status" -eq 0 ] || { show_run; false; }
		run_holt load -i "$BATS_TEST_TMPDIR/p-$format.tar"
		check_status 0
		check_output_has "ps:1"
		run_holt images -q --no-trunc
		check_output_has "sha256:$id"
		run_holt run --rm "sha256:$id" cat /home/tester/owned/file
		check_status 0
		check_output "owned by tester"
		holt rmi -f "$id" >/dev/null
	done
}

@test "a multi-layer image made by commit, and two images in one archive, survive the round trip" {
	new_image base:1
	local base=$new_id
	run_holt run --name layered base:1 sh -c 'echo new > /new; rm /etc/passwd; mkdir /d; echo f > /d/f'
	check_status 0
	run_holt commit layered layered:1
	check_status 0
	local id=${output#sha256:}
	holt rm layered >/dev/null
	run_holt save -o "$BATS_TEST_TMPDIR/two.tar" layered:1 base:1 "$base"
	check_status 0
	[ "$(tar -xOf "$BATS_TEST_TMPDIR/two.tar" manifest.json | grep -o '"Config"' | wc -l)" -eq 2 ]
	holt rmi layered:1 base:1 >/dev/null
	run_holt load -i "$BATS_TEST_TMPDIR/two.tar"
	check_status 0
	check_output $'Loaded image: layered:1\nLoaded image: base:1'
	run_holt images --no-trunc
	check_output_has "$id"
	check_output_has "$base"
	run_holt run --rm layered:1 sh -c 'cat /new /d/f; test -e /etc/passwd || echo gone'
	check_status 0
	check_output $'new\nf\ngone'
}

@test "an untagged image: Loaded image ID" {
	new_image untagged:1
	holt save -o "$BATS_TEST_TMPDIR/u.tar" "$new_id"
	run tar -xOf "$BATS_TEST_TMPDIR/u.tar" manifest.json
	check_output_has '"RepoTags":null'
	holt rmi untagged:1 >/dev/null
	run_holt load -i "$BATS_TEST_TMPDIR/u.tar"
	check_status 0
	check_output "Loaded image ID: sha256:$new_id"
}

@test "load: layers in plain, gzip and zstd tars; the legacy docker layout" {
	local f=$BATS_TEST_TMPDIR/legacy.tar
	for l in rootfs.tar rootfs.tar.gz rootfs.tar.zst; do
		docker_archive "$f" "$HOLT_FIXTURES/$l"
		run_holt load -i "$f"
		check_status 0
		check_output "Loaded image: built:1"
		run_holt run --rm built:1 cat /etc/image-file
		check_status 0
		holt rmi built:1 >/dev/null
	done
}

@test "load: one member as two layers of an image, as docker writes a layer made twice" {
	local d=$BATS_TEST_TMPDIR/dup sum config
	mkdir -p "$d/c"
	echo twice >"$d/c/twice"
	tar -C "$d/c" -cf "$d/layer.tar" twice
	sum=$(sha256sum <"$d/layer.tar")
	sum=${sum%% *}
	printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:%s","sha256:%s"]}}' \
		"$sum" "$sum" >"$d/config"
	config=$(sha256sum <"$d/config")
	config=${config%% *}
	mv "$d/config" "$d/$config.json"
	printf '[{"Config":"%s.json","RepoTags":["twice:1"],"Layers":["layer.tar","layer.tar"]}]' \
		"$config" >"$d/manifest.json"
	tar -C "$d" -cf "$d.tar" manifest.json "$config.json" layer.tar
	run_holt load -i "$d.tar"
	check_status 0
	check_output "Loaded image: twice:1"
	[ "$(grep -o 'sha256:[0-9a-f]*' "$HOLT_ROOT/images/$config/image.json" | wc -l)" -eq 4 ]
}

@test "load: layers already in the store are not unpacked again" {
	new_image again:1
	local f=$BATS_TEST_TMPDIR/again.tar before
	holt save -o "$f" again:1
	before=$(ls -i "$HOLT_ROOT/blobs/sha256" "$HOLT_ROOT/layers")
	run_holt load -i "$f"
	check_status 0
	check_output "Loaded image: again:1"
	# blobs and layer dirs are replaced by rename when unpacked again
	[ "$(ls -i "$HOLT_ROOT/blobs/sha256" "$HOLT_ROOT/layers")" = "$before" ]
}

@test "load of bad archives: exit 125 naming archive and member, the store unchanged" {
	local d=$BATS_TEST_TMPDIR/bad good=$BATS_TEST_TMPDIR/good.tar
	holt save -o "$good" "$IMG"
	mkdir -p "$d"
	tar -C "$d" -xf "$good"
	local layer
	layer=$(grep -o '"Layers":\["[^"]*"' "$d/manifest.json" | cut -d'"' -f4)

	load_fails "$HOLT_FIXTURES/notatar.tar" "not a tar archive"
	load_fails "$HOLT_FIXTURES/rootfs.tar" "neither manifest.json nor index.json"

	tar -C "$d" -cf "$BATS_TEST_TMPDIR/missing.tar" --exclude "$layer" .
	load_fails "$BATS_TEST_TMPDIR/missing.tar" "member \"$layer\": missing"

	# a layer one byte longer: its digest is no longer its name
	cp "$d/$layer" "$BATS_TEST_TMPDIR/layer"
	printf x >>"$d/$layer"
	tar -C "$d" -cf "$BATS_TEST_TMPDIR/digest.tar" .
	load_fails "$BATS_TEST_TMPDIR/digest.tar" "member \"$layer\": digest sha256:"
	cp "$BATS_TEST_TMPDIR/layer" "$d/$layer"
	# the same into a store without the layer, which unpacks it
	(
		HOLT_ROOT=$BATS_TEST_TMPDIR/empty-store
		holt images >/dev/null
		load_fails "$BATS_TEST_TMPDIR/digest.tar" "member \"$layer\": blob \"sha256:${layer##*/}\": digest mismatch"
	)

	# a config that is not the one the manifest names
	local config
	config=blobs/sha256/$(image_id | cut -d: -f2)
	sed -i 's/"os":"linux"/"os":"linux" /' "$d/$config"
	tar -C "$d" -cf "$BATS_TEST_TMPDIR/config.tar" .
	load_fails "$BATS_TEST_TMPDIR/config.tar" "member \"$config\": digest sha256:"

	BAD_DIFF_ID=1 docker_archive "$BATS_TEST_TMPDIR/diffid.tar" "$HOLT_FIXTURES/rootfs.tar.gz"
	load_fails "$BATS_TEST_TMPDIR/diffid.tar" "member \"layer0.tar\": diff_id sha256:"

	docker_archive "$BATS_TEST_TMPDIR/escape.tar" "$HOLT_FIXTURES/escape.tar"
	load_fails "$BATS_TEST_TMPDIR/escape.tar" "member \"layer0.tar\": entry \"../escape\": path escapes the layer"
	docker_archive "$BATS_TEST_TMPDIR/symlink.tar" "$HOLT_FIXTURES/symlink-escape.tar"
	load_fails "$BATS_TEST_TMPDIR/symlink.tar" "member \"layer0.tar\""
	docker_archive "$BATS_TEST_TMPDIR/corrupt.tar" "$HOLT_FIXTURES/corrupt.tar.gz"
	load_fails "$BATS_TEST_TMPDIR/corrupt.tar" "member \"layer0.tar\""

	# cut in the middle of the layer
	head -c 1000000 "$good" >"$BATS_TEST_TMPDIR/cut.tar"
	load_fails "$BATS_TEST_TMPDIR/cut.tar" "load"
}

@test "load: bad arguments and a terminal on stdin exit 125" {
	run_holt load extra
	check_holt_error '"extra"'
	run_holt load -i "$BATS_TEST_TMPDIR/nosuch.tar"
	check_holt_error "nosuch.tar"
	script_or_skip
	run script -qec "$(holt_cmdline) load" /dev/null
	[ "$status" -eq 125 ] || { show_run; false; }
	[[ $output == *"holt: error: load: stdin is a terminal"* ]] || { show_run; false; }
}

@test "save -o killed by a signal leaves neither the archive nor a temporary file" {
	holt rm -f bigsave >/dev/null 2>&1 || true
	holt run --name bigsave "$IMG" sh -c 'head -c 300000000 /dev/zero > /big' >/dev/null
	holt commit bigsave big:save >/dev/null
	holt rm bigsave >/dev/null
	local dir=$HOLT_TMP/killed-save
	mkdir -p "$dir"
	"$HOLT" --root "$HOLT_ROOT" --runroot "$HOLT_RUNROOT" save -o "$dir/out.tar" big:save &
	kill_mid_write $! "$dir" out.tar
	[ ! -e "$dir/out.tar" ] || { echo "save finished before the kill, or left out.tar"; false; }
	[ -z "$(ls -A "$dir")" ] || { ls -la "$dir"; false; }
}

@test "save -o removes what a save killed with -9 left beside the archive, keeps others'" {
	local dir=$HOLT_TMP/leftovers
	mkdir -p "$dir"
	# a dead command's temporary file, and a live one's (this shell's)
	touch "$dir/.out.tar.holt-999999999-abcdef" "$dir/.out.tar.holt-$$-ghijkl"
	run_holt save -o "$dir/out.tar" "$IMG"
	check_status 0
	[ -s "$dir/out.tar" ]
	[ ! -e "$dir/.out.tar.holt-999999999-abcdef" ]
	[ -e "$dir/.out.tar.holt-$$-ghijkl" ]
	[ "$(stat -c %a "$dir/out.tar")" = 600 ]
}
