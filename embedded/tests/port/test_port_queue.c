/* Queue: 8 producer threads x 1000 items drained by the main thread exactly once each; full/empty behaviour;
 * mutex. (The wake-up of port_mqtt_poll is tested in test_port_mqtt.) */
#include "port.h"
#include "test_util.h"

#define PRODUCERS 8
#define PER_PRODUCER 1000

typedef struct {
    uint32_t producer;
    uint32_t seq;
    uint64_t pad; /* items are fixed-size blobs, not just words */
} item;

typedef struct {
    port_queue *q;
    uint32_t id;
    unsigned full_retries;
} producer_arg;

static void producer(void *p)
{
    producer_arg *a = p;
    for (uint32_t i = 0; i < PER_PRODUCER; i++) {
        item it = {a->id, i, (uint64_t)a->id * 1000003U + i};
        while (port_queue_post(a->q, &it) == PORT_ERR_FULL) {
            a->full_retries++;
            port_sleep_ms(0);
        }
    }
}

static void test_threads_drained_exactly_once(void)
{
    port_queue *q = NULL;
    REQUIRE(port_queue_create(&q, sizeof(item), 64) == PORT_OK); /* small: producers hit "full" */
    static unsigned char seen[PRODUCERS][PER_PRODUCER];
    uint32_t last_seq[PRODUCERS];
    memset(seen, 0, sizeof seen);
    for (int i = 0; i < PRODUCERS; i++) {
        last_seq[i] = UINT32_MAX;
    }
    port_thread *threads[PRODUCERS];
    producer_arg args[PRODUCERS];
    for (uint32_t i = 0; i < PRODUCERS; i++) {
        args[i] = (producer_arg){q, i, 0};
        REQUIRE(port_thread_create(&threads[i], "producer", 64 * 1024, producer, &args[i]) == PORT_OK);
    }
    unsigned total = 0;
    unsigned duplicates = 0;
    unsigned out_of_order = 0;
    unsigned corrupt = 0;
    uint64_t deadline = port_time_monotonic_ms() + 30000;
    while (total < PRODUCERS * PER_PRODUCER && port_time_monotonic_ms() < deadline) {
        item it;
        int rc = port_queue_try_get(q, &it);
        if (rc == PORT_ERR_EMPTY) {
            port_sleep_ms(0);
            continue;
        }
        REQUIRE(rc == PORT_OK);
        if (it.producer >= PRODUCERS || it.seq >= PER_PRODUCER ||
            it.pad != (uint64_t)it.producer * 1000003U + it.seq) {
            corrupt++;
            continue;
        }
        if (seen[it.producer][it.seq]++ != 0) {
            duplicates++;
        }
        /* one producer's items come out in its posting order */
        if (last_seq[it.producer] != UINT32_MAX && it.seq <= last_seq[it.producer]) {
            out_of_order++;
        }
        last_seq[it.producer] = it.seq;
        total++;
    }
    for (int i = 0; i < PRODUCERS; i++) {
        CHECK_INT(PORT_OK, port_thread_join(threads[i]));
    }
    CHECK_INT(PRODUCERS * PER_PRODUCER, total);
    CHECK_INT(0, duplicates);
    CHECK_INT(0, out_of_order);
    CHECK_INT(0, corrupt);
    unsigned missing = 0;
    for (int p = 0; p < PRODUCERS; p++) {
        for (int s = 0; s < PER_PRODUCER; s++) {
            missing += seen[p][s] == 0 ? 1U : 0U;
        }
    }
    CHECK_INT(0, missing);
    item extra;
    CHECK_INT(PORT_ERR_EMPTY, port_queue_try_get(q, &extra));
    CHECK_INT(0, port_queue_count(q));
    port_queue_destroy(q);
}

static void test_full_and_empty(void)
{
    port_queue *q = NULL;
    REQUIRE(port_queue_create(&q, sizeof(int), 3) == PORT_OK);
    int v = 0;
    CHECK_INT(PORT_ERR_EMPTY, port_queue_try_get(q, &v));
    for (int i = 1; i <= 3; i++) {
        CHECK_INT(PORT_OK, port_queue_post(q, &i));
    }
    int four = 4;
    CHECK_INT(PORT_ERR_FULL, port_queue_post(q, &four));
    CHECK_INT(3, port_queue_count(q));
    CHECK_INT(PORT_OK, port_queue_try_get(q, &v));
    CHECK_INT(1, v);
    CHECK_INT(PORT_OK, port_queue_post(q, &four)); /* wraps around the ring */
    for (int want = 2; want <= 4; want++) {
        CHECK_INT(PORT_OK, port_queue_try_get(q, &v));
        CHECK_INT(want, v);
    }
    CHECK_INT(PORT_ERR_EMPTY, port_queue_try_get(q, &v));
    CHECK_INT(PORT_ERR_INVAL, port_queue_post(NULL, &v));
    port_queue *bad = NULL;
    CHECK_INT(PORT_ERR_INVAL, port_queue_create(&bad, 0, 4));
    CHECK_INT(PORT_ERR_INVAL, port_queue_create(&bad, 4, 0));
    CHECK_INT(PORT_ERR_INVAL, port_queue_create(&bad, SIZE_MAX / 2, 4));
    port_queue_destroy(q);
}

typedef struct {
    port_mutex *m;
    long counter;
} counter_arg;

static void incrementer(void *p)
{
    counter_arg *a = p;
    for (int i = 0; i < 100000; i++) {
        port_mutex_lock(a->m);
        a->counter++;
        port_mutex_unlock(a->m);
    }
}

static void test_mutex(void)
{
    counter_arg a = {NULL, 0};
    REQUIRE(port_mutex_create(&a.m) == PORT_OK);
    port_thread *t[4];
    for (int i = 0; i < 4; i++) {
        REQUIRE(port_thread_create(&t[i], "inc", 0, incrementer, &a) == PORT_OK);
    }
    for (int i = 0; i < 4; i++) {
        CHECK_INT(PORT_OK, port_thread_join(t[i]));
    }
    CHECK_INT(400000, a.counter);
    port_mutex_destroy(a.m);
}

int main(void)
{
    test_threads_drained_exactly_once();
    test_full_and_empty();
    test_mutex();
    return check_done("port_queue");
}
