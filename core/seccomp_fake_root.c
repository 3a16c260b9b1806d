/* The fake-root-ids filter: where the user namespace maps one id, calls that change file
 * owners or the process's ids cannot succeed, and package managers stop at the first
 * one. Charliecloud's and enroot's root emulation make them return success without doing
 * anything; this profile does the same, stacked over the container's own filter (an
 * errno action outranks an allow, so the container's filter cannot undo it). mknod is
 * faked only for device nodes: fifos and sockets are really made. */
#include "core/seccomp.h"

/* S_IFMT 0170000, S_IFCHR 0020000, S_IFBLK 0060000; mknod's mode is argument 1,
 * mknodat's argument 2. */
const char seccomp_fake_root_profile[] =
    "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
    "{\"names\":[\"chown\",\"chown32\",\"fchown\",\"fchown32\",\"fchownat\",\"lchown\","
    "\"lchown32\",\"setuid\",\"setuid32\",\"setgid\",\"setgid32\",\"setreuid\","
    "\"setreuid32\",\"setregid\",\"setregid32\",\"setresuid\",\"setresuid32\","
    "\"setresgid\",\"setresgid32\",\"setgroups\",\"setgroups32\",\"setfsuid\","
    "\"setfsuid32\",\"setfsgid\",\"setfsgid32\"],"
    "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":0},"
    "{\"names\":[\"mknod\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":0,\"args\":"
    "[{\"index\":1,\"value\":61440,\"valueTwo\":8192,\"op\":\"SCMP_CMP_MASKED_EQ\"}]},"
    "{\"names\":[\"mknod\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":0,\"args\":"
    "[{\"index\":1,\"value\":61440,\"valueTwo\":24576,\"op\":\"SCMP_CMP_MASKED_EQ\"}]},"
    "{\"names\":[\"mknodat\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":0,\"args\":"
    "[{\"index\":2,\"value\":61440,\"valueTwo\":8192,\"op\":\"SCMP_CMP_MASKED_EQ\"}]},"
    "{\"names\":[\"mknodat\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":0,\"args\":"
    "[{\"index\":2,\"value\":61440,\"valueTwo\":24576,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}"
    "]}";
