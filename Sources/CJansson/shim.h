#ifndef SIGNALHUB_CJANSSON_SHIM_H
#define SIGNALHUB_CJANSSON_SHIM_H

#include <jansson.h>

/* Swift cannot import jansson's function-like macros; these wrap the ones we use. */

static inline json_type shj_typeof(const json_t *json) { return json_typeof(json); }

static inline json_t *shj_boolean(int value) { return value ? json_true() : json_false(); }

/* Encoder flags: compact output, keys in insertion order, and never a top-level scalar. */
static const size_t SHJ_DUMP_FLAGS = JSON_COMPACT;

/* Measuring any value (a relayed `signal` payload may be a bare string or number). */
static const size_t SHJ_MEASURE_FLAGS = JSON_COMPACT | JSON_ENCODE_ANY;

/* Decoder flags: any top-level value (so "5" is "not an object", not "not JSON"), and
   duplicate keys refused rather than silently overwritten. */
static const size_t SHJ_LOAD_FLAGS = JSON_DECODE_ANY | JSON_REJECT_DUPLICATES;

#endif
