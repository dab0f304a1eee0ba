/* Recent task results for replay; see recent.h. */
#include "recent.h"

#include <string.h>

void recent_init(recent_results *r)
{
    if (r != NULL) {
        memset(r, 0, sizeof *r);
    }
}

/* Copies s (NULL read as "") into dst of cap bytes; false, and dst untouched, when it does not fit whole. */
static bool copy_whole(char *dst, size_t cap, const char *s)
{
    if (s == NULL) {
        s = "";
    }
    size_t n = strlen(s);
    if (n >= cap) {
        return false;
    }
    memcpy(dst, s, n + 1);
    return true;
}

int recent_add(recent_results *r, const char *task_id, const char *results, const char *error, uint64_t finished_ms)
{
    if (r == NULL || task_id == NULL || task_id[0] == '\0') {
        return RECENT_ERR_INVALID;
    }
    if (strlen(task_id) > PROPLET_ID_MAX || (error == NULL && results != NULL && strlen(results) > PROPLET_RECENT_RESULT_MAX)
        || (error != NULL && strlen(error) > PROPLET_RECENT_ERROR_MAX)) {
        return RECENT_ERR_TOO_LONG;
    }
    size_t slot;
    if (r->count < PROPLET_RECENT_RESULTS) {
        slot = (r->first + r->count) % PROPLET_RECENT_RESULTS;
        r->count++;
    } else {
        slot = r->first; /* full: the oldest makes room */
        r->first = (r->first + 1) % PROPLET_RECENT_RESULTS;
    }
    recent_result *e = &r->slots[slot];
    (void)copy_whole(e->task_id, sizeof e->task_id, task_id);
    (void)copy_whole(e->results, sizeof e->results, error == NULL ? results : "");
    e->has_error = error != NULL;
    (void)copy_whole(e->error, sizeof e->error, error);
    e->finished_ms = finished_ms;
    return RECENT_OK;
}

size_t recent_count(const recent_results *r)
{
    return r != NULL ? r->count : 0;
}

size_t recent_replayable(const recent_results *r, uint64_t now_ms, const recent_result **out, size_t cap)
{
    if (r == NULL || out == NULL) {
        return 0;
    }
    size_t n = 0;
    for (size_t i = 0; i < r->count && n < cap; i++) {
        const recent_result *e = &r->slots[(r->first + i) % PROPLET_RECENT_RESULTS];
        if (e->finished_ms < now_ms && now_ms - e->finished_ms > PROPLET_RECENT_WINDOW_MS) {
            continue;
        }
        out[n++] = e;
    }
    return n;
}
