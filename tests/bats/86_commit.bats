#!/usr/bin/env bats
# diff and commit: a container's changes listed as docker lists them, and committed as a
# new image layer that runs, under every storage driver that works here.

load helpers

setup_file()
{
	holt_setup_file_with_image
}

teardown_file()
{
	holt_teardown_file
}

# The containers the tests leave (run without --rm), by name; teardown_file clears what
# a holt without `rm` cannot.
CONTAINERS='c1-overlay c2-overlay c1-fuse-overlayfs c2-fuse-overlayfs c1-vfs c2-vfs cfg oci
	bad chg'

teardown()
{
	local c
	for c in $CONTAINERS; do
		holt rm -f "$c" >/dev/null 2>&1 || true
	done
	holt rmi myimg:2 myimg:3 >/dev/null 2>&1 || true
}

# What each container does to the test image: adds a file, changes one, deletes one, and
# makes /home/tester opaque (removed, then made again with new content).
CHANGER='echo new > /new; echo changed > /etc/image-file; rm /etc/passwd;
	rm -rf /home/tester; mkdir /home/tester; echo fresh > /home/tester/fresh'
DIFF_WANT='C /etc
C /etc/image-file
D /etc/passwd
C /home
C /home/tester
A /home/tester/fresh
D /home/tester/owned
A /new'
# What a container of the committed image sees.
READER='cat /new /etc/image-file; test -e /etc/passwd && echo passwd-there; ls -A /home/tester'
READER_WANT=$'new\nchanged\nfresh'

# images/, layers/ and blobs/: names, types, sizes, modes.
image_store_listing()
{
	(cd "$HOLT_ROOT" && find images layers blobs -printf '%p %y %s %m\n' | LC_ALL=C sort)
}

# The config blob of image $1 (full id), as stored.
image_config()
{
	local digest
	digest=$(grep -o '"config":"sha256:[0-9a-f]*"' "$HOLT_ROOT/images/$1/image.json")
	digest=${digest#*sha256:}
	cat "$HOLT_ROOT/blobs/sha256/${digest%\"}"
}

# Makes container c1-$1 with storage driver $1, checks diff and the committed images.
commit_roundtrip()
{
	local d=$1 c=c1-$1
	run_holt --storage-driver "$d" run --name "$c" "$IMG" sh -c "$CHANGER"
	check_status 0 || return 1

	run_holt --storage-driver "$d" diff "$c"
	check_status 0 || return 1
	check_output "$DIFF_WANT" || return 1

	run_holt commit "$c" myimg:2
	check_status 0 || return 1
	[[ $output =~ ^sha256:[0-9a-f]{64}$ ]] || { show_run; return 1; }
	local id=${output#sha256:}
	run_holt --storage-driver "$d" run --rm myimg:2 sh -c "$READER"
	check_status 0 || return 1
	check_output "$READER_WANT" || return 1
	run_holt images
	[ "$(awk '$1 == "myimg" && $2 == "2" { print $3 }' <<<"$output")" = "${id:0:12}" ] ||
		{ echo "images does not list myimg:2 as ${id:0:12}"; show_run; return 1; }

	# A container of the committed image starts with no changes of its own.
	run_holt --storage-driver "$d" run --name "c2-$d" myimg:2 true
	check_status 0 || return 1
	run_holt --storage-driver "$d" diff "c2-$d"
	check_status 0 || return 1
	check_output "" || return 1

	run_holt commit -c 'CMD ["cat","/new"]' "$c" myimg:3
	check_status 0 || return 1
	run_holt --storage-driver "$d" run --rm myimg:3
	check_status 0 || return 1
	check_output "new"
}

@test "diff and commit with --storage-driver overlay" {
	overlay_or_skip
	commit_roundtrip overlay
}

@test "diff and commit with --storage-driver fuse-overlayfs" {
	fuse_or_skip
	commit_roundtrip fuse-overlayfs
}

@test "diff and commit with --storage-driver vfs" {
	commit_roundtrip vfs
}

@test "commit keeps the container's config, with -m and -a in the history" {
	run_holt run --name cfg -e FOO=bar -w /tmp "$IMG" sh -c 'echo x > /x; cat /x'
	check_status 0
	run_holt commit -m 'my message' -a 'Me <me@example.com>' cfg myimg:2
	check_status 0
	local id=${output#sha256:}
	run_holt run --rm myimg:2
	check_status 0
	check_output "x"
	run_holt run --rm myimg:2 sh -c 'echo $FOO; pwd'
	check_output $'bar\n/tmp'
	local config
	config=$(image_config "$id")
	[[ $config == *'"comment":"my message"'* && $config == *'"author":"Me <me@example.com>"'* ]] ||
		{ echo "config: $config"; false; }
}

@test "the committed image is a real OCI image: its layers' digests and diff_ids hold" {
	run_holt run --name oci "$IMG" sh -c 'echo x > /x; rm /etc/passwd'
	check_status 0
	run_holt commit oci myimg:2
	check_status 0
	local id=${output#sha256:} config manifest digest diff_ids
	config=$(image_config "$id")
	manifest=$(grep -o '"manifest":"sha256:[0-9a-f]*"' "$HOLT_ROOT/images/$id/image.json")
	manifest=${manifest#*sha256:}
	manifest=$(cat "$HOLT_ROOT/blobs/sha256/${manifest%\"}")
	mapfile -t digests < <(grep -o '"digest":"sha256:[0-9a-f]*"' <<<"$manifest" | cut -d: -f3 | tr -d '"')
	# the config, then two layers: the image's and the new one
	[ "${#digests[@]}" -eq 3 ] || { echo "manifest: $manifest"; false; }
	[ "${digests[0]}" = "$id" ] || { echo "manifest: $manifest"; false; }
	mapfile -t diff_ids < <(grep -o '"diff_ids":\[[^]]*\]' <<<"$config" | grep -o 'sha256:[0-9a-f]*' | cut -d: -f2)
	[ "${#diff_ids[@]}" -eq 2 ] || { echo "config: $config"; false; }
	for i in 1 2; do
		local blob=$HOLT_ROOT/blobs/sha256/${digests[$i]}
		[ "$(sha256sum <"$blob" | cut -d' ' -f1)" = "${digests[$i]}" ] || { echo "blob $i"; false; }
		[ "$(gzip -dc <"$blob" | sha256sum | cut -d' ' -f1)" = "${diff_ids[$((i - 1))]}" ] ||
			{ echo "diff_id $i"; false; }
	done
	run tar -tzf "$HOLT_ROOT/blobs/sha256/${digests[2]}"
	[[ $output == *"etc/.wh.passwd"* && $output == *x* ]] || { show_run; false; }
	[ "$(grep -o '"created_by"' <<<"$config" | wc -l)" -eq 2 ] || { echo "config: $config"; false; }
}

@test "commit of a container that does not exist: exit 125, the store unchanged" {
	local before
	before=$(image_store_listing)
	run_holt commit nosuch myimg:2
	check_holt_error 'no such container: nosuch'
	run_holt diff nosuch
	check_holt_error 'no such container: nosuch'
	[ "$(image_store_listing)" = "$before" ] || { diff <(echo "$before") <(image_store_listing); false; }
}

@test "a bad --change or name: exit 125 naming it, the store unchanged" {
	run_holt run --name bad "$IMG" sh -c 'echo x > /x'
	check_status 0
	local before
	before=$(image_store_listing)
	run_holt commit -c 'FROBNICATE x' bad myimg:2
	check_holt_error '"FROBNICATE x"'
	run_holt commit -c 'EXPOSE 99999' bad myimg:2
	check_holt_error '"99999"'
	run_holt commit bad 'Bad/NAME:1'
	check_holt_error '"Bad/NAME:1"'
	[ "$(image_store_listing)" = "$before" ] || { diff <(echo "$before") <(image_store_listing); false; }
}

@test "commit --change: ENV, WORKDIR, ENTRYPOINT, LABEL and EXPOSE" {
	run_holt run --name chg "$IMG" true
	check_status 0
	run_holt commit -c 'ENV A=1 B="two words"' -c 'WORKDIR /home' -c 'LABEL k=v' \
		-c 'EXPOSE 80 53/udp' -c 'ENTRYPOINT ["sh","-c","echo $A $B; pwd"]' chg myimg:2
	check_status 0
	local id=${output#sha256:}
	run_holt run --rm myimg:2
	check_status 0
	check_output $'1 two words\n/home'
	local config
	config=$(image_config "$id")
	[[ $config == *'"Labels":{"k":"v"}'* && $config == *'"80/tcp":{}'* &&
		$config == *'"53/udp":{}'* ]] || { echo "config: $config"; false; }
}
