# Rootless podman as the other side of interop tests, in a store of the test file's own:
# vfs (no fuse-overlayfs needed), runc and cgroupfs (this VM's hybrid cgroups have nothing
# delegated, and there is no systemd session). Load after helpers; call podman_teardown in
# teardown_file.

# podman ARGS...; its runroot must be short (50 characters at most), so it goes under /tmp.
podman_here()
{
	local d=$HOLT_TMP/podman
	mkdir -p "$d/run"
	[ -s "$d/runroot" ] || mktemp -d /tmp/holt-podman.XXXXXX >"$d/runroot"
	env -u REGISTRY_AUTH_FILE XDG_RUNTIME_DIR="$d/run" XDG_CONFIG_HOME="$d/config" \
		TMPDIR="$d" timeout 120 podman --root "$d/storage" --runroot "$(cat "$d/runroot")" \
		--storage-driver vfs --storage-opt vfs.ignore_chown_errors=true \
		--cgroup-manager cgroupfs --events-backend file --runtime runc "$@"
}

# podman's files belong to subordinate ids: only podman can remove them. Its pause
# process (catatonit) outlives the reset: it is stopped by its pid file.
podman_teardown()
{
	local d=$HOLT_TMP/podman
	[ -d "$d" ] || return 0
	podman_here system reset -f >/dev/null 2>&1
	[ -s "$d/run/libpod/tmp/pause.pid" ] && kill "$(cat "$d/run/libpod/tmp/pause.pid")" 2>/dev/null
	rm -rf "$(cat "$d/runroot")"
	return 0
}

# The uid podman shows for a file of uid 1000 in an image: without a subordinate range its
# single-uid map makes every owner the user (0 inside), as holt's does.
podman_owner_1000()
{
	if has_subids; then echo 1000; else echo 0; fi
}
