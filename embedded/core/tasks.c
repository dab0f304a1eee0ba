#include "tasks.h"

#include <string.h>

#include "text.h"

static void clear(task_entry *e)
{
    e->state = TASK_FREE;
    e->id[0] = '\0';
    e->name[0] = '\0';
    e->app_name[0] = '\0';
    e->engine = NULL;
    atomic_store(&e->stop, false);
    e->start_ms = 0;
    e->timeout_ms = 0;
    e->daemon = false;
}

void tasks_init(task_table *t, size_t capacity)
{
    t->capacity = capacity == 0 || capacity > PROPLET_MAX_TASKS ? PROPLET_MAX_TASKS : capacity;
    for (size_t i = 0; i < PROPLET_MAX_TASKS; i++) {
        atomic_init(&t->slots[i].stop, false);
        clear(&t->slots[i]);
    }
}

static void say(char *err, size_t cap, const char *a, const char *id, const char *b)
{
    if (err == NULL || cap == 0) return;
    text_buf tb;
    text_init(&tb, err, cap);
    text_add(&tb, a);
    text_add(&tb, id);
    text_add(&tb, b);
}

task_entry *tasks_find(task_table *t, const char *id)
{
    if (id == NULL) return NULL;
    for (size_t i = 0; i < PROPLET_MAX_TASKS; i++) {
        if (t->slots[i].state != TASK_FREE && strcmp(t->slots[i].id, id) == 0) return &t->slots[i];
    }
    return NULL;
}

size_t tasks_count(const task_table *t)
{
    size_t n = 0;
    for (size_t i = 0; i < PROPLET_MAX_TASKS; i++) {
        if (t->slots[i].state != TASK_FREE) n++;
    }
    return n;
}

int tasks_add(task_table *t, const char *id, const char *name, const char *app_name, uint64_t now_ms,
              uint64_t timeout_ms, task_entry **out, char *err, size_t err_cap)
{
    if (out != NULL) *out = NULL;
    if (err != NULL && err_cap > 0) err[0] = '\0';
    if (app_name == NULL) app_name = "";
    if (id == NULL || id[0] == '\0' || strlen(id) > PROPLET_ID_MAX) {
        say(err, err_cap, "task id is empty or longer than the limit", "", "");
        return TASKS_ERR_INVALID;
    }
    if (name == NULL || name[0] == '\0' || strlen(name) > PROPLET_NAME_MAX) {
        say(err, err_cap, "task ", id, ": name is empty or longer than the limit");
        return TASKS_ERR_INVALID;
    }
    if (strlen(app_name) > PROPLET_APP_NAME_MAX) {
        say(err, err_cap, "task ", id, ": image_url is longer than the limit");
        return TASKS_ERR_INVALID;
    }
    if (tasks_find(t, id) != NULL) {
        say(err, err_cap, "task ", id, " is already running on this proplet");
        return TASKS_ERR_DUPLICATE;
    }
    if (tasks_count(t) >= t->capacity) {
        if (err != NULL && err_cap > 0) {
            text_buf tb;
            text_init(&tb, err, err_cap);
            text_add(&tb, "task ");
            text_add(&tb, id);
            text_add(&tb, " refused: this proplet already runs its maximum of ");
            text_add_u64(&tb, t->capacity);
            text_add(&tb, " tasks");
        }
        return TASKS_ERR_FULL;
    }
    for (size_t i = 0; i < PROPLET_MAX_TASKS; i++) {
        task_entry *e = &t->slots[i];
        if (e->state != TASK_FREE) continue;
        clear(e);
        text_copy(e->id, sizeof e->id, id);
        text_copy(e->name, sizeof e->name, name);
        text_copy(e->app_name, sizeof e->app_name, app_name);
        e->start_ms = now_ms;
        e->timeout_ms = timeout_ms;
        e->state = app_name[0] != '\0' ? TASK_WAITING_BINARY : TASK_RUNNING;
        if (out != NULL) *out = e;
        return TASKS_OK;
    }
    say(err, err_cap, "task ", id, " refused: the task table is full");
    return TASKS_ERR_FULL;
}

int tasks_remove(task_table *t, const char *id)
{
    task_entry *e = tasks_find(t, id);
    if (e == NULL) return TASKS_ERR_NOT_FOUND;
    clear(e);
    return TASKS_OK;
}

task_entry *tasks_at(task_table *t, size_t i) { return i < PROPLET_MAX_TASKS ? &t->slots[i] : NULL; }

void tasks_set_state(task_entry *e, task_state s) { e->state = s; }

void tasks_request_stop(task_entry *e) { atomic_store(&e->stop, true); }

bool tasks_stop_requested(task_entry *e) { return atomic_load(&e->stop); }

bool tasks_timed_out(const task_entry *e, uint64_t now_ms)
{
    return e->timeout_ms != 0 && now_ms >= e->start_ms && now_ms - e->start_ms >= e->timeout_ms;
}
