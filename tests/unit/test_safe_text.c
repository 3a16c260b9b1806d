/* Unit tests of what makes record text safe to print: JSON that stays valid UTF-8 and
 * table cells that cannot forge a line. */
#include "cmd/safe_text.h"
#include "core/base/json.h"
#include "core/base/util.h"
#include "tests/unit/tap.h"

#include <string.h>

static void test_utf8(void)
{
	ok(utf8_valid_len("a", 1) == 1 && utf8_valid_len("\xc3\xa9", 2) == 2 &&
	       utf8_valid_len("\xe2\x82\xac", 3) == 3 && utf8_valid_len("\xf0\x9f\x98\x80", 4) == 4,
	   "valid sequences of 1 to 4 bytes");
	ok(utf8_valid_len("\xff", 1) == 0 && utf8_valid_len("\xc0\xaf", 2) == 0 &&
	       utf8_valid_len("\xed\xa0\x80", 3) == 0 &&
	       utf8_valid_len("\xf4\x90\x80\x80", 4) == 0 && utf8_valid_len("\xe2\x82", 2) == 0,
	   "invalid: a stray byte, overlong, surrogate, past U+10FFFF, cut short");
}

static void test_json_fix(void)
{
	cleanup_json json_object *o = json_object_new_object();
	json_add_string(o, "k\xff", "a\nb\xfe\xc3\xa9");
	cleanup_free char *fixed = json_text_fix_utf8(json_object_to_json_string_ext(
	    o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	ok(strcmp(fixed, "{\"k\\ufffd\":\"a\\nb\\ufffd\xc3\xa9\"}") == 0,
	   "invalid bytes become \\ufffd, valid UTF-8 stays: %s", fixed);
	cleanup_json json_object *back = json_tokener_parse(fixed);
	ok(back && json_object_is_type(back, json_type_object), "the result parses as JSON");
}

static void test_cells(void)
{
	cleanup_free char *a = text_cell_escape("x\ny\tz\r\x1b[31m\xff\xc2\x85 \xc3\xa9");
	ok(strcmp(a, "x\\ny\\tz\\r\\x1b[31m\\xff\\u0085 \xc3\xa9") == 0,
	   "control characters and invalid bytes escaped: %s", a);
	cleanup_json json_object *row = json_object_new_object();
	json_object *arr = json_object_new_array();
	json_object_array_add(arr, json_object_new_string("l\nm"));
	json_object_object_add(row, "Labels", arr);
	json_object_object_add(row, "Size", json_object_new_int(3));
	cleanup_json json_object *esc = json_cells_escape(row);
	ok(strcmp(json_object_to_json_string_ext(esc, JSON_C_TO_STRING_PLAIN),
		  "{\"Labels\":[\"l\\\\nm\"],\"Size\":3}") == 0,
	   "strings in a row escaped, other values kept: %s",
	   json_object_to_json_string_ext(esc, JSON_C_TO_STRING_PLAIN));
}

int main(void)
{
	plan(6);
	test_utf8();
	test_json_fix();
	test_cells();
	return done();
}
