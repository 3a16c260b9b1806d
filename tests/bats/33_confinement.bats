#!/usr/bin/env bats
# What a container may do to the kernel and the host: moby's default seccomp policy
# (cached as BPF under the runroot), docker's default capabilities and what --cap-add,
# --cap-drop and --privileged change, the masked and read-only paths of /proc and /sys,
# no-new-privileges, --device and --group-add; and that exec follows the container.

load helpers

# docker's default set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
# NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP
DEFAULT_CAPS=00000000a80425fb

setup_file()
{
	holt_setup_file_with_image
	cat >"$HOLT_TMP/nomkdir.json" <<'JSON'
{
  "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [
    { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 }
  ]
}
JSON
	cat >"$HOLT_TMP/badop.json" <<'JSON'
{
  "defaultAction": "SCMP_ACT_ERRNO",
  "syscalls": [
    { "names": ["read"], "action": "SCMP_ACT_ALLOW" },
    { "names": ["personality"], "action": "SCMP_ACT_ALLOW",
      "args": [ { "index": 0, "value": 0, "op": "SCMP_CMP_SOMETIMES" } ] }
  ]
}
JSON
}

teardown_file()
{
	holt rm -f confined >/dev/null 2>&1
	holt_teardown_file
}

# Every capability this kernel has: what root of a user namespace holds, and what
# --privileged hands on whole.
all_caps()
{
	printf '%016x' $(((1 << ($(cat /proc/sys/kernel/cap_last_cap) + 1)) - 1))
}

# --- the defaults ----------------------------------------------------------------

@test "default: seccomp mode 2, no no_new_privs, docker's capabilities exactly" {
	run_holt run --rm "$IMG" sh -c 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status; holt-test-tool caps'
	check_status 0
	check_output "$(printf 'NoNewPrivs:\t0\nSeccomp:\t2\nCapEff:\t%s\nCapBnd:\t%s' "$DEFAULT_CAPS" "$DEFAULT_CAPS")"
}

@test "default: a container cannot mount, load a module, reboot or make a namespace" {
	run_holt run --rm "$IMG" sh -c 'for c in mount module reboot unshare personality vsock; do holt-test-tool try $c; done'
	check_output "$(printf '%s: EPERM\n' mount module reboot unshare personality vsock)"
}

@test "default: /proc/keys, /proc/kcore and /proc/timer_list read as nothing" {
	local script='for f in /proc/keys /proc/kcore /proc/timer_list; do
		[ -e $f ] && echo "$f: $(cat $f | wc -c)"; done; true'
	run_holt run --rm "$IMG" sh -c "$script"
	check_status 0
	check_output_has "/proc/keys: 0"
	[[ $output != *": "[1-9]* ]] || { show_run; false; }
	# the same files unmasked are not empty: the check above can fail
	run_holt run --rm --security-opt unmask=ALL "$IMG" sh -c "$script"
	[[ $output == *"/proc/keys: "[1-9]* ]] || { show_run; false; }
}

@test "default: masked directories are empty, /proc/sys is read-only" {
	run_holt run --rm "$IMG" sh -c 'ls -A /sys/firmware | wc -l; holt-test-tool try open /proc/sys/kernel/shmmax'
	check_output "$(printf '0\nopen: EROFS')"
}

@test "the compiled filter is cached: one file in the runroot, used again, rebuilt when damaged" {
	rm -rf "$HOLT_RUNROOT/seccomp"
	# no network: the connect filter (72_tcp_bypass) has a file of its own
	run_holt run --rm --network none "$IMG" true
	check_status 0
	local files=("$HOLT_RUNROOT"/seccomp/*.bpf)
	[ "${#files[@]}" -eq 1 ] || { ls -la "$HOLT_RUNROOT/seccomp"; false; }
	local before
	before=$(stat -c %Y.%i "${files[0]}")
	run_holt run --rm --network none "$IMG" true
	[ "$(stat -c %Y.%i "${files[0]}")" = "$before" ]
	printf 'xyz' >"${files[0]}"
	run_holt run --rm --network none "$IMG" sh -c 'grep "^Seccomp:" /proc/self/status; holt-test-tool try mount'
	check_output "$(printf 'Seccomp:\t2\nmount: EPERM')"
	[ "$(stat -c %s "${files[0]}")" -gt 8 ]
}

# --- seccomp options ------------------------------------------------------------------

@test "--security-opt seccomp=unconfined: no filter" {
	run_holt run --rm --security-opt seccomp=unconfined "$IMG" grep "^Seccomp:" /proc/self/status
	check_output "$(printf 'Seccomp:\t0')"
}

@test "--security-opt seccomp=PROFILE.json: a profile that denies mkdir is applied" {
	run_holt run --rm --security-opt seccomp="$HOLT_TMP/nomkdir.json" "$IMG" \
		sh -c 'holt-test-tool try mkdir /tmp/d; holt-test-tool try mount'
	check_output "$(printf 'mkdir: EACCES\nmount: EPERM')"
}

@test "--security-opt seccomp=PROFILE.json: a null among an entry's arches names none" {
	cat >"$HOLT_TMP/nullarch.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "includes": {"arches": [null]}}]}
JSON
	run_holt run --rm --security-opt seccomp="$HOLT_TMP/nullarch.json" "$IMG" holt-test-tool try mkdir /tmp/d
	check_status 0
	check_output "mkdir: ok"
}

@test "--security-opt seccomp=PROFILE.json: errors name the file and the entry" {
	run_holt -125 run --rm --security-opt seccomp="$HOLT_TMP/badop.json" "$IMG" true
	check_stderr_has "seccomp profile \"$HOLT_TMP/badop.json\": syscalls[1] (\"personality\"): unknown operator \"SCMP_CMP_SOMETIMES\""
	echo '{"defaultAction": ' >"$HOLT_TMP/trunc.json"
	run_holt -125 run --rm --security-opt seccomp="$HOLT_TMP/trunc.json" "$IMG" true
	check_stderr_has "seccomp profile \"$HOLT_TMP/trunc.json\": not JSON"
	run_holt -125 run --rm --security-opt seccomp="$HOLT_TMP/none.json" "$IMG" true
	check_stderr_has "seccomp profile \"$HOLT_TMP/none.json\""
}

@test "--security-opt no-new-privileges: NoNewPrivs 1; =false leaves it off" {
	run_holt run --rm --security-opt no-new-privileges "$IMG" grep "^NoNewPrivs:" /proc/self/status
	check_output "$(printf 'NoNewPrivs:\t1')"
	run_holt run --rm --security-opt no-new-privileges=false "$IMG" grep "^NoNewPrivs:" /proc/self/status
	check_output "$(printf 'NoNewPrivs:\t0')"
	run_holt -125 run --rm --security-opt no-new-privileges=maybe "$IMG" true
	check_stderr_has 'no-new-privileges'
}

# --- capabilities ---------------------------------------------------------------------

@test "--cap-add SYS_ADMIN lifts the mount ban; the filter follows the capabilities" {
	run_holt run --rm --cap-add sys_admin "$IMG" sh -c 'holt-test-tool caps; holt-test-tool try mount'
	check_output "$(printf 'CapEff:\t00000000a82425fb\nCapBnd:\t00000000a82425fb\nmount: ok')"
}

@test "--cap-drop: names with or without CAP_, any case; ALL leaves none" {
	run_holt run --rm --cap-drop CAP_CHOWN --cap-drop net_raw "$IMG" holt-test-tool caps
	check_output "$(printf 'CapEff:\t00000000a80405fa\nCapBnd:\t00000000a80405fa')"
	run_holt run --rm --cap-drop ALL "$IMG" holt-test-tool caps
	check_output "$(printf 'CapEff:\t0000000000000000\nCapBnd:\t0000000000000000')"
	run_holt run --rm --cap-drop all --cap-add CHOWN "$IMG" holt-test-tool caps
	check_output "$(printf 'CapEff:\t0000000000000001\nCapBnd:\t0000000000000001')"
	run_holt -125 run --rm --cap-add CAP_NOPE "$IMG" true
	check_stderr_has '--cap-add "CAP_NOPE": no such capability'
}

@test "a user other than root gets no effective capability" {
	subids_or_skip
	run_holt run --rm --user 1000 --cap-add SYS_ADMIN "$IMG" holt-test-tool caps
	check_output "$(printf 'CapEff:\t0000000000000000\nCapBnd:\t00000000a82425fb')"
}

@test "--privileged: every capability, no filter, nothing masked" {
	run_holt run --rm --privileged "$IMG" sh -c 'holt-test-tool caps; grep "^Seccomp:" /proc/self/status
		holt-test-tool fstype /proc/keys 2>&1; holt-test-tool try mount'
	check_status 0
	check_output_has "$(printf 'CapEff:\t%s\nCapBnd:\t%s' "$(all_caps)" "$(all_caps)")"
	check_output_has "$(printf 'Seccomp:\t0')"
	check_output_has "mount: ok"
	check_output_has "nothing mounted on /proc/keys"
}

# --- masks ----------------------------------------------------------------------------

@test "--security-opt unmask=PATH and unmask=ALL; mask=PATH:PATH" {
	run_holt run --rm "$IMG" sh -c 'holt-test-tool fstype /proc/keys 2>&1'
	[[ $output != *"nothing mounted"* ]] || { show_run; false; }
	run_holt run --rm --security-opt unmask=/proc/keys "$IMG" sh -c \
		'holt-test-tool fstype /proc/keys 2>&1; ls -A /sys/firmware | wc -l'
	check_output "$(printf 'holt-test-tool: nothing mounted on /proc/keys\n0')"
	run_holt run --rm --security-opt unmask=ALL "$IMG" holt-test-tool try open /proc/sys/kernel/shmmax
	[[ $output != *EROFS* ]] || { show_run; false; }
	run_holt run --rm --security-opt mask=/etc/hostname:/usr/share "$IMG" sh -c \
		'wc -c < /etc/hostname; ls -A /usr/share | wc -l'
	check_output "$(printf '0\n0')"
	run_holt -125 run --rm --security-opt mask=relative "$IMG" true
	check_stderr_has 'not an absolute path'
}

# --- devices and groups ---------------------------------------------------------------

@test "--device: a host device the user can open is usable, under its own or a new name" {
	local dev
	for dev in /dev/fuse /dev/net/tun; do
		[ -r $dev ] && [ -w $dev ] && break
		dev=
	done
	[ -n "$dev" ] || skip "neither /dev/fuse nor /dev/net/tun is usable by $(id -un)"
	run_holt run --rm --device "$dev" --device "$dev:/dev/other:rw" "$IMG" \
		sh -c "holt-test-tool try open $dev; holt-test-tool try open /dev/other"
	check_output "$(printf 'open: ok\nopen: ok')"
	run_holt run --rm "$IMG" holt-test-tool try open "$dev"
	check_output "open: ENOENT"
	run_holt -125 run --rm --device /etc/passwd "$IMG" true
	check_stderr_has 'not a device'
}

@test "--group-add: a gid and a group of the image's; keep-groups stands alone" {
	subids_or_skip
	run_holt run --rm --group-add 123 --group-add users "$IMG" holt-test-tool ids
	check_status 0
	[[ $output == *groups=*100*123* ]] || { show_run; false; }
	run_holt -125 run --rm --group-add keep-groups --group-add 5 "$IMG" true
	check_stderr_has 'keep-groups cannot be combined'
	run_holt run --rm --group-add keep-groups "$IMG" true
	check_status 0
}

@test "--group-add without subordinate gids: refused, not ignored" {
	nosubids_or_skip
	run_holt -125 run --rm --group-add 123 "$IMG" true
	check_stderr_has 'supplementary groups cannot be set without subordinate gids'
	run_holt run --rm --group-add keep-groups "$IMG" true
	check_status 0
}

# --- exec and inspect -----------------------------------------------------------------

@test "exec follows the container's confinement; exec --privileged gets every capability" {
	holt run -d --name confined --cap-drop ALL --cap-add KILL \
		--security-opt no-new-privileges "$IMG" sleep 60 >/dev/null
	run_holt exec confined sh -c 'holt-test-tool caps; grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status; holt-test-tool try mount'
	check_output "$(printf 'CapEff:\t0000000000000020\nCapBnd:\t0000000000000020\nNoNewPrivs:\t1\nSeccomp:\t2\nmount: EPERM')"
	run_holt exec --privileged confined holt-test-tool caps
	check_output "$(printf 'CapEff:\t%s\nCapBnd:\t%s' "$(all_caps)" "$(all_caps)")"
	holt rm -f confined >/dev/null
}

@test "inspect shows the confinement under docker's HostConfig names" {
	local dev=/dev/null
	run_holt create --name shown --cap-add net_admin --cap-drop MKNOD --device "$dev:/dev/n2" \
		--security-opt no-new-privileges --security-opt unmask=/proc/keys --group-add 5 \
		"$IMG" true
	check_status 0
	run_holt inspect --format '{{json .HostConfig.CapAdd}} {{json .HostConfig.CapDrop}} {{.HostConfig.Privileged}} {{json .HostConfig.SecurityOpt}} {{json .HostConfig.Devices}} {{json .HostConfig.GroupAdd}}' shown
	check_output '["CAP_NET_ADMIN"] ["CAP_MKNOD"] false ["no-new-privileges","unmask=/proc/keys"] [{"PathOnHost":"/dev/null","PathInContainer":"/dev/n2","CgroupPermissions":"rwm"}] ["5"]'
	run_holt create --name shown2 --privileged --security-opt seccomp="$HOLT_TMP/nomkdir.json" "$IMG" true
	run_holt inspect --format '{{.HostConfig.Privileged}} {{len .HostConfig.SecurityOpt}}' shown2
	check_output 'true 1'
	holt rm shown shown2 >/dev/null
}

@test "fake-root-ids: chown, setuid and device mknod succeed without effect; fifos are real" {
	local script='touch /f && chown 1234:5678 /f && echo chown-ok; stat -c %u:%g /f
		mknod /dev/fake c 1 3 && echo mknod-ok; test -e /dev/fake || echo no-node
		mkfifo /p && test -p /p && echo fifo-real
		holt-test-tool setuid 4321; id -u'
	run_holt run --rm --security-opt fake-root-ids "$IMG" sh -c "$script"
	check_status 0
	check_output "$(printf 'chown-ok\n0:0\nmknod-ok\nno-node\nfifo-real\nsetuid 4321: ok\n0')"
	# the same container without it: a single-uid map cannot chown; ranges chown for real
	run_holt run --rm "$IMG" sh -c 'touch /f; chown 1234:5678 /f 2>/dev/null; stat -c %u:%g /f'
	if has_subids; then check_output '1234:5678'; else check_output '0:0'; fi
}

@test "fake-root-ids holds for exec, shows in SecurityOpt, and stacks on seccomp=unconfined" {
	holt run -d --name fakeroot --security-opt fake-root-ids "$IMG" sleep 60 >/dev/null
	run_holt exec fakeroot sh -c 'chown 99:99 /etc/hostname && echo chown-ok; grep ^Seccomp: /proc/self/status'
	check_output "$(printf 'chown-ok\nSeccomp:\t2')"
	run_holt inspect --format '{{json .HostConfig.SecurityOpt}}' fakeroot
	check_output '["fake-root-ids"]'
	holt rm -f fakeroot >/dev/null
	run_holt run --rm --security-opt seccomp=unconfined --security-opt fake-root-ids "$IMG" \
		sh -c 'touch /f && chown 7:7 /f && stat -c %u /f'
	check_output '0'
}

@test "--privileged makes /sys writable, as docker does; it stays read-only otherwise" {
	local opts='awk "\$2 == \"/sys\" { split(\$4, o, \",\"); print o[1] }" /proc/mounts'
	run_holt run --rm --privileged "$IMG" sh -c "$opts"
	check_output rw
	run_holt run --rm "$IMG" sh -c "$opts"
	check_output ro
	run_holt run --rm --privileged --network host "$IMG" sh -c "$opts"
	check_output rw
}

@test "--device without r or w says it cannot be enforced rootless, and runs" {
	run_holt run --rm --device /dev/null:/dev/n:r "$IMG" sh -c 'echo x >/dev/n && echo written'
	check_status 0
	check_output written
	[[ $stderr == *'--device /dev/null:/dev/n:r: a rootless container cannot be denied write access'* ]] ||
		{ echo "stderr: $stderr"; false; }
	run_holt run --rm --device /dev/null:/dev/n:rw "$IMG" true
	[[ $stderr != *--device* ]] || { echo "stderr: $stderr"; false; }
}
