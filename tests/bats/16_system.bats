#!/usr/bin/env bats
# holt info, system info, system df, system prune: what a docker or podman user asks of
# the machine and the store.

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
	[ -n "$(holt images -q "$IMG")" ] ||
		holt import "$HOLT_FIXTURES/rootfs.tar.gz" "$IMG" >"$HOLT_TMP/image-id"
}

@test "info: store, runtime dir, driver, id mappings, cgroups and kernel, podman's way" {
	run_holt info
	check_status 0
	check_output_has "GraphRoot: $HOLT_ROOT"
	check_output_has "RunRoot: $HOLT_RUNROOT"
	check_output_has "GraphDriverName: overlay"
	check_output_has "Kernel: $(uname -r)"
	check_output_has "UIDMap:"
	[[ $output =~ CgroupsVersion:\ v[12] ]] || { show_run; false; }
}

@test "info --format: podman's and docker's field names, and json" {
	holt create --name one "$IMG" true >/dev/null
	run_holt info --format '{{.Store.GraphRoot}}|{{.DockerRootDir}}|{{.Containers}}|{{.Store.ImageStore.Number}}'
	check_status 0
	check_output "$HOLT_ROOT|$HOLT_ROOT|1|1"
	# the uid map is the one containers get: the user's own uid is root inside
	run_holt info --format '{{range .Host.IDMappings.UIDMap}}{{if eq .ContainerID 0}}{{.HostID}}{{end}}{{end}}'
	check_output "$(id -u)"
	run_holt info --format json
	python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["Store"]["GraphRoot"]' <<<"$output"
	run_holt system info -f '{{.KernelVersion}}'
	check_output "$(uname -r)"
	run_holt info --format '{{.Nope}}'
	check_holt_error "Nope"
}

@test "system df: images and containers, what is in use and what could go" {
	holt create --name c1 "$IMG" true >/dev/null
	run_holt system df
	check_status 0
	[[ ${lines[0]} =~ ^TYPE\ +TOTAL\ +ACTIVE\ +SIZE\ +RECLAIMABLE$ ]] || { show_run; false; }
	[[ ${lines[1]} =~ ^Images\ +1\ +1\ +[0-9.]+[kM]B\ +0B\ \(0%\)$ ]] || { show_run; false; }
	[[ ${lines[2]} =~ ^Containers\ +1\ +0\  ]] || { show_run; false; }
}

@test "system prune: asks; -f removes stopped containers and dangling images, -a unused ones" {
	holt create --name stopped "$IMG" true >/dev/null
	holt run -d --name running "$IMG" sleep 60 >/dev/null
	local dangling
	dangling=$(holt import "$HOLT_FIXTURES/rootfs.tar")
	run_holt system prune </dev/null
	check_status 0
	check_output_has "Are you sure you want to continue?"
	run_holt container exists stopped
	check_status 0
	run_holt system prune -f
	check_status 0
	run_holt ps -a --format '{{.Names}}'
	check_output running
	! holt images -q --no-trunc | grep -qx "$dangling" || { holt images; false; }
	[ -n "$(holt images -q "$IMG")" ] || { holt images; false; }
	holt rm -f running >/dev/null
	run_holt system prune -a -f
	check_status 0
	[ -z "$(holt images -q)" ] || { holt images; false; }
}

@test "system prune --volumes: the anonymous volumes no container uses go, named ones stay" {
	holt volume create keep >/dev/null
	holt run --name anon -v /data "$IMG" true >/dev/null
	local anon
	anon=$(holt inspect -f '{{range .Mounts}}{{.Name}}{{end}}' anon)
	[ -n "$anon" ]
	run_holt system prune --volumes -f
	check_status 0
	run_holt volume ls -q
	check_output "keep"
	holt volume rm keep >/dev/null
}
