/* The most recent task results, kept so they can be published again ("replayed") when a manager that (re)started
 * sends a discover request: results published while no manager was connected reached nobody (docs/protocol.md,
 * "Discover request"). Fixed capacity (PROPLET_RECENT_RESULTS entries), no allocation; when full, a new result
 * replaces the oldest one. Only results recorded within PROPLET_RECENT_WINDOW_MS of the wall clock are replayed.
 *
 * A result or error text longer than its slot (PROPLET_RECENT_RESULT_MAX / PROPLET_RECENT_ERROR_MAX), or a task id
 * longer than PROPLET_ID_MAX, is not stored at all rather than cut: a replayed result must be exactly the one that
 * was published.
 *
 * Not thread-safe: the main loop alone records and reads. */
#ifndef PROPLET_RECENT_H
#define PROPLET_RECENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proplet_limits.h"

typedef enum {
    RECENT_OK = 0,
    RECENT_ERR_INVALID = -1,  /* NULL store or task id, or an empty task id */
    RECENT_ERR_TOO_LONG = -2  /* task id, results or error longer than its slot: not stored */
} recent_err;

typedef struct {
    char task_id[PROPLET_ID_MAX + 1];
    char results[PROPLET_RECENT_RESULT_MAX + 1];
    bool has_error;                             /* false: the result had "error":null */
    char error[PROPLET_RECENT_ERROR_MAX + 1];   /* "" unless has_error */
    uint64_t finished_ms;                       /* wall clock, milliseconds since the Unix epoch */
} recent_result;

typedef struct {
    recent_result slots[PROPLET_RECENT_RESULTS];
    size_t first; /* slot of the oldest entry */
    size_t count;
} recent_results;

void recent_init(recent_results *r);

/* Records a published result: error NULL means success (results as given, NULL read as ""); otherwise the result
 * is a failure and results is not kept (a failed result is published with "results":""). RECENT_OK, or a negative
 * recent_err and nothing stored. */
int recent_add(recent_results *r, const char *task_id, const char *results, const char *error, uint64_t finished_ms);

/* Entries currently held (inside the window or not). */
size_t recent_count(const recent_results *r);

/* The entries to replay at wall-clock time now_ms, oldest recorded first: those with finished_ms no more than
 * PROPLET_RECENT_WINDOW_MS before now_ms (an entry whose time lies after now_ms, e.g. after the clock was set back,
 * counts as fresh). Writes at most cap pointers into out (valid until the next recent_add or recent_init) and
 * returns how many it wrote. */
size_t recent_replayable(const recent_results *r, uint64_t now_ms, const recent_result **out, size_t cap);

#endif
