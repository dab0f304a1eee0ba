/* engine_memory_stats_get from another thread while the guest grows its memory on its worker thread, the way the
 * proplet's main loop samples a running task:
 *   - right after instantiation it reports the initial size;
 *   - it never reads the store: while nobody ticks, a grown memory still reads as the size recorded before the call;
 *   - after a tick, the size the guest has reached is seen while the call still runs (the guest's env.log calls are
 *     the handshake: one bumps the epoch, the next waits until the reader thread has seen the new size);
 *   - the values only grow, in whole pages, up to the cap; the cap is reported.
 * Run under the ASan build as well (PROPLET_SANITIZE). */
#include "engine_test_util.h"

#include <pthread.h>
#include <stdatomic.h>

#define PAGE 65536
#define MAX_PAGES 8

static const char k_grow[] =
    "(module (import \"env\" \"log\" (func $log (param i32 i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (data (i32.const 0) \"btc\")\n"
    "  (func $spin (local $i i32)\n"
    "    (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "             (br_if $l (i32.lt_u (local.get $i) (i32.const 1000)))))\n"
    "  (func (export \"grow\")\n"
    "    (drop (memory.grow (i32.const 1)))\n"
    "    (call $spin)\n"
    "    (call $log (i32.const 0) (i32.const 1))\n" /* b: grown to 2 pages, nobody ticked */
    "    (block $full (loop $page\n"
    "      (br_if $full (i32.ge_u (memory.size) (i32.const 8)))\n"
    "      (drop (memory.grow (i32.const 1)))\n"
    "      (call $log (i32.const 1) (i32.const 1))\n" /* t: tick */
    "      (call $spin)\n"
    "      (call $log (i32.const 2) (i32.const 1))\n" /* c: the reader must have seen the new size */
    "      (br $page)))\n"
    "    (loop $forever (br $forever))))\n";

static struct {
    engine_instance *inst;
    atomic_bool done;
    atomic_size_t last;
    atomic_int bad;      /* values that were not whole pages, over the cap, or smaller than the one before */
    atomic_int distinct; /* different values seen */
    atomic_long reads;
} g_reader;

static struct {
    atomic_bool untouched_checked; /* "b" came: the main thread may tick from now on */
    atomic_int failures;
    atomic_int pages; /* pages the guest has reached, by its "c" calls */
} g_guest;

static void *run_reader(void *arg)
{
    (void)arg;
    size_t prev = 0;
    while (!atomic_load(&g_reader.done)) {
        engine_memory_stats st;
        if (engine_memory_stats_get(g_reader.inst, &st) != ENGINE_OK) {
            atomic_fetch_add(&g_reader.bad, 1);
            continue;
        }
        if (st.linear_bytes % PAGE != 0 || st.linear_bytes > st.max_linear_bytes || st.linear_bytes < prev ||
            st.max_linear_bytes != (size_t)MAX_PAGES * PAGE) {
            atomic_fetch_add(&g_reader.bad, 1);
        }
        if (st.linear_bytes != prev) {
            atomic_fetch_add(&g_reader.distinct, 1);
            prev = st.linear_bytes;
            atomic_store(&g_reader.last, prev);
        }
        atomic_fetch_add(&g_reader.reads, 1);
    }
    return NULL;
}

/* env.log on the guest's thread. */
static void on_log(void *user, const char *message, size_t len)
{
    (void)user;
    if (len != 1) {
        atomic_fetch_add(&g_guest.failures, 1);
        return;
    }
    if (message[0] == 'b') {
        engine_memory_stats st;
        sleep_ms(50); /* the reader keeps reading meanwhile */
        if (engine_memory_stats_get(g_reader.inst, &st) != ENGINE_OK || st.linear_bytes != PAGE ||
            atomic_load(&g_reader.last) != PAGE) {
            fprintf(stderr, "%s:%d: grown to 2 pages without a tick: expected %d, got %zu (reader %zu)\n", __FILE__,
                    __LINE__, PAGE, st.linear_bytes, atomic_load(&g_reader.last));
            atomic_fetch_add(&g_guest.failures, 1);
        }
        atomic_store(&g_guest.pages, 2);
        atomic_store(&g_guest.untouched_checked, true);
    } else if (message[0] == 't') {
        engine_tick(); /* recorded at the guest's next loop header, in $spin */
    } else if (message[0] == 'c') {
        int pages = atomic_fetch_add(&g_guest.pages, 1) + 1;
        struct timespec start;
        clock_gettime(CLOCK_MONOTONIC, &start);
        while (atomic_load(&g_reader.last) != (size_t)pages * PAGE && elapsed_ms(&start) < 5000) {
            sleep_ms(1);
        }
        if (atomic_load(&g_reader.last) != (size_t)pages * PAGE) {
            fprintf(stderr, "%s:%d: the reader did not see %d pages while the call ran (last %zu)\n", __FILE__,
                    __LINE__, pages, atomic_load(&g_reader.last));
            atomic_fetch_add(&g_guest.failures, 1);
        }
    } else {
        atomic_fetch_add(&g_guest.failures, 1);
    }
}

struct worker {
    engine_instance *inst;
    engine_status status;
    char err[256];
};

static void *run_worker(void *arg)
{
    struct worker *w = arg;
    char result[32];
    w->status = engine_call(w->inst, "grow", NULL, 0, result, sizeof result, w->err, sizeof w->err);
    return NULL;
}

int main(void)
{
    REQUIRE(engine_init(NULL) == ENGINE_OK);
    engine_module *module = load_wat(k_grow);
    engine_limits limits = {.max_memory_bytes = MAX_PAGES * PAGE, .timeout_ms = 0};
    engine_host host = {.log = on_log};
    char err[256] = "";
    engine_instance *inst = engine_instantiate(module, &limits, &host, err, sizeof err);
    REQUIRE(inst != NULL);

    engine_memory_stats st;
    CHECK_INT(ENGINE_ERR_ARGUMENT, engine_memory_stats_get(NULL, &st));
    CHECK_INT(ENGINE_ERR_ARGUMENT, engine_memory_stats_get(inst, NULL));
    CHECK_INT(ENGINE_OK, engine_memory_stats_get(inst, &st));
    CHECK_INT(PAGE, st.linear_bytes); /* read right after instantiation */
    CHECK_INT(MAX_PAGES * PAGE, st.max_linear_bytes);

    g_reader.inst = inst;
    atomic_store(&g_reader.last, (size_t)PAGE);
    pthread_t reader;
    REQUIRE(pthread_create(&reader, NULL, run_reader, NULL) == 0);
    struct worker w = {.inst = inst};
    pthread_t thread;
    REQUIRE(pthread_create(&thread, NULL, run_worker, &w) == 0);

    /* no tick until the guest has checked the untouched value; then every 5 ms, as the proplet's loop does */
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while (!atomic_load(&g_guest.untouched_checked) && elapsed_ms(&start) < 10000) {
        sleep_ms(1);
    }
    CHECK(atomic_load(&g_guest.untouched_checked));
    while (atomic_load(&g_guest.pages) < MAX_PAGES && elapsed_ms(&start) < 20000) {
        engine_tick();
        sleep_ms(5);
    }
    CHECK_INT(MAX_PAGES, atomic_load(&g_guest.pages));
    for (int i = 0; i < 10; i++) { /* the guest spins at the cap */
        engine_tick();
        sleep_ms(5);
    }
    CHECK_INT((size_t)MAX_PAGES * PAGE, atomic_load(&g_reader.last));
    engine_request_stop(inst);
    REQUIRE(pthread_join(thread, NULL) == 0);
    CHECK_INT(ENGINE_ERR_STOPPED, w.status);
    atomic_store(&g_reader.done, true);
    REQUIRE(pthread_join(reader, NULL) == 0);
    CHECK_INT(0, atomic_load(&g_guest.failures));
    CHECK_INT(0, atomic_load(&g_reader.bad));
    CHECK(atomic_load(&g_reader.distinct) >= MAX_PAGES - 1); /* 1, (2,) 3 .. 8 pages */
    CHECK(atomic_load(&g_reader.reads) > 100);
    CHECK_INT(ENGINE_OK, engine_memory_stats_get(inst, &st));
    CHECK_INT(MAX_PAGES * PAGE, st.linear_bytes);
    engine_destroy_instance(inst);
    engine_unload(module);

    /* no exported memory: 0, and the engine's default cap */
    module = load_wat("(module (func (export \"f\") (result i32) (i32.const 1)))");
    inst = engine_instantiate(module, NULL, NULL, err, sizeof err);
    REQUIRE(inst != NULL);
    CHECK_INT(ENGINE_OK, engine_memory_stats_get(inst, &st));
    CHECK_INT(0, st.linear_bytes);
    CHECK_INT(ENGINE_DEFAULT_MAX_MEMORY_BYTES, st.max_linear_bytes);
    engine_destroy_instance(inst);
    engine_unload(module);
    engine_shutdown();
    return check_done("test_engine_memory_stats");
}
