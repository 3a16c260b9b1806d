#!/usr/bin/env bats
# Flags as docker's and podman's scripts write them: booleans with =true/=false, in long
# and short form, and podman's spellings beside docker's.

load helpers

setup_file()
{
	holt_setup_file_with_image
}

teardown_file()
{
	holt_teardown_file
}

teardown()
{
	remove_all_containers
}

# --- --flag=true|false -------------------------------------------------------------------

@test "--rm=true removes, --rm=false keeps, as --rm and no flag" {
	run_holt run --rm=true --name t1 "$IMG" echo a
	check_status 0
	check_output a
	run_holt run --rm=false --name t2 "$IMG" echo b
	check_output b
	run_holt ps -a --format '{{.Names}}'
	check_output t2
}

@test "short flags take =BOOL too: -d=false runs in the foreground, -i=false closes stdin" {
	run_holt run -d=false --rm "$IMG" echo fg
	check_status 0
	check_output fg
	run_holt run -i=false --rm "$IMG" sh -c 'cat; echo end' <<<"not for you"
	check_output end
	run_holt run -i=true --rm "$IMG" cat <<<"for you"
	check_output "for you"
	run_holt run --init=true --rm "$IMG" sh -c 'echo $$'
	check_status 0
	[ "$output" != 1 ] || { show_run; false; }
}

@test "Go's spellings of booleans: 1, t, TRUE, 0, f, False; anything else is 125" {
	run_holt run --rm=1 -d=f --name x "$IMG" true
	check_status 0
	run_holt ps -aq
	check_output ""
	run_holt run --rm=maybe "$IMG" true
	check_holt_error 'flag "--rm" takes true or false, not "maybe"'
}

@test "=BOOL is read in option position only: an operand or a flag's value is left alone" {
	run_holt run --rm -e V=-d=false "$IMG" sh -c 'echo "$V"'
	check_output "-d=false"
	run_holt run --rm "$IMG" echo -d=false --rm=false
	check_output "-d=false --rm=false"
}

# --- podman's spellings ------------------------------------------------------------------

@test "rm -a removes every stopped container; a running one needs -f; --ignore a missing one" {
	holt create --name s1 "$IMG" true >/dev/null
	holt create --name s2 "$IMG" true >/dev/null
	holt run -d --name up "$IMG" sleep 60 >/dev/null
	run_holt rm -a
	check_holt_error 'container "up" is running'
	run_holt ps -a --format '{{.Names}}'
	check_output up
	run_holt rm -a -f -t 0
	check_status 0
	run_holt ps -aq
	check_output ""
	run_holt rm --ignore nosuch
	check_status 0
	run_holt rm nosuch
	check_holt_error "no such container"
	run_holt rm -a s1
	check_holt_error "conflict"
}

@test "stop -a, kill -a, start --all, restart -a act on every container they fit" {
	holt run -d --name r1 "$IMG" sleep 60 >/dev/null
	holt run -d --name r2 "$IMG" sleep 60 >/dev/null
	run_holt stop -a -t 0
	check_status 0
	[ -z "$(holt ps -q)" ] || { holt ps; false; }
	run_holt start --all
	check_status 0
	[ "$(holt ps -q | wc -l)" -eq 2 ] || { holt ps -a; false; }
	run_holt restart -a -t 0
	check_status 0
	[ "$(holt ps -q | wc -l)" -eq 2 ] || { holt ps -a; false; }
	run_holt kill -a
	check_status 0
	run_holt kill --ignore nosuch
	check_status 0
	run_holt stop -i nosuch
	check_status 0
}

@test "rmi -a removes every image no container uses; rmi -i ignores a missing one" {
	holt tag "$IMG" extra:1
	holt create --name keeper "$IMG" true >/dev/null
	run_holt rmi -a
	check_holt_error 'container "keeper" uses it'
	[ -n "$(holt images -q "$IMG")" ] || { holt images; false; }
	[ -z "$(holt images -q extra:1)" ] || { holt images; false; }
	run_holt rmi -i nosuch:1
	check_status 0
}

@test "ps --noheading, images -n: the table without its header" {
	holt create --name nh "$IMG" true >/dev/null
	run_holt ps -a --noheading --format 'table {{.Names}}\t{{.State}}'
	check_status 0
	[[ $output =~ ^nh\ +created$ ]] || { show_run; false; }
	run_holt images -n --format 'table {{.Repository}}:{{.Tag}}'
	check_output "$IMG"
}

@test "image exists and container exists: 0, or 1 with nothing printed" {
	holt create --name ex "$IMG" true >/dev/null
	run_holt container exists ex
	check_status 0
	check_output ""
	run_holt container exists nosuch
	check_status 1
	check_output ""
	run_holt image exists "$IMG"
	check_status 0
	run_holt image exists nosuch:1
	check_status 1
	# not even the warning of a user without subordinate ids: exists enters no namespace
	[ -z "$stderr" ] || { show_run; false; }
}

@test "logs -n N as --tail N; commit -q prints the id alone" {
	holt run -d --name lg "$IMG" sh -c 'echo one; echo two; echo three' >/dev/null
	holt wait lg >/dev/null
	run_holt logs -n 1 lg
	check_output three
	run_holt commit -q lg committed:1
	check_status 0
	[[ $output =~ ^sha256:[0-9a-f]{64}$ ]] || { show_run; false; }
	holt rm lg >/dev/null
	holt rmi committed:1 >/dev/null
}

# --- run and create: --pull, --cidfile, --replace ----------------------------------------

@test "--pull=never uses the stored image, and refuses a missing one without pulling" {
	run_holt run --rm --pull=never "$IMG" echo stored
	check_status 0
	check_output stored
	run_holt create --pull=never nosuch:1
	check_holt_error "--pull=never forbids pulling it"
	[[ $stderr != *Pulling* ]] || { show_run; false; }
	run_holt run --pull=sometimes "$IMG" true
	check_holt_error "not one of missing, always, newer, never"
}

@test "--pull=newer falls back to the stored image when the registry cannot be reached; always does not" {
	holt tag "$IMG" 127.0.0.1:1/unreachable:1
	run_holt run --rm --pull=newer 127.0.0.1:1/unreachable:1 echo fell-back
	check_status 0
	check_output fell-back
	check_stderr_has "using the stored image"
	run_holt run --rm --pull=always 127.0.0.1:1/unreachable:1 echo no
	check_status 125
	holt rmi 127.0.0.1:1/unreachable:1 >/dev/null
}

@test "--cidfile: the id written; a file already there is refused before anything is made" {
	local f=$BATS_TEST_TMPDIR/cid
	run_holt create --cidfile "$f" --name cf "$IMG" true
	check_status 0
	[ "$(cat "$f")" = "$output" ] || { cat "$f"; show_run; false; }
	run_holt run --cidfile "$f" --name cf2 "$IMG" true
	check_holt_error "the file exists"
	run_holt container exists cf2
	check_status 1
}

@test "--replace: the container of that name is stopped and removed first" {
	# sleep, as pid 1, ignores SIGTERM: without a short timeout the stop takes 10 s
	holt run -d --name rp --stop-timeout 1 "$IMG" sleep 60 >/dev/null
	local old
	old=$(holt inspect -f '{{.Id}}' rp)
	run_holt run -d --replace --name rp "$IMG" sleep 60
	check_status 0
	[ "$output" != "$old" ] || { show_run; false; }
	run_holt ps -a --format '{{.Names}}'
	check_output rp
	# without it, the name is in use
	run_holt create --name rp "$IMG" true
	check_holt_error "already in use"
}

@test "stats --format: a template per container, table TEMPLATE, json" {
	holt run -d --name sf "$IMG" sleep 60 >/dev/null
	run_holt stats --no-stream --format '{{.Name}} {{.PIDs}}'
	check_status 0
	check_output "sf 1"
	run_holt stats --no-stream --format 'table {{.Name}}\t{{.PIDs}}'
	[[ ${lines[0]} =~ ^NAME\ +PIDS$ && ${lines[1]} =~ ^sf\ +1$ ]] || { show_run; false; }
	run_holt stats --no-stream --format json
	python3 -c 'import json,sys; d=json.loads(sys.stdin.read()); assert d["Name"] == "sf"' <<<"$output"
	run_holt stats --no-stream --format '{{.Nope}}'
	check_holt_error "Nope"
}

@test "ps -s: what each container wrote, and that with its image" {
	holt run --name wrote "$IMG" sh -c 'head -c 20000 /dev/zero >/big' >/dev/null
	run_holt ps -a -s
	check_status 0
	[[ ${lines[0]} == *" SIZE" ]] || { show_run; false; }
	[[ ${lines[1]} =~ \ [0-9.]+kB\ \(virtual\ [0-9.]+MB\)$ ]] || { show_run; false; }
	run_holt ps -a --size --format '{{.Names}} {{.Size}}'
	[[ $output =~ ^wrote\ [0-9.]+kB\ \(virtual ]] || { show_run; false; }
}
