/*
 * convert.h: the one conversion layer shared by every built-in module and by the backend core
 * (BUILTINS.md §9.1 "stringutils", plus the project's borrowed-string and tag-array helpers).
 *
 * All returned C memory is rt-owned (rtl_malloc); every function leaves no Python error set
 * unless its comment says so.
 */
#ifndef RTL_CONVERT_H
#define RTL_CONVERT_H

#include "three.h"

/* ---- stringutils (BUILTINS.md §9.1) ------------------------------------------------------ */

/* init_stringutils: create the current interpreter's state (state.h), which imports json and
 * keeps json.loads/json.dumps. Returns 0, or -1 with the Python error left set. Optional in a new
 * interpreter (first use creates the state), but it reports an error early. */
RTL_HIDDEN int rtl_init_stringutils(void);

/* as_string: NULL -> NULL; bytes -> copy cut at the first NUL; str -> strict UTF-8 copy (on
 * failure the error is cleared, NULL); any other type -> NULL with no error set. */
RTL_HIDDEN char *rtl_as_string(PyObject *obj);

/* from_json: json.loads(data) as a new reference. NULL input -> NULL without an error; a decode
 * error (or no state for this interpreter) -> NULL with the error set. */
RTL_HIDDEN PyObject *rtl_from_json(const char *data);

/* as_json: json.dumps(obj) as an rt-owned string, or NULL with the Python error left set. */
RTL_HIDDEN char *rtl_as_json(PyObject *obj);

/* ---- borrowed strings ------------------------------------------------------------------------ */

/* as_string without the copy: the same accepted types and the same resulting C string, but the
 * pointer lends the object's own buffer (str: its cached UTF-8; bytes: its data) and is valid as
 * long as obj is alive. NULL for other types or an unencodable str, never with an error set. */
RTL_HIDDEN const char *rtl_borrow_string(PyObject *obj);

/* The UTF-8 bytes of an exact, compact ASCII str, read without a call: such a str stores its
 * characters inline as ASCII, which is exactly its UTF-8 form, NUL-terminated. NULL for anything
 * else (subclasses, non-ASCII, other types): callers then take the general path. Never sets an
 * error, allocates nothing, runs no Python code. */
static inline const char *rtl_ascii_data(PyObject *obj, Py_ssize_t *len)
{
    if (!PyUnicode_CheckExact(obj) || !PyUnicode_IS_COMPACT_ASCII(obj))
        return NULL;
    if (len != NULL)
        *len = PyUnicode_GET_LENGTH(obj);
    return (const char *)PyUnicode_DATA(obj);
}

/* ---- string arrays handed to callbacks --------------------------------------------------------
 *
 * A NULL-terminated char ** whose strings are borrowed (rtl_borrow_string) from Python objects
 * the array keeps strong references to, so the strings stay valid until the array is released,
 * whatever runs meanwhile: a list the strings came from may change (another thread while the GIL
 * is released, a host callback that runs Python although the header forbids it), but the objects
 * themselves stay. Up to RTL_STRV_STACK strings live in the struct itself (1 KB of stack, enough
 * for every usual tag list); larger arrays use one rtl_malloc block. */
#define RTL_STRV_STACK 64

typedef struct rtl_strv_s {
    char **v;        /* the NULL-terminated array for the host */
    PyObject **refs; /* refs[i] owns the object v[i] points into */
    Py_ssize_t n;    /* strings stored (and references held): v[n] is the NULL terminator */
    void *heap;      /* the rtl_malloc block, or NULL while the stack slots are used */
    char *stack_v[RTL_STRV_STACK + 1];
    PyObject *stack_refs[RTL_STRV_STACK];
} rtl_strv_t;

/* The usual tags of an aggregator call, inline because they are the whole tag handling of the
 * usual submit_metric: an exact list or tuple of at most RTL_STRV_STACK exact ASCII strs fills sv's
 * stack slots, each string lent from its str (rtl_ascii_data) and the str held by a reference.
 * Returns 1 with sv ready (release it with rtl_strv_release), or 0 for anything else, with sv
 * holding nothing (the caller then runs rtl_strv_from_tags, which initialises it). Never sets an
 * error, allocates nothing, runs no Python code. */
static inline int rtl_strv_lend_ascii(rtl_strv_t *sv, PyObject *seq)
{
    Py_ssize_t len, i;

    if (!PyList_CheckExact(seq) && !PyTuple_CheckExact(seq)) /* subclasses may override __len__ */
        return 0;
    len = PySequence_Fast_GET_SIZE(seq);
    if (len > RTL_STRV_STACK)
        return 0;
    for (i = 0; i < len; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i); /* borrowed */
        const char *s = rtl_ascii_data(item, NULL);
        if (s == NULL) {
            while (i-- > 0)
                Py_DECREF(sv->stack_refs[i]); /* still in seq: frees nothing */
            return 0;
        }
        Py_INCREF(item);
        sv->stack_refs[i] = item;
        sv->stack_v[i] = (char *)s;
    }
    sv->stack_v[len] = NULL;
    sv->v = sv->stack_v;
    sv->refs = sv->stack_refs;
    sv->n = len;
    sv->heap = NULL;
    return 1;
}

typedef enum {
    RTL_STRV_OK = 0,
    RTL_STRV_NOT_SEQUENCE, /* tags value fails the sequence check */
    RTL_STRV_NO_LENGTH,    /* the length cannot be computed (its error is cleared) */
    RTL_STRV_TOO_LARGE,    /* len + 1 pointers overflow size_t */
    RTL_STRV_NO_MEMORY,    /* rtl_malloc failed */
    RTL_STRV_BAD_ITEM,     /* strict mode: an item is not a valid string */
    RTL_STRV_ITEM_ERROR    /* fetching an item raised: its exception is left set */
} rtl_strv_status_t;

/* Initialise sv (empty) and reserve room for len strings plus the terminator. On failure sv is
 * still safe to release. */
RTL_HIDDEN rtl_strv_status_t rtl_strv_init(rtl_strv_t *sv, Py_ssize_t len);
/* Append obj's string if it is one (str/bytes per as_string). Steals the reference to obj (which
 * may be NULL). Returns 1 when appended, 0 when skipped; never leaves an error set. The caller
 * never appends more than the reserved len. */
RTL_HIDDEN int rtl_strv_push(rtl_strv_t *sv, PyObject *obj);
/* Drop every reference and the heap block. Needs the GIL. Safe on an already released sv.
 * Inline: it ends every aggregator call. */
static inline void rtl_strv_release(rtl_strv_t *sv)
{
    Py_ssize_t i;

    for (i = 0; i < sv->n; i++)
        Py_DECREF(sv->refs[i]);
    sv->n = 0;
    if (sv->heap != NULL) {
        rtl_free(sv->heap);
        sv->heap = NULL;
    }
    sv->v = sv->stack_v;
    sv->refs = sv->stack_refs;
    sv->v[0] = NULL;
}

/* rtl_strv_from_tags without the inline case: any tag sequence. */
RTL_HIDDEN rtl_strv_status_t rtl_strv_convert_tags(rtl_strv_t *sv, PyObject *seq);

/* §1.8: a tag sequence (list, tuple, str, any sequence) into sv; non-string items are skipped.
 * An item that cannot be fetched (the sequence's __getitem__ raises) fails the whole conversion
 * with RTL_STRV_ITEM_ERROR and its exception left set, so nothing is submitted with the items
 * read so far (issue 11 item 10; upstream skipped the item and dropped the exception). Any other
 * status leaves no Python error set. The caller raises per status (rtl_raise_tags_error) and
 * releases sv in every case. */
static inline rtl_strv_status_t rtl_strv_from_tags(rtl_strv_t *sv, PyObject *seq)
{
    return rtl_strv_lend_ascii(sv, seq) ? RTL_STRV_OK : rtl_strv_convert_tags(sv, seq);
}
/* A list of tags with skipping (set_external_tags) or, strict, every item a string (argv). */
RTL_HIDDEN rtl_strv_status_t rtl_strv_from_list(rtl_strv_t *sv, PyObject *list, int strict);

/* Raise the aggregator's tag error (BUILTINS.md §1.8) for a status other than OK (for
 * RTL_STRV_ITEM_ERROR the item's exception is already set). */
RTL_HIDDEN void rtl_raise_tags_error(rtl_strv_status_t st);

/* ---- strings coming back from the host (BUILTINS.md §1.7) ------------------------------------- */

/* Strict UTF-8 decode of a host string into a new str; NULL with UnicodeDecodeError set. The
 * host buffer is NOT released. */
RTL_HIDDEN PyObject *rtl_str_from_host(const char *s);
/* The same, then cgo_free(s) on every path; a NULL s gives None. */
RTL_HIDDEN PyObject *rtl_take_host_str_or_none(char *s);
/* Raise exc with the host message (decoded strictly; a decode failure raises UnicodeDecodeError
 * instead). Does not release msg. */
RTL_HIDDEN void rtl_raise_host_message(PyObject *exc, const char *msg);
/* A host NULL-terminated array into a new list of str; every string and then the array are
 * released with cgo_free on every path. NULL gives []. On a decode failure: NULL with the error
 * set, and no partial list escapes. */
RTL_HIDDEN PyObject *rtl_take_host_strv_list(char **v);

#endif /* RTL_CONVERT_H */
