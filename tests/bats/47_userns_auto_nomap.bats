#!/usr/bin/env bats
# --userns auto[:size=N]: each container gets a slice of the user's subordinate ids of its
# own (podman's rootless meaning), overlapping no other container's, kept in its record
# and free again once it is removed. --userns nomap: all the subordinate ids, without
# the user's own. The image's files keep their owners inside (fuse-overlayfs shows them
# shifted into the container's ids). Without subordinate ids: refused.

load helpers
load fuse_root

# The first line of a running container's uid_map, as "IN OUT COUNT".
uid_line()
{
	holt exec "$1" holt-test-tool uidmap | awk '$1 == "uid" { print $2, $3, $4; exit }'
}

@test "auto: root inside is the slice's first id; the map is the slice alone" {
	subids_or_skip
	run_holt run --rm --userns auto "$IMG" sh -c 'id -u; holt-test-tool uidmap'
	check_status 0
	check_output "$(printf '0\nuid 0 1 1024\ngid 0 1 1024')"
	check_no_stderr
}

@test "auto: the image's files keep their owners (root, and 1000)" {
	subids_or_skip
	run_holt run --rm --userns auto "$IMG" \
		holt-test-tool owner /bin/busybox /etc/image-file /home/tester/owned
	check_status 0
	check_output "$(printf '%s\n' '0:0 0755 /bin/busybox' '0:0 0644 /etc/image-file' \
		'1000:1000 0755 /home/tester/owned')"
}

@test "auto: two running containers get disjoint slices; a removed one's is reused" {
	subids_or_skip
	holt run -d --name a1 --userns auto "$IMG" sleep 600 >/dev/null
	holt run -d --name a2 --userns auto:size=2000 "$IMG" sleep 600 >/dev/null
	[ "$(uid_line a1)" = "0 1 1024" ]
	[ "$(uid_line a2)" = "0 1025 2000" ]
	run_holt inspect --format '{{.HostConfig.UsernsMode}}' a2
	check_output "auto:size=2000"
	holt rm -f a1 >/dev/null
	holt run -d --name a3 --userns auto "$IMG" sleep 600 >/dev/null
	[ "$(uid_line a3)" = "0 1 1024" ]
	# a slice too large for the gap left goes after the others
	holt rm -f a3 >/dev/null
	holt run -d --name a4 --userns auto:size=1025 "$IMG" sleep 600 >/dev/null
	[ "$(uid_line a4)" = "0 3025 1025" ]
}

@test "auto: the slice is what the image's passwd and group need, nobody left out" {
	subids_or_skip
	holt run --name big "$IMG" sh -c \
		'echo big:x:5000:5000::/:/bin/sh >>/etc/passwd; echo grp:x:6000: >>/etc/group'
	holt commit big auto-big:1 >/dev/null
	run_holt run --rm --userns auto auto-big:1 holt-test-tool uidmap
	check_status 0
	check_output "$(printf 'uid 0 1 6001\ngid 0 1 6001')"
	run_holt run --rm --userns auto:size=100 auto-big:1 holt-test-tool uidmap
	check_output "$(printf 'uid 0 1 100\ngid 0 1 100')"
	holt rm big >/dev/null
	holt rmi auto-big:1 >/dev/null
}

@test "auto: creates at the same time get disjoint slices, shown as podman's IDMappings" {
	subids_or_skip
	local i
	for i in 1 2 3 4 5 6; do
		holt create --name "p$i" --userns auto:size=100 "$IMG" true >/dev/null &
	done
	wait
	run_holt inspect --format '{{json .HostConfig.IDMappings}}' p1 p2 p3 p4 p5 p6
	check_status 0
	# six slices of 100 from id 1 on, in whatever order the creates took the lock
	local bases
	bases=$(printf '%s\n' "$output" |
		sed -n 's/^{"UidMap":\["0:\([0-9]*\):100"\],"GidMap":\["0:\1:100"\]}$/\1/p' |
		sort -n | tr '\n' ' ')
	[ "$bases" = "1 101 201 301 401 501 " ] || { echo "$output"; false; }
}

@test "auto: what the container writes is stored with the image's owners" {
	subids_or_skip
	holt run --name w --userns auto "$IMG" sh -c 'echo x > /made && chown 1000:1000 /made'
	run_holt diff w
	check_output_has "A /made"
	holt commit w auto-made:1 >/dev/null
	run_holt run --rm auto-made:1 holt-test-tool owner /made
	check_status 0
	check_output "1000:1000 0644 /made"
	holt rmi auto-made:1 >/dev/null
}

@test "auto: a new volume and a tmpfs are the container's root's; a bind stays the user's" {
	subids_or_skip
	mkdir -p "$BATS_TEST_TMPDIR/w"
	run_holt run --rm --userns auto -v autovol:/data --tmpfs /t -v "$BATS_TEST_TMPDIR/w:/w" \
		"$IMG" sh -c 'holt-test-tool owner /data /t /w; touch /data/x /t/x'
	check_status 0
	check_output "$(printf '0:0 0755 /data\n0:0 1777 /t\n65534:65534 0755 /w')"
	holt volume rm autovol >/dev/null
}

@test "auto: exec and cp reach the running container, as its root" {
	subids_or_skip
	holt run -d --name e --userns auto "$IMG" sleep 600 >/dev/null
	echo hi >"$BATS_TEST_TMPDIR/f"
	holt cp "$BATS_TEST_TMPDIR/f" e:/f
	run_holt exec e sh -c 'id -u; holt-test-tool owner /f'
	check_status 0
	check_output "$(printf '0\n0:0 0644 /f')"
	run_holt exec -u 1000 e id -u
	check_output 1000
	holt cp e:/etc/image-file "$BATS_TEST_TMPDIR/back"
	[ -s "$BATS_TEST_TMPDIR/back" ]
}

@test "auto: a stopped container starts again in its slice" {
	subids_or_skip
	holt run --name s --userns auto:size=64 "$IMG" true
	run_holt start -a s
	check_status 0
	holt run -d --name t --userns auto "$IMG" sleep 600 >/dev/null
	[ "$(uid_line t)" = "0 65 1024" ]
}

@test "auto --privileged: fuse-overlayfs is holt's, out of the container's reach" {
	subids_or_skip
	run_holt run --rm --userns auto --privileged "$IMG" sh -c \
		'p=$(grep -l fuse-overlayfs /proc/[0-9]*/comm | cut -d/ -f3)
		[ -n "$p" ] || exit 3
		ls /proc/$p/root/ >/dev/null 2>&1 && exit 4
		cat /proc/$p/environ >/dev/null 2>&1 && exit 5
		exit 0'
	check_status 0
}

@test "auto: --network container:NAME joins the other's network, made before the namespace" {
	subids_or_skip
	holt run -d --name netowner "$IMG" sleep 600 >/dev/null
	run_holt run --rm --userns auto --network container:netowner "$IMG" \
		sh -c 'readlink /proc/self/ns/net; holt-test-tool uidmap | head -1'
	check_status 0
	[ "${lines[0]}" = "$(holt exec netowner readlink /proc/self/ns/net)" ]
	[ "${lines[1]}" = "uid 0 1 1024" ]
}

@test "auto: a slice larger than the user's range is refused, the store unchanged" {
	subids_or_skip
	local before
	before=$(store_listing)
	run_holt run --rm --userns auto:size=70000 "$IMG" true
	check_holt_error "no free slice of 70000 ids"
	check_store_unchanged "$before"
}

@test "auto without subordinate ids: refused with 125, the store unchanged" {
	nosubids_or_skip
	nonroot_or_skip
	local before
	before=$(store_listing)
	run_holt run --rm --userns auto "$IMG" true
	check_holt_error "--userns auto: needs subordinate ids"
	run_holt create --userns auto "$IMG" true
	check_holt_error "--userns auto: needs subordinate ids"
	check_store_unchanged "$before"
}

@test "nomap: the subordinate ids alone, 0 at the first; the image's owners kept" {
	subids_or_skip
	local n
	n=$(awk -v u="$(id -un)" -F: '$1 == u { print $3; exit }' /etc/subuid)
	run_holt run --rm --userns nomap "$IMG" sh -c \
		'holt-test-tool uidmap; holt-test-tool owner /bin/busybox /home/tester/owned'
	check_status 0
	check_output "$(printf 'uid 0 1 %s\ngid 0 1 %s\n0:0 0755 /bin/busybox\n1000:1000 0755 /home/tester/owned' \
		"$n" "$n")"
}

@test "nomap: a file the user owns shows as nobody inside" {
	subids_or_skip
	mkdir -p "$BATS_TEST_TMPDIR/w"
	touch "$BATS_TEST_TMPDIR/w/mine"
	run_holt run --rm --userns nomap -v "$BATS_TEST_TMPDIR/w:/w" "$IMG" holt-test-tool owner /w/mine
	check_status 0
	check_output "65534:65534 0644 /w/mine"
}

@test "nomap without subordinate ids: refused with 125, the store unchanged" {
	nosubids_or_skip
	nonroot_or_skip
	local before
	before=$(store_listing)
	run_holt run --rm --userns nomap "$IMG" true
	check_holt_error "--userns nomap: needs subordinate ids"
	check_store_unchanged "$before"
}
