/* port_posix.c - log, time, threads, mutex, queue and wake-up for POSIX hosts (pthreads). */
#define _GNU_SOURCE
#include "port.h"
#include "port_common.h"
#include "port_posix_internal.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static atomic_int g_log_level = PORT_LOG_INFO;

void port_log_set_level(port_log_level level)
{
    atomic_store(&g_log_level, (int)level);
}

port_log_level port_log_get_level(void)
{
    return (port_log_level)atomic_load(&g_log_level);
}

void port_log(port_log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR"};
    if (!port_log_level_passes(level, atomic_load(&g_log_level))) {
        return;
    }
    char line[1024 + 64];
    char ts[PORT_RFC3339_SIZE];
    if (port_time_rfc3339(ts, sizeof ts) != PORT_OK) {
        ts[0] = '\0';
    }
    int head = snprintf(line, sizeof line, "%s %-5s ", ts, names[level]);
    if (head < 0) {
        return;
    }
    size_t used = (size_t)head;
    va_list ap;
    va_start(ap, fmt);
    int body = vsnprintf(line + used, sizeof line - used - 1, fmt, ap);
    va_end(ap);
    if (body > 0) {
        used += (size_t)body < sizeof line - used - 1 ? (size_t)body : sizeof line - used - 2;
    }
    line[used++] = '\n';
    /* One fwrite: stdio locks the stream, so lines from different threads do not interleave. */
    (void)fwrite(line, 1, used, stderr);
}

/* ---- time ---- */

uint64_t port_time_monotonic_ms(void)
{
    struct timespec ts;
    (void)clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000U + (uint64_t)ts.tv_nsec / 1000000U;
}

uint64_t port_time_unix_ms(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 0) {
        return 0;
    }
    return (uint64_t)ts.tv_sec * 1000U + (uint64_t)ts.tv_nsec / 1000000U;
}

int port_time_rfc3339(char *buf, size_t cap)
{
    if (buf == NULL || cap == 0) {
        return PORT_ERR_INVAL;
    }
    struct timespec ts;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 0) {
        buf[0] = '\0';
        return PORT_ERR;
    }
    return port_format_rfc3339((uint64_t)ts.tv_sec * 1000U + (uint64_t)ts.tv_nsec / 1000000U, buf, cap);
}

void port_sleep_ms(uint32_t ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000U), .tv_nsec = (long)(ms % 1000U) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* ---- wake ---- */

static atomic_bool g_wake;

void port_wake(void)
{
    atomic_store(&g_wake, true);
}

bool port_posix_take_wake(void)
{
    return atomic_exchange(&g_wake, false);
}

/* ---- threads ---- */

struct port_thread {
    pthread_t tid;
    port_thread_fn fn;
    void *arg;
    char name[16];
};

static void *thread_main(void *p)
{
    port_thread *t = p;
    if (t->name[0] != '\0') {
        (void)pthread_setname_np(pthread_self(), t->name);
    }
    t->fn(t->arg);
    return NULL;
}

int port_thread_create(port_thread **out, const char *name, size_t stack_bytes, port_thread_fn fn, void *arg)
{
    if (out == NULL || fn == NULL) {
        return PORT_ERR_INVAL;
    }
    *out = NULL;
    port_thread *t = calloc(1, sizeof *t);
    if (t == NULL) {
        return PORT_ERR_NOMEM;
    }
    t->fn = fn;
    t->arg = arg;
    if (name != NULL) {
        (void)snprintf(t->name, sizeof t->name, "%s", name);
    }
    pthread_attr_t attr;
    if (pthread_attr_init(&attr) != 0) {
        free(t);
        return PORT_ERR_NOMEM;
    }
    if (stack_bytes > 0) {
        size_t size = stack_bytes < (size_t)PTHREAD_STACK_MIN ? (size_t)PTHREAD_STACK_MIN : stack_bytes;
        size = (size + 4095U) & ~(size_t)4095U;
        if (pthread_attr_setstacksize(&attr, size) != 0) {
            (void)pthread_attr_destroy(&attr);
            free(t);
            return PORT_ERR_INVAL;
        }
    }
    int rc = pthread_create(&t->tid, &attr, thread_main, t);
    (void)pthread_attr_destroy(&attr);
    if (rc != 0) {
        port_log(PORT_LOG_ERROR, "port: pthread_create failed: %s", strerror(rc));
        free(t);
        return rc == EAGAIN ? PORT_ERR_NOMEM : PORT_ERR;
    }
    *out = t;
    return PORT_OK;
}

int port_thread_join(port_thread *thread)
{
    if (thread == NULL) {
        return PORT_ERR_INVAL;
    }
    int rc = pthread_join(thread->tid, NULL);
    free(thread);
    return rc == 0 ? PORT_OK : PORT_ERR;
}

/* ---- mutex ---- */

struct port_mutex {
    pthread_mutex_t m;
};

int port_mutex_create(port_mutex **out)
{
    if (out == NULL) {
        return PORT_ERR_INVAL;
    }
    port_mutex *m = calloc(1, sizeof *m);
    if (m == NULL) {
        return PORT_ERR_NOMEM;
    }
    if (pthread_mutex_init(&m->m, NULL) != 0) {
        free(m);
        return PORT_ERR;
    }
    *out = m;
    return PORT_OK;
}

void port_mutex_lock(port_mutex *mutex)
{
    (void)pthread_mutex_lock(&mutex->m);
}

void port_mutex_unlock(port_mutex *mutex)
{
    (void)pthread_mutex_unlock(&mutex->m);
}

void port_mutex_destroy(port_mutex *mutex)
{
    if (mutex != NULL) {
        (void)pthread_mutex_destroy(&mutex->m);
        free(mutex);
    }
}

/* ---- queue: a ring of fixed-size slots under one mutex ---- */

struct port_queue {
    pthread_mutex_t m;
    size_t item_size;
    size_t capacity;
    size_t head; /* next slot to read */
    size_t count;
    unsigned char *slots;
};

int port_queue_create(port_queue **out, size_t item_size, size_t capacity)
{
    if (out == NULL || item_size == 0 || capacity == 0 || capacity > SIZE_MAX / item_size) {
        return PORT_ERR_INVAL;
    }
    port_queue *q = calloc(1, sizeof *q);
    if (q == NULL) {
        return PORT_ERR_NOMEM;
    }
    q->slots = malloc(item_size * capacity);
    if (q->slots == NULL || pthread_mutex_init(&q->m, NULL) != 0) {
        free(q->slots);
        free(q);
        return PORT_ERR_NOMEM;
    }
    q->item_size = item_size;
    q->capacity = capacity;
    *out = q;
    return PORT_OK;
}

int port_queue_post(port_queue *queue, const void *item)
{
    if (queue == NULL || item == NULL) {
        return PORT_ERR_INVAL;
    }
    (void)pthread_mutex_lock(&queue->m);
    if (queue->count == queue->capacity) {
        (void)pthread_mutex_unlock(&queue->m);
        return PORT_ERR_FULL;
    }
    size_t tail = (queue->head + queue->count) % queue->capacity;
    memcpy(queue->slots + tail * queue->item_size, item, queue->item_size);
    queue->count++;
    (void)pthread_mutex_unlock(&queue->m);
    port_wake();
    return PORT_OK;
}

int port_queue_try_get(port_queue *queue, void *out)
{
    if (queue == NULL || out == NULL) {
        return PORT_ERR_INVAL;
    }
    (void)pthread_mutex_lock(&queue->m);
    if (queue->count == 0) {
        (void)pthread_mutex_unlock(&queue->m);
        return PORT_ERR_EMPTY;
    }
    memcpy(out, queue->slots + queue->head * queue->item_size, queue->item_size);
    queue->head = (queue->head + 1) % queue->capacity;
    queue->count--;
    (void)pthread_mutex_unlock(&queue->m);
    return PORT_OK;
}

size_t port_queue_count(port_queue *queue)
{
    if (queue == NULL) {
        return 0;
    }
    (void)pthread_mutex_lock(&queue->m);
    size_t n = queue->count;
    (void)pthread_mutex_unlock(&queue->m);
    return n;
}

void port_queue_destroy(port_queue *queue)
{
    if (queue != NULL) {
        (void)pthread_mutex_destroy(&queue->m);
        free(queue->slots);
        free(queue);
    }
}
