/* Task table: fixed capacity (PROPLET_MAX_TASKS slots; a smaller limit can be set at init), no allocation.
 *
 * Ownership: the table is read and changed by the main loop only. Workers get a task_entry pointer when the
 * task starts and may read it and its stop flag; the stop flag is atomic, so the main loop can request a stop
 * while a worker polls it (tasks_stop_requested) or the engine's interrupt hook reads it. An entry stays valid
 * until tasks_remove, which the main loop calls only after the worker has posted its result. */
#ifndef PROPLET_TASKS_H
#define PROPLET_TASKS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proplet_limits.h"

typedef enum {
    TASK_FREE = 0,
    TASK_WAITING_BINARY, /* waiting for chunks of app_name */
    TASK_RUNNING,
    TASK_FINISHED        /* result known, entry kept until removed */
} task_state;

typedef enum {
    TASKS_OK = 0,
    TASKS_ERR_INVALID = -1,   /* empty or too long id/name/app_name */
    TASKS_ERR_DUPLICATE = -2, /* a task with this id is in the table */
    TASKS_ERR_FULL = -3,      /* capacity reached */
    TASKS_ERR_NOT_FOUND = -4
} tasks_err;

typedef struct {
    task_state state;
    char id[PROPLET_ID_MAX + 1];
    char name[PROPLET_NAME_MAX + 1];
    char app_name[PROPLET_APP_NAME_MAX + 1]; /* "" unless the binary comes from the proxy */
    void *engine;                             /* opaque engine instance handle */
    atomic_bool stop;
    uint64_t start_ms;   /* caller's monotonic time at add */
    uint64_t timeout_ms; /* 0 = no limit */
    bool daemon;
} task_entry;

typedef struct {
    task_entry slots[PROPLET_MAX_TASKS];
    size_t capacity; /* ≤ PROPLET_MAX_TASKS */
} task_table;

/* capacity 0 or above PROPLET_MAX_TASKS means PROPLET_MAX_TASKS. */
void tasks_init(task_table *t, size_t capacity);
/* Add a task in state TASK_WAITING_BINARY (app_name non-empty) or TASK_RUNNING (app_name NULL or ""). On error
 * *out is NULL and err (may be NULL) gets a sentence naming the task, e.g. "task t1 is already running on this
 * proplet" or "task t9 refused: this proplet already runs its maximum of 24 tasks". */
int tasks_add(task_table *t, const char *id, const char *name, const char *app_name, uint64_t now_ms,
              uint64_t timeout_ms, task_entry **out, char *err, size_t err_cap);
task_entry *tasks_find(task_table *t, const char *id);
int tasks_remove(task_table *t, const char *id);
size_t tasks_count(const task_table *t);
/* i-th slot (0 ≤ i < PROPLET_MAX_TASKS) for iteration; check state != TASK_FREE. */
task_entry *tasks_at(task_table *t, size_t i);
void tasks_set_state(task_entry *e, task_state s);
void tasks_request_stop(task_entry *e);
bool tasks_stop_requested(task_entry *e);
/* True when the entry has a time limit and now_ms is at or past start + timeout. */
bool tasks_timed_out(const task_entry *e, uint64_t now_ms);

#endif
