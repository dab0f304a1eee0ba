/* port_zephyr.c - log, time, wake-up eventfd, threads (static stack pool), mutex and queue (k_msgq)
 * on Zephyr. Target build only (embedded/zephyr); never compiled on the host. */
#include "port.h"
#include "port_common.h"
#include "port_zephyr_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/net/sntp.h>
#include <zephyr/sys/atomic.h>
#include <zephyr/zvfs/eventfd.h>

LOG_MODULE_REGISTER(proplet, LOG_LEVEL_DBG);

/* ---- log: one formatting buffer under a mutex (no 1 KiB line on the small task stacks) ---- */

static atomic_t g_log_level = ATOMIC_INIT(PORT_LOG_INFO);
static K_MUTEX_DEFINE(g_log_lock);
static char g_log_line[1024];

void port_log_set_level(port_log_level level)
{
    (void)atomic_set(&g_log_level, (atomic_val_t)level);
}

port_log_level port_log_get_level(void)
{
    return (port_log_level)atomic_get(&g_log_level);
}

void port_log(port_log_level level, const char *fmt, ...)
{
    if (!port_log_level_passes(level, (int)atomic_get(&g_log_level))) {
        return;
    }
    (void)k_mutex_lock(&g_log_lock, K_FOREVER);
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(g_log_line, sizeof g_log_line, fmt, ap);
    va_end(ap);
    /* %s of a RAM buffer: Zephyr's logger copies the string into the message (deferred mode). */
    switch (level) {
    case PORT_LOG_TRACE:
    case PORT_LOG_DEBUG:
        LOG_DBG("%s", g_log_line);
        break;
    case PORT_LOG_INFO:
        LOG_INF("%s", g_log_line);
        break;
    case PORT_LOG_WARN:
        LOG_WRN("%s", g_log_line);
        break;
    default:
        LOG_ERR("%s", g_log_line);
        break;
    }
    (void)k_mutex_unlock(&g_log_lock);
}

/* ---- time ---- */

static struct k_spinlock g_clock_lock;
static int64_t g_wall_offset_ms; /* unix_ms - uptime_ms; 0 = not set (SNTP not done yet) */

uint64_t port_time_monotonic_ms(void)
{
    return (uint64_t)k_uptime_get();
}

void port_zephyr_set_unix_ms(uint64_t unix_ms)
{
    k_spinlock_key_t key = k_spin_lock(&g_clock_lock);
    g_wall_offset_ms = (int64_t)unix_ms - k_uptime_get();
    if (g_wall_offset_ms == 0) {
        g_wall_offset_ms = 1; /* 0 means "unset" */
    }
    k_spin_unlock(&g_clock_lock, key);
}

uint64_t port_time_unix_ms(void)
{
    k_spinlock_key_t key = k_spin_lock(&g_clock_lock);
    int64_t offset = g_wall_offset_ms;
    k_spin_unlock(&g_clock_lock, key);
    if (offset == 0) {
        return 0;
    }
    int64_t now = k_uptime_get() + offset;
    return now > 0 ? (uint64_t)now : 0;
}

int port_zephyr_sntp_sync(const char *server, uint32_t timeout_ms)
{
    struct sntp_time ts;
    int rc = sntp_simple(server, timeout_ms, &ts);
    if (rc < 0) {
        port_log(PORT_LOG_WARN, "sntp: %s: error %d; the wall clock stays unset", server, rc);
        return PORT_ERR;
    }
    /* fraction is a 32-bit binary fraction of a second */
    uint64_t ms = ts.seconds * 1000u + (((uint64_t)ts.fraction * 1000u) >> 32);
    port_zephyr_set_unix_ms(ms);
    port_log(PORT_LOG_INFO, "sntp: wall clock set from %s", server);
    return PORT_OK;
}

/* The clock before SNTP reads as 1970-01-01 plus uptime, still valid RFC 3339. */
int port_time_rfc3339(char *buf, size_t cap)
{
    uint64_t ms = port_time_unix_ms();
    return port_format_rfc3339(ms != 0 ? ms : port_time_monotonic_ms(), buf, cap);
}

void port_sleep_ms(uint32_t ms)
{
    (void)k_msleep(ms > (uint32_t)INT32_MAX ? INT32_MAX : (int32_t)ms);
}

/* ---- wake: an eventfd, so port_mqtt_poll's zsock_poll returns at once ---- */

static K_MUTEX_DEFINE(g_wake_lock);
static int g_wake_fd = -1;

int port_zephyr_wake_fd(void)
{
    (void)k_mutex_lock(&g_wake_lock, K_FOREVER);
    if (g_wake_fd < 0) {
        g_wake_fd = zvfs_eventfd(0, ZVFS_EFD_NONBLOCK);
        if (g_wake_fd < 0) {
            LOG_ERR("eventfd: cannot create (errno %d)", errno);
        }
    }
    int fd = g_wake_fd;
    (void)k_mutex_unlock(&g_wake_lock);
    return fd;
}

void port_wake(void)
{
    int fd = port_zephyr_wake_fd();
    if (fd >= 0) {
        (void)zvfs_eventfd_write(fd, 1);
    }
}

bool port_zephyr_take_wake(void)
{
    int fd = port_zephyr_wake_fd();
    zvfs_eventfd_t value = 0;
    return fd >= 0 && zvfs_eventfd_read(fd, &value) == 0 && value != 0;
}

/* ---- threads: a fixed pool of CONFIG_PROPLET_MAX_CONCURRENT_TASKS static stacks ---- */

#define POOL_THREADS CONFIG_PROPLET_MAX_CONCURRENT_TASKS
#define POOL_STACK_BYTES CONFIG_PROPLET_TASK_STACK_BYTES

K_THREAD_STACK_ARRAY_DEFINE(g_stacks, POOL_THREADS, POOL_STACK_BYTES);

struct port_thread {
    struct k_thread thread;
    bool used;
    port_thread_fn fn;
    void *arg;
};

static struct port_thread g_threads[POOL_THREADS];
static K_MUTEX_DEFINE(g_pool_lock);

static void thread_entry(void *p1, void *p2, void *p3)
{
    ARG_UNUSED(p2);
    ARG_UNUSED(p3);
    struct port_thread *t = p1;
    t->fn(t->arg);
}

int port_thread_create(port_thread **out, const char *name, size_t stack_bytes, port_thread_fn fn, void *arg)
{
    if (out == NULL || fn == NULL) {
        return PORT_ERR_INVAL;
    }
    *out = NULL;
    /* Against the configured size: K_THREAD_STACK_SIZEOF may report a little less where the arch reserves room. */
    if (stack_bytes > (size_t)POOL_STACK_BYTES) {
        port_log(PORT_LOG_ERROR, "port: a %zu-byte stack was asked for; the pool's stacks are %zu bytes "
                 "(CONFIG_PROPLET_TASK_STACK_BYTES)", stack_bytes, (size_t)POOL_STACK_BYTES);
        return PORT_ERR_INVAL;
    }
    (void)k_mutex_lock(&g_pool_lock, K_FOREVER);
    size_t i = 0;
    while (i < POOL_THREADS && g_threads[i].used) {
        i++;
    }
    if (i == POOL_THREADS) {
        (void)k_mutex_unlock(&g_pool_lock);
        return PORT_ERR_NOMEM;
    }
    struct port_thread *t = &g_threads[i];
    t->used = true;
    t->fn = fn;
    t->arg = arg;
    (void)k_mutex_unlock(&g_pool_lock);

    k_tid_t tid = k_thread_create(&t->thread, g_stacks[i], K_THREAD_STACK_SIZEOF(g_stacks[i]), thread_entry, t, NULL,
                                  NULL, CONFIG_PROPLET_TASK_PRIORITY, 0, K_NO_WAIT);
    if (IS_ENABLED(CONFIG_THREAD_NAME) && name != NULL) {
        (void)k_thread_name_set(tid, name);
    }
    *out = t;
    return PORT_OK;
}

int port_thread_join(port_thread *thread)
{
    if (thread == NULL) {
        return PORT_ERR_INVAL;
    }
    int rc = k_thread_join(&thread->thread, K_FOREVER);
    (void)k_mutex_lock(&g_pool_lock, K_FOREVER);
    thread->used = false;
    (void)k_mutex_unlock(&g_pool_lock);
    return rc == 0 ? PORT_OK : PORT_ERR;
}

/* ---- mutex ---- */

struct port_mutex {
    struct k_mutex m;
};

int port_mutex_create(port_mutex **out)
{
    if (out == NULL) {
        return PORT_ERR_INVAL;
    }
    port_mutex *m = malloc(sizeof *m);
    if (m == NULL) {
        return PORT_ERR_NOMEM;
    }
    (void)k_mutex_init(&m->m);
    *out = m;
    return PORT_OK;
}

void port_mutex_lock(port_mutex *mutex)
{
    (void)k_mutex_lock(&mutex->m, K_FOREVER);
}

void port_mutex_unlock(port_mutex *mutex)
{
    (void)k_mutex_unlock(&mutex->m);
}

void port_mutex_destroy(port_mutex *mutex)
{
    free(mutex); /* a Zephyr mutex needs no teardown */
}

/* ---- queue: k_msgq over a malloc'ed ring, never blocking ---- */

struct port_queue {
    struct k_msgq q;
    char *ring;
};

int port_queue_create(port_queue **out, size_t item_size, size_t capacity)
{
    if (out == NULL || item_size == 0 || capacity == 0 || capacity > SIZE_MAX / item_size ||
        item_size > UINT32_MAX || capacity > UINT32_MAX) {
        return PORT_ERR_INVAL;
    }
    port_queue *q = malloc(sizeof *q);
    char *ring = malloc(item_size * capacity);
    if (q == NULL || ring == NULL) {
        free(q);
        free(ring);
        return PORT_ERR_NOMEM;
    }
    q->ring = ring;
    k_msgq_init(&q->q, ring, item_size, (uint32_t)capacity);
    (void)port_zephyr_wake_fd(); /* so the first post from a worker finds the eventfd ready */
    *out = q;
    return PORT_OK;
}

int port_queue_post(port_queue *queue, const void *item)
{
    if (queue == NULL || item == NULL) {
        return PORT_ERR_INVAL;
    }
    if (k_msgq_put(&queue->q, item, K_NO_WAIT) != 0) {
        return PORT_ERR_FULL;
    }
    port_wake();
    return PORT_OK;
}

int port_queue_try_get(port_queue *queue, void *out)
{
    if (queue == NULL || out == NULL) {
        return PORT_ERR_INVAL;
    }
    return k_msgq_get(&queue->q, out, K_NO_WAIT) == 0 ? PORT_OK : PORT_ERR_EMPTY;
}

size_t port_queue_count(port_queue *queue)
{
    return queue == NULL ? 0 : (size_t)k_msgq_num_used_get(&queue->q);
}

void port_queue_destroy(port_queue *queue)
{
    if (queue != NULL) {
        k_msgq_purge(&queue->q);
        free(queue->ring);
        free(queue);
    }
}
