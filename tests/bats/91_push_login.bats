#!/usr/bin/env bats
# push, login and logout against Debian's docker-registry on 127.0.0.1 — plain HTTP, TLS
# with a CA made here, and htpasswd Basic auth — and pull's failures: a corrupted blob,
# an unknown tag, an unknown CA. skopeo, another tool, checks what holt pushed.

load helpers
load registry
load podman

setup_file()
{
	holt_setup_file_with_image
	export XDG_CONFIG_HOME=$HOLT_TMP/config REGISTRY_AUTH_FILE=$HOLT_TMP/auth.json
	start_registry plain
	make_tls
	start_registry tls "  tls:
    certificate: $HOLT_TMP/tls/srv.crt
    key: $HOLT_TMP/tls/srv.key"
	start_basic_registry basic
}

teardown_file()
{
	local o
	podman_teardown
	stop_registries
	# The other stores hold files of subordinate ids too: holt removes them.
	for o in "$HOLT_TMP/other" "$HOLT_TMP"/fresh-*; do
		[ -d "$o" ] && HOLT_ROOT=$o/root HOLT_RUNROOT=$o/run holt_teardown_file
	done
	holt_teardown_file
}

# holt with another store ($OTHER, default the file's second one): another machine.
other_holt()
{
	local o=${OTHER:-$HOLT_TMP/other}
	timeout -k 5 "$HOLT_TIMEOUT" "$HOLT" --root "$o/root" --runroot "$o/run" "$@"
}

hex_id()
{
	local id
	id=$(image_id)
	echo "${id#sha256:}"
}

@test "push an imported image; skopeo reads it; a fresh store pulls it and runs it" {
	local r
	r=$(reg plain)
	run_holt push "$IMG" "$r/test/one:1"
	check_status 0
	[[ ${lines[-1]} =~ ^1:\ digest:\ (sha256:[0-9a-f]{64})\ size:\ [0-9]+$ ]] || { show_run; false; }
	local digest=${BASH_REMATCH[1]}
	check_stderr_has "pushed"
	run skopeo inspect --tls-verify=false "docker://$r/test/one:1"
	[ "$status" -eq 0 ] && [[ $output == *"\"Digest\": \"$digest\""* ]] || { show_run; false; }
	run skopeo copy --src-tls-verify=false "docker://$r/test/one:1" "oci:$BATS_TEST_TMPDIR/oci:x"
	[ "$status" -eq 0 ] || { show_run; false; }

	run --separate-stderr other_holt pull -q "$r/test/one:1"
	[ "$status" -eq 0 ] && [ "$output" = "$(hex_id)" ] || { show_run; false; }
	run --separate-stderr other_holt run --rm "$r/test/one:1" head -1 /etc/passwd
	[ "$status" -eq 0 ] && [ "$output" = "root:x:0:0:root:/root:/bin/sh" ] || { show_run; false; }
}

@test "podman pulls what holt pushed and runs it: same id, same files and owners" {
	local r
	r=$(reg plain)
	holt push -q "$IMG" "$r/test/podman:1"
	run --separate-stderr podman_here pull -q --tls-verify=false "$r/test/podman:1"
	[ "$status" -eq 0 ] && [ "${lines[-1]}" = "$(hex_id)" ] || { show_run; false; }
	run --separate-stderr podman_here run --rm --network none "$r/test/podman:1" \
		sh -c 'head -1 /etc/passwd; cat /home/tester/owned/file; stat -c %u /home/tester/owned/file'
	[ "$status" -eq 0 ] && [ "$output" = "$(printf 'root:x:0:0:root:/root:/bin/sh\n%s\n%s' \
		"$(holt run --rm "$IMG" cat /home/tester/owned/file)" "$(podman_owner_1000)")" ] ||
		{ show_run; false; }
}

@test "a second push finds every blob there; another repository mounts them" {
	local r
	r=$(reg plain)
	holt push -q "$IMG" "$r/test/two:1"
	run_holt push "$IMG" "$r/test/two:1"
	check_status 0
	[ "$(grep -c 'already exists' <<<"$stderr")" -eq 2 ] || { show_run; false; }
	holt tag "$IMG" "$r/test/two:1"
	run_holt push "$r/test/two:1" "$r/elsewhere/three:1"
	check_status 0
	[ "$(grep -c 'mounted' <<<"$stderr")" -eq 2 ] || { show_run; false; }
	holt rmi "$r/test/two:1" >/dev/null
}

@test "a committed image with a deletion round-trips through the registry" {
	local r
	r=$(reg plain)
	holt run --name del "$IMG" sh -c 'rm /bin/notexec; echo two > /two' >/dev/null
	holt commit del committed:1 >/dev/null
	holt rm del >/dev/null
	holt push -q committed:1 "$r/test/layers:1"
	run --separate-stderr other_holt pull -q "$r/test/layers:1"
	[ "$status" -eq 0 ] || { show_run; false; }
	run --separate-stderr other_holt run --rm "$r/test/layers:1" sh -c 'cat /two; test -e /bin/notexec || echo gone'
	[ "$status" -eq 0 ] && [ "$output" = "$(printf 'two\ngone')" ] || { show_run; false; }
	holt rmi committed:1 >/dev/null
}

@test "run pulls an image it does not have, and says so" {
	local r
	r=$(reg plain)
	holt push -q "$IMG" "$r/test/auto:1"
	OTHER=$HOLT_TMP/fresh-run run --separate-stderr other_holt run --rm "$r/test/auto:1" echo ran
	[ "$status" -eq 0 ] && [ "$output" = "ran" ] || { show_run; false; }
	[[ $stderr == *"Unable to find image '$r/test/auto:1' locally"* ]] || { show_run; false; }
	OTHER=$HOLT_TMP/fresh-run run --separate-stderr other_holt run --rm "$r/test/auto:1" true
	[ "$status" -eq 0 ] && [ -z "$output" ] || { show_run; false; }
	OTHER=$HOLT_TMP/fresh-run run --separate-stderr other_holt images --format '{{.Repository}}:{{.Tag}}'
	[[ $output == *"$r/test/auto:1"* ]] || { show_run; false; }
}

# start_flaky NAME METHOD N: tests/lib/flaky-proxy in front of the plain registry, breaking
# the Nth request of METHOD (0: none), logging requests to $HOLT_TMP/NAME.log.
start_flaky()
{
	local name=$1
	rm -f "$HOLT_TMP/$name.port"
	python3 "$HOLT_LIB/flaky-proxy" "$HOLT_TMP/$name.port" "$(reg plain)" "$2" "$3" \
		"$HOLT_TMP/$name.log" &
	echo $! >"$HOLT_TMP/$name.pid"
	for _ in $(seq 50); do
		[ -s "$HOLT_TMP/$name.port" ] && return 0
		sleep 0.1
	done
	return 1
}

# An image whose top layer is 40 MB that does not compress, and that file's sha256.
big_image()
{
	if ! holt image inspect big:1 >/dev/null 2>&1; then
		holt run --name big "$IMG" sh -c \
			'dd if=/dev/urandom of=/big bs=1M count=40 2>/dev/null' >/dev/null
		holt commit big big:1 >/dev/null
		holt rm big >/dev/null
	fi
	holt run --rm big:1 sha256sum /big
}

@test "a blob over 32 MiB goes up in PATCHes of 32 MiB, and arrives whole" {
	local sum
	sum=$(big_image)
	start_flaky chunks PATCH 0
	holt push -q big:1 "127.0.0.1:$(cat "$HOLT_TMP/chunks.port")/test/big:1"
	[ "$(grep -c '^PATCH ' "$HOLT_TMP/chunks.log")" -eq 2 ] || { cat "$HOLT_TMP/chunks.log"; false; }
	OTHER=$HOLT_TMP/fresh-big run --separate-stderr other_holt run --rm "$(reg plain)/test/big:1" sha256sum /big
	[ "$status" -eq 0 ] && [ "$output" = "$sum" ] || { show_run; false; }
}

@test "a chunk whose connection drops is sent again, in a new session when the old one broke" {
	local sum
	sum=$(big_image)
	start_flaky drop PATCH 2
	run_holt push big:1 "127.0.0.1:$(cat "$HOLT_TMP/drop.port")/test/dropped:1"
	check_status 0
	grep -qx dropped "$HOLT_TMP/drop.log" || { cat "$HOLT_TMP/drop.log"; false; }
	[ "$(grep -c '^POST ' "$HOLT_TMP/drop.log")" -ge 3 ] || { cat "$HOLT_TMP/drop.log"; false; }
	OTHER=$HOLT_TMP/fresh-drop run --separate-stderr other_holt run --rm "$(reg plain)/test/dropped:1" sha256sum /big
	[ "$status" -eq 0 ] && [ "$output" = "$sum" ] || { show_run; false; }
}

@test "a manifest PUT whose connection drops is sent again" {
	start_flaky mdrop PUT 3
	run_holt push "$IMG" "127.0.0.1:$(cat "$HOLT_TMP/mdrop.port")/test/mdrop:1"
	check_status 0
	[ "$(grep -c '^PUT /v2/test/mdrop/manifests/1' "$HOLT_TMP/mdrop.log")" -eq 2 ] &&
		grep -qx dropped "$HOLT_TMP/mdrop.log" || { cat "$HOLT_TMP/mdrop.log"; false; }
	run skopeo inspect --tls-verify=false "docker://$(reg plain)/test/mdrop:1"
	[ "$status" -eq 0 ] || { show_run; false; }
}

@test "a second pull of the same image asks the registry for the manifest only" {
	local r
	holt push -q "$IMG" "$(reg plain)/test/again:1"
	start_flaky again GET 0
	r=127.0.0.1:$(cat "$HOLT_TMP/again.port")
	export OTHER=$HOLT_TMP/fresh-again
	other_holt pull -q "$r/test/again:1" >/dev/null
	grep -q '^GET /v2/test/again/blobs/' "$HOLT_TMP/again.log" || { cat "$HOLT_TMP/again.log"; false; }
	: >"$HOLT_TMP/again.log"
	run --separate-stderr other_holt pull "$r/test/again:1"
	[ "$status" -eq 0 ] && [ "$output" = "$(hex_id)" ] || { show_run; false; }
	[ "$(grep -v '^GET /v2/$' "$HOLT_TMP/again.log")" = "GET /v2/test/again/manifests/1" ] ||
		{ cat "$HOLT_TMP/again.log"; false; }
	[ "$(grep -c 'already exists' <<<"$stderr")" -eq 1 ] || { show_run; false; }
}

@test "a registry that refuses connections for a moment is tried again, and reached" {
	local port
	holt push -q "$IMG" "$(reg plain)/test/late:1"
	port=$(free_port)
	sed "s/addr: 127.0.0.1:.*/addr: 127.0.0.1:$port/" "$HOLT_TMP/plain.yml" >"$HOLT_TMP/late.yml"
	(
		sleep 0.3
		exec env -u REGISTRY_AUTH_FILE docker-registry serve "$HOLT_TMP/late.yml"
	) >"$HOLT_TMP/late.log" 2>&1 &
	echo $! >"$HOLT_TMP/late.pid"
	OTHER=$HOLT_TMP/fresh-late run --separate-stderr other_holt pull -q "127.0.0.1:$port/test/late:1"
	[ "$status" -eq 0 ] && [ "$output" = "$(hex_id)" ] || { show_run; false; }
}

@test "push errors: no such image, an id without a destination, a digest destination" {
	local r
	r=$(reg plain)
	run_holt push nosuch:1 "$r/x/y:1"
	check_holt_error "no such image"
	run_holt push "$(hex_id)"
	check_holt_error "no image is named so"
	run_holt push "$IMG" "$r/x/y@sha256:$(hex_id)"
	check_holt_error "not a digest"
}

@test "pull of a tag the registry lacks: 125, manifest unknown, nothing stored" {
	local before
	before=$(store_listing)
	run_holt pull "$(reg plain)/test/one:nosuchtag"
	check_holt_error "manifest unknown"
	check_store_unchanged "$before"
}

@test "a blob corrupted in the registry: digest mismatch, nothing stored; fixed, it pulls" {
	local r data blob
	r=$(reg plain)
	holt push -q "$IMG" "$r/test/corrupt:1"
	blob=$(skopeo inspect --tls-verify=false "docker://$r/test/corrupt:1" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["Layers"][0][7:])')
	data=$HOLT_TMP/plain-data/docker/registry/v2/blobs/sha256/${blob:0:2}/$blob/data
	cp "$data" "$BATS_TEST_TMPDIR/good"
	printf 'XXXXXXXX' | dd of="$data" bs=1 seek=100 conv=notrunc 2>/dev/null
	export OTHER=$HOLT_TMP/fresh-corrupt
	run --separate-stderr other_holt pull "$r/test/corrupt:1"
	[ "$status" -eq 125 ] && [[ $stderr == *"sha256:$blob"* ]] || { show_run; false; }
	run --separate-stderr other_holt images -q
	[ -z "$output" ] || { show_run; false; }
	[ -z "$(ls "$OTHER/root/layers")" ] || { ls -R "$OTHER/root/layers"; false; }
	cp "$BATS_TEST_TMPDIR/good" "$data"
	run --separate-stderr other_holt pull -q "$r/test/corrupt:1"
	[ "$status" -eq 0 ] || { show_run; false; }
}

@test "TLS: an unknown CA is refused and said so; certs.d/HOST:PORT/ca.crt or --tls-verify=false" {
	local r
	r=$(reg tls)
	run_holt push --tls-verify=false "$IMG" "$r/test/tls:1"
	check_status 0
	run --separate-stderr other_holt pull "$r/test/tls:1"
	[ "$status" -eq 125 ] && [[ $stderr == *certificate* ]] && [[ $stderr == *certs.d* ]] ||
		{ show_run; false; }
	run --separate-stderr other_holt pull -q --tls-verify=false "$r/test/tls:1"
	[ "$status" -eq 0 ] || { show_run; false; }
	other_holt rmi "$r/test/tls:1" >/dev/null
	mkdir -p "$XDG_CONFIG_HOME/holt/certs.d/$r"
	cp "$HOLT_TMP/tls/ca.crt" "$XDG_CONFIG_HOME/holt/certs.d/$r/"
	run --separate-stderr other_holt pull -q "$r/test/tls:1"
	[ "$status" -eq 0 ] || { show_run; false; }
	rm -r "$XDG_CONFIG_HOME/holt/certs.d"
}

@test "an insecure-registries entry lets a TLS registry through without its CA" {
	local r
	r=$(reg tls)
	holt push -q --tls-verify=false "$IMG" "$r/test/insecure:1"
	mkdir -p "$XDG_CONFIG_HOME/holt"
	echo "{\"insecure-registries\": [\"$r\"]}" >"$XDG_CONFIG_HOME/holt/registries.json"
	run --separate-stderr other_holt pull -q "$r/test/insecure:1"
	rm "$XDG_CONFIG_HOME/holt/registries.json"
	[ "$status" -eq 0 ] || { show_run; false; }
}

@test "unqualified-search-registries: a name without a registry is tried in each, in order" {
	local r b
	r=$(reg plain) b=$(reg basic)
	holt push -q "$IMG" "$r/team/short:1"
	mkdir -p "$XDG_CONFIG_HOME/holt"
	echo "{\"unqualified-search-registries\": [\"$b\", \"$r\"]}" \
		>"$XDG_CONFIG_HOME/holt/registries.json"
	export OTHER=$HOLT_TMP/fresh-search
	run --separate-stderr other_holt pull -q team/short:1
	[ "$status" -eq 0 ] && [ "$output" = "$(hex_id)" ] || { show_run; false; }
	run --separate-stderr other_holt images --format '{{.Repository}}:{{.Tag}}'
	[ "$output" = "$r/team/short:1" ] || { show_run; false; }
	# Found locally under the registry that had it: no pull.
	run --separate-stderr other_holt run --rm team/short:1 echo here
	[ "$status" -eq 0 ] && [ "$output" = here ] && [[ $stderr != *Unable* ]] || { show_run; false; }
	run --separate-stderr other_holt pull team/nosuch:1
	rm "$XDG_CONFIG_HOME/holt/registries.json"
	[ "$status" -eq 125 ] || { show_run; false; }
	[[ $stderr == *"no registry of unqualified-search-registries has it"*"$b/team/nosuch:1"*"$r/team/nosuch:1"* ]] ||
		{ show_run; false; }
}

@test "Basic auth: refused without login and with a wrong password; login, push, pull, logout" {
	local r
	r=$(reg basic)
	run_holt push "$IMG" "$r/alice/app:1"
	check_holt_error "authentication required"
	run_holt login -u alice --password-stdin "$r" <<<"wrong"
	check_holt_error "invalid username/password"
	[ ! -e "$REGISTRY_AUTH_FILE" ] || { cat "$REGISTRY_AUTH_FILE"; false; }

	run_holt login -u alice --password-stdin "$r" <<<"s3cret"
	check_status 0
	check_output "Login Succeeded!"
	python3 -c "import json,sys,base64; a=json.load(open(sys.argv[1]))['auths'][sys.argv[2]]['auth']; assert base64.b64decode(a)==b'alice:s3cret'" \
		"$REGISTRY_AUTH_FILE" "$r"
	[ "$(stat -c %a "$REGISTRY_AUTH_FILE")" = 600 ]
	run_holt push -q "$IMG" "$r/alice/app:1"
	check_status 0
	run --separate-stderr other_holt pull -q "$r/alice/app:1"
	[ "$status" -eq 0 ] || { show_run; false; }

	run_holt logout "$r"
	check_status 0
	check_output "Removed login credentials for $r"
	run --separate-stderr other_holt pull "$r/alice/app:2"
	[ "$status" -eq 125 ] && [[ $stderr == *"authentication required"* ]] || { show_run; false; }
	run_holt logout "$r"
	check_holt_error "not logged in to $r"
}

@test "login: --authfile; --password-stdin needs -u; no password" {
	local r
	r=$(reg basic)
	run_holt login --authfile "$BATS_TEST_TMPDIR/a.json" -u alice --password-stdin "$r" <<<"s3cret"
	check_status 0
	grep -q "$r" "$BATS_TEST_TMPDIR/a.json"
	run_holt logout --authfile "$BATS_TEST_TMPDIR/a.json" "$r"
	check_status 0
	run_holt login --password-stdin "$r" <<<"s3cret"
	check_holt_error "needs --username"
	run_holt login -u alice --password-stdin "$r" </dev/null
	check_holt_error "a password is needed"
}
