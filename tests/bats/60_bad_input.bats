#!/usr/bin/env bats
# Bad input: each is refused with exit 125 and a message that names the bad thing, and
# the store is left exactly as it was.

load helpers

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
	BEFORE=$(store_listing)
}

@test "run of an image that does not exist" {
	run_holt run --rm nosuchimage:3 true
	check_holt_error "nosuchimage"
	[ -z "$output" ] || { show_run; false; }
	check_store_unchanged "$BEFORE"
}

@test "import of a file that does not exist" {
	run_holt import "$BATS_TEST_TMPDIR/missing.tar.gz" bad:1
	check_holt_error "missing.tar.gz"
	check_store_unchanged "$BEFORE"
}

@test "import of a corrupt .tar.gz" {
	run_holt import "$HOLT_FIXTURES/corrupt.tar.gz" bad:1
	check_holt_error "corrupt.tar.gz"
	check_store_unchanged "$BEFORE"
	[ -z "$(holt images | awk '$1 == "bad"')" ]
}

@test "import of a corrupt .tar.gz from stdin" {
	run_holt import - bad:1 <"$HOLT_FIXTURES/corrupt.tar.gz"
	check_status 125
	check_stderr_has "holt: error: "
	check_store_unchanged "$BEFORE"
}

@test "import of a file that is not an archive" {
	run_holt import "$HOLT_FIXTURES/notatar.tar" bad:1
	check_holt_error "notatar.tar"
	check_store_unchanged "$BEFORE"
}

@test "import of a tar with a ../ member" {
	run_holt import "$HOLT_FIXTURES/escape.tar" bad:1
	check_holt_error "../escape"
	check_store_unchanged "$BEFORE"
	[ ! -e "$HOLT_TMP/escape" ] && [ ! -e "$HOLT_ROOT/escape" ]
}

@test "import of a tar with an absolute member" {
	run_holt import "$HOLT_FIXTURES/absolute.tar" bad:1
	check_holt_error "/absolute"
	check_store_unchanged "$BEFORE"
}

@test "import of a tar that writes through a symlink out of the layer" {
	run_holt import "$HOLT_FIXTURES/symlink-escape.tar" bad:1
	check_holt_error "link"
	check_store_unchanged "$BEFORE"
}

@test "import without the file argument" {
	run_holt import
	check_status 125
	check_stderr_has "holt: error: "
	check_store_unchanged "$BEFORE"
}

@test "run with a flag that does not exist" {
	run_holt run --rm --bogus "$IMG" true
	check_holt_error '"--bogus"'
	check_store_unchanged "$BEFORE"
}

@test "run without the image argument" {
	run_holt run --rm
	check_status 125
	check_stderr_has "holt: error: "
	check_store_unchanged "$BEFORE"
}

@test "run with an unknown --network mode" {
	run_holt run --rm --network bogusnet "$IMG" true
	check_holt_error '"bogusnet"'
	check_store_unchanged "$BEFORE"
}

@test "run with a malformed -e" {
	run_holt run --rm -e '=novar' "$IMG" true
	check_holt_error "=novar"
	check_store_unchanged "$BEFORE"
}

@test "after all of that the image still runs and is the only one" {
	run_holt images
	check_status 0
	[ "${#lines[@]}" -eq 2 ] || { show_run; false; }
	run_holt run --rm "$IMG" cat /etc/image-file
	check_status 0
	check_output "image file"
	# nothing half-written was left in the staging dir by any of the failures
	[ -z "$(ls -A "$HOLT_ROOT/tmp" 2>/dev/null)" ] || { ls -la "$HOLT_ROOT/tmp"; false; }
}
