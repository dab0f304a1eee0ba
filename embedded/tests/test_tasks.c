/* Task table. */
#include <stdint.h>

#include "check.h"
#include "tasks.h"

static task_table table;

int main(void)
{
    char err[160];
    task_entry *e = NULL;
    tasks_init(&table, 0);
    CHECK_INT(PROPLET_MAX_TASKS, table.capacity);
    CHECK_INT(0, tasks_count(&table));

    CHECK_INT(TASKS_OK, tasks_add(&table, "t1", "add", NULL, 100, 0, &e, err, sizeof err));
    CHECK(e != NULL);
    CHECK_INT(TASK_RUNNING, e->state);
    CHECK_STR("t1", e->id);
    CHECK_STR("add", e->name);
    CHECK_INT(100, e->start_ms);
    CHECK(!tasks_stop_requested(e));
    CHECK(tasks_find(&table, "t1") == e);
    CHECK(tasks_find(&table, "t2") == NULL);

    /* duplicates are refused with a sentence */
    task_entry *dup = e;
    CHECK_INT(TASKS_ERR_DUPLICATE, tasks_add(&table, "t1", "add", NULL, 100, 0, &dup, err, sizeof err));
    CHECK(dup == NULL);
    CHECK_STR("task t1 is already running on this proplet", err);

    /* waiting for a binary from the proxy */
    task_entry *w = NULL;
    CHECK_INT(TASKS_OK, tasks_add(&table, "t2", "main", "reg/app:v1", 200, 1500, &w, err, sizeof err));
    CHECK_INT(TASK_WAITING_BINARY, w->state);
    CHECK_STR("reg/app:v1", w->app_name);
    tasks_set_state(w, TASK_RUNNING);
    CHECK_INT(TASK_RUNNING, tasks_find(&table, "t2")->state);

    /* timeouts: none without a limit; at start + timeout with one */
    CHECK(!tasks_timed_out(e, UINT64_MAX));
    CHECK(!tasks_timed_out(w, 1699));
    CHECK(tasks_timed_out(w, 1700));
    CHECK(!tasks_timed_out(w, 100)); /* clock before the start */

    /* stop flag and opaque engine handle */
    int engine_dummy = 0;
    e->engine = &engine_dummy;
    tasks_request_stop(e);
    CHECK(tasks_stop_requested(e));
    CHECK(!tasks_stop_requested(w));

    /* invalid ids and names */
    CHECK_INT(TASKS_ERR_INVALID, tasks_add(&table, "", "add", NULL, 0, 0, NULL, err, sizeof err));
    CHECK_INT(TASKS_ERR_INVALID, tasks_add(&table, "t3", "", NULL, 0, 0, NULL, err, sizeof err));
    CHECK_STR("task t3: name is empty or longer than the limit", err);
    char longid[PROPLET_ID_MAX + 2];
    memset(longid, 'x', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    CHECK_INT(TASKS_ERR_INVALID, tasks_add(&table, longid, "add", NULL, 0, 0, NULL, err, sizeof err));

    /* removal frees the slot and resets it */
    CHECK_INT(TASKS_OK, tasks_remove(&table, "t1"));
    CHECK_INT(TASKS_ERR_NOT_FOUND, tasks_remove(&table, "t1"));
    CHECK(tasks_find(&table, "t1") == NULL);
    CHECK_INT(1, tasks_count(&table));
    CHECK_INT(TASKS_OK, tasks_add(&table, "t1", "add", NULL, 5, 0, &e, err, sizeof err));
    CHECK(!tasks_stop_requested(e));
    CHECK(e->engine == NULL);

    /* fill to the default capacity of 24, then refuse */
    char id[8];
    for (size_t i = tasks_count(&table); i < PROPLET_MAX_TASKS; i++) {
        id[0] = 'f';
        id[1] = (char)('a' + i / 10);
        id[2] = (char)('0' + i % 10);
        id[3] = '\0';
        CHECK_INT(TASKS_OK, tasks_add(&table, id, "spin", NULL, 0, 0, NULL, err, sizeof err));
    }
    CHECK_INT(PROPLET_MAX_TASKS, tasks_count(&table));
    CHECK_INT(TASKS_ERR_FULL, tasks_add(&table, "t99", "spin", NULL, 0, 0, &e, err, sizeof err));
    CHECK(e == NULL);
    char want[128];
    snprintf(want, sizeof want, "task t99 refused: this proplet already runs its maximum of %d tasks",
             (int)PROPLET_MAX_TASKS);
    CHECK_STR(want, err);

    /* a smaller configured capacity */
    tasks_init(&table, 2);
    CHECK_INT(TASKS_OK, tasks_add(&table, "a", "f", NULL, 0, 0, NULL, err, sizeof err));
    CHECK_INT(TASKS_OK, tasks_add(&table, "b", "f", NULL, 0, 0, NULL, err, sizeof err));
    CHECK_INT(TASKS_ERR_FULL, tasks_add(&table, "c", "f", NULL, 0, 0, NULL, err, sizeof err));
    CHECK_STR("task c refused: this proplet already runs its maximum of 2 tasks", err);
    size_t live = 0;
    for (size_t i = 0; i < PROPLET_MAX_TASKS; i++) {
        if (tasks_at(&table, i)->state != TASK_FREE) live++;
    }
    CHECK_INT(2, live);
    CHECK(tasks_at(&table, PROPLET_MAX_TASKS) == NULL);
    /* errors may be dropped (NULL buffer) */
    CHECK_INT(TASKS_ERR_DUPLICATE, tasks_add(&table, "a", "f", NULL, 0, 0, NULL, NULL, 0));
    return check_done("test_tasks");
}
