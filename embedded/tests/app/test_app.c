/* Integration tests of propeller-proplet-c: a real mosquitto on a free loopback port, the proplet as a child
 * process configured through PROPLET_* variables, and a libmosquitto test client that plays the manager and the
 * proxy. One case per run: test_app <case>. */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <mosquitto.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base64.h"
#include "json.h"
#include "sha256.h"
#include "test_util.h"
#include "wasmtime_capi.h"

#define TENANT "tenant-1"
#define CHANNEL "chan-1"
#define PREFIX "m/" TENANT "/c/" CHANNEL "/"
#define PID_MAIN "proplet-c-1"

extern char **environ;

/* ---- time ---- */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- the test client: records every message under PREFIX ---- */

#define MAX_MSGS 8192
#define KEEP_BYTES 8192

typedef struct {
    char topic[256];
    char *payload; /* first KEEP_BYTES bytes, NUL-terminated */
    size_t len;
    double at_ms;
} rec_msg;

static rec_msg g_msgs[MAX_MSGS];
static int g_nmsgs;
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static struct mosquitto *g_client;
static volatile int g_subscribed;

static void on_client_message(struct mosquitto *m, void *ud, const struct mosquitto_message *msg)
{
    (void)m;
    (void)ud;
    pthread_mutex_lock(&g_mu);
    if (g_nmsgs < MAX_MSGS) {
        rec_msg *r = &g_msgs[g_nmsgs];
        snprintf(r->topic, sizeof r->topic, "%s", msg->topic);
        size_t n = (size_t)msg->payloadlen < KEEP_BYTES ? (size_t)msg->payloadlen : KEEP_BYTES;
        r->payload = malloc(n + 1);
        REQUIRE(r->payload != NULL);
        if (n > 0) {
            memcpy(r->payload, msg->payload, n);
        }
        r->payload[n] = '\0';
        r->len = (size_t)msg->payloadlen;
        r->at_ms = now_ms();
        g_nmsgs++;
    }
    pthread_mutex_unlock(&g_mu);
}

static void on_client_subscribe(struct mosquitto *m, void *ud, int mid, int n, const int *q)
{
    (void)m;
    (void)ud;
    (void)mid;
    (void)n;
    (void)q;
    g_subscribed = 1;
}

static void client_start(uint16_t port)
{
    mosquitto_lib_init();
    g_client = mosquitto_new("test-manager", true, NULL);
    REQUIRE(g_client != NULL);
    mosquitto_message_callback_set(g_client, on_client_message);
    mosquitto_subscribe_callback_set(g_client, on_client_subscribe);
    REQUIRE(mosquitto_connect(g_client, "127.0.0.1", port, 30) == MOSQ_ERR_SUCCESS);
    REQUIRE(mosquitto_loop_start(g_client) == MOSQ_ERR_SUCCESS);
    REQUIRE(mosquitto_subscribe(g_client, NULL, PREFIX "#", 1) == MOSQ_ERR_SUCCESS);
    for (int i = 0; i < 200 && !g_subscribed; i++) {
        sleep_ms(10);
    }
    REQUIRE(g_subscribed);
}

static void client_stop(void)
{
    mosquitto_disconnect(g_client);
    mosquitto_loop_stop(g_client, false);
    mosquitto_destroy(g_client);
    mosquitto_lib_cleanup();
}

static void pub(const char *suffix, const void *payload, size_t len)
{
    char topic[300];
    snprintf(topic, sizeof topic, PREFIX "%s", suffix);
    int rc = mosquitto_publish(g_client, NULL, topic, (int)len, payload, 1, false);
    REQUIRE(rc == MOSQ_ERR_SUCCESS);
}

static void pub_str(const char *suffix, const char *payload)
{
    pub(suffix, payload, strlen(payload));
}

static int msg_count(void)
{
    pthread_mutex_lock(&g_mu);
    int n = g_nmsgs;
    pthread_mutex_unlock(&g_mu);
    return n;
}

/* First message at index ≥ from on PREFIX+suffix whose payload contains every needle (NULL-terminated list). */
static int find_msg_v(int from, const char *suffix, const char *const *needles)
{
    char topic[300];
    snprintf(topic, sizeof topic, PREFIX "%s", suffix);
    pthread_mutex_lock(&g_mu);
    int found = -1;
    for (int i = from; i < g_nmsgs && found < 0; i++) {
        if (strcmp(g_msgs[i].topic, topic) != 0) {
            continue;
        }
        bool all = true;
        for (size_t k = 0; needles != NULL && needles[k] != NULL; k++) {
            if (strstr(g_msgs[i].payload, needles[k]) == NULL) {
                all = false;
            }
        }
        if (all) {
            found = i;
        }
    }
    pthread_mutex_unlock(&g_mu);
    return found;
}

static int wait_msg_v(int from, const char *suffix, const char *const *needles, long timeout_ms)
{
    double end = now_ms() + (double)timeout_ms;
    for (;;) {
        int i = find_msg_v(from, suffix, needles);
        if (i >= 0 || now_ms() > end) {
            return i;
        }
        sleep_ms(10);
    }
}

#define WAIT_MSG(from, suffix, timeout, ...) wait_msg_v((from), (suffix), (const char *const[]){__VA_ARGS__, NULL}, (timeout))
#define FIND_MSG(from, suffix, ...) find_msg_v((from), (suffix), (const char *const[]){__VA_ARGS__, NULL})

static const char *payload_of(int i)
{
    pthread_mutex_lock(&g_mu);
    const char *p = g_msgs[i].payload;
    pthread_mutex_unlock(&g_mu);
    return p;
}

static double time_of(int i)
{
    pthread_mutex_lock(&g_mu);
    double t = g_msgs[i].at_ms;
    pthread_mutex_unlock(&g_mu);
    return t;
}

/* The string (or literal text of a non-string) of top-level member `key`, "(absent)" when missing. */
static void field(const char *payload, const char *key, char *out, size_t cap)
{
    json_token toks[256];
    json_doc doc;
    snprintf(out, cap, "(invalid json)");
    if (json_parse(&doc, payload, strlen(payload), toks, 256) != JSON_OK) {
        return;
    }
    int v = json_find(&doc, 0, key);
    if (v < 0) {
        snprintf(out, cap, "(absent)");
        return;
    }
    if (toks[v].type == JSON_STRING) {
        if (json_get_string(&doc, v, out, cap, NULL) != JSON_OK) {
            snprintf(out, cap, "(too long)");
        }
        return;
    }
    snprintf(out, cap, "%.*s", (int)toks[v].len, payload + toks[v].start);
}

/* Waits for the result of task_id and checks results/error/proplet_id. Returns the message index or -1. */
static int expect_result(int from, const char *task_id, const char *results, const char *error, long timeout_ms,
                         int line)
{
    char needle[128];
    snprintf(needle, sizeof needle, "\"task_id\":\"%s\"", task_id);
    int i = WAIT_MSG(from, "control/proplet/results", timeout_ms, needle);
    if (i < 0) {
        fprintf(stderr, "%s:%d: no result for task %s within %ld ms\n", __FILE__, line, task_id, timeout_ms);
        check_failures++;
        return -1;
    }
    char got[1024];
    const char *p = payload_of(i);
    field(p, "proplet_id", got, sizeof got);
    if (strcmp(got, PID_MAIN) != 0 && strncmp(task_id, "x-", 2) != 0) {
        fprintf(stderr, "%s:%d: result of %s: proplet_id expected \"%s\", got \"%s\"\n", __FILE__, line, task_id,
                PID_MAIN, got);
        check_failures++;
    }
    field(p, "results", got, sizeof got);
    if (strcmp(got, results) != 0) {
        fprintf(stderr, "%s:%d: result of %s: results expected \"%s\", got \"%s\" (%s)\n", __FILE__, line, task_id,
                results, got, p);
        check_failures++;
    }
    field(p, "error", got, sizeof got);
    bool ok = error == NULL ? strcmp(got, "null") == 0 : strstr(got, error) != NULL;
    if (!ok) {
        fprintf(stderr, "%s:%d: result of %s: error expected %s%s, got \"%s\"\n", __FILE__, line, task_id,
                error == NULL ? "null" : "to contain ", error == NULL ? "" : error, got);
        check_failures++;
    }
    return i;
}
#define EXPECT_RESULT(from, id, results, error, timeout) expect_result((from), (id), (results), (error), (timeout), __LINE__)

/* No result for task_id at index ≥ from. */
static void expect_no_result(int from, const char *task_id, int line)
{
    char needle[128];
    snprintf(needle, sizeof needle, "\"task_id\":\"%s\"", task_id);
    int i = FIND_MSG(from, "control/proplet/results", needle);
    if (i >= 0) {
        fprintf(stderr, "%s:%d: unexpected result for task %s: %s\n", __FILE__, line, task_id, payload_of(i));
        check_failures++;
    }
}
#define EXPECT_NO_RESULT(from, id) expect_no_result((from), (id), __LINE__)

/* ---- Wasm ---- */

static uint8_t *wat_to_wasm(const char *wat, size_t *len)
{
    wasm_byte_vec_t bytes;
    wasmtime_error_t *error = wasmtime_wat2wasm(wat, strlen(wat), &bytes);
    REQUIRE(error == NULL);
    uint8_t *out = malloc(bytes.size);
    REQUIRE(out != NULL);
    memcpy(out, bytes.data, bytes.size);
    *len = bytes.size;
    wasm_byte_vec_delete(&bytes);
    return out;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    REQUIRE(f != NULL);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    REQUIRE(s != NULL && fread(s, 1, (size_t)n, f) == (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

/* Base64 of bytes; with json_escape, '+' and '/' are written as System.Text.Json does ("\u002B", "\/"). */
static char *b64(const uint8_t *bytes, size_t len, bool json_escape)
{
    size_t cap = b64_encoded_len(len) + 1;
    char *plain = malloc(cap);
    size_t n = 0;
    REQUIRE(plain != NULL && b64_encode(bytes, len, plain, cap, &n) == B64_OK);
    if (!json_escape) {
        return plain;
    }
    char *esc = malloc(n * 6 + 1);
    REQUIRE(esc != NULL);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (plain[i] == '+') {
            memcpy(esc + o, "\\u002B", 6);
            o += 6;
        } else if (plain[i] == '/') {
            memcpy(esc + o, "\\/", 2);
            o += 2;
        } else {
            esc[o++] = plain[i];
        }
    }
    esc[o] = '\0';
    free(plain);
    return esc;
}

static uint8_t *g_add_wasm;
static size_t g_add_len;
static char *g_add_b64;
static char *g_spin_b64;

static void load_modules(void)
{
    char *wat = read_file(PROPLET_EXAMPLES_DIR "/add/add.wat");
    g_add_wasm = wat_to_wasm(wat, &g_add_len);
    free(wat);
    g_add_b64 = b64(g_add_wasm, g_add_len, false);
    size_t spin_len = 0;
    uint8_t *spin = wat_to_wasm("(module (func (export \"spin\") (loop (br 0))))", &spin_len);
    g_spin_b64 = b64(spin, spin_len, false);
    free(spin);
}

static void start_task(const char *suffix, const char *id, const char *name, const char *file_b64,
                       const char *inputs_json, const char *extra)
{
    size_t cap = strlen(file_b64) + 1024;
    char *msg = malloc(cap);
    REQUIRE(msg != NULL);
    snprintf(msg, cap,
             "{\"id\":\"%s\",\"name\":\"%s\",\"state\":0,\"file\":\"%s\",\"inputs\":%s,\"cli_args\":null,"
             "\"broadcast\":false,\"daemon\":false,\"latent\":false,\"encrypted\":false%s}",
             id, name, file_b64, inputs_json, extra != NULL ? extra : "");
    pub_str(suffix, msg);
    free(msg);
}

static void start_add(const char *suffix, const char *id, const char *extra)
{
    start_task(suffix, id, "add", g_add_b64, "[\"10\",\"20\"]", extra);
}

static void stop_task(const char *suffix, const char *id)
{
    char msg[256];
    snprintf(msg, sizeof msg, "{\"id\":\"%s\",\"broadcast\":false,\"proplet_id\":\"" PID_MAIN "\"}", id);
    pub_str(suffix, msg);
}

/* ---- the proplet child ---- */

typedef struct {
    int pid;
} proplet_proc;

static test_broker g_broker;

static void proplet_start(proplet_proc *p, const char *id, const char *api_key, const char *const *extra_env)
{
    static char vars[32][512];
    char *envp[512];
    size_t n = 0;
    for (char **e = environ; *e != NULL && n < 400; e++) {
        if (strncmp(*e, "PROPLET_", 8) != 0) {
            envp[n++] = *e;
        }
    }
    size_t v = 0;
    snprintf(vars[v++], 512, "PROPLET_ENTITY_ID=%s", id);
    snprintf(vars[v++], 512, "PROPLET_TENANT_ID=" TENANT);
    snprintf(vars[v++], 512, "PROPLET_CHANNEL_ID=" CHANNEL);
    snprintf(vars[v++], 512, "PROPLET_API_KEY=%s", api_key != NULL ? api_key : "");
    snprintf(vars[v++], 512, "PROPLET_MQTT_ADDRESS=tcp://127.0.0.1:%u", (unsigned)g_broker.port);
    snprintf(vars[v++], 512, "PROPLET_CONFIG_FILE=/nonexistent/proplet-test-config.toml");
    snprintf(vars[v++], 512, "PROPLET_LIVELINESS_INTERVAL=1");
    snprintf(vars[v++], 512, "PROPLET_LOG_LEVEL=info");
    for (size_t i = 0; extra_env != NULL && extra_env[i] != NULL && v < 32; i++) {
        snprintf(vars[v++], 512, "%s", extra_env[i]);
    }
    for (size_t i = 0; i < v; i++) {
        envp[n++] = vars[i];
    }
    envp[n] = NULL;
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        test_die_with_parent();
        char *argv[] = {(char *)PROPLET_BIN, NULL};
        execve(PROPLET_BIN, argv, envp);
        _exit(127);
    }
    p->pid = (int)pid;
}

/* Starts the proplet and waits for its discovery. */
static void proplet_up(proplet_proc *p, const char *id, const char *const *extra_env)
{
    int from = msg_count();
    proplet_start(p, id, NULL, extra_env);
    char needle[128];
    snprintf(needle, sizeof needle, "\"proplet_id\":\"%s\"", id);
    REQUIRE(WAIT_MSG(from, "control/proplet/create", 10000, needle) >= 0);
}

/* SIGTERM, then the exit status (-1 when it did not exit within timeout_ms; it is killed then). */
static int proplet_term(proplet_proc *p, long timeout_ms)
{
    if (p->pid <= 0) {
        return -1;
    }
    kill(p->pid, SIGTERM);
    double end = now_ms() + (double)timeout_ms;
    int status = 0;
    while (now_ms() < end) {
        if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
            p->pid = 0;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        sleep_ms(10);
    }
    kill(p->pid, SIGKILL);
    waitpid(p->pid, NULL, 0);
    p->pid = 0;
    return -1;
}

static bool proplet_alive(const proplet_proc *p)
{
    int status;
    return p->pid > 0 && waitpid(p->pid, &status, WNOHANG) == 0;
}

static void setup(void)
{
    memset(&g_broker, 0, sizeof g_broker);
    REQUIRE(test_broker_start(&g_broker, 0));
    client_start(g_broker.port);
    load_modules();
}

static void teardown(proplet_proc *p)
{
    if (p != NULL && p->pid > 0) {
        int rc = proplet_term(p, 5000);
        CHECK_INT(0, rc);
    }
    client_stop();
    test_broker_stop(&g_broker);
    test_remove_dir(g_broker.dir);
}

/* ---- cases ---- */

static void case_discovery(void)
{
    setup();
    proplet_proc p;
    int from = msg_count();
    double started = now_ms();
    proplet_up(&p, PID_MAIN, NULL);
    int d = FIND_MSG(from, "control/proplet/create", "\"proplet_id\":\"" PID_MAIN "\"");
    REQUIRE(d >= 0);
    const char *disc = payload_of(d);
    char v[256];
    field(disc, "direct_control", v, sizeof v);
    CHECK_STR("true", v);
    field(disc, "namespace", v, sizeof v);
    CHECK_STR("default", v);
    CHECK(strstr(disc, "\"environment\":\"embedded\"") != NULL);
    CHECK(strstr(disc, "\"wasm_runtime\":\"wasmtime-c\"") != NULL);
    CHECK(strstr(disc, "\"os\":\"linux\"") != NULL);
    CHECK(strstr(disc, "\"cpu_arch\":\"") != NULL);
    CHECK(strstr(disc, "\"hostname\":\"") != NULL);
    CHECK(strstr(disc, "\"total_memory_bytes\":") != NULL);
    CHECK(strstr(disc, "\"proplet_version\":\"") != NULL);
    /* a heartbeat right away */
    int h0 = WAIT_MSG(from, "control/proplet/alive", 2000, "\"status\":\"alive\"", "\"proplet_id\":\"" PID_MAIN "\"");
    CHECK(h0 >= 0);
    CHECK(time_of(d) - started < 5000);

    /* heartbeats every second */
    sleep_ms(3500);
    int beats = 0;
    double prev = -1, min_gap = 1e9, max_gap = 0;
    for (int i = h0; i >= 0 && i < msg_count(); i++) {
        int k = FIND_MSG(i, "control/proplet/alive", "\"status\":\"alive\"");
        if (k < 0) {
            break;
        }
        double t = time_of(k);
        if (prev >= 0) {
            min_gap = t - prev < min_gap ? t - prev : min_gap;
            max_gap = t - prev > max_gap ? t - prev : max_gap;
        }
        prev = t;
        beats++;
        i = k;
    }
    if (beats < 4 || min_gap < 700 || max_gap > 1400) {
        fprintf(stderr, "%s:%d: heartbeats: expected >= 4 about 1000 ms apart, got %d (gaps %.0f..%.0f ms)\n",
                __FILE__, __LINE__, beats, min_gap, max_gap);
        check_failures++;
    }

    /* a discover request: discovery and heartbeat again at once; a second one right after is debounced */
    from = msg_count();
    double asked = now_ms();
    pub_str("control/manager/discover", "{\"manager_id\":\"m1\"}");
    int d2 = WAIT_MSG(from, "control/proplet/create", 2000, "\"proplet_id\":\"" PID_MAIN "\"");
    CHECK(d2 >= 0);
    if (d2 >= 0) {
        CHECK(time_of(d2) - asked < 500);
    }
    int from2 = msg_count();
    pub_str("control/manager/discover", "{\"manager_id\":\"m1\"}");
    sleep_ms(500);
    CHECK_INT(-1, FIND_MSG(from2, "control/proplet/create", "\"proplet_id\":\"" PID_MAIN "\""));
    /* a malformed discover request is dropped */
    pub_str("control/manager/discover", "{nope");
    sleep_ms(200);
    CHECK(proplet_alive(&p));
    teardown(&p);
}

static void case_add(void)
{
    setup();
    proplet_proc p;
    proplet_up(&p, PID_MAIN, NULL);
    int from = msg_count();
    start_add("control/manager/start", "t-add-1", ",\"proplet_id\":\"" PID_MAIN "\"");
    EXPECT_RESULT(from, "t-add-1", "30", NULL, 5000);

    /* the direct topic, with .NET's escaping of '+' and '/' in the base64 */
    char *escaped = b64(g_add_wasm, g_add_len, true);
    from = msg_count();
    start_task("control/manager/start/" PID_MAIN, "t-add-2", "add", escaped, "[10, \"22\"]",
               ",\"proplet_id\":\"" PID_MAIN "\"");
    EXPECT_RESULT(from, "t-add-2", "32", NULL, 5000);
    free(escaped);

    /* broadcast and untargeted starts run; a start for another proplet is ignored */
    from = msg_count();
    start_add("control/manager/start", "t-other", ",\"proplet_id\":\"someone-else\"");
    {
        size_t cap = strlen(g_add_b64) + 256;
        char *msg = malloc(cap);
        REQUIRE(msg != NULL);
        snprintf(msg, cap,
                 "{\"id\":\"t-bcast\",\"name\":\"add\",\"file\":\"%s\",\"inputs\":[\"10\",\"20\"],"
                 "\"broadcast\":true,\"proplet_id\":\"someone-else\"}",
                 g_add_b64);
        pub_str("control/manager/start", msg);
        free(msg);
    }
    start_add("control/manager/start", "t-any", NULL);
    EXPECT_RESULT(from, "t-bcast", "30", NULL, 5000);
    EXPECT_RESULT(from, "t-any", "30", NULL, 5000);
    sleep_ms(300);
    EXPECT_NO_RESULT(from, "t-other");

    /* unbounded recursion overflows the wasm stack: that task fails alone, the worker's native stack holds */
    {
        size_t rec_len = 0;
        uint8_t *rec = wat_to_wasm("(module (func $r (export \"r\") (param i32) (result i32)"
                                   " (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))"
                                   " (else (i32.add (i32.const 1) (call $r (i32.sub (local.get 0) (i32.const 1))))))))",
                                   &rec_len);
        char *rec_b64 = b64(rec, rec_len, false);
        from = msg_count();
        start_task("control/manager/start", "t-rec-small", "r", rec_b64, "[\"100\"]", NULL);
        EXPECT_RESULT(from, "t-rec-small", "100", NULL, 5000);
        start_task("control/manager/start", "t-rec-deep", "r", rec_b64, "[\"100000000\"]", NULL);
        int rr = WAIT_MSG(from, "control/proplet/results", 5000, "\"task_id\":\"t-rec-deep\"");
        CHECK(rr >= 0);
        if (rr >= 0) {
            char v[512];
            field(payload_of(rr), "error", v, sizeof v);
            CHECK(strcmp(v, "null") != 0 && v[0] != '\0');
        }
        free(rec);
        free(rec_b64);
    }

    /* a missing export fails that task alone */
    from = msg_count();
    start_task("control/manager/start", "t-noexp", "nosuch", g_spin_b64, "[]", NULL);
    int r = WAIT_MSG(from, "control/proplet/results", 5000, "\"task_id\":\"t-noexp\"");
    CHECK(r >= 0);
    if (r >= 0) {
        char v[512];
        field(payload_of(r), "error", v, sizeof v);
        CHECK(strcmp(v, "null") != 0 && v[0] != '\0');
    }
    teardown(&p);
}

static void case_stop(void)
{
    setup();
    proplet_proc p;
    proplet_up(&p, PID_MAIN, NULL);
    int from = msg_count();
    start_task("control/manager/start", "t-spin-1", "spin", g_spin_b64, "[]", NULL);
    sleep_ms(500);
    EXPECT_NO_RESULT(from, "t-spin-1");
    double asked = now_ms();
    stop_task("control/manager/stop", "t-spin-1");
    int r = EXPECT_RESULT(from, "t-spin-1", "", "Task was cancelled or panicked", 2000);
    if (r >= 0) {
        CHECK(time_of(r) - asked < 1000);
    }

    /* via the direct stop topic */
    from = msg_count();
    start_task("control/manager/start/" PID_MAIN, "t-spin-2", "spin", g_spin_b64, "[]", NULL);
    sleep_ms(300);
    asked = now_ms();
    stop_task("control/manager/stop/" PID_MAIN, "t-spin-2");
    r = EXPECT_RESULT(from, "t-spin-2", "", "Task was cancelled or panicked", 2000);
    if (r >= 0) {
        CHECK(time_of(r) - asked < 1000);
    }

    /* an unknown id: nothing is published */
    from = msg_count();
    stop_task("control/manager/stop", "t-unknown");
    sleep_ms(500);
    EXPECT_NO_RESULT(from, "t-unknown");

    /* timeout_ms of the start */
    from = msg_count();
    start_task("control/manager/start", "t-spin-3", "spin", g_spin_b64, "[]", ",\"timeout_ms\":300");
    EXPECT_RESULT(from, "t-spin-3", "", "task exceeded its time limit of 300 ms", 3000);

    /* the same id can run again after it finished */
    from = msg_count();
    start_add("control/manager/start", "t-spin-1", NULL);
    EXPECT_RESULT(from, "t-spin-1", "30", NULL, 5000);
    teardown(&p);
}

static void case_malformed(void)
{
    setup();
    proplet_proc p;
    proplet_up(&p, PID_MAIN, NULL);
    static const char *const topics[] = {
        "control/manager/start", "control/manager/stop", "control/manager/start/" PID_MAIN,
        "control/manager/stop/" PID_MAIN, "control/manager/discover", "registry/server", "registry/status"};
    static const char *const bad[] = {
        "{not json",
        "",
        "[]",
        "null",
        "{\"id\":5,\"name\":\"add\",\"file\":\"AAAA\"}",
        "{\"id\":\"x-1\",\"name\":[],\"file\":\"AAAA\"}",
        "{\"id\":\"x-2\",\"name\":\"add\",\"file\":7}",
        "{\"id\":\"x-3\",\"name\":\"add\"}",
        "{\"id\":\"x-4\",\"name\":\"add\",\"file\":\"AAAA\",\"inputs\":{\"a\":1}}",
        "{\"app_name\":\"a\",\"chunk_idx\":\"0\",\"total_chunks\":1,\"data\":\"AAAA\"}",
        "{\"app_name\":\"a\",\"chunk_idx\":0,\"total_chunks\":-1,\"data\":\"AAAA\"}",
        "{\"app_name\":7}",
        "{\"id\":\"" "\xff\xfe" "\"}",
        "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
    };
    size_t big_len = 2u * 1024u * 1024u;
    char *big = malloc(big_len);
    REQUIRE(big != NULL);
    for (size_t i = 0; i < big_len; i++) {
        big[i] = (char)("{\"[x:,9 }]\\"[(i * 7u + i / 13u) % 11u]);
    }
    char *big_json = malloc(big_len);
    REQUIRE(big_json != NULL);
    /* a 2 MiB start whose file is not base64 */
    int head = snprintf(big_json, big_len, "{\"id\":\"x-big\",\"name\":\"add\",\"file\":\"");
    memset(big_json + head, '!', big_len - (size_t)head - 2);
    big_json[big_len - 2] = '"';
    big_json[big_len - 1] = '}';

    int from = msg_count();
    for (size_t t = 0; t < sizeof topics / sizeof topics[0]; t++) {
        for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++) {
            pub_str(topics[t], bad[b]);
        }
        pub(topics[t], big, big_len);
        pub(topics[t], big_json, big_len);
    }
    free(big);
    free(big_json);
    sleep_ms(1500);
    REQUIRE(proplet_alive(&p));
    EXPECT_NO_RESULT(from, "x-1");
    EXPECT_NO_RESULT(from, "x-2");
    EXPECT_NO_RESULT(from, "x-3");
    EXPECT_NO_RESULT(from, "x-4");
    /* the 2 MiB start with a bad file is a valid start: its binary fails, as a result */
    int r = WAIT_MSG(from, "control/proplet/results", 2000, "\"task_id\":\"x-big\"");
    CHECK(r >= 0);
    if (r >= 0) {
        char v[512];
        field(payload_of(r), "error", v, sizeof v);
        CHECK(strstr(v, "invalid base64 in file of task x-big") != NULL);
    }

    from = msg_count();
    start_add("control/manager/start", "t-after", NULL);
    EXPECT_RESULT(from, "t-after", "30", NULL, 5000);
    teardown(&p);
}

static void publish_chunk(const char *app, int idx, int total, const uint8_t *data, size_t len, const char *digest)
{
    char *d = b64(data, len, true);
    size_t cap = strlen(d) + 512;
    char *msg = malloc(cap);
    REQUIRE(msg != NULL);
    snprintf(msg, cap, "{\"app_name\":\"%s\",\"chunk_idx\":%d,\"total_chunks\":%d,\"data\":\"%s\",\"digest\":\"%s\"}",
             app, idx, total, d, digest);
    pub_str("registry/server", msg);
    free(msg);
    free(d);
}

static void case_chunks(void)
{
    setup();
    proplet_proc p;
    static const char *const env[] = {"PROPLET_CHUNK_TIMEOUT=2", NULL};
    proplet_up(&p, PID_MAIN, env);

    uint8_t h[SHA256_DIGEST_LEN];
    char hex[SHA256_HEX_LEN + 1];
    sha256(g_add_wasm, g_add_len, h);
    sha256_hex(h, hex);
    char digest[80];
    snprintf(digest, sizeof digest, "sha256:%s", hex);
    size_t s = (g_add_len + 2) / 3;

    /* three chunks, out of order, with the digest */
    int from = msg_count();
    pub_str("control/manager/start",
            "{\"id\":\"t-chunk\",\"name\":\"add\",\"image_url\":\"reg.local/add:v1\",\"inputs\":[\"1\",\"2\"]}");
    int fr = WAIT_MSG(from, "registry/proplet", 3000, "\"app_name\":\"reg.local/add:v1\"");
    CHECK(fr >= 0);
    /* chunks of an app nobody here waits for are dropped */
    publish_chunk("reg.local/other:v1", 0, 1, g_add_wasm, g_add_len, digest);
    publish_chunk("reg.local/add:v1", 2, 3, g_add_wasm + 2 * s, g_add_len - 2 * s, digest);
    publish_chunk("reg.local/add:v1", 0, 3, g_add_wasm, s, digest);
    publish_chunk("reg.local/add:v1", 0, 3, g_add_wasm, s, digest); /* repeated */
    publish_chunk("reg.local/add:v1", 1, 3, g_add_wasm + s, s, digest);
    EXPECT_RESULT(from, "t-chunk", "3", NULL, 5000);

    /* a truncated stream (chunk 1 never comes): the task fails after the TTL, the proplet keeps serving */
    from = msg_count();
    double started = now_ms();
    pub_str("control/manager/start",
            "{\"id\":\"t-trunc\",\"name\":\"add\",\"image_url\":\"reg.local/add:v2\",\"inputs\":[\"1\",\"2\"]}");
    CHECK(WAIT_MSG(from, "registry/proplet", 3000, "\"app_name\":\"reg.local/add:v2\"") >= 0);
    publish_chunk("reg.local/add:v2", 0, 3, g_add_wasm, s, digest);
    publish_chunk("reg.local/add:v2", 2, 3, g_add_wasm + 2 * s, g_add_len - 2 * s, digest);
    int r = EXPECT_RESULT(from, "t-trunc", "", "Timeout waiting for binary chunks", 6000);
    if (r >= 0) {
        double waited = time_of(r) - started;
        if (waited < 1500 || waited > 4000) {
            fprintf(stderr, "%s:%d: truncated stream failed after %.0f ms, expected about 2000\n", __FILE__,
                    __LINE__, waited);
            check_failures++;
        }
    }
    /* a late chunk for the failed assembly changes nothing */
    publish_chunk("reg.local/add:v2", 1, 3, g_add_wasm + s, s, digest);
    from = msg_count();
    start_add("control/manager/start", "t-after", NULL);
    EXPECT_RESULT(from, "t-after", "30", NULL, 5000);

    /* a wrong digest fails verification */
    from = msg_count();
    pub_str("control/manager/start",
            "{\"id\":\"t-digest\",\"name\":\"add\",\"image_url\":\"reg.local/add:v3\",\"inputs\":[\"1\",\"2\"]}");
    CHECK(WAIT_MSG(from, "registry/proplet", 3000, "\"app_name\":\"reg.local/add:v3\"") >= 0);
    publish_chunk("reg.local/add:v3", 0, 1, g_add_wasm, g_add_len,
                  "sha256:0000000000000000000000000000000000000000000000000000000000000000");
    EXPECT_RESULT(from, "t-digest", "", "failed verification", 3000);

    /* registry/status error fails the waiter at once */
    from = msg_count();
    pub_str("control/manager/start",
            "{\"id\":\"t-missing\",\"name\":\"add\",\"image_url\":\"reg.local/missing:v1\",\"inputs\":[]}");
    CHECK(WAIT_MSG(from, "registry/proplet", 3000, "\"app_name\":\"reg.local/missing:v1\"") >= 0);
    started = now_ms();
    pub_str("registry/status", "{\"app_name\":\"reg.local/missing:v1\",\"error\":\"manifest unknown: no such app\"}");
    r = EXPECT_RESULT(from, "t-missing", "", "manifest unknown: no such app", 2000);
    if (r >= 0) {
        CHECK(time_of(r) - started < 1000);
    }

    /* a stop ends a wait for chunks at once */
    from = msg_count();
    pub_str("control/manager/start",
            "{\"id\":\"t-wait\",\"name\":\"add\",\"image_url\":\"reg.local/add:v4\",\"inputs\":[]}");
    CHECK(WAIT_MSG(from, "registry/proplet", 3000, "\"app_name\":\"reg.local/add:v4\"") >= 0);
    stop_task("control/manager/stop", "t-wait");
    EXPECT_RESULT(from, "t-wait", "", "Task was cancelled or panicked", 1000);
    teardown(&p);
}

static void case_last_will(void)
{
    setup();
    /* SIGTERM: clean disconnect, exit 0, no Last Will */
    proplet_proc a;
    proplet_up(&a, "proplet-term", NULL);
    int from = msg_count();
    CHECK_INT(0, proplet_term(&a, 5000));
    sleep_ms(1500);
    CHECK_INT(-1, FIND_MSG(from, "control/proplet/alive", "\"status\":\"offline\"", "\"proplet_id\":\"proplet-term\""));
    CHECK_INT(-1, FIND_MSG(from, "control/proplet/results", "\"proplet_id\":\"proplet-term\""));

    /* SIGKILL: the broker publishes the Last Will */
    proplet_proc b;
    proplet_up(&b, "proplet-kill", NULL);
    from = msg_count();
    kill(b.pid, SIGKILL);
    waitpid(b.pid, NULL, 0);
    b.pid = 0;
    int w = WAIT_MSG(from, "control/proplet/alive", 5000, "\"status\":\"offline\"",
                     "\"proplet_id\":\"proplet-kill\"", "\"namespace\":\"default\"");
    CHECK(w >= 0);

    /* SIGTERM while a task runs: it is stopped, nothing is published, exit 0 */
    proplet_proc c;
    proplet_up(&c, PID_MAIN, NULL);
    from = msg_count();
    start_task("control/manager/start", "t-spin-term", "spin", g_spin_b64, "[]", NULL);
    sleep_ms(500);
    double asked = now_ms();
    CHECK_INT(0, proplet_term(&c, 5000));
    CHECK(now_ms() - asked < 2000);
    sleep_ms(500);
    EXPECT_NO_RESULT(from, "t-spin-term");
    CHECK_INT(-1, FIND_MSG(from, "control/proplet/alive", "\"status\":\"offline\"", "\"proplet_id\":\"" PID_MAIN "\""));
    teardown(NULL);
}

static void case_concurrency(void)
{
    setup();
    proplet_proc p;
    proplet_up(&p, PID_MAIN, NULL);
    int from = msg_count();
    char id[64];
    for (int i = 0; i < 24; i++) {
        snprintf(id, sizeof id, "t-c-%02d", i);
        start_task("control/manager/start", id, "spin", g_spin_b64, "[]", NULL);
    }
    sleep_ms(1500);
    CHECK_INT(-1, FIND_MSG(from, "control/proplet/results", "\"task_id\":\"t-c-"));
    start_task("control/manager/start", "t-c-25", "spin", g_spin_b64, "[]", NULL);
    EXPECT_RESULT(from, "t-c-25", "", "refused: this proplet already runs its maximum of 24 tasks", 2000);
    /* a duplicate id is ignored while the first runs */
    start_task("control/manager/start", "t-c-00", "spin", g_spin_b64, "[]", NULL);
    sleep_ms(300);
    EXPECT_NO_RESULT(from, "t-c-00");

    double asked = now_ms();
    for (int i = 0; i < 24; i++) {
        snprintf(id, sizeof id, "t-c-%02d", i);
        stop_task("control/manager/stop", id);
    }
    double last = 0;
    for (int i = 0; i < 24; i++) {
        snprintf(id, sizeof id, "t-c-%02d", i);
        int r = EXPECT_RESULT(from, id, "", "Task was cancelled or panicked", 3000);
        if (r >= 0 && time_of(r) > last) {
            last = time_of(r);
        }
    }
    if (last - asked > 1000) {
        fprintf(stderr, "%s:%d: 24 tasks stopped after %.0f ms, expected within 1000\n", __FILE__, __LINE__,
                last - asked);
        check_failures++;
    }
    /* the table is free again */
    from = msg_count();
    start_add("control/manager/start", "t-c-after", NULL);
    EXPECT_RESULT(from, "t-c-after", "30", NULL, 5000);
    teardown(&p);
}

static void case_auth(void)
{
    memset(&g_broker, 0, sizeof g_broker);
    test_make_temp_dir(g_broker.dir, sizeof g_broker.dir, "broker-auth");
    char passwd[400], logf[400], cmd[1200], extra[1000];
    snprintf(passwd, sizeof passwd, "%s/passwd", g_broker.dir);
    snprintf(logf, sizeof logf, "%s/broker.log", g_broker.dir);
    snprintf(cmd, sizeof cmd, "mosquitto_passwd -b -c '%s' " PID_MAIN " secret-key-1 >/dev/null 2>&1", passwd);
    REQUIRE(system(cmd) == 0);
    snprintf(cmd, sizeof cmd, "mosquitto_passwd -b '%s' test-manager test-pass >/dev/null 2>&1", passwd);
    REQUIRE(system(cmd) == 0);
    snprintf(extra, sizeof extra,
             "password_file %s\nlog_dest file %s\nlog_type notice\nconnection_messages true\n", passwd, logf);
    REQUIRE(test_broker_start_with(&g_broker, 0, extra));
    client_start(g_broker.port);
    load_modules();

    proplet_proc bad;
    int from = msg_count();
    proplet_start(&bad, PID_MAIN, "wrong-key", NULL);
    sleep_ms(1500);
    CHECK_INT(-1, FIND_MSG(from, "control/proplet/create", "\"proplet_id\":\"" PID_MAIN "\""));
    CHECK(proplet_alive(&bad)); /* keeps retrying */
    CHECK_INT(0, proplet_term(&bad, 5000));

    proplet_proc p;
    from = msg_count();
    proplet_start(&p, PID_MAIN, "secret-key-1", NULL);
    CHECK(WAIT_MSG(from, "control/proplet/create", 10000, "\"proplet_id\":\"" PID_MAIN "\"") >= 0);
    from = msg_count();
    start_add("control/manager/start", "t-auth", NULL);
    EXPECT_RESULT(from, "t-auth", "30", NULL, 5000);
    sleep_ms(200);
    char *log = read_file(logf);
    /* "New client connected from 127.0.0.1:port as <client id> (p2, c1, k30, u'<username>')." */
    CHECK(strstr(log, " as " PID_MAIN " (") != NULL);
    CHECK(strstr(log, "u'" PID_MAIN "'") != NULL);
    if (strstr(log, " as " PID_MAIN " (") == NULL) {
        fprintf(stderr, "broker log:\n%s\n", log);
    }
    free(log);
    teardown(&p);
}

/* The broker restarts: the proplet reconnects, subscribes and announces again, and a result that finished while
 * it was disconnected is published after the reconnect. */
static void case_reconnect(void)
{
    setup();
    proplet_proc p;
    proplet_up(&p, PID_MAIN, NULL);
    int from = msg_count();
    start_task("control/manager/start", "t-rc-spin", "spin", g_spin_b64, "[]", ",\"timeout_ms\":1500");
    sleep_ms(300);
    uint16_t port = g_broker.port;
    client_stop();
    test_broker_stop(&g_broker);
    sleep_ms(2500); /* the task times out while the broker is gone */
    /* held while the broker comes back, so the test client is subscribed before the proplet reconnects */
    REQUIRE(kill(p.pid, SIGSTOP) == 0);
    REQUIRE(test_broker_start(&g_broker, port));
    g_subscribed = 0;
    client_start(port);
    from = msg_count();
    REQUIRE(kill(p.pid, SIGCONT) == 0);
    CHECK(WAIT_MSG(from, "control/proplet/create", 8000, "\"proplet_id\":\"" PID_MAIN "\"") >= 0);
    CHECK(WAIT_MSG(from, "control/proplet/alive", 8000, "\"status\":\"alive\"", "\"proplet_id\":\"" PID_MAIN "\"") >= 0);
    /* the result kept while disconnected */
    EXPECT_RESULT(0, "t-rc-spin", "", "task exceeded its time limit of 1500 ms", 5000);
    /* subscriptions were restored */
    from = msg_count();
    start_add("control/manager/start", "t-rc-add", NULL);
    EXPECT_RESULT(from, "t-rc-add", "30", NULL, 5000);
    from = msg_count();
    start_add("control/manager/start/" PID_MAIN, "t-rc-direct", NULL);
    EXPECT_RESULT(from, "t-rc-direct", "30", NULL, 5000);
    teardown(&p);
}

/* Configured limits: binary size (inline and chunked), concurrent tasks, default task timeout, linear memory. */
static void case_limits(void)
{
    setup();
    proplet_proc p;
    static const char *const env[] = {"PROPLET_MAX_BINARY_BYTES=96", "PROPLET_MAX_CONCURRENT_TASKS=2",
                                      "PROPLET_TASK_TIMEOUT=1", NULL};
    proplet_up(&p, PID_MAIN, env);
    REQUIRE(g_add_len <= 96);
    int from = msg_count();
    start_add("control/manager/start", "t-l-add", NULL);
    EXPECT_RESULT(from, "t-l-add", "30", NULL, 5000);

    size_t big_len = 0;
    uint8_t *big = wat_to_wasm("(module (memory 1) (data (i32.const 0) \""
                               "0123456789012345678901234567890123456789012345678901234567890123456789\")"
                               " (func (export \"add\") (param i32 i32) (result i32)"
                               " (i32.add (local.get 0) (local.get 1))))",
                               &big_len);
    REQUIRE(big_len > 96);
    char *big_b64 = b64(big, big_len, false);
    from = msg_count();
    start_task("control/manager/start", "t-l-big", "add", big_b64, "[\"1\",\"2\"]", NULL);
    EXPECT_RESULT(from, "t-l-big", "", "this proplet takes 1 to 96 bytes", 3000);
    free(big_b64);

    /* chunked, over the assembly's capacity */
    from = msg_count();
    pub_str("control/manager/start",
            "{\"id\":\"t-l-chunks\",\"name\":\"add\",\"image_url\":\"reg.local/big:v1\",\"inputs\":[\"1\",\"2\"]}");
    CHECK(WAIT_MSG(from, "registry/proplet", 3000, "\"app_name\":\"reg.local/big:v1\"") >= 0);
    size_t half = (big_len + 1) / 2;
    publish_chunk("reg.local/big:v1", 0, 2, big, half, "");
    publish_chunk("reg.local/big:v1", 1, 2, big + half, big_len - half, "");
    EXPECT_RESULT(from, "t-l-chunks", "", "exceeds size limit", 3000);
    free(big);

    /* two at once; the third is refused */
    from = msg_count();
    start_task("control/manager/start", "t-l-s1", "spin", g_spin_b64, "[]", NULL);
    start_task("control/manager/start", "t-l-s2", "spin", g_spin_b64, "[]", NULL);
    start_task("control/manager/start", "t-l-s3", "spin", g_spin_b64, "[]", NULL);
    EXPECT_RESULT(from, "t-l-s3", "", "maximum of 2 tasks", 2000);
    /* PROPLET_TASK_TIMEOUT=1 ends both */
    EXPECT_RESULT(from, "t-l-s1", "", "task exceeded its time limit of 1000 ms", 4000);
    EXPECT_RESULT(from, "t-l-s2", "", "task exceeded its time limit of 1000 ms", 4000);

    /* linear memory over the 64 KiB default cap */
    size_t mem_len = 0;
    uint8_t *mem = wat_to_wasm("(module (memory 2) (func (export \"f\") (result i32) (i32.const 1)))", &mem_len);
    char *mem_b64 = b64(mem, mem_len, false);
    from = msg_count();
    start_task("control/manager/start", "t-l-mem", "f", mem_b64, "[]", NULL);
    EXPECT_RESULT(from, "t-l-mem", "", "task exceeded its memory limit of 65536 bytes", 3000);
    free(mem);
    free(mem_b64);
    teardown(&p);
}

/* Member `key` of the object member `obj` of a task-metrics payload, as its literal text ("(absent)" when missing). */
static void metric(const char *payload, const char *obj, const char *key, char *out, size_t cap)
{
    json_token toks[256];
    json_doc doc;
    snprintf(out, cap, "(invalid json)");
    if (json_parse(&doc, payload, strlen(payload), toks, 256) != JSON_OK) {
        return;
    }
    int o = json_find(&doc, 0, obj);
    int v = o >= 0 ? json_find(&doc, o, key) : -1;
    if (v < 0) {
        snprintf(out, cap, "(absent)");
        return;
    }
    snprintf(out, cap, "%.*s", (int)toks[v].len, payload + toks[v].start);
}

static long metric_long(const char *payload, const char *obj, const char *key)
{
    char v[64];
    metric(payload, obj, key, v, sizeof v);
    char *end = NULL;
    long n = strtol(v, &end, 10);
    return end != v && *end == '\0' ? n : -1;
}

/* A metrics payload comes from the main proplet and carries an RFC 3339 UTC timestamp with milliseconds. */
static void check_sender_and_time(const char *pl)
{
    char v[256];
    field(pl, "proplet_id", v, sizeof v);
    CHECK_STR(PID_MAIN, v);
    field(pl, "timestamp", v, sizeof v);
    CHECK(strlen(v) == 24 && v[4] == '-' && v[10] == 'T' && v[19] == '.' && v[23] == 'Z');
}

/* Indexes (≥ from) of the messages on suffix whose `field` is `value`, at most cap of them; returns how many. */
static int messages_with(int from, const char *suffix, const char *field, const char *value, int *idx, int cap)
{
    char needle[128];
    snprintf(needle, sizeof needle, "\"%s\":\"%s\"", field, value);
    int n = 0;
    for (int i = FIND_MSG(from, suffix, needle); i >= 0 && n < cap; i = FIND_MSG(i + 1, suffix, needle)) {
        idx[n++] = i;
    }
    return n;
}

/* Indexes (≥ from) of the task-metrics messages of task_id. */
static int metrics_of(int from, const char *task_id, int *idx, int cap)
{
    return messages_with(from, "control/proplet/task_metrics", "task_id", task_id, idx, cap);
}

/* PROPLET_METRICS_INTERVAL and monitoring_profile: task_metrics while a task runs, none after its stop, none when
 * disabled. */
static void case_task_metrics(void)
{
    setup();
    size_t spin_len = 0;
    uint8_t *spin = wat_to_wasm("(module (memory (export \"memory\") 1) (func (export \"spin\") (loop (br 0))))",
                                &spin_len);
    char *spin_b64 = b64(spin, spin_len, false);
    free(spin);

    proplet_proc p;
    static const char *const env[] = {"PROPLET_METRICS_INTERVAL=1", NULL};
    proplet_up(&p, PID_MAIN, env);
    int from = msg_count();
    double started = now_ms();
    start_task("control/manager/start", "t-m-1", "spin", spin_b64, "[]", NULL);
    start_task("control/manager/start", "t-m-off", "spin", spin_b64, "[]",
               ",\"monitoring_profile\":{\"enabled\":false,\"interval\":1}");
    start_task("control/manager/start", "t-m-mqtt", "spin", spin_b64, "[]",
               ",\"monitoring_profile\":{\"export_to_mqtt\":false}");
    start_task("control/manager/start", "t-m-2s", "spin", spin_b64, "[]",
               ",\"monitoring_profile\":{\"interval\":2,\"retain_history\":false}");
    start_add("control/manager/start", "t-m-add", NULL);
    EXPECT_RESULT(from, "t-m-add", "30", NULL, 5000);
    sleep_ms(3600);

    int idx[64];
    int n = metrics_of(from, "t-m-1", idx, 64);
    if (n < 3 || n > 5) {
        fprintf(stderr, "%s:%d: t-m-1: expected 3 to 5 task_metrics in 3.6 s at 1 s, got %d\n", __FILE__, __LINE__, n);
        check_failures++;
    }
    if (n > 0) {
        CHECK(time_of(idx[0]) - started < 1000); /* the first sample about 100 ms after the start */
    }
    long prev_uptime = -1;
    for (int k = 0; k < n; k++) {
        const char *pl = payload_of(idx[k]);
        char v[256];
        check_sender_and_time(pl);
        CHECK_INT(65536, metric_long(pl, "metrics", "memory_bytes"));
        metric(pl, "metrics", "memory_percent", v, sizeof v);
        CHECK_STR("100.00", v);
        metric(pl, "metrics", "cpu_percent", v, sizeof v);
        CHECK_STR("0.00", v);
        CHECK_INT(1, metric_long(pl, "metrics", "thread_count"));
        CHECK_INT(0, metric_long(pl, "metrics", "disk_read_bytes"));
        CHECK_INT(0, metric_long(pl, "metrics", "file_descriptor_count"));
        CHECK_INT(k + 1, metric_long(pl, "aggregated", "sample_count"));
        CHECK_INT(65536, metric_long(pl, "aggregated", "avg_memory_usage"));
        CHECK_INT(65536, metric_long(pl, "aggregated", "max_memory_usage"));
        long up = metric_long(pl, "metrics", "uptime_seconds");
        CHECK(up >= 0 && up >= prev_uptime);
        if (k > 0) {
            double gap = time_of(idx[k]) - time_of(idx[k - 1]);
            if (gap < 700 || gap > 1500) {
                fprintf(stderr, "%s:%d: t-m-1: samples %.0f ms apart, expected about 1000\n", __FILE__, __LINE__, gap);
                check_failures++;
            }
        }
        prev_uptime = up;
    }
    if (n >= 3) {
        CHECK(metric_long(payload_of(idx[n - 1]), "metrics", "uptime_seconds") >
              metric_long(payload_of(idx[0]), "metrics", "uptime_seconds"));
    }
    /* monitoring_profile: disabled, not exported, or its own interval without history */
    CHECK_INT(0, metrics_of(from, "t-m-off", idx, 64));
    CHECK_INT(0, metrics_of(from, "t-m-mqtt", idx, 64));
    CHECK_INT(0, metrics_of(from, "t-m-add", idx, 64)); /* ended before its first sample */
    n = metrics_of(from, "t-m-2s", idx, 64);
    CHECK_INT(2, n);
    for (int k = 0; k < n; k++) {
        char v[64];
        field(payload_of(idx[k]), "aggregated", v, sizeof v);
        CHECK_STR("null", v);
        CHECK_INT(65536, metric_long(payload_of(idx[k]), "metrics", "memory_bytes"));
    }

    /* stopped: no sample after its result */
    static const char *const ids[] = {"t-m-1", "t-m-off", "t-m-mqtt", "t-m-2s"};
    int last = from;
    for (size_t k = 0; k < 4; k++) {
        stop_task("control/manager/stop", ids[k]);
    }
    for (size_t k = 0; k < 4; k++) {
        int r = EXPECT_RESULT(from, ids[k], "", "Task was cancelled or panicked", 3000);
        last = r > last ? r : last;
    }
    sleep_ms(2300);
    CHECK_INT(-1, FIND_MSG(last + 1, "control/proplet/task_metrics", "\"task_id\":\"t-m-"));
    CHECK_INT(0, proplet_term(&p, 5000));

    /* PROPLET_METRICS_INTERVAL=0: none at all, even with a profile */
    static const char *const off[] = {"PROPLET_METRICS_INTERVAL=0", NULL};
    proplet_up(&p, PID_MAIN, off);
    from = msg_count();
    start_task("control/manager/start", "t-m0-1", "spin", spin_b64, "[]", NULL);
    start_task("control/manager/start", "t-m0-2", "spin", spin_b64, "[]", ",\"monitoring_profile\":{\"interval\":1}");
    sleep_ms(1600);
    stop_task("control/manager/stop", "t-m0-1");
    stop_task("control/manager/stop", "t-m0-2");
    EXPECT_RESULT(from, "t-m0-1", "", "Task was cancelled or panicked", 3000);
    EXPECT_RESULT(from, "t-m0-2", "", "Task was cancelled or panicked", 3000);
    CHECK_INT(-1, FIND_MSG(from, "control/proplet/task_metrics", "\"task_id\":\"t-m0-"));
    free(spin_b64);
    teardown(&p);
}

/* A number member of an object member of a payload, as a double; -1 when absent or not a plain decimal number. */
static double metric_double(const char *payload, const char *obj, const char *key)
{
    char v[64];
    metric(payload, obj, key, v, sizeof v);
    if (v[0] < '0' || v[0] > '9') {
        return -1;
    }
    char *end = NULL;
    double d = strtod(v, &end);
    return end != v && *end == '\0' ? d : -1;
}

/* Indexes (≥ from) of the system-metrics messages of proplet id. */
static int system_metrics_of(int from, const char *id, int *idx, int cap)
{
    return messages_with(from, "control/proplet/metrics", "proplet_id", id, idx, cap);
}

/* PROPLET_METRICS_INTERVAL: system metrics on control/proplet/metrics, the first one interval after the connect,
 * then one per interval, with the process's CPU times and RSS; a value that is not a number stops the proplet at
 * start-up with an error naming the variable; 0 sends none. */
static void case_system_metrics(void)
{
    setup();
    proplet_proc p;
    static const char *const env[] = {"PROPLET_METRICS_INTERVAL=1", NULL};
    int from = msg_count();
    proplet_up(&p, PID_MAIN, env);
    int disc = FIND_MSG(from, "control/proplet/create", "\"proplet_id\":\"" PID_MAIN "\"");
    REQUIRE(disc >= 0);
    double connected = time_of(disc);
    sleep_ms(3500);

    int idx[64];
    int n = system_metrics_of(from, PID_MAIN, idx, 64);
    if (n < 2 || n > 5) {
        fprintf(stderr, "%s:%d: expected 2 to 5 system metrics in 3.5 s at 1 s, got %d\n", __FILE__, __LINE__, n);
        check_failures++;
    }
    if (n > 0) { /* one interval after the connect, not at once */
        double first = time_of(idx[0]) - connected;
        if (first < 700 || first > 1800) {
            fprintf(stderr, "%s:%d: first system metrics %.0f ms after discovery, expected about 1000\n", __FILE__,
                    __LINE__, first);
            check_failures++;
        }
    }
    double prev_user = -1;
    double prev_system = -1;
    for (int k = 0; k < n; k++) {
        const char *pl = payload_of(idx[k]);
        char v[256];
        check_sender_and_time(pl);
        field(pl, "namespace", v, sizeof v);
        CHECK_STR("default", v);
        double user = metric_double(pl, "cpu_metrics", "user_seconds");
        double sys = metric_double(pl, "cpu_metrics", "system_seconds");
        double pct = metric_double(pl, "cpu_metrics", "percent");
        if (user < 0 || sys < 0 || pct < 0) {
            fprintf(stderr, "%s:%d: cpu values must be non-negative numbers: %s\n", __FILE__, __LINE__, pl);
            check_failures++;
        }
        CHECK(user >= prev_user && sys >= prev_system); /* cumulative */
        prev_user = user;
        prev_system = sys;
        long rss = metric_long(pl, "memory_metrics", "rss_bytes");
        CHECK(rss > 0);
        CHECK_INT(0, metric_long(pl, "memory_metrics", "heap_alloc_bytes"));
        CHECK_INT(0, metric_long(pl, "memory_metrics", "heap_sys_bytes"));
        CHECK_INT(0, metric_long(pl, "memory_metrics", "heap_inuse_bytes"));
        metric(pl, "memory_metrics", "container_usage_bytes", v, sizeof v);
        CHECK_STR("(absent)", v); /* unknown: omitted */
        if (k > 0) {
            double gap = time_of(idx[k]) - time_of(idx[k - 1]);
            if (gap < 700 || gap > 1500) {
                fprintf(stderr, "%s:%d: system metrics %.0f ms apart, expected about 1000\n", __FILE__, __LINE__,
                        gap);
                check_failures++;
            }
        }
    }

    /* A spinning task keeps one core busy: a sample that covers it shows CPU use and more user time. */
    from = msg_count();
    start_task("control/manager/start", "t-sm-spin", "spin", g_spin_b64, "[]", NULL);
    sleep_ms(2600);
    n = system_metrics_of(from, PID_MAIN, idx, 64);
    CHECK(n >= 2);
    if (n >= 2) {
        const char *last = payload_of(idx[n - 1]);
        double pct = metric_double(last, "cpu_metrics", "percent");
        if (pct < 10.0) {
            fprintf(stderr, "%s:%d: percent while a task spins: expected at least 10, got %s\n", __FILE__, __LINE__,
                    last);
            check_failures++;
        }
        CHECK(metric_double(last, "cpu_metrics", "user_seconds") > prev_user);
    }
    stop_task("control/manager/stop", "t-sm-spin");
    EXPECT_RESULT(from, "t-sm-spin", "", "Task was cancelled or panicked", 3000);
    CHECK_INT(0, proplet_term(&p, 5000));

    /* PROPLET_METRICS_INTERVAL=abc: refused at start-up (exit code 2), the message names the variable */
    char err_path[400];
    snprintf(err_path, sizeof err_path, "%s/proplet-abc-stderr.txt", g_broker.dir);
    fflush(stderr);
    int saved = dup(2);
    int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(saved >= 0 && fd >= 0);
    REQUIRE(dup2(fd, 2) == 2);
    static const char *const bad[] = {"PROPLET_METRICS_INTERVAL=abc", NULL};
    from = msg_count();
    proplet_start(&p, PID_MAIN, NULL, bad);
    REQUIRE(dup2(saved, 2) == 2);
    (void)close(saved);
    (void)close(fd);
    int status = 0;
    int exited = -1;
    for (double end = now_ms() + 5000; now_ms() < end;) {
        if (waitpid(p.pid, &status, WNOHANG) == p.pid) {
            exited = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            p.pid = 0;
            break;
        }
        sleep_ms(10);
    }
    CHECK_INT(2, exited);
    if (p.pid > 0) {
        (void)proplet_term(&p, 1000);
    }
    char *text = read_file(err_path);
    CHECK_CONTAINS("PROPLET_METRICS_INTERVAL", text);
    CHECK_CONTAINS("abc", text);
    free(text);
    CHECK_INT(-1, FIND_MSG(from, "control/proplet/create", "\"proplet_id\":\"" PID_MAIN "\""));

    /* PROPLET_METRICS_INTERVAL=0: heartbeats go on, system metrics never come */
    static const char *const off[] = {"PROPLET_METRICS_INTERVAL=0", NULL};
    proplet_up(&p, PID_MAIN, off);
    from = msg_count();
    sleep_ms(2500);
    CHECK_INT(0, system_metrics_of(from, PID_MAIN, idx, 64));
    int beats = 0;
    for (int i = FIND_MSG(from, "control/proplet/alive", "\"status\":\"alive\""); i >= 0;
         i = FIND_MSG(i + 1, "control/proplet/alive", "\"status\":\"alive\"")) {
        beats++;
    }
    CHECK(beats >= 2); /* the proplet was up and publishing all along */
    teardown(&p);
}

/* ---- result replay ---- */

static double wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)(ts.tv_nsec / 1000000L);
}

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" → ms since the epoch; -1 when it is not exactly that form. */
static double parse_rfc3339_ms(const char *s)
{
    int y, mo, d, h, mi, sec, ms, used = 0;
    if (strlen(s) != 24 || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ%n", &y, &mo, &d, &h, &mi, &sec, &ms, &used) != 7
        || used != 24) {
        return -1;
    }
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = sec};
    return (double)timegm(&tm) * 1000.0 + ms;
}

/* Index of the next replayed result of task_id at index ≥ from, waiting up to timeout_ms; -1 if none. */
static int wait_replayed(int from, const char *task_id, long timeout_ms)
{
    char needle[128];
    snprintf(needle, sizeof needle, "\"task_id\":\"%s\"", task_id);
    return WAIT_MSG(from, "control/proplet/results", timeout_ms, needle, "\"replayed\":true");
}

/* A replayed result: exactly the published one plus replayed and finished_at (in that order), finished_at between
 * not_before and now. Returns its finished_at in ms (or -1). */
static double check_replayed(int i, const char *task_id, double not_before, int line)
{
    const char *p = payload_of(i);
    char finished[64];
    field(p, "finished_at", finished, sizeof finished);
    char want[512];
    snprintf(want, sizeof want,
             "{\"task_id\":\"%s\",\"proplet_id\":\"" PID_MAIN "\",\"results\":\"30\",\"error\":null,\"replayed\":true,"
             "\"finished_at\":\"%s\"}",
             task_id, finished);
    if (strcmp(want, p) != 0) {
        fprintf(stderr, "%s:%d: replayed result: expected %s, got %s\n", __FILE__, line, want, p);
        check_failures++;
    }
    double at = parse_rfc3339_ms(finished);
    double now = wall_ms();
    if (at < 0 || at > now || at < not_before) {
        fprintf(stderr, "%s:%d: finished_at \"%s\" (%.0f ms) is not between %.0f and now (%.0f)\n", __FILE__, line,
                finished, at, not_before, now);
        check_failures++;
    }
    return at;
}

static void case_replay(void)
{
    setup();
    proplet_proc p;
    proplet_up(&p, PID_MAIN, NULL);

    /* no results yet: a discover request brings discovery and heartbeat, no result */
    int from = msg_count();
    pub_str("control/manager/discover", "{\"manager_id\":\"m1\"}");
    CHECK(WAIT_MSG(from, "control/proplet/create", 2000, "\"proplet_id\":\"" PID_MAIN "\"") >= 0);
    sleep_ms(500);
    CHECK_INT(-1, FIND_MSG(from, "control/proplet/results", "\"task_id\""));
    sleep_ms(1700); /* past the 2 s between answered discover requests */

    /* add(10,20) runs to completion: its result as usual, not marked */
    double before_task = wall_ms();
    from = msg_count();
    start_add("control/manager/start", "t-replay-1", ",\"proplet_id\":\"" PID_MAIN "\"");
    int r0 = EXPECT_RESULT(from, "t-replay-1", "30", NULL, 5000);
    REQUIRE(r0 >= 0);
    CHECK(strstr(payload_of(r0), "replayed") == NULL);
    CHECK(strstr(payload_of(r0), "finished_at") == NULL);

    /* a discover request: discovery, heartbeat, then the result again, marked replayed, once */
    from = msg_count();
    pub_str("control/manager/discover", "{\"manager_id\":\"m2\"}");
    int r1 = wait_replayed(from, "t-replay-1", 3000);
    CHECK(r1 >= 0);
    double first_at = -1;
    if (r1 >= 0) {
        first_at = check_replayed(r1, "t-replay-1", before_task, __LINE__);
        int d = FIND_MSG(from, "control/proplet/create", "\"proplet_id\":\"" PID_MAIN "\"");
        int h = FIND_MSG(from, "control/proplet/alive", "\"status\":\"alive\"");
        CHECK(d >= 0 && d < r1);
        CHECK(h >= 0 && h < r1);
        sleep_ms(300);
        CHECK_INT(-1, wait_replayed(r1 + 1, "t-replay-1", 0));
    }
    /* a request within 2 s of the answered one is not answered: no replay */
    from = msg_count();
    pub_str("control/manager/discover", "{\"manager_id\":\"m2\"}");
    sleep_ms(500);
    CHECK_INT(-1, wait_replayed(from, "t-replay-1", 0));

    /* more than 2 s later: replayed again, same finish time */
    sleep_ms(2100);
    from = msg_count();
    pub_str("control/manager/discover", "{\"manager_id\":\"m3\"}");
    int r2 = wait_replayed(from, "t-replay-1", 3000);
    CHECK(r2 >= 0);
    if (r2 >= 0) {
        double again_at = check_replayed(r2, "t-replay-1", before_task, __LINE__);
        CHECK(again_at == first_at);
    }
    CHECK(proplet_alive(&p));
    teardown(&p);
}

int main(int argc, char **argv)
{
    signal(SIGPIPE, SIG_IGN);
    if (argc != 2) {
        fprintf(stderr, "usage: %s discovery|add|stop|malformed|chunks|last_will|concurrency|auth|reconnect|limits|"
                        "task_metrics|system_metrics|replay\n",
                argv[0]);
        return 2;
    }
    static const struct {
        const char *name;
        void (*fn)(void);
    } cases[] = {{"discovery", case_discovery}, {"add", case_add},
                 {"stop", case_stop},           {"malformed", case_malformed},
                 {"chunks", case_chunks},       {"last_will", case_last_will},
                 {"concurrency", case_concurrency}, {"auth", case_auth}, {"reconnect", case_reconnect}, {"limits", case_limits},
                 {"task_metrics", case_task_metrics}, {"system_metrics", case_system_metrics},
                 {"replay", case_replay}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (strcmp(argv[1], cases[i].name) == 0) {
            cases[i].fn();
            char name[64];
            snprintf(name, sizeof name, "app_%s", argv[1]);
            return check_done(name);
        }
    }
    fprintf(stderr, "unknown case %s\n", argv[1]);
    return 2;
}
