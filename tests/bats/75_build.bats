#!/usr/bin/env bats
# build: the Dockerfiles of tests/bats/build/ built on the busybox test image and checked
# by running what they made; multi-stage, .dockerignore, the cache (hits, a miss after a
# context change, --no-cache), errors (syntax, a failing RUN) leaving nothing behind, and
# the result pushed and run by podman.

load helpers
load registry
load podman

setup_file()
{
	holt_setup_file_with_image
	export CORPUS=$BATS_TEST_DIRNAME/build
}

teardown_file()
{
	podman_teardown
	stop_registries
	holt_teardown_file
}

# A copy of corpus context $1 the test may change, in $BATS_TEST_TMPDIR/$1.
context_copy()
{
	cp -r "$CORPUS/$1" "$BATS_TEST_TMPDIR/$1"
	echo "$BATS_TEST_TMPDIR/$1"
}

# images/, layers/, blobs/ and containers/ as names, for "nothing was written".
store_state()
{
	(cd "$HOLT_ROOT" && find images layers blobs containers -maxdepth 1 | LC_ALL=C sort)
}

# runtime_config IMAGE EXPR: EXPR printed by python, c being IMAGE's OCI runtime config.
runtime_config()
{
	local id cfg
	id=$(holt images -q --no-trunc "$1")
	id=${id#sha256:}
	cfg=$(grep -o '"config":"sha256:[0-9a-f]*"' "$HOLT_ROOT/images/$id/image.json")
	cfg=${cfg#*sha256:}
	python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["config"]; print(*('"$2"'))' \
		"$HOLT_ROOT/blobs/sha256/${cfg%\"}"
}

@test "every instruction: files, owners, modes, env, entrypoint, labels, history" {
	run_holt build -t all:1 "$CORPUS/all"
	check_status 0
	check_output_has "STEP 1/24: FROM \${BASE} AS base"
	check_output_has "Successfully tagged all:1"
	[[ ${lines[-1]} =~ ^[0-9a-f]{64}$ ]] || { show_run; false; }

	# the image's files, as its default user, through its entrypoint and cmd
	# USER tester (1000) needs subordinate ids to run as; without, root shows the files
	local as=() uid=1000
	has_subids || as=(--user 0) uid=0
	run_holt run --rm "${as[@]}" all:1
	check_status 0
	check_output "default cmd"
	run_holt run --rm "${as[@]}" all:1 'id -u; pwd; cat /app/ran.txt /app/exec.txt /app/shell.txt
		cat /app/work/hello.txt /app/multi/hello.txt /app/multi/nested.txt
		cat /app/dir/nested.txt /app/dir/sub/deep.txt /app/unpacked/t/in-tar.txt
		stat -c "%n %u:%g %a" /app/owned.txt /app/work/hello.txt /app/unpacked/t/in-tar.txt
		echo "$APP_HOME $GREETING_COPY [$OLDSTYLE] [${GREETING-unset}]"'
	check_status 0
	check_output "$uid
/app/work
ran as 0 in /app/work with hello
exec form
shell /bin/sh
hello
hello
nested
nested
deep
from-tar
/app/owned.txt $uid:$uid 600
/app/work/hello.txt 0:0 644
/app/unpacked/t/in-tar.txt 0:0 644
/app hello [value with spaces] [unset]"

	run_holt image inspect --format '{{json .Config}}' all:1
	check_status 0
	local want
	for want in '"User":"tester"' '"Entrypoint":["/bin/sh","-c"]' '"Cmd":["echo default cmd"]' \
		'"WorkingDir":"/app/work"' '"StopSignal":"SIGUSR1"' \
		'"Labels":{"org.example.name":"all instructions","version":"1"}'; do
		check_output_has "$want"
	done
	run_holt image inspect --format '{{.Author}}' all:1
	check_output "Holt Tester <tester@example.com>"

	# what inspect does not show, from the OCI config itself
	run runtime_config all:1 'sorted(c["ExposedPorts"]), sorted(c["Volumes"]), c["Healthcheck"], c["OnBuild"]'

	check_status 0
	check_output "['53/udp', '8080/tcp'] ['/data'] {'Test': ['CMD-SHELL', 'cat /app/ran.txt'], 'Interval': 30000000000, 'Retries': 2} ['RUN echo triggered > /tmp/onbuild.txt']"

	# one history entry a step; those that made no layer are empty_layer
	run_holt history --no-trunc --format '{{.CreatedBy}}|{{.Size}}' all:1
	check_status 0
	check_output_has 'CMD ["echo default cmd"]|0B'
	check_output_has 'LABEL org.example.name="all instructions" version=1|0B'
	check_output_has 'RUN ["/bin/sh", "-c", "echo exec form > /app/exec.txt"]|10B'
	[ "${#lines[@]}" -eq 24 ] || { show_run; false; }
}

@test "progress: STEP n/m lines and RUN's output as it comes, on a terminal and through a pipe; RUN has no terminal" {
	script_or_skip
	local ctx=$BATS_TEST_TMPDIR/progress out mode cmd pid
	mkdir -p "$ctx"
	# the RUN waits for the test (through the live bind of the context) before its 2nd line
	printf '%s\n' 'FROM testimg:1' \
		'RUN --mount=type=bind,target=/ctx echo first; while [ ! -e /ctx/go ]; do sleep 0.05; done; echo second; [ -t 1 ] || [ -t 2 ] || echo no terminal' \
		'ENV DONE=1' >"$ctx/Dockerfile"
	for mode in tty pipe; do
		out=$BATS_TEST_TMPDIR/out-$mode
		rm -f "$ctx/go"
		cmd="$(holt_cmdline)build --no-cache -t progress:1 $(printf %q "$ctx")"
		if [ "$mode" = tty ]; then
			timeout -k 5 "$HOLT_TIMEOUT" script -qfec "$cmd" /dev/null >"$out" 2>&1 </dev/null &
		else
			timeout -k 5 "$HOLT_TIMEOUT" sh -c "$cmd" >"$out" 2>&1 </dev/null &
		fi
		pid=$!
		# (a failed check lets the RUN go on, so that no build is left waiting)
		wait_for_line "$out" 20 '^first' || { touch "$ctx/go"; false; }
		! grep -q '^second' "$out" || { touch "$ctx/go"; cat "$out"; false; }
		touch "$ctx/go"
		wait "$pid" || { cat "$out"; false; }
		run tr -d '\r' <"$out"
		check_output_has $'STEP 1/3: FROM testimg:1\nSTEP 2/3: RUN --mount=type=bind,target=/ctx echo first;'
		# as docker's, a RUN step has no terminal, even where the build has one
		check_output_has $'second\nno terminal\n--> '
		check_output_has 'STEP 3/3: ENV DONE=1'
		check_output_has 'Successfully tagged progress:1'
	done
}

@test "ONBUILD triggers run first in the image built FROM it, and are not kept" {
	run_holt build -q -t parent:1 - <<<$'FROM testimg:1\nONBUILD RUN echo triggered > /tmp/onbuild.txt'
	check_status 0
	run_holt build -t child:1 - <<<$'FROM parent:1\nRUN cat /tmp/onbuild.txt'
	check_status 0
	check_output_has $'ONBUILD RUN echo triggered > /tmp/onbuild.txt'
	check_output_has $'STEP 2/2: RUN cat /tmp/onbuild.txt\ntriggered'
	run_holt image inspect --format '{{json .Config}}' child:1
	[[ $output != *OnBuild* ]] || { show_run; false; }
}

@test "heredocs in RUN and COPY, \${VAR:-d} and \${VAR:+x}, a meta ARG re-declared in its stage" {
	run_holt build -q -t here:1 "$CORPUS/heredoc"
	check_status 0
	run_holt run --rm here:1
	check_status 0
	check_output $'script line 1\nflavour plain\nhello plain\nnot $EXPANDED\nplain set fallback'
	run_holt build -q --build-arg FLAVOUR=spicy -t here:2 "$CORPUS/heredoc"
	run_holt run --rm here:2
	check_output $'script line 1\nflavour spicy\nhello spicy\nnot $EXPANDED\nspicy set fallback'
}

@test "word splitting: EXPOSE \$PORTS exposes each port; COPY \$F keeps its value one source" {
	run_holt build -q -t words:1 "$CORPUS/words"
	check_status 0
	run runtime_config words:1 'sorted(c["ExposedPorts"])'
	check_status 0
	check_output "443/udp 80/tcp 8080/tcp"
	run_holt run --rm words:1 sh -c 'cat /one/* /two/*; ls /one'
	check_status 0
	check_output $'space\na\nb\na b'
}

@test "multi-stage: COPY --from a stage by name, by index and from scratch; an unneeded stage is skipped" {
	run_holt build -t multi:1 "$CORPUS/multistage"
	check_status 0
	# the broken stage (2 steps) is not counted nor run
	check_output_has "STEP 1/10: FROM testimg:1 AS builder"
	[[ $output != *"must be skipped"* ]] || { show_run; false; }
	run_holt run --rm multi:1
	check_status 0
	check_output $'built v1\ndata'
	run_holt run --rm multi:1 cat /data-by-index.txt
	check_output "data"

	# --target stops at a stage, --build-arg reaches its ARG
	run_holt build -q --target builder --build-arg VERSION=2 --build-arg NOPE=1 \
		-t multi:builder "$CORPUS/multistage"
	check_status 0
	check_stderr_has "build-args [NOPE] were not consumed"
	run_holt run --rm multi:builder cat /out/artifact
	check_output "built v2"
	run_holt build --target broken "$CORPUS/multistage"
	check_status 1
	check_stderr_has "must be skipped"
}

@test ".dockerignore: patterns, exceptions, and Dockerfile.dockerignore first" {
	run_holt build -q -t ign:1 "$CORPUS/ignore"
	check_status 0
	run_holt run --rm ign:1 cat /listing
	check_output $'/ctx\n/ctx/.dockerignore\n/ctx/Dockerfile\n/ctx/a.txt\n/ctx/out\n/ctx/out/keep.txt'
	local ctx
	ctx=$(context_copy ignore)
	printf 'a.txt\n' >"$ctx/Dockerfile.dockerignore"
	run_holt build -q -t ign:2 "$ctx"
	check_status 0
	run_holt run --rm ign:2 cat /listing
	[[ $output != *a.txt* && $output == *x.secret* ]] || { show_run; false; }
}

@test "an unchanged rebuild is all cache: same id, no container, nothing written but the tag" {
	local ctx id before
	ctx=$(context_copy all)
	run_holt build -q --iidfile "$BATS_TEST_TMPDIR/id1" -t cached:1 "$ctx"
	check_status 0
	id=$output
	before=$(store_state)
	run_holt build --iidfile "$BATS_TEST_TMPDIR/id2" -t cached:2 "$ctx"
	check_status 0
	[ "${lines[-1]}" = "$id" ] || { show_run; false; }
	cmp "$BATS_TEST_TMPDIR/id1" "$BATS_TEST_TMPDIR/id2"
	# every step that makes an image says so, and no RUN ran
	[ "$(grep -c '^--> Using cache' <<<"$output")" -eq 10 ] || { show_run; false; }
	[ "$(grep -c '^--> [0-9a-f]\{12\}$' <<<"$output")" -eq 0 ] || { show_run; false; }
	[ "$(store_state)" = "$before" ] || { diff <(echo "$before") <(store_state); false; }
	run_holt images --format '{{.Repository}}:{{.Tag}} {{.ID}}' cached
	check_output_has "cached:2 ${id:0:12}"

	# --no-cache does every step again
	run_holt build --no-cache -t cached:3 "$ctx"
	check_status 0
	[[ $output != *"Using cache"* ]] || { show_run; false; }
}

@test "one context file changed: earlier steps from the cache, that COPY and later rebuilt" {
	local ctx
	ctx=$(context_copy all)
	run_holt build -q -t change:1 "$ctx"
	check_status 0
	echo changed >"$ctx/dir/sub/deep.txt"
	run_holt build -t change:2 "$ctx"
	check_status 0
	# STEP 10 is COPY dir: STEPs 7-9 (WORKDIR, two COPYs) hit, 10 on miss
	run grep -A1 -E '^STEP (7|8|9|10|11|13)/' <<<"$output"
	[[ $output == *$'STEP 9/24: COPY --chown=1000:1000 --chmod=600 hello.txt /app/owned.txt\n--> Using cache'* ]] || { show_run; false; }
	[[ $output == *$'STEP 10/24: COPY dir /app/dir/\n--> '[0-9a-f]* ]] || { show_run; false; }
	[[ $output != *$'STEP 13/24'*'Using cache'* ]] || { show_run; false; }
	run_holt run --rm --user 0 change:2 'cat /app/dir/sub/deep.txt'
	check_output "changed"
}

@test "a failing RUN: exit 1, the step and status named, nothing tagged or left behind" {
	local ctx before
	ctx=$BATS_TEST_TMPDIR/fail
	mkdir -p "$ctx"
	printf 'FROM testimg:1\nRUN echo partial > /partial\nRUN echo about to fail; exit 3\nCMD ["true"]\n' \
		>"$ctx/Dockerfile"
	holt build -q "$ctx" >/dev/null 2>&1 || true # caches the first RUN
	before=$(store_state)
	run_holt build -t failed:1 "$ctx"
	check_status 1
	check_output_has "about to fail"
	check_stderr_has "Dockerfile:3: RUN echo about to fail; exit 3: the command returned a non-zero code: 3"
	run_holt images -q failed:1
	[ -z "$output" ] || { show_run; false; }
	run_holt ps -aq
	[ -z "$output" ] || { show_run; false; }
	[ "$(store_state)" = "$before" ] || { diff <(echo "$before") <(store_state); false; }
	[ -z "$(ls -A "$HOLT_ROOT/tmp")" ] || { ls -lR "$HOLT_ROOT/tmp"; false; }
}

@test "errors: a syntax error with its line, an unknown stage or platform, a missing source" {
	local ctx=$BATS_TEST_TMPDIR/bad
	mkdir -p "$ctx"
	printf 'FROM testimg:1\nRUN true\nFROBNICATE now\n' >"$ctx/Dockerfile"
	run_holt build "$ctx"
	check_status 125
	check_stderr_has "Dockerfile:3"
	printf 'FROM testimg:1\nCOPY missing.txt /\n' >"$ctx/Dockerfile"
	run_holt build "$ctx"
	check_status 125
	check_stderr_has 'Dockerfile:2: COPY missing.txt /: "missing.txt": not found in the context'
	run_holt build -t 'Upper:case' "$ctx"
	check_status 125
	check_stderr_has '-t Upper:case: invalid reference'
	run_holt build --target nope "$ctx"
	check_status 125
	check_stderr_has '--target "nope": no such stage'
	printf 'FROM --platform=linux/s390x testimg:1\n' >"$ctx/Dockerfile"
	run_holt build "$ctx"
	check_status 125
	check_stderr_has "platform only"
	run_holt build --platform linux/s390x "$ctx"
	check_status 125
	check_stderr_has "platform only"
	run_holt images -q --filter dangling=false
	run_holt ps -aq
	[ -z "$output" ] || { show_run; false; }
}

@test "inputs: build - from stdin, -f -, -f elsewhere, Containerfile, -q, --label" {
	local ctx=$BATS_TEST_TMPDIR/in
	mkdir -p "$ctx"
	run_holt build -q -t stdin:1 - <<<$'FROM testimg:1\nCMD ["echo", "from stdin"]'
	check_status 0
	[[ $output =~ ^[0-9a-f]{64}$ ]] || { show_run; false; }
	run_holt run --rm stdin:1
	check_output "from stdin"

	echo ctx-file >"$ctx/f.txt"
	printf 'FROM testimg:1\nCOPY f.txt /f.txt\n' >"$ctx/Containerfile"
	run_holt build -q -t cf:1 --label team=build --label tier=test "$ctx"
	check_status 0
	run_holt run --rm cf:1 cat /f.txt
	check_output "ctx-file"
	run_holt image inspect --format '{{json .Config.Labels}}' cf:1
	check_output '{"team":"build","tier":"test"}'

	run_holt build -q -t dash:1 -f - "$ctx" <<<$'FROM testimg:1\nCOPY f.txt /g.txt'
	check_status 0
	run_holt run --rm dash:1 cat /g.txt
	check_output "ctx-file"
	printf 'FROM testimg:1\nCOPY f.txt /h.txt\n' >"$BATS_TEST_TMPDIR/Other.df"
	run_holt build -q -t other:1 -f "$BATS_TEST_TMPDIR/Other.df" "$ctx"
	check_status 0
	run_holt run --rm other:1 cat /h.txt
	check_output "ctx-file"
}

@test "RUN chown: a real owner with subordinate ids, root emulated (fake-root-ids) without" {
	run_holt build -q -t chown:1 - <<<$'FROM testimg:1\nRUN touch /f && chown 1000:100 /f && chown -R 1000 /home'
	check_status 0
	if has_subids; then
		[[ $stderr != *"recorded as root"* ]] || { show_run; false; }
	else
		check_stderr_has "RUN: no subordinate ids, so chown and setuid calls succeed without effect and file owners are recorded as root"
	fi
	run_holt run --rm chown:1 stat -c %u:%g /f
	if has_subids; then check_output "1000:100"; else check_output "0:0"; fi
}

@test "podman pulls a built image from the registry and runs it" {
	local r
	start_registry plain
	r=$(reg plain)
	run_holt build -q -t "$r/test/built:1" "$CORPUS/multistage"
	check_status 0
	run_holt push -q "$r/test/built:1"
	check_status 0
	run --separate-stderr podman_here pull -q --tls-verify=false "$r/test/built:1"
	check_status 0
	run --separate-stderr podman_here run --rm --network none "$r/test/built:1"
	check_status 0
	check_output $'built v1\ndata'
}

@test "RUN --mount: cache kept across builds, bind from the context, tmpfs, secret; --network" {
	local secret=$BATS_TEST_TMPDIR/token
	echo s3cret >"$secret"
	run_holt build -q --secret id=token,src="$secret" -t mounts:1 "$CORPUS/mounts"
	check_status 0
	run_holt build -q --no-cache --secret id=token,src="$secret" -t mounts:2 "$CORPUS/mounts"
	check_status 0
	run_holt run --rm mounts:2 sh -c 'cat /count /bound /tmpfs /tmpfs-mounted /secret /links
		ls -d /cache /mnt /scratch /run/secrets 2>/dev/null; find / -xdev -type f | xargs grep -l s3cret'
	check_output $'2\nbound-content\nx\n1\nsecret-read\n0'
	# a secret not given is an error that names it
	run_holt build --no-cache "$CORPUS/mounts"
	check_status 125
	check_stderr_has 'secret "token": not given'
}

@test "RUN --mount=type=bind,rw: the step writes a scratch copy; the context and the image keep none of it" {
	local ctx=$BATS_TEST_TMPDIR/rw
	mkdir -p "$ctx/d"
	echo orig >"$ctx/f.txt"
	echo deep >"$ctx/d/x"
	printf '%s\n' 'FROM testimg:1' \
		'RUN --mount=type=bind,target=/ctx,rw echo changed > /ctx/f.txt && rm /ctx/d/x && echo new > /ctx/new && cat /ctx/f.txt > /seen' \
		'RUN --mount=type=bind,source=f.txt,target=/one,readwrite echo more >> /one && cat /one > /seen1' \
		'RUN --mount=type=bind,target=/ctx cat /ctx/f.txt /ctx/d/x > /seen2' >"$ctx/Dockerfile"
	run_holt build -q -t rw:1 "$ctx"
	check_status 0
	run cat "$ctx/f.txt" "$ctx/d/x"
	check_output $'orig\ndeep'
	[ ! -e "$ctx/new" ] || { echo "the write reached the context"; false; }
	run_holt run --rm rw:1 sh -c 'cat /seen /seen1 /seen2; ls -d /ctx /one 2>/dev/null; find / -xdev -name new'
	check_status 0
	check_output $'changed\norig\nmore\norig\ndeep'
	[ -z "$(ls -A "$HOLT_ROOT/tmp")" ] || { ls -lR "$HOLT_ROOT/tmp"; false; }
	# unchanged: all cache, no copy made
	run_holt build -t rw:1 "$ctx"
	check_status 0
	[ "$(grep -c 'Using cache' <<<"$output")" -eq 3 ] || { show_run; false; }
}

@test "SIGTERM during a RUN stops the build: no tag, no container, nothing staged" {
	# (a background job of bats ignores SIGINT, and so would the command it runs)
	local ctx=$BATS_TEST_TMPDIR/intr pid rc when
	mkdir -p "$ctx"
	printf 'FROM testimg:1\nRUN echo started; sleep 30\n' >"$ctx/Dockerfile"
	# once the RUN runs (holt hands the signal on), and as soon as its step is announced,
	# before its container starts (the step must not start it)
	for when in '^started' '^STEP 2/2'; do
		rc=0
		"$HOLT" --root "$HOLT_ROOT" --runroot "$HOLT_RUNROOT" build -t intr:1 "$ctx" \
			>"$BATS_TEST_TMPDIR/out" 2>&1 &
		pid=$!
		wait_for_line "$BATS_TEST_TMPDIR/out" 10 "$when"
		kill -TERM "$pid"
		wait "$pid" || rc=$?
		[ "$rc" -ne 0 ] || { cat "$BATS_TEST_TMPDIR/out"; false; }
		run_holt images -q intr:1
		[ -z "$output" ] || { show_run; false; }
		run_holt ps -aq
		[ -z "$output" ] || { show_run; false; }
		[ -z "$(ls -A "$HOLT_ROOT/tmp")" ] || { ls -lR "$HOLT_ROOT/tmp"; false; }
	done
}

@test "image prune and builder prune: a removed cached step is a miss, and the build still works" {
	local ctx
	ctx=$(context_copy multistage)
	run_holt build -q -t pr:1 "$ctx"
	check_status 0
	run_holt image prune -f
	check_status 0
	run_holt build -t pr:2 "$ctx"
	check_status 0
	run_holt run --rm pr:2
	check_output $'built v1\ndata'
	run_holt builder prune
	check_status 0
	check_output_has "Deleted build cache objects: "
	check_output_has "Total reclaimed space: "
	run_holt build -t pr:3 "$ctx"
	check_status 0
	[[ $output != *"Using cache"* ]] || { show_run; false; }
	run_holt run --rm pr:3
	check_output $'built v1\ndata'
}

@test "--squash: the new layers as one above the base, deletions kept; --layers=false skips the cache" {
	run_holt build -q -t sq:0 - <<<$'FROM testimg:1\nRUN rm /bin/notexec && mkdir /d && echo 1 > /d/f\nRUN echo 2 > /d/g && rm /d/f'
	check_status 0
	run_holt build --squash --layers=false -t sq:1 - <<<$'FROM testimg:1\nRUN rm /bin/notexec && mkdir /d && echo 1 > /d/f\nRUN echo 2 > /d/g && rm /d/f'
	check_status 0
	[[ $output != *"Using cache"* ]] || { show_run; false; }
	run_holt history --format '{{.CreatedBy}}' sq:1
	check_output $'holt build --squash\nholt import'
	run_holt run --rm sq:1 sh -c 'ls /d; test -e /bin/notexec || echo gone'
	check_output $'g\ngone'
}

@test "--squash keeps xattrs and hard links" {
	run_holt build --squash -t sqx:1 - <<<$'FROM testimg:1
RUN echo data > /f && ln /f /g && holt-test-tool xattr-set /f user.k v1
RUN echo other > /h'
	check_status 0
	run_holt history --format '{{.CreatedBy}}' sqx:1
	check_output $'holt build --squash\nholt import'
	run_holt run --rm sqx:1 sh -c 'stat -c "%h %i" /f /g | uniq | wc -l; stat -c %h /g
		holt-test-tool xattr-get /g user.k; cat /g /h'
	check_status 0
	check_output $'1\n2\nuser.k=v1\ndata\nother'
}

@test "COPY globs and --chown by name, ADD of a .tar.gz unpacked" {
	local ctx=$BATS_TEST_TMPDIR/glob
	mkdir -p "$ctx/src/t" "$ctx/tar/top"
	echo a >"$ctx/src/a.conf"
	echo b >"$ctx/src/b.conf"
	echo c >"$ctx/src/c.txt"
	echo in-gz >"$ctx/tar/top/f"
	tar -C "$ctx/tar" -czf "$ctx/pack.tar.gz" top
	printf '%s\n' 'FROM testimg:1' 'COPY src/*.conf /conf/' 'COPY --chown=tester:users src/c.txt /c.txt' \
		'ADD pack.tar.gz /unpacked' 'HEALTHCHECK CMD ["cat", "/c.txt"]' >"$ctx/Dockerfile"
	run_holt build -q -t glob:1 "$ctx"
	check_status 0
	run_holt run --rm glob:1 sh -c 'ls /conf; stat -c "%u:%g" /c.txt; cat /unpacked/top/f'
	check_output "a.conf
b.conf
$(has_subids && echo 1000:100 || echo 0:0)
in-gz"
	run runtime_config glob:1 'c["Healthcheck"]["Test"],'
	check_output "['CMD', 'cat', '/c.txt']"
}

@test "ADD of a URL: downloaded at each build, 0600, never unpacked; --checksum holds; a 404 fails naming it" {
	local ctx=$BATS_TEST_TMPDIR/url www=$BATS_TEST_TMPDIR/www port sum
	mkdir -p "$ctx" "$www/d"
	echo first >"$www/d/file.txt"
	tar -C "$www" -czf "$www/pack.tar.gz" d
	port=$(free_port)
	busybox httpd -f -p "127.0.0.1:$port" -h "$www" &
	local httpd=$!
	sum=$(sha256sum "$www/d/file.txt" | cut -d' ' -f1)
	printf '%s\n' 'FROM testimg:1' "ADD http://127.0.0.1:$port/d/file.txt /in/" \
		"ADD http://127.0.0.1:$port/pack.tar.gz /named.tgz" >"$ctx/Dockerfile"
	run_holt build -q -t url:1 "$ctx"
	check_status 0
	run_holt run --rm url:1 sh -c 'cat /in/file.txt; stat -c %a /in/file.txt; test -f /named.tgz && echo packed'
	check_output "$(printf 'first\n600\npacked')"
	# the same Dockerfile, the server's content changed: not taken from the cache
	echo second >"$www/d/file.txt"
	run_holt build -q -t url:2 "$ctx"
	check_status 0
	run_holt run --rm url:2 cat /in/file.txt
	check_output second
	printf '%s\n' 'FROM testimg:1' \
		"ADD --checksum=sha256:$(sha256sum "$www/d/file.txt" | cut -d' ' -f1) http://127.0.0.1:$port/d/file.txt /f" \
		>"$ctx/Dockerfile"
	run_holt build -q -t url:3 "$ctx"
	check_status 0
	printf '%s\n' 'FROM testimg:1' "ADD --checksum=sha256:$sum http://127.0.0.1:$port/d/file.txt /f" >"$ctx/Dockerfile"
	run_holt build "$ctx"
	check_status 125
	check_stderr_has "not the sha256:$sum --checksum asks for"
	printf '%s\n' 'FROM testimg:1' "ADD http://127.0.0.1:$port/nope /f" >"$ctx/Dockerfile"
	run_holt build "$ctx"
	check_status 125
	check_stderr_has "http://127.0.0.1:$port/nope: the server answered HTTP 404"
	kill "$httpd"
	holt rmi url:1 url:2 url:3 >/dev/null
}

@test "COPY and WORKDIR through the image's symlinks (usrmerge's /lib -> usr/lib) keep the links" {
	local ctx=$BATS_TEST_TMPDIR/links
	mkdir -p "$ctx"
	echo x >"$ctx/f"
	printf '%s\n' 'FROM testimg:1' \
		'RUN mkdir -p /usr/lib/real && ln -s usr/lib /lib && ln -s /usr/lib/real /usr/lib/abs' \
		'COPY f /lib/real/' 'COPY f /lib/abs/g' 'WORKDIR /lib/abs/w' >"$ctx/Dockerfile"
	run_holt build -q -t links:1 "$ctx"
	check_status 0
	run_holt run --rm links:1 sh -c 'readlink /lib; ls /usr/lib/real; pwd'
	check_output $'usr/lib\nf\ng\nw\n/usr/lib/real/w'
}

@test "completions: build's options and values, builder's prune" {
	run_holt __complete build --no
	check_output $'--no-cache'
	run_holt __complete build --network ""
	check_output $'none\nhost\nslirp'
	run_holt __complete builder ""
	check_output "prune"
	run_holt __complete ""
	check_output_has "build"
	check_output_has "builder"
}

@test "images hides the unnamed images of a build's steps, as docker does; -a and an unnamed result show" {
	local ctx=$BATS_TEST_TMPDIR/steps id result
	mkdir -p "$ctx"
	printf 'FROM testimg:1\nRUN echo one >/one\nENV STEP=2\nRUN echo two >/two\nCMD ["cat", "/two"]\n' \
		>"$ctx/Dockerfile"
	id=$(holt build -q -t steps:1 "$ctx")
	run_holt images -q --no-trunc --filter dangling=true
	[ -z "$output" ] || { show_run; false; }
	run_holt images -a -q --no-trunc --filter dangling=true
	[ "$(echo "$output" | wc -l)" -ge 3 ] || { show_run; false; }
	[[ $output != *"${id#sha256:}"* ]] || { show_run; false; }
	# a build without -t: its result is the image the user asked for, and shows
	printf 'FROM testimg:1\nRUN echo three >/three\n' >"$ctx/Dockerfile"
	result=$(holt build -q "$ctx")
	run_holt images -q --no-trunc --filter dangling=true
	check_output "sha256:${result#sha256:}"
	holt rmi steps:1 "$result" >/dev/null
	holt builder prune >/dev/null
}

@test "build -q prints the image id alone: RUN's output, to stdout or stderr, goes nowhere" {
	run_holt build -q -t quiet:1 - <<<$'FROM testimg:1\nRUN echo to-stdout; echo to-stderr >&2'
	check_status 0
	[[ $output =~ ^(sha256:)?[0-9a-f]{64}$ ]] || { show_run; false; }
	[[ $stderr != *to-std* ]] || { show_run; false; }
	run_holt build -q - <<<$'FROM testimg:1\nRUN echo doomed >&2; exit 3'
	check_status 1
	[ -z "$output" ] || { show_run; false; }
	check_stderr_has "returned a non-zero code: 3"
}
