/* The store of recent task results replayed on a discover request (core/recent.h). */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "recent.h"

#define T0 1795000000000ull /* some wall-clock time, ms */
#define WINDOW ((unsigned long long)PROPLET_RECENT_WINDOW_MS)

static void fill(char *buf, size_t n, char c)
{
    memset(buf, c, n);
    buf[n] = '\0';
}

static void test_empty(void)
{
    recent_results r;
    recent_init(&r);
    CHECK_INT(0, recent_count(&r));
    const recent_result *out[PROPLET_RECENT_RESULTS];
    CHECK_INT(0, recent_replayable(&r, T0, out, PROPLET_RECENT_RESULTS));
    CHECK_INT(0, recent_replayable(&r, 0, out, PROPLET_RECENT_RESULTS));
    CHECK_INT(0, recent_replayable(NULL, T0, out, PROPLET_RECENT_RESULTS));
    CHECK_INT(0, recent_count(NULL));
    CHECK_INT(RECENT_ERR_INVALID, recent_add(NULL, "t", "1", NULL, T0));
    CHECK_INT(RECENT_ERR_INVALID, recent_add(&r, NULL, "1", NULL, T0));
    CHECK_INT(RECENT_ERR_INVALID, recent_add(&r, "", "1", NULL, T0));
    CHECK_INT(0, recent_count(&r));
}

static void test_fields(void)
{
    recent_results r;
    recent_init(&r);
    CHECK_INT(RECENT_OK, recent_add(&r, "t-ok", "30", NULL, T0));
    CHECK_INT(RECENT_OK, recent_add(&r, "t-fail", "ignored", "cancelled", T0 + 1));
    CHECK_INT(RECENT_OK, recent_add(&r, "t-null", NULL, NULL, T0 + 2));
    const recent_result *out[PROPLET_RECENT_RESULTS];
    size_t n = recent_replayable(&r, T0 + 10, out, PROPLET_RECENT_RESULTS);
    CHECK_INT(3, n);
    if (n == 3) {
        CHECK_STR("t-ok", out[0]->task_id);
        CHECK_STR("30", out[0]->results);
        CHECK(!out[0]->has_error);
        CHECK_INT((long long)T0, (long long)out[0]->finished_ms);
        CHECK_STR("t-fail", out[1]->task_id);
        CHECK_STR("", out[1]->results); /* a failed result is published with "results":"" */
        CHECK(out[1]->has_error);
        CHECK_STR("cancelled", out[1]->error);
        CHECK_STR("t-null", out[2]->task_id);
        CHECK_STR("", out[2]->results);
        CHECK(!out[2]->has_error);
    }
    /* cap limits what is written */
    CHECK_INT(1, recent_replayable(&r, T0 + 10, out, 1));
    CHECK_STR("t-ok", out[0]->task_id);
    CHECK_INT(0, recent_replayable(&r, T0 + 10, out, 0));
}

/* More results than slots: the oldest give way, the rest come back oldest first. */
static void test_wrap_around(void)
{
    recent_results r;
    recent_init(&r);
    const size_t total = 3 * PROPLET_RECENT_RESULTS + 3;
    for (size_t i = 0; i < total; i++) {
        char id[32], res[32];
        snprintf(id, sizeof id, "t-%zu", i);
        snprintf(res, sizeof res, "%zu", i * 10);
        CHECK_INT(RECENT_OK, recent_add(&r, id, res, NULL, T0 + i));
        size_t expect = i + 1 < PROPLET_RECENT_RESULTS ? i + 1 : PROPLET_RECENT_RESULTS;
        CHECK_INT((long long)expect, (long long)recent_count(&r));
    }
    const recent_result *out[PROPLET_RECENT_RESULTS + 4];
    size_t n = recent_replayable(&r, T0 + total, out, PROPLET_RECENT_RESULTS + 4);
    CHECK_INT(PROPLET_RECENT_RESULTS, n);
    for (size_t k = 0; k < n; k++) {
        size_t i = total - PROPLET_RECENT_RESULTS + k;
        char id[32], res[32];
        snprintf(id, sizeof id, "t-%zu", i);
        snprintf(res, sizeof res, "%zu", i * 10);
        CHECK_STR(id, out[k]->task_id);
        CHECK_STR(res, out[k]->results);
        CHECK_INT((long long)(T0 + i), (long long)out[k]->finished_ms);
    }
}

/* Older than the window: kept in the store, not replayed; exactly the window's age still is. */
static void test_age_cutoff(void)
{
    recent_results r;
    recent_init(&r);
    CHECK_INT(RECENT_OK, recent_add(&r, "old", "1", NULL, T0));
    CHECK_INT(RECENT_OK, recent_add(&r, "mid", "2", NULL, T0 + 60000));
    CHECK_INT(RECENT_OK, recent_add(&r, "new", "3", NULL, T0 + 120000));
    const recent_result *out[PROPLET_RECENT_RESULTS];

    CHECK_INT(3, recent_replayable(&r, T0 + WINDOW, out, PROPLET_RECENT_RESULTS));
    CHECK_STR("old", out[0]->task_id);

    size_t n = recent_replayable(&r, T0 + WINDOW + 1, out, PROPLET_RECENT_RESULTS);
    CHECK_INT(2, n);
    if (n == 2) {
        CHECK_STR("mid", out[0]->task_id);
        CHECK_STR("new", out[1]->task_id);
    }
    n = recent_replayable(&r, T0 + 120000 + WINDOW, out, PROPLET_RECENT_RESULTS);
    CHECK_INT(1, n);
    if (n == 1) {
        CHECK_STR("new", out[0]->task_id);
    }
    CHECK_INT(0, recent_replayable(&r, T0 + 120001 + WINDOW, out, PROPLET_RECENT_RESULTS));
    CHECK_INT(3, recent_count(&r));

    /* a clock set back below the finish time: the results count as fresh */
    CHECK_INT(3, recent_replayable(&r, T0 - 5000, out, PROPLET_RECENT_RESULTS));
    CHECK_INT(3, recent_replayable(&r, 0, out, PROPLET_RECENT_RESULTS));
}

/* Texts longer than their slot are not stored (never cut); the longest that fit are stored whole. */
static void test_oversized(void)
{
    recent_results r;
    recent_init(&r);
    static char big_res[PROPLET_RECENT_RESULT_MAX + 2];
    static char big_err[PROPLET_RECENT_ERROR_MAX + 2];
    static char big_id[PROPLET_ID_MAX + 2];
    fill(big_res, PROPLET_RECENT_RESULT_MAX + 1, 'r');
    fill(big_err, PROPLET_RECENT_ERROR_MAX + 1, 'e');
    fill(big_id, PROPLET_ID_MAX + 1, 'i');
    CHECK_INT(RECENT_ERR_TOO_LONG, recent_add(&r, "t1", big_res, NULL, T0));
    CHECK_INT(RECENT_ERR_TOO_LONG, recent_add(&r, "t2", "", big_err, T0));
    CHECK_INT(RECENT_ERR_TOO_LONG, recent_add(&r, big_id, "1", NULL, T0));
    CHECK_INT(0, recent_count(&r));
    const recent_result *out[PROPLET_RECENT_RESULTS];
    CHECK_INT(0, recent_replayable(&r, T0, out, PROPLET_RECENT_RESULTS));

    /* a failed result's results text is not kept, so its length does not matter */
    CHECK_INT(RECENT_OK, recent_add(&r, "t3", big_res, "boom", T0));

    /* exactly the slot size fits, whole */
    big_res[PROPLET_RECENT_RESULT_MAX] = '\0';
    big_err[PROPLET_RECENT_ERROR_MAX] = '\0';
    big_id[PROPLET_ID_MAX] = '\0';
    CHECK_INT(RECENT_OK, recent_add(&r, big_id, big_res, NULL, T0 + 1));
    CHECK_INT(RECENT_OK, recent_add(&r, "t4", NULL, big_err, T0 + 2));
    size_t n = recent_replayable(&r, T0 + 3, out, PROPLET_RECENT_RESULTS);
    CHECK_INT(3, n);
    if (n == 3) {
        CHECK_STR("t3", out[0]->task_id);
        CHECK_STR("", out[0]->results);
        CHECK_STR("boom", out[0]->error);
        CHECK_STR(big_id, out[1]->task_id);
        CHECK_STR(big_res, out[1]->results);
        CHECK_STR(big_err, out[2]->error);
    }

    /* a skipped entry does not push out a stored one */
    recent_init(&r);
    for (size_t i = 0; i < PROPLET_RECENT_RESULTS; i++) {
        CHECK_INT(RECENT_OK, recent_add(&r, "keep", "1", NULL, T0 + i));
    }
    big_res[PROPLET_RECENT_RESULT_MAX] = 'r';
    CHECK_INT(RECENT_ERR_TOO_LONG, recent_add(&r, "skip", big_res, NULL, T0 + 100));
    n = recent_replayable(&r, T0 + 100, out, PROPLET_RECENT_RESULTS);
    CHECK_INT(PROPLET_RECENT_RESULTS, n);
    CHECK_INT((long long)T0, (long long)out[0]->finished_ms);
}

int main(void)
{
    test_empty();
    test_fields();
    test_wrap_around();
    test_age_cutoff();
    test_oversized();
    return check_done("recent");
}
