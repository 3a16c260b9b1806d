#!/usr/bin/env bats
# pull's failures, each against a registry that fails on purpose: a real docker-registry
# killed mid-pull, tests/lib/fake-registry (malformed and schema 1 manifests, a 503, a
# dropped connection, a blob that always fails, a manifest that does not match its digest),
# a layer with a ../ entry, wrong credentials and an unknown repository. Every failure is
# exit 125 with a message naming what failed, and the store left as it was.

load helpers
load registry

setup_file()
{
	holt_setup_file_with_image
	export XDG_CONFIG_HOME=$HOLT_TMP/config REGISTRY_AUTH_FILE=$HOLT_TMP/auth.json
	# What the fake registry serves: per tag the busybox rootfs (in the store already, as
	# $IMG) and layers of its own, so that no tag's layers are in the store when its test
	# pulls it.
	export LAYOUT=$HOLT_TMP/layout
	local tag
	for tag in tbase t503 tdrop t500 tdigest tauth; do
		head -c 1500000 /dev/urandom >"$HOLT_TMP/$tag.data"
		make_layout "$LAYOUT" "$tag" "$HOLT_FIXTURES/rootfs.tar.gz" \
			"data=$HOLT_TMP/$tag.data" >/dev/null
	done
	make_layout "$LAYOUT" tescape "$HOLT_FIXTURES/rootfs.tar.gz" "$HOLT_FIXTURES/escape.tar" \
		>/dev/null
	# Three layers fetched at once, the last of them missing from the registry.
	for tag in a b c; do
		head -c 1000000 /dev/urandom >"$HOLT_TMP/many-$tag.data"
	done
	make_layout "$LAYOUT" tmissing "$HOLT_FIXTURES/rootfs.tar.gz" "a=$HOLT_TMP/many-a.data" \
		"b=$HOLT_TMP/many-b.data" "c=$HOLT_TMP/many-c.data" >/dev/null
	local missing
	missing=$(layer_digest "$LAYOUT" tmissing 3)
	rm "$LAYOUT/blobs/sha256/${missing#sha256:}"
	start_registry plain
	start_basic_registry basic
}

teardown_file()
{
	stop_registries
	holt_teardown_file
}

# The fake registries a test started.
teardown()
{
	local f
	for f in "$BATS_TEST_TMPDIR"/fake-*.pid; do
		[ -e "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	return 0
}

# make_layout DIR TAG LAYER...: adds to the OCI layout DIR an image tagged TAG whose
# layers are, in order: each LAYER that is a file (a tar or a gzipped tar, as it is), or
# for NAME=FILE a tar with FILE as /NAME. Prints the manifest's digest.
make_layout()
{
	python3 - "$@" <<-'EOF'
		import gzip, hashlib, io, json, os, platform, sys, tarfile

		out, tag, specs = sys.argv[1], sys.argv[2], sys.argv[3:]
		os.makedirs(f"{out}/blobs/sha256", exist_ok=True)

		def put(data):
		    hexd = hashlib.sha256(data).hexdigest()
		    with open(f"{out}/blobs/sha256/{hexd}", "wb") as f:
		        f.write(data)
		    return "sha256:" + hexd

		layers, diff_ids = [], []
		for spec in specs:
		    if "=" in spec:
		        name, src = spec.split("=", 1)
		        buf = io.BytesIO()
		        with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tf:
		            ti = tf.gettarinfo(src, arcname=name)
		            ti.uid = ti.gid = 0
		            ti.uname = ti.gname = ""
		            ti.mode, ti.mtime = 0o644, 1700000000
		            with open(src, "rb") as f:
		                tf.addfile(ti, f)
		        data = buf.getvalue()
		    else:
		        with open(spec, "rb") as f:
		            data = f.read()
		    gz = data[:2] == b"\x1f\x8b"
		    raw = gzip.decompress(data) if gz else data
		    diff_ids.append("sha256:" + hashlib.sha256(raw).hexdigest())
		    mt = "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if gz else "")
		    layers.append({"mediaType": mt, "digest": put(data), "size": len(data)})

		arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
		config = json.dumps({
		    "architecture": arch, "os": "linux",
		    "config": {"Cmd": ["/bin/sh"], "Env": ["PATH=/bin"]},
		    "rootfs": {"type": "layers", "diff_ids": diff_ids},
		}).encode()
		manifest = json.dumps({
		    "schemaVersion": 2,
		    "mediaType": "application/vnd.oci.image.manifest.v1+json",
		    "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
		               "digest": put(config), "size": len(config)},
		    "layers": layers,
		}).encode()
		digest = put(manifest)

		try:
		    with open(f"{out}/index.json") as f:
		        index = json.load(f)
		except FileNotFoundError:
		    index = {"schemaVersion": 2, "manifests": []}
		ref = "org.opencontainers.image.ref.name"
		index["manifests"] = [m for m in index["manifests"]
		                      if m.get("annotations", {}).get(ref) != tag]
		index["manifests"].append({"mediaType": "application/vnd.oci.image.manifest.v1+json",
		                           "digest": digest, "size": len(manifest),
		                           "annotations": {ref: tag}})
		with open(f"{out}/index.json", "w") as f:
		    json.dump(index, f)
		with open(f"{out}/oci-layout", "w") as f:
		    json.dump({"imageLayoutVersion": "1.0.0"}, f)
		print(digest)
	EOF
}

# The digest of the manifest tagged $2 in layout $1, and of its layer $3.
manifest_digest()
{
	jq -r --arg t "$2" \
		'.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == $t) | .digest' \
		"$1/index.json"
}

layer_digest()
{
	local m
	m=$(manifest_digest "$1" "$2")
	jq -r ".layers[$3].digest" "$1/blobs/sha256/${m#sha256:}"
}

# start_fake NAME [OPTIONS]: tests/lib/fake-registry on $LAYOUT, its port in
# $BATS_TEST_TMPDIR/fake-NAME.port and its requests in fake-NAME.log.
start_fake()
{
	local name=$1 d=$BATS_TEST_TMPDIR
	shift
	rm -f "$d/fake-$name.port"
	python3 "$HOLT_LIB/fake-registry" "$LAYOUT" "$d/fake-$name.port" "$d/fake-$name.log" "$@" \
		>"$d/fake-$name.out" 2>&1 &
	echo $! >"$d/fake-$name.pid"
	for _ in $(seq 100); do
		[ -s "$d/fake-$name.port" ] && return 0
		sleep 0.05
	done
	echo "fake-registry $name did not start:" >&2
	cat "$d/fake-$name.out" >&2
	return 1
}

fake()
{
	echo "127.0.0.1:$(cat "$BATS_TEST_TMPDIR/fake-$1.port")"
}

# check_pull_refused WHAT REF: holt pull REF fails with 125 and an error naming WHAT, and
# the store is as it was. (A first command clears tmp/ of what others left there.)
check_pull_refused()
{
	local what=$1 ref=$2 before
	holt images -q >/dev/null
	before=$(store_listing)
	run_holt pull "$ref"
	check_holt_error "$what" || return 1
	check_store_unchanged "$before" || return 1
}

# check_content REF FILE: the container of REF holds FILE (from the host) as /data.
check_content()
{
	local want
	want=$(sha256sum <"$2")
	run_holt run --rm "$1" sha256sum /data
	check_status 0 || return 1
	[ "${output%% *}" = "${want%% *}" ] && return 0
	echo "/data in $1 is not what the registry has: expected ${want%% *}"
	show_run
	return 1
}

# The bytes process $1 has read so far (sockets included), from /proc; 0 when it is gone.
read_bytes()
{
	local n
	n=$(awk '$1 == "rchar:" { print $2 }' "/proc/$1/io" 2>/dev/null)
	echo "${n:-0}"
}

# The state letter of process $1 (R, S, T, Z...).
proc_state()
{
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1
}

# Stops process $1 and waits until it is (or has died).
stop_proc()
{
	local n
	kill -STOP "$1" 2>/dev/null || return 0
	for ((n = 0; n < 1000; n++)); do
		case $(proc_state "$1") in T | Z | '') return 0 ;; esac
		sleep 0.001
	done
}

@test "the registry killed mid-pull: 125 in bounded time, nothing stored; restarted, it pulls and runs" {
	local r d=$BATS_TEST_TMPDIR before images_before tpid pid n t0 rc=0 blob sum
	start_registry kill
	r=$(reg kill)
	# 64 MB that no compression shrinks.
	head -c 64M /dev/urandom >"$d/big"
	sum=$(sha256sum <"$d/big")
	make_layout "$d/big-layout" 1 "$HOLT_FIXTURES/rootfs.tar.gz" "data=$d/big" >/dev/null
	rm "$d/big"
	run skopeo copy -q --dest-tls-verify=false "oci:$d/big-layout:1" "docker://$r/test/big:1"
	[ "$status" -eq 0 ] || { show_run; false; }
	rm -rf "$d/big-layout"
	blob=$(skopeo inspect --tls-verify=false "docker://$r/test/big:1" | jq -r '.Layers[1]')

	images_before=$(holt images -q)
	before=$(store_listing)
	timeout -k 5 60 "$HOLT" --root "$HOLT_ROOT" --runroot "$HOLT_RUNROOT" pull "$r/test/big:1" \
		>"$d/out" 2>"$d/err" &
	tpid=$!
	for ((n = 0; n < 500; n++)); do
		pid=$(pgrep -P "$tpid") && break
		sleep 0.01
	done
	[ -n "$pid" ] || { echo "holt pull did not start"; cat "$d/err"; false; }
	# holt runs 5 ms at a time until 8 MB have come in, then stays stopped: however
	# busy the machine, the registry dies mid-transfer, not after it.
	stop_proc "$pid"
	for ((n = 0; n < 3000; n++)); do
		(($(read_bytes "$pid") > 8000000)) && break
		[ "$(proc_state "$pid")" = T ] || break
		kill -CONT "$pid"
		sleep 0.005
		stop_proc "$pid"
	done
	[ "$(proc_state "$pid")" = T ] && (($(read_bytes "$pid") < 64000000)) || {
		kill -CONT "$pid"
		wait "$tpid"
		echo "the pull was over before the registry could be killed:"
		cat "$d/err"
		false
	}
	kill -KILL "$(cat "$HOLT_TMP/kill.pid")"
	t0=$SECONDS
	kill -CONT "$pid"
	wait "$tpid" || rc=$?
	[ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] || {
		echo "holt pull was still running 60 s after the registry died:"
		cat "$d/err"
		false
	}
	# As run_holt would have left them, for the checks.
	# shellcheck disable=SC2034
	status=$rc output=$(<"$d/out") stderr=$(<"$d/err")
	check_holt_error "blob $blob"
	check_stderr_has "pull $r/test/big:1"
	((SECONDS - t0 < HOLT_TIMEOUT)) || { echo "holt took $((SECONDS - t0)) s to give up"; false; }
	run_holt images -q
	check_status 0
	check_output "$images_before"
	run_holt images --format '{{.Repository}}'
	[[ $output != *"$r/test/big"* ]] || { show_run; false; }
	check_store_unchanged "$before"

	# The same registry, on the same port and data, back.
	env -u REGISTRY_AUTH_FILE docker-registry serve "$HOLT_TMP/kill.yml" >>"$HOLT_TMP/kill.log" 2>&1 &
	echo $! >"$HOLT_TMP/kill.pid"
	for ((n = 0; n < 100; n++)); do
		curl -s -o /dev/null "http://$r/v2/" && break
		sleep 0.1
	done
	run_holt pull -q "$r/test/big:1"
	check_status 0
	run_holt run --rm "$r/test/big:1" sha256sum /data
	check_status 0
	[ "${output%% *}" = "${sum%% *}" ] || { show_run; false; }
	holt rmi "$r/test/big:1" >/dev/null
}

@test "malformed manifests: not JSON, schemaVersion 3, an unknown mediaType, a bad layer digest" {
	local m=$BATS_TEST_TMPDIR base
	base=$(manifest_digest "$LAYOUT" tbase)
	printf '{"schemaVersion": 2, "config": ' >"$m/notjson"
	echo '{"schemaVersion": 3, "mediaType": "application/vnd.oci.image.manifest.v1+json",
		"config": {}, "layers": []}' >"$m/schema3"
	jq -c '.mediaType = "application/vnd.example.not-a-manifest+json"' \
		"$LAYOUT/blobs/sha256/${base#sha256:}" >"$m/wrongtype"
	jq -c '.layers[1].digest = "sha256:not-a-digest"' \
		"$LAYOUT/blobs/sha256/${base#sha256:}" >"$m/baddigest"
	jq -c '.layers = "none"' "$LAYOUT/blobs/sha256/${base#sha256:}" >"$m/nolayers"
	start_fake bad --manifest "notjson=$m/notjson" --manifest "schema3=$m/schema3" \
		--manifest "wrongtype=$m/wrongtype" --manifest "baddigest=$m/baddigest" \
		--manifest "nolayers=$m/nolayers"
	local f
	f=$(fake bad)
	check_pull_refused "manifest notjson: not a JSON object" "$f/x/y:notjson"
	check_pull_refused "manifest schema3: schemaVersion 3" "$f/x/y:schema3"
	check_pull_refused 'manifest baddigest: layers[1]: digest "sha256:not-a-digest"' \
		"$f/x/y:baddigest"
	check_pull_refused 'manifest nolayers: no "layers" array' "$f/x/y:nolayers"
	# The same manifest as tbase, which pulls, but for what it says it is.
	check_pull_refused "application/vnd.example.not-a-manifest+json" "$f/x/y:wrongtype"
}

@test "a Docker schema 1 manifest is refused, and said so" {
	local m=$BATS_TEST_TMPDIR/schema1
	cat >"$m" <<-'EOJ'
		{
		   "schemaVersion": 1,
		   "name": "x/y",
		   "tag": "old",
		   "architecture": "amd64",
		   "fsLayers": [
		      {"blobSum": "sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4"}
		   ],
		   "history": [{"v1Compatibility": "{\"id\": \"e45a5af57b00862e5ef5782a9925979a02ba2b12dff832fd0991335f4a11e5c5\"}"}],
		   "signatures": [
		      {"header": {"jwk": {"crv": "P-256", "kty": "EC"}, "alg": "ES256"},
		       "signature": "c2lnbmF0dXJl", "protected": "cHJvdGVjdGVk"}
		   ]
		}
	EOJ
	start_fake s1 --manifest "old=$m=application/vnd.docker.distribution.manifest.v1+prettyjws"
	check_pull_refused "manifest old: a Docker schema 1 manifest" "$(fake s1)/x/y:old"
	check_stderr_has "push the image again"
}

@test "a blob answered with a 503 once: retried, pulled" {
	local blob
	blob=$(layer_digest "$LAYOUT" t503 1)
	start_fake f503 --fault "503-once:$blob"
	run_holt pull -q "$(fake f503)/x/y:t503"
	check_status 0
	grep -q "GET /v2/x/y/blobs/$blob range=- -> 503" "$BATS_TEST_TMPDIR/fake-f503.log" &&
		grep -q "GET /v2/x/y/blobs/$blob .* -> 20[06] " "$BATS_TEST_TMPDIR/fake-f503.log" ||
		{ cat "$BATS_TEST_TMPDIR/fake-f503.log"; false; }
	check_content "$(fake f503)/x/y:t503" "$HOLT_TMP/t503.data"
}

@test "a blob whose connection drops half way: resumed with a Range request, pulled whole" {
	local blob log=$BATS_TEST_TMPDIR/fake-drop.log
	blob=$(layer_digest "$LAYOUT" tdrop 1)
	start_fake drop --fault "drop-once:$blob"
	run_holt pull -q "$(fake drop)/x/y:tdrop"
	grep -q "GET /v2/x/y/blobs/$blob range=- -> 200 [0-9]* dropped" "$log" || { cat "$log"; false; }
	grep -Eq "GET /v2/x/y/blobs/$blob range=bytes=[1-9][0-9]*- -> 206 " "$log" ||
		{ echo "no Range request after the drop:"; cat "$log"; false; }
	check_status 0
	check_content "$(fake drop)/x/y:tdrop" "$HOLT_TMP/tdrop.data"
}

@test "a blob that always answers 500: a few retries, then 125 naming it; nothing stored" {
	local blob n t0=$SECONDS
	blob=$(layer_digest "$LAYOUT" t500 1)
	start_fake f500 --fault "500-always:$blob"
	check_pull_refused "blob $blob: HTTP 500" "$(fake f500)/x/y:t500"
	n=$(grep -c "GET /v2/x/y/blobs/$blob .* -> 500" "$BATS_TEST_TMPDIR/fake-f500.log")
	((n >= 2 && n <= 10)) || { echo "$n requests for the blob, expected 2 to 10"; false; }
	((SECONDS - t0 < 20)) || { echo "$((SECONDS - t0)) s to give up"; false; }
}

@test "a registry that streams a blob past its declared size: refused at the size, nothing stored" {
	local blob size t0=$SECONDS
	blob=$(layer_digest "$LAYOUT" t500 1)
	size=$(stat -c %s "$LAYOUT/blobs/sha256/${blob#sha256:}")
	start_fake endless --fault "endless:$blob"
	check_pull_refused "blob $blob: the registry sent more than the $size bytes the manifest gives" \
		"$(fake endless)/x/y:t500"
	((SECONDS - t0 < 20)) || { echo "$((SECONDS - t0)) s to give up"; false; }
	[ -z "$(ls -A "$HOLT_ROOT/tmp" 2>/dev/null)" ] || { ls -la "$HOLT_ROOT/tmp"; false; }
}

@test "pull by digest of a manifest whose content is another: digest mismatch, nothing stored" {
	local digest
	digest=$(manifest_digest "$LAYOUT" tdigest)
	# What the registry sends for that digest is tbase's manifest.
	start_fake mismatch --manifest "$digest=$LAYOUT/blobs/sha256/$(manifest_digest "$LAYOUT" tbase | cut -c8-)"
	check_pull_refused "manifest $digest: digest mismatch" "$(fake mismatch)/x/y@$digest"
}

@test "a layer with a ../escape entry: refused naming it, nothing stored, nothing escaped" {
	start_fake esc
	check_pull_refused 'entry "../escape": path escapes the layer' "$(fake esc)/x/y:tescape"
	local found
	found=$(find "$BATS_RUN_TMPDIR" -name escape 2>/dev/null || true)
	[ -z "$found" ] || { echo "escaped: $found"; false; }
}

@test "three layers at once, one missing from the registry: 125 naming it, tmp/ left empty" {
	local blob
	blob=$(layer_digest "$LAYOUT" tmissing 3)
	start_fake miss
	# The layers start together: a race between them shows in some pulls, not in all.
	for _ in $(seq 10); do
		check_pull_refused "blob $blob: not found" "$(fake miss)/x/y:tmissing"
	done
}

@test "wrong credentials on pull: 125, said so, nothing stored; the right ones pull" {
	local r auth=$BATS_TEST_TMPDIR/auth.json
	r=$(reg basic)
	run skopeo copy -q --dest-tls-verify=false --dest-creds alice:s3cret "oci:$LAYOUT:tauth" \
		"docker://$r/alice/app:1"
	[ "$status" -eq 0 ] || { show_run; false; }
	check_pull_refused "authentication required" "$r/alice/app:1"
	printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$r" "$(printf alice:wrong | base64)" >"$auth"
	REGISTRY_AUTH_FILE=$auth check_pull_refused "invalid username/password" "$r/alice/app:1"
	check_stderr_has "pull $r/alice/app:1"
	printf '{"auths": {"%s": {"auth": "%s"}}}\n' "$r" "$(printf alice:s3cret | base64)" >"$auth"
	run_holt pull -q --authfile "$auth" "$r/alice/app:1"
	check_status 0
	holt rmi "$r/alice/app:1" >/dev/null
}

@test "an unknown repository: 125 naming it, nothing stored" {
	check_pull_refused "$(reg plain)/no/such: manifest 1: not found" "$(reg plain)/no/such:1"
}
