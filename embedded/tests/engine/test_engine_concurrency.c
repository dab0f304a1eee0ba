/* 24 concurrent CPU-bound instances, each on its own thread, with the target's per-instance limits (64 KiB linear
 * memory, 16 KiB wasm stack): all complete with the right results; then 24 spinning calls are all stopped within
 * 1 s. Prints the per-instance memory figures used for the ESP32-S3 budget in docs/embedded.md. */
#include "engine_test_util.h"

#include <pthread.h>
#include <stdatomic.h>

#define INSTANCES 24

/* work(n): h = h*31 + i for i in [0, n), kept in memory word 0 as it runs (so the page is touched); returns h. */
static const char k_work[] =
    "(module (memory (export \"memory\") 1 1)\n"
    "  (func (export \"work\") (param $n i32) (result i64) (local $i i32) (local $h i64)\n"
    "    (block $done (loop $l\n"
    "      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))\n"
    "      (local.set $h (i64.add (i64.mul (local.get $h) (i64.const 31)) (i64.extend_i32_u (local.get $i))))\n"
    "      (i64.store (i32.and (i32.mul (local.get $i) (i32.const 8)) (i32.const 65535)) (local.get $h))\n"
    "      (local.set $i (i32.add (local.get $i) (i32.const 1)))\n"
    "      (br $l)))\n"
    "    (local.get $h))\n"
    "  (func (export \"spin\") (result i32) (loop $l (br $l)) (i32.const 0)))\n";

struct worker {
    engine_instance *inst;
    const char *fn;
    char input[16];
    atomic_bool started;
    engine_status status;
    char result[64];
    char err[256];
};

static void *run_worker(void *arg)
{
    struct worker *w = arg;
    const char *const inputs[] = {w->input};
    size_t n = w->input[0] != '\0' ? 1 : 0;
    atomic_store(&w->started, true);
    w->status = engine_call(w->inst, w->fn, inputs, n, w->result, sizeof w->result, w->err, sizeof w->err);
    return NULL;
}

static int64_t expected_work(uint32_t n)
{
    uint64_t h = 0;
    for (uint32_t i = 0; i < n; i++) {
        h = h * 31u + i;
    }
    return (int64_t)h;
}

int main(void)
{
    engine_config config = {.max_memory_bytes = 64 * 1024, .wasm_stack_bytes = 16 * 1024, .max_instances = INSTANCES};
    REQUIRE(engine_init(&config) == ENGINE_OK);
    engine_module *module = load_wat(k_work);

    static struct worker workers[INSTANCES];
    pthread_t threads[INSTANCES];
    char err[256] = "";

    long rss_before = rss_kib();
    for (int i = 0; i < INSTANCES; i++) {
        workers[i].inst = engine_instantiate(module, NULL, NULL, err, sizeof err);
        if (workers[i].inst == NULL) {
            fprintf(stderr, "instance %d: %s\n", i, err);
            exit(1);
        }
    }
    long rss_instances = rss_kib();
    /* The 25th is refused: max_instances is 24. */
    CHECK(engine_instantiate(module, NULL, NULL, err, sizeof err) == NULL);

    /* Touch every instance's whole linear memory from this thread (8192 stores of 8 bytes = 64 KiB). */
    for (int i = 0; i < INSTANCES; i++) {
        const char *const touch[] = {"8192"};
        char result[64];
        CHECK_INT(ENGINE_OK, engine_call(workers[i].inst, "work", touch, 1, result, sizeof result, err, sizeof err));
    }
    long rss_touched = rss_kib();

    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 0; i < INSTANCES; i++) {
        workers[i].fn = "work";
        snprintf(workers[i].input, sizeof workers[i].input, "%d", 20000000 + i * 100000);
        REQUIRE(pthread_create(&threads[i], NULL, run_worker, &workers[i]) == 0);
    }
    for (int i = 0; i < INSTANCES; i++) {
        pthread_join(threads[i], NULL);
    }
    double work_ms = elapsed_ms(&start);
    long rss_after_work = rss_kib();
    for (int i = 0; i < INSTANCES; i++) {
        char expected[32];
        snprintf(expected, sizeof expected, "%lld", (long long)expected_work((uint32_t)(20000000 + i * 100000)));
        if (workers[i].status != ENGINE_OK || strcmp(workers[i].result, expected) != 0) {
            fprintf(stderr, "%s:%d: instance %d: expected \"%s\", got status %d \"%s\" err \"%s\"\n", __FILE__,
                    __LINE__, i, expected, (int)workers[i].status, workers[i].result, workers[i].err);
            check_failures++;
        }
    }
    printf("concurrency: %d CPU-bound calls (20M+ iterations each) finished in %.1f ms\n", INSTANCES, work_ms);

    engine_memory_stats stats;
    CHECK_INT(ENGINE_OK, engine_memory_stats_get(workers[0].inst, &stats));
    CHECK_INT(65536, stats.linear_bytes);
    CHECK_INT(65536, stats.max_linear_bytes);
    printf("memory: linear memory per instance %zu bytes (cap %zu), wasm stack per call %u bytes\n",
           stats.linear_bytes, stats.max_linear_bytes, config.wasm_stack_bytes);
    printf("memory: process RSS %ld KiB before, %ld KiB with %d instances, %ld KiB with their linear memory "
           "touched, %ld KiB after %d concurrent calls on %d threads\n",
           rss_before, rss_instances, INSTANCES, rss_touched, rss_after_work, INSTANCES, INSTANCES);
    printf("memory: RSS delta per instance: %.1f KiB instantiated (store + instance, linear memory not yet touched),"
           " %.1f KiB with its 64 KiB linear memory touched, %.1f KiB after running on its own thread (adds the"
           " thread's touched native stack and Wasmtime's per-thread state)\n",
           (double)(rss_instances - rss_before) / INSTANCES, (double)(rss_touched - rss_before) / INSTANCES,
           (double)(rss_after_work - rss_before) / INSTANCES);

    /* Now 24 spinning calls, all stopped at once. */
    for (int i = 0; i < INSTANCES; i++) {
        workers[i].fn = "spin";
        workers[i].input[0] = '\0';
        atomic_store(&workers[i].started, false);
        REQUIRE(pthread_create(&threads[i], NULL, run_worker, &workers[i]) == 0);
    }
    for (int i = 0; i < INSTANCES; i++) {
        while (!atomic_load(&workers[i].started)) {
            sleep_ms(1);
        }
    }
    sleep_ms(300);
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 0; i < INSTANCES; i++) {
        engine_request_stop(workers[i].inst);
    }
    for (int i = 0; i < INSTANCES; i++) {
        pthread_join(threads[i], NULL);
    }
    double stop_ms = elapsed_ms(&start);
    printf("concurrency: %d spinning calls all returned %.2f ms after the stop requests\n", INSTANCES, stop_ms);
    CHECK(stop_ms < 1000.0);
    for (int i = 0; i < INSTANCES; i++) {
        if (workers[i].status != ENGINE_ERR_STOPPED) {
            fprintf(stderr, "%s:%d: instance %d: expected ENGINE_ERR_STOPPED, got %d (%s)\n", __FILE__, __LINE__, i,
                    (int)workers[i].status, workers[i].err);
            check_failures++;
        }
        engine_destroy_instance(workers[i].inst);
    }
    engine_unload(module);
    engine_shutdown();
    return check_done("test_engine_concurrency");
}
