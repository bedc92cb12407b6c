/*
 * json.c
 *		A small recursive-descent JSON reader (RFC 8259), see json.h.
 */
#include "json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH 200

typedef struct Parser
{
	const char *s;
	size_t		len;
	size_t		pos;
	char	   *err;
	size_t		errlen;
	bool		failed;
} Parser;

static Json *parse_value(Parser *p, int depth);

static void
fail(Parser *p, const char *fmt,...)
{
	va_list		ap;
	char		msg[200];

	if (p->failed)
		return;
	p->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(p->err, p->errlen, "%s at byte %zu", msg, p->pos);
}

static void *
xalloc(size_t n)
{
	void	   *m = calloc(1, n ? n : 1);

	if (m == NULL)
	{
		fprintf(stderr, "tasker-bench: out of memory\n");
		exit(2);
	}
	return m;
}

static void
skip_ws(Parser *p)
{
	while (p->pos < p->len &&
		   (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static bool
literal(Parser *p, const char *word)
{
	size_t		n = strlen(word);

	if (p->len - p->pos >= n && memcmp(p->s + p->pos, word, n) == 0)
	{
		p->pos += n;
		return true;
	}
	return false;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool
read_hex4(Parser *p, unsigned *out)
{
	unsigned	v = 0;
	int			i;

	if (p->len - p->pos < 4)
		return false;
	for (i = 0; i < 4; i++)
	{
		int			h = hexval(p->s[p->pos + i]);

		if (h < 0)
			return false;
		v = v * 16 + (unsigned) h;
	}
	p->pos += 4;
	*out = v;
	return true;
}

static size_t
put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80)
	{
		o[0] = (char) cp;
		return 1;
	}
	if (cp < 0x800)
	{
		o[0] = (char) (0xC0 | (cp >> 6));
		o[1] = (char) (0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000)
	{
		o[0] = (char) (0xE0 | (cp >> 12));
		o[1] = (char) (0x80 | ((cp >> 6) & 0x3F));
		o[2] = (char) (0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (char) (0xF0 | (cp >> 18));
	o[1] = (char) (0x80 | ((cp >> 12) & 0x3F));
	o[2] = (char) (0x80 | ((cp >> 6) & 0x3F));
	o[3] = (char) (0x80 | (cp & 0x3F));
	return 4;
}

/* at the opening quote; returns the decoded string (malloc'd) */
static char *
parse_string(Parser *p)
{
	size_t		start = ++p->pos;
	size_t		end = start;
	char	   *out;
	size_t		o = 0;

	/* find the closing quote to size the output (decoded is never longer) */
	while (end < p->len && p->s[end] != '"')
		end += (p->s[end] == '\\') ? 2 : 1;
	if (end >= p->len)
	{
		fail(p, "unterminated string");
		return NULL;
	}
	out = xalloc(end - start + 1);
	while (p->pos < end)
	{
		char		c = p->s[p->pos++];

		if ((unsigned char) c < 0x20)
		{
			fail(p, "control character in a string");
			free(out);
			return NULL;
		}
		if (c != '\\')
		{
			out[o++] = c;
			continue;
		}
		c = p->s[p->pos++];
		switch (c)
		{
			case '"':
			case '\\':
			case '/':
				out[o++] = c;
				break;
			case 'b':
				out[o++] = '\b';
				break;
			case 'f':
				out[o++] = '\f';
				break;
			case 'n':
				out[o++] = '\n';
				break;
			case 'r':
				out[o++] = '\r';
				break;
			case 't':
				out[o++] = '\t';
				break;
			case 'u':
				{
					unsigned	cp;

					if (!read_hex4(p, &cp))
					{
						fail(p, "bad \\u escape");
						free(out);
						return NULL;
					}
					if (cp >= 0xD800 && cp < 0xDC00 && p->pos + 6 <= end &&
						p->s[p->pos] == '\\' && p->s[p->pos + 1] == 'u')
					{
						unsigned	lo;

						p->pos += 2;
						if (!read_hex4(p, &lo) || lo < 0xDC00 || lo > 0xDFFF)
						{
							fail(p, "bad surrogate pair");
							free(out);
							return NULL;
						}
						cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
					}
					/* an escape of n bytes decodes to at most n bytes */
					o += put_utf8(out + o, cp);
					break;
				}
			default:
				fail(p, "bad escape \\%c", c);
				free(out);
				return NULL;
		}
	}
	out[o] = '\0';
	p->pos = end + 1;
	return out;
}

static Json *
parse_number(Parser *p)
{
	size_t		start = p->pos;
	char		buf[64];
	char	   *endp;
	Json	   *j;

	if (p->pos < p->len && p->s[p->pos] == '-')
		p->pos++;
	while (p->pos < p->len && strchr("0123456789.eE+-", p->s[p->pos]) != NULL)
		p->pos++;
	if (p->pos - start == 0 || p->pos - start >= sizeof(buf))
	{
		fail(p, "bad number");
		return NULL;
	}
	memcpy(buf, p->s + start, p->pos - start);
	buf[p->pos - start] = '\0';
	j = xalloc(sizeof(Json));
	j->kind = JSON_NUMBER;
	j->num = strtod(buf, &endp);
	if (*endp != '\0')
	{
		fail(p, "bad number \"%s\"", buf);
		free(j);
		return NULL;
	}
	return j;
}

static Json *
parse_container(Parser *p, int depth, bool object)
{
	Json	   *j = xalloc(sizeof(Json));
	int			cap = 0;
	char		close = object ? '}' : ']';

	j->kind = object ? JSON_OBJECT : JSON_ARRAY;
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == close)
	{
		p->pos++;
		return j;
	}
	for (;;)
	{
		char	   *key = NULL;
		Json	   *v;

		skip_ws(p);
		if (object)
		{
			if (p->pos >= p->len || p->s[p->pos] != '"')
			{
				fail(p, "expected a key");
				break;
			}
			if ((key = parse_string(p)) == NULL)
				break;
			skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':')
			{
				fail(p, "expected ':'");
				free(key);
				break;
			}
			p->pos++;
		}
		if ((v = parse_value(p, depth + 1)) == NULL)
		{
			free(key);
			break;
		}
		if (j->n == cap)
		{
			cap = cap ? cap * 2 : 8;
			j->items = realloc(j->items, sizeof(Json *) * cap);
			if (object)
				j->keys = realloc(j->keys, sizeof(char *) * cap);
			if (j->items == NULL || (object && j->keys == NULL))
			{
				fprintf(stderr, "tasker-bench: out of memory\n");
				exit(2);
			}
		}
		j->items[j->n] = v;
		if (object)
			j->keys[j->n] = key;
		j->n++;
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',')
		{
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == close)
		{
			p->pos++;
			return j;
		}
		fail(p, "expected ',' or '%c'", close);
		break;
	}
	json_free(j);
	return NULL;
}

static Json *
parse_value(Parser *p, int depth)
{
	Json	   *j;

	if (depth > JSON_MAX_DEPTH)
	{
		fail(p, "nested too deeply");
		return NULL;
	}
	skip_ws(p);
	if (p->pos >= p->len)
	{
		fail(p, "unexpected end");
		return NULL;
	}
	switch (p->s[p->pos])
	{
		case '{':
			return parse_container(p, depth, true);
		case '[':
			return parse_container(p, depth, false);
		case '"':
			{
				char	   *s = parse_string(p);

				if (s == NULL)
					return NULL;
				j = xalloc(sizeof(Json));
				j->kind = JSON_STRING;
				j->str = s;
				return j;
			}
		default:
			break;
	}
	if (literal(p, "null") || literal(p, "true") || literal(p, "false"))
	{
		j = xalloc(sizeof(Json));
		j->kind = p->s[p->pos - 1] == 'l' ? JSON_NULL : JSON_BOOL;
		j->b = p->s[p->pos - 2] == 'u';		/* tr"u"e */
		return j;
	}
	return parse_number(p);
}

Json *
json_parse(const char *text, size_t len, char *err, size_t errlen)
{
	Parser		p = {text, len, 0, err, errlen, false};
	Json	   *j = parse_value(&p, 0);

	if (j != NULL)
	{
		skip_ws(&p);
		if (p.pos != p.len)
		{
			fail(&p, "unexpected text after the document");
			json_free(j);
			return NULL;
		}
	}
	return j;
}

void
json_free(Json *j)
{
	int			i;

	if (j == NULL)
		return;
	for (i = 0; i < j->n; i++)
	{
		json_free(j->items[i]);
		if (j->keys)
			free(j->keys[i]);
	}
	free(j->items);
	free(j->keys);
	free(j->str);
	free(j);
}

const Json *
json_get(const Json *j, const char *key)
{
	int			i;

	if (j == NULL || j->kind != JSON_OBJECT)
		return NULL;
	for (i = 0; i < j->n; i++)
		if (strcmp(j->keys[i], key) == 0)
			return j->items[i];
	return NULL;
}

const char *
json_get_str(const Json *j, const char *key)
{
	const Json *v = json_get(j, key);

	return v && v->kind == JSON_STRING ? v->str : NULL;
}

bool
json_get_num(const Json *j, const char *key, double *out)
{
	const Json *v = json_get(j, key);

	if (v == NULL || v->kind != JSON_NUMBER)
		return false;
	*out = v->num;
	return true;
}
