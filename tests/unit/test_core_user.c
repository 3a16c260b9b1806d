/* Unit tests of --user resolution against passwd and group files. */
#include "core/base/util.h"
#include "core/user.h"
#include "tests/unit/helpers.h"
#include "tests/unit/tap.h"

#include <string.h>
#include <unistd.h>

static void test_user(void)
{
	cleanup_free char *passwd = write_tmp("root:x:0:0:root:/root:/bin/sh\n"
					      "tester:x:1000:1000::/home/tester:/bin/sh\n");
	cleanup_free char *group = write_tmp("root:x:0:\nwheel:x:10:tester,other\n"
					     "tester:x:1000:\nstaff:x:50:\n");
	struct user_ids ids;
	struct holt_err err = {0};

	ok(user_resolve("tester", passwd, group, &ids, &err) == 0 && ids.uid == 1000 &&
	       ids.gid == 1000 && strcmp(ids.home, "/home/tester") == 0,
	   "user by name");
	bool wheel = false;
	for (size_t i = 0; i < ids.n_groups; i++)
		wheel |= ids.groups[i] == 10;
	ok(wheel && ids.n_groups == 2, "supplementary groups from /etc/group");
	user_ids_release(&ids);

	ok(user_resolve("0", passwd, group, &ids, &err) == 0 && ids.uid == 0 &&
	       strcmp(ids.home, "/root") == 0,
	   "uid 0 finds root's home");
	user_ids_release(&ids);
	ok(user_resolve("4242:77", passwd, group, &ids, &err) == 0 && ids.uid == 4242 &&
	       ids.gid == 77 && strcmp(ids.home, "/") == 0,
	   "numbers without passwd entries");
	user_ids_release(&ids);
	ok(user_resolve("tester:staff", passwd, group, &ids, &err) == 0 && ids.gid == 50,
	   "group by name");
	user_ids_release(&ids);
	ok(user_resolve("nobody", passwd, group, &ids, &err) < 0 && strstr(err.msg, "\"nobody\""),
	   "unknown user names the user: %s", err.msg ? err.msg : "");
	holt_err_release(&err);
	user_ids_release(&ids);
	ok(user_resolve("tester:nogroup", passwd, group, &ids, &err) < 0 &&
	       strstr(err.msg, "\"nogroup\""),
	   "unknown group names the group");
	holt_err_release(&err);
	user_ids_release(&ids);
	ok(user_resolve("1000", "/nonexistent", "/nonexistent", &ids, &err) == 0 &&
	       ids.uid == 1000 && ids.gid == 0,
	   "numbers work without the files");
	user_ids_release(&ids);
	unlink(passwd);
	unlink(group);
}

int main(void)
{
	plan(8);
	test_user();
	return done();
}
