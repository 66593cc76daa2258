/*
 * rtl_errors.h: the backend's error texts that are not one module's own: texts used in more than
 * one place, and those of the backend core (checks.c, interp.c, three.c). They are part of the
 * contract (API.md, BUILTINS.md give them exactly): tests and hosts match on them, so each is
 * written once, here. A text used by one built-in module only stays in that module's file, next
 * to the code that raises it.
 */
#ifndef RTL_ERRORS_H
#define RTL_ERRORS_H

/* ---- built-in modules ---- */

/* MemoryError of set_external_tags and _util.subprocess_output (BUILTINS.md §3.8, §5.1). */
#define RTL_ERR_NO_MEMORY "unable to allocate memory, bailing out"

#endif /* RTL_ERRORS_H */
