#!/usr/bin/env bats
# pull against Debian's docker-registry on 127.0.0.1, of images made by other tools from
# the test image: Docker's token auth (tests/lib/token-issuer), skopeo's v2s2, OCI and
# zstd copies, a multi-arch OCI index, a buildah layer of whiteouts and an opaque dir;
# pulls by digest, pulls again, and the forms of a reference.

load helpers
load registry

setup_file()
{
	holt_setup_file_with_image
	export XDG_CONFIG_HOME=$HOLT_TMP/config REGISTRY_AUTH_FILE=$HOLT_TMP/auth.json
	start_registry plain
	start_token_registry tok alice:s3cret 'public/*'
	make_tls
	start_token_registry toktls alice:s3cret 'public/*' tls
	local r t repo
	r=$(reg plain) t=$(reg tok)
	holt push -q "$IMG" "$r/test/base:1" >/dev/null
	# The token registry's repositories, put there by skopeo as alice.
	for repo in public/busybox:1 public/team/app:1 private/app:1; do
		skopeo_copy --dest-creds alice:s3cret "docker://$r/test/base:1" "docker://$t/$repo" ||
			return 1
	done
	skopeo_copy --dest-creds alice:s3cret "docker://$r/test/base:1" \
		"docker://$(reg toktls)/public/busybox:1" || return 1
	if host_arch >/dev/null; then
		push_multi_arch test/multi:1
	fi
}

teardown_file()
{
	local o
	stop_registries
	if [ -d "$HOLT_TMP/buildah" ]; then
		local opts
		mapfile -t opts < <(buildah_opts)
		buildah "${opts[@]}" rm -a >/dev/null 2>&1
		buildah "${opts[@]}" unshare rm -rf "$HOLT_TMP/buildah" 2>/dev/null
	fi
	for o in "$HOLT_TMP"/fresh-*; do
		[ -d "$o" ] && HOLT_ROOT=$o/root HOLT_RUNROOT=$o/run holt_teardown_file
	done
	holt_teardown_file
}

# buildah's global options, one a line: a store in $HOLT_TMP, with the overlay driver,
# which records a directory removed and made again as opaque. With no subordinate ids
# buildah maps only the user, and the image's owner 1000 cannot be set.
buildah_opts()
{
	printf '%s\n' --root "$HOLT_TMP/buildah/root" --runroot "$HOLT_TMP/buildah/run" \
		--storage-driver overlay
	has_subids || printf '%s\n' --storage-opt overlay.ignore_chown_errors=true
}

# host_arch: the host's architecture as OCI names it; other_arch: the other one of the
# multi-arch index (amd64 and arm64).
host_arch()
{
	case $(uname -m) in
	x86_64) echo amd64 ;;
	aarch64) echo arm64 ;;
	*) return 1 ;;
	esac
}

other_arch()
{
	[ "$(host_arch)" = amd64 ] && echo arm64 || echo amd64
}

multi_arch_or_skip()
{
	host_arch >/dev/null || skip "the index holds amd64 and arm64; this host is $(uname -m)"
}

# push_multi_arch REPO: an OCI index of two images pushed by `skopeo copy --all`: the
# host's platform (the test image) and the other one (its config says so; the layer is
# the same).
push_multi_arch()
{
	local r d=$HOLT_TMP/multi-oci host other
	r=$(reg plain) host=$(host_arch) other=$(other_arch)
	skopeo_copy "docker://$r/test/base:1" "oci:$d:$host"
	python3 - "$d" "$host" "$other" <<-'EOF'
		import hashlib, json, sys
		d, host, other = sys.argv[1:]
		def put(data):
		    h = hashlib.sha256(data).hexdigest()
		    open(f"{d}/blobs/sha256/{h}", "wb").write(data)
		    return "sha256:" + h
		def get(digest):
		    return open(f"{d}/blobs/sha256/{digest[7:]}", "rb").read()
		def entry(mt, data, platform=None):
		    e = {"mediaType": mt, "digest": put(data), "size": len(data)}
		    return dict(e, platform=platform) if platform else e
		top = json.load(open(f"{d}/index.json"))
		mine = top["manifests"][0]
		manifest = json.loads(get(mine["digest"]))
		config = json.loads(get(manifest["config"]["digest"]))
		config["architecture"] = other
		cdata = json.dumps(config).encode()
		manifest["config"].update(digest=put(cdata), size=len(cdata))
		mt = "application/vnd.oci.image.manifest.v1+json"
		index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
		         "manifests": [entry(mt, get(mine["digest"]), {"os": "linux", "architecture": host}),
		                       entry(mt, json.dumps(manifest).encode(),
		                             {"os": "linux", "architecture": other})]}
		top["manifests"].append(entry(index["mediaType"], json.dumps(index).encode()))
		top["manifests"][-1]["annotations"] = {"org.opencontainers.image.ref.name": "multi"}
		json.dump(top, open(f"{d}/index.json", "w"))
	EOF
	skopeo_copy --all "oci:$d:multi" "docker://$r/$1"
}

# fresh NAME HOLT-ARGS...: holt with a store of its own, $HOLT_TMP/fresh-NAME: another
# machine that has none of the images.
fresh()
{
	local o=$HOLT_TMP/fresh-$1
	shift
	timeout -k 5 "$HOLT_TIMEOUT" "$HOLT" --root "$o/root" --runroot "$o/run" "$@"
}

# The image id of the test image, hex.
hex_id()
{
	local id
	id=$(image_id)
	echo "${id#sha256:}"
}

# `image inspect` without the names, which differ from store to store.
inspect_sans_names()
{
	python3 -c 'import json,sys
for i in json.load(sys.stdin):
    i.pop("RepoTags", None); i.pop("RepoDigests", None)
    print(json.dumps(i, sort_keys=True))'
}

# skopeo copy between (or out of and into) the test registries, which speak plain HTTP.
skopeo_copy()
{
	skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "$@"
}

# The manifest REF (docker://…) as the registry serves it.
raw_manifest()
{
	skopeo inspect --raw --tls-verify=false "docker://$1"
}

# json_get KEY...: the value at that path (an index for a list) in the JSON on stdin.
json_get()
{
	python3 -c 'import json,sys; v=json.load(sys.stdin)
for k in sys.argv[1:]: v=v[int(k) if k.isdigit() else k]
print(v)' "$@"
}

# GETs of blobs that holt made in the log of registry $1. The registry writes a request's
# line once the response has gone out, so a request of its own marks where the log is.
blob_gets()
{
	local mark=settled-$RANDOM$RANDOM
	curl -s -o /dev/null "http://$(reg "$1")/v2/$mark/tags/list"
	wait_for_line "$HOLT_TMP/$1.log" 5 "/v2/$mark/tags/list" >&2
	grep -c '"GET /v2/[^ ]*/blobs/sha256:[0-9a-f]* HTTP[^"]*" [0-9]* [0-9]* "[^"]*" "holt/' \
		"$HOLT_TMP/$1.log" || true
}

# pull_and_check NAME REF: a fresh store pulls REF (made by another tool from the test
# image): the same image id, the same `image inspect` but for names, and the container
# reads the image's files.
pull_and_check()
{
	local name=$1 ref=$2
	run --separate-stderr fresh "$name" pull -q "$ref"
	check_status 0
	check_output "$(hex_id)"
	local want got
	want=$(holt image inspect "$IMG" | inspect_sans_names)
	got=$(fresh "$name" image inspect "$ref" | inspect_sans_names)
	[ -n "$want" ] && [ "$got" = "$want" ] || {
		printf 'image inspect of %s:\n%s\nexpected:\n%s\n' "$ref" "$got" "$want"
		false
	}
	run --separate-stderr fresh "$name" run --rm "$ref" sh -c 'cat /etc/image-file; head -1 /etc/passwd'
	check_status 0
	check_output "$(printf 'image file\nroot:x:0:0:root:/root:/bin/sh')"
}

# --- token auth ------------------------------------------------------------------------

@test "token auth: an anonymous pull of a public repository goes through the token service" {
	local t
	t=$(reg tok)
	: >"$HOLT_TMP/tok-issuer.log"
	pull_and_check token-anon "$t/public/busybox:1"
	grep -qx "token user=- service=holt-test-registry scope=repository:public/busybox:pull granted=public/busybox:pull" \
		"$HOLT_TMP/tok-issuer.log" || { cat "$HOLT_TMP/tok-issuer.log"; false; }
	# What is not public is refused, and said so; nothing is stored.
	run --separate-stderr fresh token-private pull "$t/private/app:1"
	check_holt_error "authentication required"
	check_stderr_has "private/app"
	run --separate-stderr fresh token-private images -q
	check_status 0
	check_output ""
}

@test "token auth: holt login with the issuer's credentials, push, and a fresh store pulls it" {
	local t
	t=$(reg tok)
	run_holt push "$IMG" "$t/alice/app:1"
	check_holt_error "authentication required"
	run_holt login -u alice --password-stdin "$t" <<<"s3cret"
	check_status 0
	check_output "Login Succeeded!"
	: >"$HOLT_TMP/tok-issuer.log"
	run_holt push -q "$IMG" "$t/alice/app:1"
	check_status 0
	# Push asks for pull and push, in either order.
	grep -Eq "^token user=alice service=holt-test-registry scope=repository:alice/app:(pull,push|push,pull) granted=alice/app:(pull,push|push,pull)$" \
		"$HOLT_TMP/tok-issuer.log" || { cat "$HOLT_TMP/tok-issuer.log"; false; }
	run skopeo inspect --tls-verify=false --creds alice:s3cret "docker://$t/alice/app:1"
	check_status 0
	check_output_has "\"Name\": \"$t/alice/app\""
	# The fresh store reads the same auth file: alice pulls her private repository.
	pull_and_check token-alice "$t/alice/app:1"
	grep -q "^token user=alice service=holt-test-registry scope=repository:alice/app:pull granted=alice/app:pull$" \
		"$HOLT_TMP/tok-issuer.log" || { cat "$HOLT_TMP/tok-issuer.log"; false; }
	run_holt logout "$t"
	check_status 0
}

@test "token auth: a wrong password is a clear error, exit 125, and nothing is stored" {
	local t before
	t=$(reg tok)
	: >"$HOLT_TMP/tok-issuer.log"
	run_holt login --authfile "$BATS_TEST_TMPDIR/login.json" -u alice --password-stdin "$t" <<<"wrong"
	check_holt_error "invalid username/password"
	[ ! -e "$BATS_TEST_TMPDIR/login.json" ] || { cat "$BATS_TEST_TMPDIR/login.json"; false; }
	grep -qx "refused user=alice" "$HOLT_TMP/tok-issuer.log" || { cat "$HOLT_TMP/tok-issuer.log"; false; }

	# Credentials stored elsewhere (as docker writes them) that the issuer refuses.
	printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$t" "$(printf 'alice:wrong' | base64)" \
		>"$BATS_TEST_TMPDIR/bad.json"
	fresh token-wrong images -q >/dev/null # the store, empty
	before=$(HOLT_ROOT=$HOLT_TMP/fresh-token-wrong/root store_listing)
	run --separate-stderr fresh token-wrong pull --authfile "$BATS_TEST_TMPDIR/bad.json" \
		"$t/public/busybox:1"
	check_holt_error "invalid username/password"
	check_stderr_has "$t/public/busybox:1"
	[ "$(HOLT_ROOT=$HOLT_TMP/fresh-token-wrong/root store_listing)" = "$before" ] ||
		{ echo "the store changed"; false; }
	run --separate-stderr fresh token-wrong images -q
	check_output ""
}

@test "token auth: the scope asked for is the repository's, with pull only for a pull" {
	local t
	t=$(reg tok)
	: >"$HOLT_TMP/tok-issuer.log"
	# Anonymous, whatever the other tests left in the auth file.
	run --separate-stderr fresh token-scope pull -q --authfile "$BATS_TEST_TMPDIR/none.json" \
		"$t/public/team/app:1"
	check_status 0
	check_output "$(hex_id)"
	[ -s "$HOLT_TMP/tok-issuer.log" ] || { echo "no token asked for"; false; }
	run grep -v "^token user=- service=holt-test-registry scope=repository:public/team/app:pull granted=public/team/app:pull$" \
		"$HOLT_TMP/tok-issuer.log"
	[ "$status" -eq 1 ] || { echo "other token requests:"; show_run; false; }
}

@test "token auth over TLS: the registry's CA in certs.d is trusted for its token service too" {
	local t
	t=$(reg toktls)
	: >"$HOLT_TMP/toktls-issuer.log"
	run --separate-stderr fresh toktls pull "$t/public/busybox:1"
	check_holt_error "certs.d"
	mkdir -p "$XDG_CONFIG_HOME/holt/certs.d/$t"
	cp "$HOLT_TMP/tls/ca.crt" "$XDG_CONFIG_HOME/holt/certs.d/$t/"
	run --separate-stderr fresh toktls pull -q "$t/public/busybox:1"
	rm -r "$XDG_CONFIG_HOME/holt/certs.d"
	check_status 0
	check_output "$(hex_id)"
	grep -qx "token user=- service=holt-test-registry scope=repository:public/busybox:pull granted=public/busybox:pull" \
		"$HOLT_TMP/toktls-issuer.log" || { cat "$HOLT_TMP/toktls-issuer.log"; false; }
}

# --- images made by other tools --------------------------------------------------------

@test "skopeo --format v2s2: holt pulls a Docker schema 2 image and runs it" {
	local r
	r=$(reg plain)
	skopeo_copy --format v2s2 "docker://$r/test/base:1" "docker://$r/test/v2s2:1"
	[ "$(raw_manifest "$r/test/v2s2:1" | json_get mediaType)" = \
		application/vnd.docker.distribution.manifest.v2+json ]
	pull_and_check v2s2 "$r/test/v2s2:1"
}

@test "skopeo --format oci: holt pulls an OCI image and runs it" {
	local r
	r=$(reg plain)
	skopeo_copy --format v2s2 "docker://$r/test/base:1" "docker://$r/test/fromv2s2:1"
	skopeo_copy --format oci "docker://$r/test/fromv2s2:1" "docker://$r/test/oci:1"
	[ "$(raw_manifest "$r/test/oci:1" | json_get mediaType)" = \
		application/vnd.oci.image.manifest.v1+json ]
	pull_and_check oci "$r/test/oci:1"
}

@test "skopeo --dest-compress-format zstd: holt pulls tar+zstd layers" {
	local r d=$BATS_TEST_TMPDIR/zstd
	r=$(reg plain)
	# Through an OCI layout: straight between repositories of one registry, skopeo would
	# reuse the gzip blob.
	skopeo_copy --format oci --dest-compress-format zstd "docker://$r/test/base:1" "oci:$d:1"
	skopeo_copy "oci:$d:1" "docker://$r/test/zstd:1"
	[ "$(raw_manifest "$r/test/zstd:1" | json_get layers 0 mediaType)" = \
		application/vnd.oci.image.layer.v1.tar+zstd ]
	pull_and_check zstd "$r/test/zstd:1"
}

@test "a multi-arch OCI index: the host's platform by default, --platform picks, s390x is refused" {
	multi_arch_or_skip
	local r host other before
	r=$(reg plain) host=$(host_arch) other=$(other_arch)
	[ "$(raw_manifest "$r/test/multi:1" | json_get mediaType)" = \
		application/vnd.oci.image.index.v1+json ]
	run --separate-stderr fresh multi pull -q "$r/test/multi:1"
	check_status 0
	check_output "$(hex_id)"
	run --separate-stderr fresh multi image inspect --format '{{.Os}}/{{.Architecture}}' "$r/test/multi:1"
	check_output "linux/$host"

	run --separate-stderr fresh multi pull -q --platform "linux/$other" "$r/test/multi:1"
	check_status 0
	[[ $output =~ ^[0-9a-f]{64}$ ]] && [ "$output" != "$(hex_id)" ] || { show_run; false; }
	run --separate-stderr fresh multi image inspect --format '{{.Os}}/{{.Architecture}}' "$r/test/multi:1"
	check_output "linux/$other"

	before=$(HOLT_ROOT=$HOLT_TMP/fresh-multi/root store_listing)
	run --separate-stderr fresh multi pull --platform linux/s390x "$r/test/multi:1"
	check_holt_error "linux/s390x"
	check_stderr_has "linux/$host"
	[ "$(HOLT_ROOT=$HOLT_TMP/fresh-multi/root store_listing)" = "$before" ] ||
		{ echo "the store changed"; false; }
}

@test "pull of a multi-arch index by its digest: the host's image, which shows that digest" {
	multi_arch_or_skip
	local r digest
	r=$(reg plain)
	digest=sha256:$(raw_manifest "$r/test/multi:1" | sha256sum | cut -d' ' -f1)
	run --separate-stderr fresh multi-digest pull -q "$r/test/multi@$digest"
	check_status 0
	check_output "$(hex_id)"
	run --separate-stderr fresh multi-digest image inspect --format '{{.Architecture}} {{json .RepoDigests}}' "$(hex_id)"
	check_status 0
	check_output_has "$(host_arch) "
	check_output_has "\"$r/test/multi@$digest\""
}

@test "buildah's whiteouts: deleted files are gone, an opaque dir holds only its new contents" {
	command -v buildah >/dev/null || skip "buildah not installed"
	local r d=$BATS_TEST_TMPDIR/whiteout layer opts
	r=$(reg plain)
	mapfile -t opts < <(buildah_opts)
	buildah "${opts[@]}" from -q --name wh --tls-verify=false "docker://$r/test/base:1"
	# `buildah run` needs setgroups, which a user with no subordinate ids lacks: the
	# layer is made through `buildah mount` in buildah's user namespace instead.
	# shellcheck disable=SC2016 # expanded by that shell
	buildah "${opts[@]}" unshare sh -euc '
		m=$("$@" mount wh)
		rm "$m/bin/notexec" "$m/etc/image-file"
		rm -r "$m/var/tmp"
		rm -r "$m/home/tester/owned"
		mkdir "$m/home/tester/owned"
		echo new >"$m/home/tester/owned/only"
		"$@" umount wh >/dev/null' sh buildah "${opts[@]}"
	buildah "${opts[@]}" commit -q --format oci wh "oci:$d:1" >/dev/null
	# The layer is what the test is about: whiteouts, and the opaque marker.
	layer=$(json_get manifests 0 digest <"$d/index.json")
	layer=$(json_get layers 1 digest <"$d/blobs/sha256/${layer#sha256:}")
	run tar -tf "$d/blobs/sha256/${layer#sha256:}"
	check_status 0
	for f in bin/.wh.notexec etc/.wh.image-file var/.wh.tmp home/tester/owned/.wh..wh..opq \
		home/tester/owned/only; do
		grep -qx "$f" <<<"$output" || { echo "the layer has no $f:"; show_run; false; }
	done
	skopeo_copy "oci:$d:1" "docker://$r/test/whiteout:1"

	run --separate-stderr fresh whiteout pull -q "$r/test/whiteout:1"
	check_status 0
	# shellcheck disable=SC2016 # expanded in the container
	run --separate-stderr fresh whiteout run --rm "$r/test/whiteout:1" sh -c '
		for f in /bin/notexec /etc/image-file /var/tmp /home/tester/owned/file; do
			test -e "$f" && echo "$f is there"
		done
		ls -A /home/tester/owned; cat /home/tester/owned/only
		ls -A /var | wc -l; ls /bin/suidfile; head -1 /etc/passwd'
	check_status 0
	check_output "$(printf 'only\nnew\n0\n/bin/suidfile\nroot:x:0:0:root:/root:/bin/sh')"
}

# --- digests, a pull again, references -------------------------------------------------

@test "pull by digest: the image runs, and holt images --digests shows that digest" {
	local r digest
	r=$(reg plain)
	digest=$(skopeo inspect --tls-verify=false "docker://$r/test/base:1" | json_get Digest)
	[[ $digest =~ ^sha256:[0-9a-f]{64}$ ]]
	run --separate-stderr fresh digest pull -q "$r/test/base@$digest"
	check_status 0
	check_output "$(hex_id)"
	run --separate-stderr fresh digest images --digests --format '{{.Repository}} {{.Tag}} {{.Digest}}'
	check_status 0
	check_output "$r/test/base <none> $digest"
	run --separate-stderr fresh digest images --digests
	check_status 0
	[[ ${lines[1]} =~ ^$r/test/base\ +\<none\>\ +$digest\ +$(hex_id | cut -c1-12)\  ]] ||
		{ show_run; false; }
	run --separate-stderr fresh digest image inspect --format '{{json .RepoDigests}}' "$r/test/base@$digest"
	check_output "[\"$r/test/base@$digest\"]"
	run --separate-stderr fresh digest run --rm "$r/test/base@$digest" cat /etc/image-file
	check_status 0
	check_output "image file"
	# A digest the repository lacks: the registry is asked for that one.
	run --separate-stderr fresh digest pull "$r/test/base@sha256:$(printf '0%.0s' {1..64})"
	check_holt_error "manifest unknown"
}

@test "the same image through another manifest: its RepoDigests name the manifest pulled" {
	local r d=$BATS_TEST_TMPDIR/alt digest
	r=$(reg plain)
	# Another manifest of the same config and layer contents, in repository test/alt.
	skopeo_copy --format oci --dest-compress-format zstd "docker://$r/test/base:1" "oci:$d:1"
	skopeo_copy "oci:$d:1" "docker://$r/test/alt:1"
	digest=$(skopeo inspect --tls-verify=false "docker://$r/test/alt:1" | json_get Digest)
	fresh alt pull -q "$r/test/base:1" >/dev/null
	run --separate-stderr fresh alt pull -q "$r/test/alt:1"
	check_status 0
	check_output "$(hex_id)"
	run --separate-stderr fresh alt image inspect --format '{{json .RepoDigests}}' "$r/test/alt:1"
	check_status 0
	check_output_has "\"$r/test/alt@$digest\""
	# And what it names can be pulled.
	run --separate-stderr fresh alt-again pull -q "$r/test/alt@$digest"
	check_status 0
}

@test "a second pull of a tag fetches no blob and gives the same id" {
	local r first before
	r=$(reg plain)
	run --separate-stderr fresh again pull -q "$r/test/base:1"
	check_status 0
	first=$output
	before=$(blob_gets plain)
	run --separate-stderr fresh again pull "$r/test/base:1"
	check_status 0
	check_output "$(hex_id)"
	[ "$first" = "$output" ]
	[ "$(blob_gets plain)" -eq "$before" ] || {
		echo "blobs fetched again:"
		grep '/blobs/' "$HOLT_TMP/plain.log" | tail -n "$(($(blob_gets plain) - before))"
		false
	}
}

@test "references: no tag means :latest; an uppercase repository is refused; tag@digest" {
	local r digest
	r=$(reg plain)
	skopeo_copy "docker://$r/test/base:1" "docker://$r/a/b:latest"
	run --separate-stderr fresh refs pull -q "$r/a/b"
	check_status 0
	check_output "$(hex_id)"
	run --separate-stderr fresh refs images --format '{{.Repository}}:{{.Tag}}'
	check_output "$r/a/b:latest"

	run --separate-stderr fresh refs pull "$r/a/B"
	check_holt_error "$r/a/B"
	check_stderr_has "lowercase"
	! grep -q '/v2/a/B/' "$HOLT_TMP/plain.log" || { echo "the registry was asked"; false; }

	digest=$(skopeo inspect --tls-verify=false "docker://$r/test/base:1" | json_get Digest)
	run --separate-stderr fresh refs pull -q "$r/test/base:1@$digest"
	check_status 0
	check_output "$(hex_id)"
	# The digest is what is fetched, not the tag.
	run --separate-stderr fresh refs pull "$r/test/base:1@sha256:$(printf '0%.0s' {1..64})"
	check_holt_error "manifest unknown"
}

@test "a pull of NAME:TAG@DIGEST records no tag with a digest in it; a pull of the tag: one row" {
	local r digest
	r=$(reg plain)
	digest=$(skopeo inspect --tls-verify=false "docker://$r/test/base:1" | json_get Digest)
	run --separate-stderr fresh tagdigest pull -q "$r/test/base:1@$digest"
	check_status 0
	check_output "$(hex_id)"
	run --separate-stderr fresh tagdigest image inspect --format '{{json .RepoTags}} {{json .RepoDigests}}' "$(hex_id)"
	check_status 0
	[[ $output != *"@"*" "* ]] || { echo "a tag with a digest in it"; show_run; false; }
	check_output_has " [\"$r/test/base@$digest\"]"
	fresh tagdigest pull -q "$r/test/base:1" >/dev/null
	run --separate-stderr fresh tagdigest images --format '{{.Repository}}:{{.Tag}}'
	check_status 0
	check_output "$r/test/base:1"
}
