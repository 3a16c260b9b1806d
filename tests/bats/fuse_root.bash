# The hooks of the suites whose containers get their root from fuse-overlayfs where the
# user has subordinate ids (keep-id, auto, nomap): one image for the file, and each test
# skipped where fuse-overlayfs cannot run.

setup_file()
{
	holt_setup_file_with_image
}

teardown_file()
{
	holt_teardown_file
}

setup()
{
	cd "$BATS_TEST_TMPDIR" || return
	if has_subids; then
		fuse_or_skip
	fi
}

teardown()
{
	remove_all_containers
}
