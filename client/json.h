/*
 * json.h
 *		A small JSON reader for the command-line client: parses a document
 *		into a tree (objects keep their keys in order), enough to read the
 *		run files tasker_bench_export writes.  No PostgreSQL headers.
 */
#ifndef TBC_JSON_H
#define TBC_JSON_H

#include <stdbool.h>
#include <stddef.h>

typedef enum JsonKind
{
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT
} JsonKind;

typedef struct Json
{
	JsonKind	kind;
	bool		b;
	double		num;
	char	   *str;			/* JSON_STRING: the decoded text (NUL-terminated) */
	int			n;				/* ARRAY / OBJECT: number of items */
	char	  **keys;			/* OBJECT: keys[i] */
	struct Json **items;		/* ARRAY / OBJECT: items[i] */
} Json;

/*
 * Parses text (len bytes); NULL on a syntax error, with a message in err
 * (errlen bytes) that names the byte offset.
 */
extern Json *json_parse(const char *text, size_t len, char *err, size_t errlen);
extern void json_free(Json *j);

/* Member of an object by key (NULL if j is not an object or has no such key). */
extern const Json *json_get(const Json *j, const char *key);
/* The string of a member, or NULL when missing or not a string. */
extern const char *json_get_str(const Json *j, const char *key);
/* The number of a member: true and *out when it is a number. */
extern bool json_get_num(const Json *j, const char *key, double *out);

#endif							/* TBC_JSON_H */
