#!/usr/bin/env bats
# Completions as a user meets them in bash: container names, the subcommands of the
# groups, and the values of options that take few.

load helpers

setup_file()
{
	holt_setup_file_with_image
	holt create --name webserver "$IMG" true >/dev/null
	holt volume create dbdata >/dev/null
	holt volume create dbcache >/dev/null
	holt network create backend >/dev/null
	holt network create frontend >/dev/null
}

teardown_file()
{
	holt rm -f webserver >/dev/null 2>&1 || true
	holt volume rm dbdata dbcache >/dev/null 2>&1 || true
	holt network rm backend frontend >/dev/null 2>&1 || true
	holt_teardown_file
}

# complete WORD...: what bash's completion function (completions/holt.bash) offers for
# `holt --root STORE WORD...`, the last word being the one under the cursor; sorted, on
# one line.
complete()
{
	local script=$HOLT_SRC/completions/holt.bash
	[ -f "$script" ] || script=$BATS_TEST_DIRNAME/../../completions/holt.bash
	run bash -c '
		holt() { "$HOLT" "$@"; }
		source "$1"; shift
		COMP_WORDS=(holt "$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_holt
		printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort | tr "\n" " "' \
		_ "$script" --root "$HOLT_ROOT" "$@"
	output=${output% }
}

@test "container commands complete container names" {
	local cmd
	for cmd in exec logs rm stop kill start restart attach inspect top; do
		complete "$cmd" web
		[ "$output" = webserver ] || { echo "$cmd: '$output'"; false; }
	done
	complete container rm w
	[ "$output" = webserver ] || { echo "container rm: '$output'"; false; }
	complete rm webserver ""
	[ "$output" = webserver ] || { echo "rm, second operand: '$output'"; false; }
	# exec's second word is the command, not a container
	complete exec webserver ""
	[[ $output != *webserver* ]] || { echo "exec COMMAND: '$output'"; false; }
}

@test "the groups complete their subcommands" {
	complete image ""
	[ "$output" = "exists history import inspect ls prune pull push rm tag" ] ||
		{ echo "image: '$output'"; false; }
	complete container p
	[ "$output" = "pause port prune" ] || { echo "container p: '$output'"; false; }
	complete system ""
	[ "$output" = "df info migrate prune" ] || { echo "system: '$output'"; false; }
	complete image rm test
	[ "$output" = "$IMG" ] || { echo "image rm: '$output'"; false; }
}

@test "option values: --network, --restart, --log-level, --pull, ps --filter" {
	complete run --network ""
	[ "$output" = "backend frontend host none" ] || { echo "--network: '$output'"; false; }
	complete run --restart=on
	[ "$output" = "--restart=on-failure" ] || { echo "--restart=: '$output'"; false; }
	complete --log-level ""
	[ "$output" = "debug error info warn" ] || { echo "--log-level: '$output'"; false; }
	complete create --pull n
	[ "$output" = "never newer" ] || { echo "--pull: '$output'"; false; }
	complete ps --filter ""
	[ "$output" = "ancestor= exited= id= label= name= status=" ] ||
		{ echo "ps --filter: '$output'"; false; }
}

@test "volume: its subcommands, their options, volume names, and -v's volumes" {
	complete volume ""
	[ "$output" = "create inspect ls prune rm" ] || { echo "volume: '$output'"; false; }
	complete volume rm --
	[ "$output" = "--force --help" ] || { echo "volume rm --: '$output'"; false; }
	complete volume create --l
	[ "$output" = "--label" ] || { echo "volume create --l: '$output'"; false; }
	complete volume ls --f
	[ "$output" = "--filter --format" ] || { echo "volume ls --f: '$output'"; false; }
	complete volume rm db
	[ "$output" = "dbcache dbdata" ] || { echo "volume rm: '$output'"; false; }
	complete volume inspect dbcache dbd
	[ "$output" = "dbdata" ] || { echo "volume inspect, second: '$output'"; false; }
	complete run -v dbd
	[ "$output" = "dbdata:" ] || { echo "-v: '$output'"; false; }
	complete create --volume=dbc
	[ "$output" = "--volume=dbcache:" ] || { echo "--volume=: '$output'"; false; }
	complete run --volumes-from web
	[ "$output" = "webserver" ] || { echo "--volumes-from: '$output'"; false; }
	complete run --userns k
	[ "$output" = "keep-id" ] || { echo "--userns: '$output'"; false; }
	# a path is the shell's to complete
	complete run -v "$HOLT_ROOT/volu"
	[ "$output" = "$HOLT_ROOT/volumes" ] || { echo "-v PATH: '$output'"; false; }
}

@test "network: its subcommands, their options, network and container names" {
	complete network ""
	[ "$output" = "connect create disconnect inspect ls prune rm" ] ||
		{ echo "network: '$output'"; false; }
	complete network create --s
	[ "$output" = "--subnet" ] || { echo "network create --s: '$output'"; false; }
	complete network connect --
	[ "$output" = "--alias --help --ip" ] || { echo "network connect --: '$output'"; false; }
	complete network rm ""
	[ "$output" = "backend frontend" ] || { echo "network rm: '$output'"; false; }
	complete network inspect backend f
	[ "$output" = "frontend" ] || { echo "network inspect, second: '$output'"; false; }
	complete network connect b
	[ "$output" = "backend" ] || { echo "network connect: '$output'"; false; }
	complete network connect backend web
	[ "$output" = "webserver" ] || { echo "network connect, container: '$output'"; false; }
	complete run --network f
	[ "$output" = "frontend" ] || { echo "run --network: '$output'"; false; }
}

# zsh_complete WORD...: what the zsh script (completions/_holt, run as the body of the
# completion function, with compadd and _files standing in for zsh's) offers for
# `holt --root STORE WORD...`; sorted, on one line.
zsh_complete()
{
	command -v zsh >/dev/null || skip "zsh not installed (.ci/install-deps installs it)"
	local script=$HOLT_SRC/completions/_holt
	[ -f "$script" ] || script=$BATS_TEST_DIRNAME/../../completions/_holt
	run zsh -f -c '
		holt() { "$HOLT" "$@" }
		compadd() { [[ $1 == -a ]] && print -rl -- "${(@P)2}" }
		_files() { print -r -- "<files>" }
		script=$1; shift
		words=(holt "$@"); CURRENT=${#words}
		source "$script" | LC_ALL=C sort | tr "\n" " "' \
		_ "$script" --root "$HOLT_ROOT" "$@"
	output=${output% }
}

# fish_complete WORD...: what fish itself completes (complete -C) with the fish script
# loaded, for `holt --root STORE WORD...`; the candidates sorted, on one line.
fish_complete()
{
	command -v fish >/dev/null || skip "fish not installed (.ci/install-deps installs it)"
	local script=$HOLT_SRC/completions/holt.fish
	[ -f "$script" ] || script=$BATS_TEST_DIRNAME/../../completions/holt.fish
	local line="holt --root $(printf '%q' "$HOLT_ROOT")" w
	for w in "$@"; do line+=" $w"; done
	run fish --no-config -c '
		function holt; $HOLT $argv; end
		source $argv[1]
		complete -C $argv[2] | string replace -r "\t.*" "" | LC_ALL=C sort | string join " "' \
		"$script" "$line"
}

@test "zsh: commands, flags, image and container names, option values complete" {
	zsh_complete ru
	[ "$output" = "run" ] || { echo "ru: '$output'"; false; }
	zsh_complete run --net
	[ "$output" = "--net --network --network-alias" ] || { echo "run --net: '$output'"; false; }
	zsh_complete image ""
	[ "$output" = "exists history import inspect ls prune pull push rm tag" ] ||
		{ echo "image: '$output'"; false; }
	zsh_complete rmi test
	[ "$output" = "$IMG" ] || { echo "rmi: '$output'"; false; }
	zsh_complete logs web
	[ "$output" = webserver ] || { echo "logs: '$output'"; false; }
	zsh_complete run --restart ""
	[ "$output" = "always no on-failure unless-stopped" ] || { echo "--restart: '$output'"; false; }
	zsh_complete network rm ""
	[ "$output" = "backend frontend" ] || { echo "network rm: '$output'"; false; }
}

@test "fish: commands, flags, image and container names, option values complete" {
	fish_complete ru
	[ "$output" = "run" ] || { echo "ru: '$output'"; false; }
	fish_complete run --net
	[ "$output" = "--net --network --network-alias" ] || { echo "run --net: '$output'"; false; }
	fish_complete "image "
	[ "$output" = "exists history import inspect ls prune pull push rm tag" ] ||
		{ echo "image: '$output'"; false; }
	fish_complete rmi test
	[ "$output" = "$IMG" ] || { echo "rmi: '$output'"; false; }
	fish_complete logs web
	[ "$output" = webserver ] || { echo "logs: '$output'"; false; }
	fish_complete run --restart ""
	[ "$output" = "always no on-failure unless-stopped" ] || { echo "--restart: '$output'"; false; }
	fish_complete "network rm "
	[ "$output" = "backend frontend" ] || { echo "network rm: '$output'"; false; }
}

@test "option values: events --filter, --log-driver, ps and images --sort" {
	complete events --filter ""
	[ "$output" = "container= event= image= label= type= volume=" ] ||
		{ echo "events --filter: '$output'"; false; }
	complete run --log-driver ""
	[ "$output" = "json-file k8s-file none" ] || { echo "--log-driver: '$output'"; false; }
	complete ps --sort r
	[ "$output" = "runningfor" ] || { echo "ps --sort: '$output'"; false; }
	complete images --sort ""
	[ "$output" = "created id repository size tag" ] || { echo "images --sort: '$output'"; false; }
	complete ev
	[ "$output" = "events" ] || { echo "ev: '$output'"; false; }
}
