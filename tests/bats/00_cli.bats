#!/usr/bin/env bats
# The command line itself: help, version, unknown commands and flags, completions.

load helpers

setup_file()
{
	holt_setup_file
}

teardown_file()
{
	holt_teardown_file
}

@test "holt --help lists every command and the global options" {
	run_holt --help
	check_status 0
	[[ ${lines[0]} == "Usage: holt "* ]] || { show_run; false; }
	local c
	for c in run import images rmi version; do
		[[ $output =~ $'\n'"  $c " ]] || { echo "command $c missing"; show_run; false; }
	done
	for c in --root --runroot --log-level --debug --storage-driver; do
		check_output_has "$c"
	done
	[[ $output != *__complete* ]] || { echo "hidden command listed"; show_run; false; }
	[ -z "$stderr" ] || { show_run; false; }
}

@test "holt help run is holt run --help" {
	run_holt help run
	check_status 0
	local help=$output
	run_holt run --help
	check_status 0
	[ "$output" = "$help" ] || { echo "help run differs"; show_run; false; }
}

@test "holt run --help shows usage and every run flag" {
	run_holt run --help
	check_status 0
	[[ ${lines[0]} == "Usage: holt run "*IMAGE* ]] || { show_run; false; }
	local f
	for f in --rm --interactive --tty --env --env-file --workdir --user --hostname \
		--entrypoint --network --name -i, -t, -e, -w, -u,; do
		check_output_has "$f"
	done
}

@test "every command has --help, exit 0, on stdout" {
	local c
	for c in run import images rmi tag history image version; do
		run_holt "$c" --help
		check_status 0
		[[ ${lines[0]} == "Usage: holt $c"* ]] || { show_run; false; }
		[ -z "$stderr" ] || { show_run; false; }
	done
}

@test "every option's help starts in the help column; a long option gets a line of its own" {
	local c i l bad=() pad
	pad=$(printf '%31s' '')
	for c in $(holt --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p'); do
		mapfile -t l < <(holt "$c" --help)
		for ((i = 0; i < ${#l[@]}; i++)); do
			[[ ${l[i]} =~ ^\ \ (-[a-zA-Z],|\ \ \ \ --) ]] || continue
			[[ ${l[i]:30:1} == " " && -n ${l[i]:31:1} && ${l[i]:31:1} != " " ]] && continue
			[[ ${l[i + 1]:-} == "$pad"[!\ ]* ]] && continue
			bad+=("$c: ${l[i]}")
		done
	done
	((${#bad[@]} == 0)) || { printf '%s\n' "${bad[@]}"; false; }
	run_holt pull --help
	[[ $output == *$'\n      --platform OS/ARCH[/VARIANT]\n'"$pad"'pull the image'* ]] ||
		{ show_run; false; }
}

@test "holt version and holt --version print the version" {
	run_holt version
	check_status 0
	[[ $output =~ ^holt\ version\ [^[:space:]]+$ ]] || { show_run; false; }
	local v=$output
	run_holt --version
	check_status 0
	check_output "$v"
}

@test "holt with no command prints usage to stderr and exits 125" {
	run_holt
	check_status 125
	[[ $stderr == *"Usage: holt"* ]] || { show_run; false; }
}

@test "an unknown command: exit 125 and its name on stderr" {
	run_holt frobnicate
	check_holt_error '"frobnicate"'
	[ -z "$output" ] || { show_run; false; }
}

@test "an unknown flag of run: exit 125 and the flag named" {
	run_holt run --no-such-flag "$IMG" true
	check_holt_error '"--no-such-flag"'
	run_holt run -Z "$IMG" true
	check_holt_error '"-Z"'
}

@test "an unknown global flag: exit 125 and the flag named" {
	run_holt --no-such-global images
	check_holt_error '"--no-such-global"'
}

@test "a flag without its value: exit 125 and the flag named" {
	run_holt run -e
	check_holt_error '"-e"'
	run_holt run --workdir
	check_holt_error '"--workdir"'
}

@test "bad values of global options are refused with exit 125" {
	run_holt --log-level chatty images
	check_holt_error '"chatty"'
	run_holt --storage-driver zfs images
	check_holt_error '"zfs"'
}

@test "completion scripts for bash load and register holt" {
	run_holt completion bash
	check_status 0
	echo "$output" >"$BATS_TEST_TMPDIR/holt.bash"
	run bash -c "source '$BATS_TEST_TMPDIR/holt.bash' && complete -p holt"
	[ "$status" -eq 0 ] || { show_run; false; }
	[[ $output == "complete -F "*" holt" ]] || { show_run; false; }
}

@test "the generated completions/holt.bash loads and registers holt" {
	local f=$HOLT_SRC/completions/holt.bash
	[ -e "$f" ] || skip "$f not generated (make builds it)"
	run bash -c "source '$f' && complete -p holt"
	[ "$status" -eq 0 ] || { show_run; false; }
	[[ $output == "complete -F "*" holt" ]] || { show_run; false; }
}

@test "bash completion completes commands and run flags through holt __complete" {
	run_holt completion bash
	echo "$output" >"$BATS_TEST_TMPDIR/holt.bash"
	# The script calls `holt`; put one on PATH that uses this file's store.
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	printf '#!/bin/sh\nexec %s "$@"\n' "$(holt_cmdline)" >"$BATS_TEST_TMPDIR/bin/holt"
	chmod +x "$BATS_TEST_TMPDIR/bin/holt"
	run env PATH="$BATS_TEST_TMPDIR/bin:$PATH" bash -c "
		source '$BATS_TEST_TMPDIR/holt.bash'
		COMP_WORDS=(holt im); COMP_CWORD=1; _holt; echo \"\${COMPREPLY[*]}\"
		COMP_WORDS=(holt run --entr); COMP_CWORD=2; _holt; echo \"\${COMPREPLY[*]}\""
	[ "$status" -eq 0 ] || { show_run; false; }
	[ "$(tr ' ' '\n' <<<"${lines[0]}" | sort | tr '\n' ' ')" = "image images import " ] ||
		{ show_run; false; }
	[ "${lines[1]}" = "--entrypoint" ] || { show_run; false; }
}

@test "zsh and fish completion scripts are generated" {
	run_holt completion zsh
	check_status 0
	[ "${lines[0]}" = "#compdef holt" ] || { show_run; false; }
	if command -v zsh >/dev/null; then
		echo "$output" >"$BATS_TEST_TMPDIR/_holt"
		zsh -n "$BATS_TEST_TMPDIR/_holt"
	fi
	run_holt completion fish
	check_status 0
	check_output_has "complete -c holt"
	if command -v fish >/dev/null; then
		echo "$output" >"$BATS_TEST_TMPDIR/holt.fish"
		fish -n "$BATS_TEST_TMPDIR/holt.fish"
	fi
	run_holt completion tcsh
	check_holt_error '"tcsh"'
}

@test "holt __complete offers commands, flags, and images from the store" {
	run_holt __complete ""
	check_status 0
	local c
	for c in run import images rmi version; do
		grep -qx "$c" <<<"$output" || { echo "$c missing"; show_run; false; }
	done
	grep -q '^__' <<<"$output" && { echo "hidden command offered"; show_run; false; }

	run_holt __complete r
	check_status 0
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "rename restart rm rmi run " ] || { show_run; false; }

	run_holt __complete run --en
	check_status 0
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "--entrypoint --env --env-file " ] ||
		{ show_run; false; }

	fixtures
	holt import "$HOLT_FIXTURES/rootfs.tar" complete-me:1 >/dev/null 2>&1
	run "$HOLT" __complete --root "$HOLT_ROOT" run comp
	check_status 0
	check_output "complete-me:1"
	run "$HOLT" __complete --root "$HOLT_ROOT" rmi ""
	check_status 0
	check_output_has "complete-me:1"
	holt rmi complete-me:1 >/dev/null 2>&1
}
