#include "cmd/safe_text.h"
#include "core/base/util.h"

#include <stdio.h>
#include <string.h>

size_t utf8_valid_len(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len;
	unsigned cp, min;

	if (n == 0)
		return 0;
	if (u[0] < 0x80)
		return 1;
	if (u[0] >= 0xc2 && u[0] <= 0xdf)
		len = 2, cp = u[0] & 0x1f, min = 0x80;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		len = 3, cp = u[0] & 0x0f, min = 0x800;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		len = 4, cp = u[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (u[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

char *json_text_fix_utf8(const char *json)
{
	size_t n = strlen(json), bad = 0;

	for (size_t i = 0; i < n;) {
		size_t l = utf8_valid_len(json + i, n - i);
		bad += l == 0;
		i += l ? l : 1;
	}
	char *out = xmalloc(n + 5 * bad + 1), *p = out;
	for (size_t i = 0; i < n;) {
		size_t l = utf8_valid_len(json + i, n - i);
		if (l == 0) {
			memcpy(p, "\\ufffd", 6);
			p += 6;
			i++;
			continue;
		}
		memcpy(p, json + i, l);
		p += l;
		i += l;
	}
	*p = '\0';
	return out;
}

char *text_cell_escape(const char *s)
{
	size_t n = strlen(s);
	/* \xNN is the longest form a byte takes; \u0085 is two bytes. */
	char *out = xmalloc(4 * n + 1), *p = out;

	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t l = utf8_valid_len(s + i, n - i);
		if (l == 0) {
			p += sprintf(p, "\\x%02x", c);
			i++;
		} else if (c == '\n' || c == '\t' || c == '\r') {
			*p++ = '\\';
			*p++ = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			p += sprintf(p, "\\x%02x", c);
			i++;
		} else if (c == 0xc2 && (unsigned char)s[i + 1] < 0xa0) {
			/* C1 controls, U+0080 to U+009F: some terminals act on them */
			p += sprintf(p, "\\u%04x", (unsigned char)s[i + 1]);
			i += 2;
		} else {
			memcpy(p, s + i, l);
			p += l;
			i += l;
		}
	}
	*p = '\0';
	return out;
}

json_object *json_cells_escape(json_object *j)
{
	switch (json_object_get_type(j)) {
	case json_type_string: {
		cleanup_free char *s = text_cell_escape(json_object_get_string(j));
		return json_object_new_string(s);
	}
	case json_type_array: {
		size_t n = json_object_array_length(j);
		json_object *a = json_object_new_array_ext((int)n);
		for (size_t i = 0; i < n; i++)
			json_object_array_add(a,
					      json_cells_escape(json_object_array_get_idx(j, i)));
		return a;
	}
	case json_type_object: {
		json_object *o = json_object_new_object();
		json_object_object_foreach(j, key, value)
		{
			json_object_object_add(o, key, json_cells_escape(value));
		}
		return o;
	}
	default:
		return json_object_get(j);
	}
}
