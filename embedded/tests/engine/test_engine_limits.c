/* Limits: a spinning call stopped from another thread, the wall-clock limit, the memory cap (failing only that
 * instance) and the instance count. */
#include "engine_test_util.h"

#include <pthread.h>
#include <stdatomic.h>

static const char k_spin[] =
    "(module (func (export \"spin\") (result i32) (loop $l (br $l)) (i32.const 0))"
    "        (func (export \"add\") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))";

/* grow(n): grows the memory by n pages and traps when that is refused; returns the new size in pages. */
static const char k_grow[] =
    "(module (memory (export \"memory\") 1)\n"
    "  (func (export \"grow\") (param i32) (result i32)\n"
    "    (if (i32.eq (memory.grow (local.get 0)) (i32.const -1)) (then unreachable))\n"
    "    (memory.size))\n"
    "  (func (export \"add\") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))";

struct spin_call {
    engine_instance *inst;
    atomic_bool started;
    engine_status status;
    char err[256];
    char result[64];
};

static void *spin_thread(void *arg)
{
    struct spin_call *c = arg;
    atomic_store(&c->started, true);
    c->status = engine_call(c->inst, "spin", NULL, 0, c->result, sizeof c->result, c->err, sizeof c->err);
    return NULL;
}

static atomic_bool g_ticking;

static void *ticker(void *arg)
{
    (void)arg;
    while (atomic_load(&g_ticking)) {
        engine_tick();
        sleep_ms(10);
    }
    return NULL;
}

static void test_stop(engine_module *spin)
{
    char err[256] = "";
    struct spin_call c;
    memset(&c, 0, sizeof c);
    c.inst = engine_instantiate(spin, NULL, NULL, err, sizeof err);
    REQUIRE(c.inst != NULL);
    pthread_t thread;
    REQUIRE(pthread_create(&thread, NULL, spin_thread, &c) == 0);
    while (!atomic_load(&c.started)) {
        sleep_ms(1);
    }
    sleep_ms(200); /* well inside the loop by now */
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    engine_request_stop(c.inst);
    pthread_join(thread, NULL);
    double ms = elapsed_ms(&start);
    printf("stop: spinning call returned %.2f ms after engine_request_stop\n", ms);
    CHECK(ms < 1000.0);
    CHECK_INT(ENGINE_ERR_STOPPED, c.status);
    CHECK_STR(ENGINE_STOPPED_TEXT, c.err);
    /* The stop is sticky: the next call on that instance is refused at once. */
    CHECK_INT(ENGINE_ERR_STOPPED, engine_call(c.inst, "spin", NULL, 0, c.result, sizeof c.result, c.err,
                                              sizeof c.err));
    engine_destroy_instance(c.inst);

    /* A stop of one instance leaves another one working. */
    engine_instance *other = engine_instantiate(spin, NULL, NULL, err, sizeof err);
    REQUIRE(other != NULL);
    const char *const args[] = {"1", "2"};
    char result[32];
    CHECK_INT(ENGINE_OK, engine_call(other, "add", args, 2, result, sizeof result, err, sizeof err));
    CHECK_STR("3", result);
    engine_destroy_instance(other);
}

static void test_timeout(engine_module *spin)
{
    char err[256] = "";
    char result[32] = "";
    engine_limits limits = {.max_memory_bytes = 0, .timeout_ms = 150};
    engine_instance *inst = engine_instantiate(spin, &limits, NULL, err, sizeof err);
    REQUIRE(inst != NULL);
    atomic_store(&g_ticking, true);
    pthread_t tick;
    REQUIRE(pthread_create(&tick, NULL, ticker, NULL) == 0);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    engine_status status = engine_call(inst, "spin", NULL, 0, result, sizeof result, err, sizeof err);
    double ms = elapsed_ms(&start);
    atomic_store(&g_ticking, false);
    pthread_join(tick, NULL);
    printf("timeout: 150 ms limit ended the call after %.2f ms\n", ms);
    CHECK_INT(ENGINE_ERR_TIMEOUT, status);
    CHECK_STR("task exceeded its time limit of 150 ms", err);
    CHECK(ms >= 150.0 && ms < 1000.0);

    /* Within its limit the same instance still answers. */
    const char *const args[] = {"4", "5"};
    CHECK_INT(ENGINE_OK, engine_call(inst, "add", args, 2, result, sizeof result, err, sizeof err));
    CHECK_STR("9", result);
    engine_destroy_instance(inst);
}

static void test_memory(void)
{
    engine_module *grow = load_wat(k_grow);
    char err[512] = "";
    char result[32] = "";
    engine_instance *inst = engine_instantiate(grow, NULL, NULL, err, sizeof err);
    REQUIRE(inst != NULL);
    engine_memory_stats stats;
    CHECK_INT(ENGINE_OK, engine_memory_stats_get(inst, &stats));
    CHECK_INT(65536, stats.linear_bytes);
    CHECK_INT(65536, stats.max_linear_bytes);

    const char *const one[] = {"1"};
    CHECK_INT(ENGINE_ERR_MEMORY, engine_call(inst, "grow", one, 1, result, sizeof result, err, sizeof err));
    CHECK_CONTAINS("task exceeded its memory limit of 65536 bytes: Failed to call function 'grow': ", err);
    CHECK_INT(ENGINE_OK, engine_memory_stats_get(inst, &stats));
    CHECK_INT(65536, stats.linear_bytes);
    engine_destroy_instance(inst);

    /* Only that instance failed: a fresh one, and one with a larger cap, work. */
    inst = engine_instantiate(grow, NULL, NULL, err, sizeof err);
    REQUIRE(inst != NULL);
    const char *const args[] = {"10", "20"};
    CHECK_INT(ENGINE_OK, engine_call(inst, "add", args, 2, result, sizeof result, err, sizeof err));
    CHECK_STR("30", result);
    engine_destroy_instance(inst);

    engine_limits roomy = {.max_memory_bytes = 4 * 65536, .timeout_ms = 0};
    inst = engine_instantiate(grow, &roomy, NULL, err, sizeof err);
    REQUIRE(inst != NULL);
    const char *const two[] = {"2"};
    CHECK_INT(ENGINE_OK, engine_call(inst, "grow", two, 1, result, sizeof result, err, sizeof err));
    CHECK_STR("3", result);
    CHECK_INT(ENGINE_OK, engine_memory_stats_get(inst, &stats));
    CHECK_INT(3 * 65536, stats.linear_bytes);
    engine_destroy_instance(inst);
    engine_unload(grow);
}

static void test_instance_limit(engine_module *spin)
{
    char err[256] = "";
    engine_instance *live[4];
    for (size_t i = 0; i < 4; i++) {
        live[i] = engine_instantiate(spin, NULL, NULL, err, sizeof err);
        REQUIRE(live[i] != NULL);
    }
    CHECK(engine_instantiate(spin, NULL, NULL, err, sizeof err) == NULL);
    CHECK_CONTAINS("the limit of 4 concurrent instances is reached", err);
    engine_destroy_instance(live[0]);
    live[0] = engine_instantiate(spin, NULL, NULL, err, sizeof err);
    CHECK(live[0] != NULL);
    for (size_t i = 0; i < 4; i++) {
        engine_destroy_instance(live[i]);
    }
}

int main(void)
{
    engine_config config = {.max_memory_bytes = 0, .wasm_stack_bytes = 0, .max_instances = 4};
    REQUIRE(engine_init(&config) == ENGINE_OK);
    engine_module *spin = load_wat(k_spin);
    test_stop(spin);
    test_timeout(spin);
    test_memory();
    test_instance_limit(spin);
    engine_unload(spin);
    engine_shutdown();
    return check_done("test_engine_limits");
}
