#!/usr/bin/env bats
# Volumes and mounts: holt volume create/ls/inspect/rm/prune; run -v with named,
# anonymous and bind mounts, --mount, --tmpfs, --read-only, --volumes-from; data that
# outlives containers; destinations resolved inside the root; volumes in use kept.

load helpers

setup_file()
{
	holt_setup_file_with_image
	# An image with content to copy up, and symlinks that point out of the root.
	mkdir -p "$HOLT_TMP/hostside"
	holt run --name seedbase "$IMG" sh -c "mkdir -p /srv/seed /srv/links &&
		echo seed > /srv/seed/a && chmod 0750 /srv/seed &&
		ln -s $HOLT_TMP/hostside /srv/links/abs &&
		ln -s ../../../../../../../../..$HOLT_TMP/hostside /srv/links/rel" >/dev/null &&
		holt commit seedbase volimg:1 >/dev/null &&
		holt rm seedbase >/dev/null
}

teardown_file()
{
	holt_teardown_file
}

setup()
{
	cd "$BATS_TEST_TMPDIR" || return
}

# Every test starts with no container and no volume.
teardown()
{
	local ids
	ids=$(holt ps -aq --no-trunc 2>/dev/null) || true
	# shellcheck disable=SC2086 # one id a word
	[ -z "$ids" ] || holt rm -f $ids >/dev/null 2>&1 || true
	ids=$(holt volume ls -q 2>/dev/null) || true
	# shellcheck disable=SC2086 # one name a word
	[ -z "$ids" ] || holt volume rm -f $ids >/dev/null 2>&1 || true
}

@test "volume create, ls, inspect and rm, as docker shows them" {
	run_holt volume create --label team=db --label tier data
	check_status 0 && check_output data
	run_holt volume create other
	check_status 0
	run_holt volume ls
	check_status 0
	check_output "DRIVER    VOLUME NAME
local     data
local     other"
	run_holt volume ls -q --filter label=team=db
	check_output data
	run_holt volume ls -q --filter label=tier --filter name=at
	check_output data
	run_holt volume ls -q --filter name=oth
	check_output other

	run_holt volume inspect data
	check_status 0
	[ "$(jq -r '.[0].Name' <<<"$output")" = data ]
	[ "$(jq -r '.[0].Driver' <<<"$output")" = local ]
	[ "$(jq -r '.[0].Scope' <<<"$output")" = local ]
	[ "$(jq -r '.[0].Mountpoint' <<<"$output")" = "$HOLT_ROOT/volumes/data/_data" ]
	[ "$(jq -r '.[0].Labels.team' <<<"$output")" = db ]
	[ "$(jq -r '.[0].Labels | keys | join(",")' <<<"$output")" = team,tier ]
	[[ $(jq -r '.[0].CreatedAt' <<<"$output") =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T ]]
	[ "$(jq -r '.[0].Options | length' <<<"$output")" = 0 ]
	[ -d "$HOLT_ROOT/volumes/data/_data" ]
	run_holt volume inspect -f '{{.Name}} {{.Driver}}' other
	check_output "other local"

	# An existing name is no error: the same volume comes back, as in docker.
	run_holt volume create data
	check_status 0 && check_output data

	run_holt volume rm data other
	check_status 0
	run_holt volume ls -q
	check_output ""
	[ ! -e "$HOLT_ROOT/volumes/data" ]
	run_holt volume inspect data
	check_holt_error "no such volume: data"
}

@test "bad volume names are refused and leave the store as it was" {
	local before
	before=$(store_listing)
	for name in '..' 'a/b' '_x' 'x' '../../etc' 'a b'; do
		run_holt volume create "$name"
		check_holt_error "volume name"
	done
	run_holt run --rm -v '../x:/d' "$IMG" true
	check_holt_error "not a valid volume name"
	run_holt run --rm -v 'a..:/d/../../etc' "$IMG" true
	check_holt_error 'contains ".."'
	run_holt run --rm --mount 'type=volume,src=v1,dst=/a/../b' "$IMG" true
	check_holt_error 'contains ".."'
	run_holt run --rm -v 'v1:relative' "$IMG" true
	check_holt_error "not an absolute path"
	run_holt run --rm -v 'v1:/d:bogus' "$IMG" true
	check_holt_error 'unknown option "bogus"'
	run_holt run --rm -v v1:/d -v v2:/d "$IMG" true
	check_holt_error 'duplicate mount destination "/d"'
	run_holt run --rm --tmpfs '/t:nosuchopt=1' "$IMG" true
	check_holt_error 'unknown option'
	check_store_unchanged "$before"
}

@test "a named volume is made on first use and its data outlives the container" {
	run_holt run --rm -v keep:/data "$IMG" sh -c 'echo one > /data/f'
	check_status 0
	run_holt volume ls -q
	check_output keep
	run_holt run --rm -v keep:/data "$IMG" cat /data/f
	check_status 0 && check_output one
	# --mount's spelling reaches the same volume
	run_holt run --rm --mount type=volume,source=keep,target=/elsewhere "$IMG" cat /elsewhere/f
	check_output one
}

@test "the image's content is copied into a new volume once, keeping its mode" {
	run_holt run --rm -v cu:/srv/seed volimg:1 sh -c 'cat /srv/seed/a; stat -c %a /srv/seed;
		rm /srv/seed/a; echo mine > /srv/seed/b'
	check_status 0
	check_output "seed
750"
	# The deletion holds: no second copy-up into a volume that had one.
	run_holt run --rm -v cu:/srv/seed volimg:1 ls /srv/seed
	check_output b
	# nocopy: nothing copied
	run_holt run --rm -v nc:/srv/seed:nocopy volimg:1 ls -A /srv/seed
	check_status 0 && check_output ""
	run_holt run --rm --mount type=volume,src=nc2,dst=/srv/seed,volume-nocopy volimg:1 \
		ls -A /srv/seed
	check_status 0 && check_output ""
}

@test "volume rm refuses a volume a container uses, running or stopped; -f insists" {
	run_holt create --name user1 -v used:/d "$IMG" true
	check_status 0
	run_holt volume rm used
	check_holt_error 'volume "used" is in use by container "user1"'
	[ -d "$HOLT_ROOT/volumes/used/_data" ]
	run_holt volume prune -f -a
	check_status 0
	run_holt volume ls -q
	check_output used
	run_holt volume ls -q --filter dangling=true
	check_output ""
	run_holt volume rm -f used
	check_status 0
	run_holt volume ls -q
	check_output ""
	run_holt volume rm -f never-was
	check_status 0
}

@test "rm -v removes anonymous volumes and keeps named ones; --rm removes anonymous ones" {
	run_holt run --name anon -v named:/n -v /cache "$IMG" sh -c 'echo x > /cache/f'
	check_status 0
	run_holt volume ls -q
	[ "$(echo "$output" | wc -l)" -eq 2 ]
	local anon
	anon=$(holt inspect -f '{{range .Mounts}}{{if eq .Destination "/cache"}}{{.Name}}{{end}}{{end}}' anon)
	[[ $anon =~ ^[0-9a-f]{64}$ ]]
	[ -e "$HOLT_ROOT/volumes/$anon/_data/f" ]
	run_holt rm -v anon
	check_status 0
	run_holt volume ls -q
	check_output named

	# plain rm keeps the anonymous one (dangling), prune takes it and not the named one
	run_holt run --name anon2 -v /cache "$IMG" true
	run_holt rm anon2
	run_holt volume ls -q --filter dangling=true
	[ "$(echo "$output" | wc -l)" -eq 2 ]
	run_holt volume prune -f
	check_status 0
	check_output_has "Deleted Volumes:"
	run_holt volume ls -q
	check_output named

	run_holt run --rm -v /cache -v named:/n "$IMG" true
	check_status 0
	run_holt volume ls -q
	check_output named
	# and a detached --rm container's monitor does the same
	run_holt run -d --rm -v /cache "$IMG" true
	check_status 0
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(holt volume ls -q)" = named ] && break
		sleep 0.05
	done
	run_holt volume ls -q
	check_output named
}

@test "a bind mount: rw writes reach the host, ro refuses writes with EROFS, a file binds" {
	mkdir -p src
	echo host > src/h
	run_holt run --rm -v "$PWD/src:/src" -w /src "$IMG" sh -c 'cat h; echo ctr > c'
	check_status 0 && check_output host
	[ "$(cat src/c)" = ctr ]
	run_holt run --rm -v "$PWD/src:/src:ro" "$IMG" sh -c 'echo x > /src/x'
	[ "$status" -ne 0 ]
	[[ $stderr == *"Read-only file system"* ]]
	[ ! -e src/x ]
	run_holt run --rm --mount "type=bind,src=$PWD/src,dst=/src,readonly" "$IMG" \
		sh -c 'touch /src/x'
	[ "$status" -ne 0 ]
	[[ $stderr == *"Read-only file system"* ]]
	run_holt run --rm -v "$PWD/src/h:/etc/motd:ro" "$IMG" cat /etc/motd
	check_status 0 && check_output host
	# z, Z are accepted (no SELinux here), nosuid/nodev/noexec apply
	run_holt -126 run --rm -v "$PWD/src:/src:z,noexec" "$IMG" sh -c 'cp /bin/busybox /src/true; exec /src/true'
	check_stderr_has "Permission denied"
	run_holt run --rm -v "$PWD/src:/src:Z" "$IMG" /src/true
	check_status 0
	rm -f src/true
	# a destination inside another mount
	mkdir -p inner
	echo in > inner/i
	run_holt run --rm -v "$PWD/src:/src" -v "$PWD/inner:/src/deep/inner" "$IMG" cat /src/deep/inner/i
	check_status 0 && check_output in
}

@test "-v makes a missing source directory, --mount type=bind refuses it" {
	run_holt run --rm -v "$PWD/made/here:/m" "$IMG" sh -c 'echo x > /m/f'
	check_status 0
	[ -d made/here ] && [ "$(cat made/here/f)" = x ]
	local before
	before=$(store_listing)
	run_holt run --rm --mount "type=bind,src=$PWD/missing,dst=/m" "$IMG" true
	check_holt_error "bind source path"
	[ ! -e missing ]
	check_store_unchanged "$before"
}

@test "a destination through a symlink in the image is resolved inside the root" {
	local host=$HOLT_TMP/hostside
	run_holt run --rm -v esc:/srv/links/abs volimg:1 sh -c 'echo in > /srv/links/abs/f'
	check_status 0
	run_holt run --rm -v esc2:/srv/links/rel/sub volimg:1 sh -c 'echo in > /srv/links/rel/sub/f'
	check_status 0
	run_holt run --rm --tmpfs /srv/links/abs volimg:1 sh -c 'echo in > /srv/links/abs/g'
	check_status 0
	# nothing reached the host's directory the links name
	run ls -A "$host"
	[ -z "$output" ]
	[ "$(cat "$HOLT_ROOT/volumes/esc/_data/f")" = in ]
	[ "$(cat "$HOLT_ROOT/volumes/esc2/_data/f")" = in ]
}

@test "--read-only refuses writes outside the tmpfs mounts" {
	run_holt run --rm --read-only "$IMG" sh -c 'touch /x'
	[ "$status" -ne 0 ]
	[[ $stderr == *"Read-only file system"* ]]
	run_holt run --rm --read-only "$IMG" sh -c 'touch /tmp/x /run/x /var/tmp/x /dev/shm/x && echo ok'
	check_status 0 && check_output ok
	run_holt run --rm --read-only -v rov:/data "$IMG" sh -c 'echo y > /data/y && cat /data/y'
	check_status 0 && check_output y
	run_holt inspect -f '{{.HostConfig.ReadonlyRootfs}}' "$(holt create --read-only "$IMG" true)"
	check_output true
}

@test "tmpfs mounts: size is enforced, mode and options apply" {
	run_holt run --rm --tmpfs /t:size=1m,mode=1777 "$IMG" sh -c \
		'stat -c %a /t; dd if=/dev/zero of=/t/big bs=1024 count=2048 2>/dev/null || echo full'
	check_status 0
	check_output "1777
full"
	run_holt run --rm --mount type=tmpfs,dst=/t,tmpfs-size=65536 "$IMG" sh -c \
		'dd if=/dev/zero of=/t/big bs=1024 count=128 2>/dev/null || echo full'
	check_output full
	# --tmpfs is noexec unless told exec
	run_holt -126 run --rm --tmpfs /t "$IMG" sh -c 'cp /bin/busybox /t/true && exec /t/true'
	check_stderr_has "Permission denied"
	run_holt run --rm --tmpfs /t:exec "$IMG" sh -c 'cp /bin/busybox /t/true && exec /t/true'
	check_status 0
}

@test "inspect shows Mounts as docker shapes them" {
	mkdir -p b
	run_holt create --name shown -v iv:/v -v "$PWD/b:/b:ro" --tmpfs /t "$IMG" true
	check_status 0
	run_holt inspect shown
	check_status 0
	local m
	m=$(jq -c '.[0].Mounts' <<<"$output")
	[ "$(jq -r '.[0].Type' <<<"$m")" = volume ]
	[ "$(jq -r '.[0].Name' <<<"$m")" = iv ]
	[ "$(jq -r '.[0].Source' <<<"$m")" = "$HOLT_ROOT/volumes/iv/_data" ]
	[ "$(jq -r '.[0].Destination' <<<"$m")" = /v ]
	[ "$(jq -r '.[0].Driver' <<<"$m")" = local ]
	[ "$(jq -r '.[0].RW' <<<"$m")" = true ]
	[ "$(jq -r '.[1].Type' <<<"$m")" = bind ]
	[ "$(jq -r '.[1].Source' <<<"$m")" = "$PWD/b" ]
	[ "$(jq -r '.[1].Mode' <<<"$m")" = ro ]
	[ "$(jq -r '.[1].RW' <<<"$m")" = false ]
	[ "$(jq -r '.[1].Propagation' <<<"$m")" = rprivate ]
	[ "$(jq -r '.[2].Type' <<<"$m")" = tmpfs ]
}

@test "volumes work for run -d, start and restart" {
	run_holt create --name again -v log:/log "$IMG" sh -c 'echo run >> /log/runs'
	check_status 0
	run_holt start -a again
	check_status 0
	run_holt start -a again
	check_status 0
	run_holt run -d --name bg -v log:/log "$IMG" sh -c 'echo bg >> /log/runs; sleep 30'
	check_status 0
	run_holt restart -t 0 bg
	check_status 0
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(grep -c bg "$HOLT_ROOT/volumes/log/_data/runs")" -ge 2 ] && break
		sleep 0.05
	done
	run_holt run --rm -v log:/log "$IMG" cat /log/runs
	check_output "run
run
bg
bg"
}

@test "--volumes-from mounts another container's volumes and binds" {
	mkdir -p shared
	run_holt create --name donor -v vf:/vf -v "$PWD/shared:/shared" -v /anon "$IMG" true
	check_status 0
	run_holt run --rm --volumes-from donor "$IMG" sh -c 'echo a > /vf/a; echo s > /shared/s; echo n > /anon/n'
	check_status 0
	[ "$(cat shared/s)" = s ]
	run_holt run --rm --volumes-from donor:ro "$IMG" sh -c 'cat /vf/a /anon/n; touch /vf/b'
	[ "$status" -ne 0 ]
	[ "$output" = "a
n" ]
	[[ $stderr == *"Read-only file system"* ]]
	# the anonymous volume is the donor's: the borrower's --rm left it
	run_holt volume ls -q
	[ "$(echo "$output" | wc -l)" -eq 2 ]
	run_holt run --rm --volumes-from nosuch "$IMG" true
	check_holt_error "no such container: nosuch"
}

@test "owners in volumes and binds: the user's files are root's inside" {
	mkdir -p own
	touch own/mine
	run_holt run --rm -v "$PWD/own:/own" -v ov:/ov "$IMG" sh -c 'stat -c %u /own/mine; stat -c %u /ov; touch /own/made'
	check_status 0
	check_output "0
0"
	# what root makes inside is the user's outside
	[ "$(stat -c %u own/made)" = "$(id -u)" ]
}

@test "export and commit leave volume and bind contents out, as docker does" {
	mkdir -p bsrc
	run_holt run --name outside -v ev:/data -v "$PWD/bsrc:/b" "$IMG" sh -c \
		'echo v > /data/vf; echo b > /b/bf; echo layer > /inlayer'
	check_status 0
	holt export -o fs.tar outside
	tar tf fs.tar >list
	grep -qx './inlayer\|inlayer' list
	! grep -q 'vf$\|bf$' list
	run_holt commit outside volout:1
	check_status 0
	run_holt run --rm volout:1 sh -c 'cat /inlayer; ls -A /data /b'
	check_status 0
	check_output "layer
/b:

/data:"
	holt rmi volout:1 >/dev/null
}

@test "the U option gives a bind's tree to the container's user, as podman's does" {
	subids_or_skip
	mkdir -p u/sub
	touch u/sub/f
	ln -s /etc/passwd u/link
	run_holt run --rm -u 1000:1001 -v "$PWD/u:/u:U" "$IMG" sh -c \
		'id -u; stat -c %u:%g /u /u/sub/f; touch /u/sub/mine && echo wrote'
	check_status 0
	check_output "1000
1000:1001
1000:1001
wrote"
	# On the host: the ids of the user's range that 1000 and 1001 map to; the link's
	# target is left alone.
	local ustart gstart
	ustart=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid)
	gstart=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subgid)
	[ "$(stat -c %u:%g u/sub/f)" = "$((ustart + 999)):$((gstart + 1000))" ]
	[ "$(stat -c %u /etc/passwd)" = 0 ]
	unshare --map-auto --map-root-user rm -rf u
}

@test "the U option without subordinate ids: root inside is the user, other ids are refused" {
	nosubids_or_skip
	mkdir -p u
	run_holt run --rm -v "$PWD/u:/u:U" "$IMG" sh -c 'touch /u/f'
	check_status 0
	[ "$(stat -c %u u/f)" = "$(id -u)" ]
	run_holt run --rm -u 1000 -v "$PWD/u:/u:U" "$IMG" true
	check_holt_error 'U: give "/u" to uid 1000'
}

@test "--userns host is holt's own namespace; bad modes are refused, said so" {
	run_holt run --rm --userns host "$IMG" id -u
	check_status 0 && check_output 0
	local before
	before=$(store_listing)
	for mode in auto:size=x nomap:x keep-id:uid=x; do
		run_holt run --rm --userns "$mode" "$IMG" true
		check_holt_error "--userns \"$mode\""
	done
	check_store_unchanged "$before"
}

@test "cp into and out of a stopped container's volume and bind reaches them, as docker's" {
	mkdir -p b
	echo from-bind >b/in-bind
	holt create --name cpv -v cpvol:/v -v "$PWD/b:/b" -v "$PWD/b:/bro:ro" "$IMG" true >/dev/null
	echo to-volume >f
	run_holt cp f cpv:/v/f
	check_status 0
	run_holt cp f cpv:/b/f
	check_status 0
	[ "$(cat b/f)" = to-volume ]
	run_holt cp cpv:/b/in-bind out
	check_status 0
	[ "$(cat out)" = from-bind ]
	run_holt cp f cpv:/bro/g
	[ "$status" -ne 0 ] || { show_run; false; }
	[ ! -e b/g ]
	# the volume holds it, not the container's layer: another container reads it
	run_holt run --rm -v cpvol:/data "$IMG" cat /data/f
	check_status 0 && check_output to-volume
	run_holt diff cpv
	[[ $output != *"/v/f"* ]] || { show_run; false; }
}

@test "cp into and out of a running container's volume" {
	holt run -d --name cpr -v cprvol:/v "$IMG" sleep 60 >/dev/null
	echo live >f
	run_holt cp f cpr:/v/f
	check_status 0
	run_holt exec cpr cat /v/f
	check_output live
	run_holt cp cpr:/v/f back
	check_status 0
	[ "$(cat back)" = live ]
	holt rm -f cpr >/dev/null
	run_holt run --rm -v cprvol:/v "$IMG" cat /v/f
	check_output live
}

@test "inspect shows HostConfig.Binds as docker lists them: -v binds and named volumes" {
	mkdir -p b
	holt create --name src -v "$PWD/b:/from" "$IMG" true >/dev/null
	run_holt create --name binds -v bv:/v -v "$PWD/b:/b:ro" -v /anon \
		--mount type=volume,src=mv,dst=/m --tmpfs /t --volumes-from src "$IMG" true
	check_status 0
	run_holt inspect -f '{{json .HostConfig.Binds}}' binds
	check_status 0
	check_output "[\"bv:/v\",\"$PWD/b:/b:ro\"]"
	run_holt create --name nobinds --tmpfs /t "$IMG" true
	run_holt inspect -f '{{json .HostConfig.Binds}}' nobinds
	check_output null
}
