/* fuzz_rt.h: the live interpreter of the public-API fuzz targets (fuzz_builtins, fuzz_checks). */
#ifndef FUZZ_RT_H
#define FUZZ_RT_H

#include "datadog_agent_rtloader.h"

/* make3 of the default backend with the memory tracker on, the check base rtloader ships
 * (python/, which init imports AgentCheck from) on the Python path, setup(rt) (may be NULL:
 * callbacks, say), then init. Aborts with "<who>: ..." on failure. */
rtloader_t *fz_start(const char *who, void (*setup)(rtloader_t *));

/* Aborts with "<who>: rtloader memory not balanced after <what>" unless every rtloader allocation
 * since the previous get_and_reset_memory_stats was freed. */
void fz_expect_balanced(const char *who, const char *what);

#endif
