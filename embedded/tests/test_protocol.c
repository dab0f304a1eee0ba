/* Protocol: topics, parsing the manager's and proxy's payloads, emitting ours (docs/protocol.md). */
#include <stdint.h>
#include <stdlib.h>

#include "base64.h"
#include "check.h"
#include "protocol.h"

static json_token toks[PROPLET_JSON_MAX_TOKENS];
static proto_ctx ctx;

/* Exactly what the .NET manager publishes for add(10,20) pinned to p1. */
static const char START[] =
    "{\"id\":\"t1\",\"name\":\"add\",\"state\":0,\"file\":\"AGFzbQEAAAA=\",\"inputs\":[\"10\",\"20\"],\"cli_args\":null,"
    "\"broadcast\":false,\"daemon\":false,\"latent\":false,\"encrypted\":false,\"env\":{\"K\":\"V\"},"
    "\"proplet_id\":\"p1\",\"parent_results\":{\"p0\":\"42\"}}";
static const char STOP_USER[] = "{\"id\":\"t1\",\"broadcast\":false,\"proplet_id\":\"p1\"}";
static const char STOP_BCAST[] = "{\"id\":\"t1\",\"broadcast\":true}";
static const char STOP_RECOVERY[] = "{\"id\":\"t1\",\"proplet_id\":\"p1\"}";
static const char CHUNK[] = "{\"app_name\":\"reg/app:v1\",\"chunk_idx\":1,\"total_chunks\":2,\"data\":\"\\u002B\\/8=\","
                            "\"digest\":\"sha256:ab\"}";
static const char STATUS_ERR[] = "{\"app_name\":\"reg/app:v9\",\"error\":\"manifest unknown: \\\"v9\\\"\"}";
static const char STATUS_SAME[] = "{\"app_name\":\"reg/app:v1\",\"digest\":\"sha256:ab\",\"unchanged\":true}";

static void topics(void)
{
    CHECK_INT(PROTO_OK, proto_ctx_init(&ctx, "ten", "chan", "p1", "default"));
    char t[PROPLET_TOPIC_MAX + 1];
    CHECK_INT(strlen("m/ten/c/chan/control/proplet/alive"), proto_topic(&ctx, PROTO_ALIVE, t, sizeof t));
    CHECK_STR("m/ten/c/chan/control/proplet/alive", t);
    CHECK(proto_topic_direct_start(&ctx, t, sizeof t) > 0);
    CHECK_STR("m/ten/c/chan/control/manager/start/p1", t);
    CHECK(proto_topic_direct_stop(&ctx, t, sizeof t) > 0);
    CHECK_STR("m/ten/c/chan/control/manager/stop/p1", t);
    CHECK_INT(-1, proto_topic(&ctx, PROTO_ALIVE, t, 10));
    CHECK(proto_topic(&ctx, PROTO_REGISTRY_PROPLET, t, sizeof t) > 0);
    CHECK_STR("m/ten/c/chan/registry/proplet", t);

    struct {
        const char *topic;
        proto_topic_kind kind;
    } cases[] = {
        {"m/ten/c/chan/control/manager/start", PROTO_TOPIC_START},
        {"m/ten/c/chan/control/manager/stop", PROTO_TOPIC_STOP},
        {"m/ten/c/chan/control/manager/start/p1", PROTO_TOPIC_START},
        {"m/ten/c/chan/control/manager/stop/p1", PROTO_TOPIC_STOP},
        {"m/ten/c/chan/control/manager/start/p2", PROTO_TOPIC_OTHER},
        {"m/ten/c/chan/control/manager/start/p1/x", PROTO_TOPIC_OTHER},
        {"m/ten/c/chan/control/manager/start/", PROTO_TOPIC_OTHER},
        {"m/ten/c/chan/control/manager/startx", PROTO_TOPIC_OTHER},
        {"m/ten/c/chan/control/manager/discover", PROTO_TOPIC_DISCOVER},
        {"m/ten/c/chan/control/manager/invoke", PROTO_TOPIC_OTHER},
        {"m/ten/c/chan/registry/server", PROTO_TOPIC_REGISTRY_SERVER},
        {"m/ten/c/chan/registry/status", PROTO_TOPIC_REGISTRY_STATUS},
        {"m/ten/c/chan/registry/proplet", PROTO_TOPIC_OTHER},
        {"m/other/c/chan/control/manager/start", PROTO_TOPIC_OTHER},
        {"m/ten/c/chan2/control/manager/start", PROTO_TOPIC_OTHER},
        {"m/ten/c/cha", PROTO_TOPIC_OTHER},
        {"", PROTO_TOPIC_OTHER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        proto_topic_kind k = proto_classify(&ctx, cases[i].topic, strlen(cases[i].topic));
        if (k != cases[i].kind) {
            fprintf(stderr, "%s:%d: classify %s: expected %d, got %d\n", __FILE__, __LINE__, cases[i].topic,
                    (int)cases[i].kind, (int)k);
            check_failures++;
        }
    }
    /* the length bounds the topic (MQTT topics are not NUL-terminated) */
    const char *longer = "m/ten/c/chan/registry/serverXYZ";
    CHECK_INT(PROTO_TOPIC_REGISTRY_SERVER, proto_classify(&ctx, longer, strlen(longer) - 3));

    /* an id that is not a topic level gets no direct topics */
    proto_ctx odd;
    CHECK_INT(PROTO_OK, proto_ctx_init(&odd, "ten", "chan", "a/b", "default"));
    CHECK_INT(-1, proto_topic_direct_start(&odd, t, sizeof t));
    const char *direct = "m/ten/c/chan/control/manager/start/a/b";
    CHECK_INT(PROTO_TOPIC_OTHER, proto_classify(&odd, direct, strlen(direct)));
    CHECK(!proto_is_topic_level("a+"));
    CHECK(!proto_is_topic_level(""));
    CHECK(proto_is_topic_level("7f3c-uuid"));
    CHECK_INT(PROTO_ERR_FIELD, proto_ctx_init(&odd, "", "chan", "p", "default"));
    char longid[PROPLET_ID_MAX + 2];
    memset(longid, 'x', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    CHECK_INT(PROTO_ERR_TOO_LONG, proto_ctx_init(&odd, "ten", "chan", longid, "default"));
}

static int start_of(const char *payload, proto_start *s, char *err, size_t cap)
{
    return proto_parse_start(payload, strlen(payload), toks, PROPLET_JSON_MAX_TOKENS, s, err, cap);
}

static void start(void)
{
    static proto_start s;
    char err[128];
    CHECK_INT(PROTO_OK, start_of(START, &s, err, sizeof err));
    CHECK_STR("t1", s.id);
    CHECK_STR("add", s.name);
    CHECK_STR("p1", s.proplet_id);
    CHECK_STR("", s.image_url);
    CHECK(s.has_file);
    CHECK_INT(2, s.n_inputs);
    CHECK_STR("10", s.inputs[0]);
    CHECK_STR("20", s.inputs[1]);
    CHECK(!s.broadcast && !s.daemon && !s.latent);
    CHECK_INT(0, s.timeout_ms);
    CHECK_INT(1, s.n_env);
    CHECK_STR("K", s.env[0].key);
    CHECK_STR("V", s.env[0].value);
    /* the file is located in the payload, and decodes from there */
    CHECK_MEM("AGFzbQEAAAA=", 12, START + s.file_off, s.file_len);
    b64_decoder d;
    b64_dec_init(&d);
    uint8_t wasm[16];
    size_t n = 0;
    CHECK_INT(B64_OK, b64_dec_update_json(&d, START + s.file_off, s.file_len, wasm, sizeof wasm, &n));
    CHECK_INT(B64_OK, b64_dec_finish(&d));
    CHECK_MEM("\0asm\1\0\0\0", 8, wasm, n);
    CHECK(proto_start_is_for_me(&s, "p1"));
    CHECK(!proto_start_is_for_me(&s, "p2"));

    /* inputs: numbers keep their text, booleans too; timeout_ms; image_url instead of file; no proplet_id */
    CHECK_INT(PROTO_OK, start_of("{\"id\":\"t2\",\"name\":\"f\",\"image_url\":\"reg/app:v1\",\"inputs\":[10,-2.5e1,true,"
                                 "\"a\\\"b\\u00e9\"],\"timeout_ms\":1500,\"daemon\":true,\"monitoring_profile\":"
                                 "{\"interval\":10},\"unknown\":[1,{\"x\":null}]}",
                                 &s, err, sizeof err));
    CHECK_STR("reg/app:v1", s.image_url);
    CHECK(!s.has_file);
    CHECK_INT(4, s.n_inputs);
    CHECK_STR("10", s.inputs[0]);
    CHECK_STR("-2.5e1", s.inputs[1]);
    CHECK_STR("true", s.inputs[2]);
    CHECK_STR("a\"b\xC3\xA9", s.inputs[3]);
    CHECK_INT(1500, s.timeout_ms);
    CHECK(s.daemon);
    CHECK(proto_start_is_for_me(&s, "anyone"));
    CHECK(s.has_monitoring);
    CHECK(s.monitoring_export);
    CHECK(s.monitoring_history);
    CHECK_INT(10000, s.monitoring_interval_ms);

    /* monitoring_profile: absent → defaults; flags; interval in seconds or nanoseconds, kept in 1 s .. 1 day */
    CHECK_INT(PROTO_OK, start_of(START, &s, err, sizeof err));
    CHECK(!s.has_monitoring);
    CHECK(s.monitoring_export);
    CHECK(s.monitoring_history);
    CHECK_INT(0, s.monitoring_interval_ms);
    static const struct {
        const char *profile;
        bool exported;
        bool history;
        uint32_t interval_ms;
    } profiles[] = {
        {"null", true, true, 0},
        {"{}", true, true, 0},
        {"{\"enabled\":false,\"interval\":5}", false, true, 5000},
        {"{\"enabled\":true,\"export_to_mqtt\":false}", false, true, 0},
        {"{\"retain_history\":false,\"interval\":null}", true, false, 0},
        {"{\"history_size\":0,\"interval\":0}", true, false, 1000},
        {"{\"history_size\":500,\"interval\":120}", true, true, 120000},
        {"{\"interval\":2500000000}", true, true, 2500},
        {"{\"interval\":999999}", true, true, 86400000},
        {"{\"interval\":18446744073709551615,\"collect_cpu\":false}", true, true, 86400000},
    };
    for (size_t i = 0; i < sizeof profiles / sizeof profiles[0]; i++) {
        char msg[256];
        snprintf(msg, sizeof msg, "{\"id\":\"t\",\"name\":\"f\",\"file\":\"AA==\",\"monitoring_profile\":%s}",
                 profiles[i].profile);
        CHECK_INT(PROTO_OK, start_of(msg, &s, err, sizeof err));
        CHECK_INT(strcmp(profiles[i].profile, "null") != 0, s.has_monitoring);
        CHECK_INT(profiles[i].exported, s.monitoring_export);
        CHECK_INT(profiles[i].history, s.monitoring_history);
        CHECK_INT(profiles[i].interval_ms, s.monitoring_interval_ms);
    }

    /* broadcast reaches everybody, even with another proplet_id */
    CHECK_INT(PROTO_OK, start_of("{\"id\":\"t3\",\"name\":\"f\",\"file\":\"AA==\",\"broadcast\":true,\"proplet_id\":\"p9\","
                                 "\"timeout_ms\":null,\"inputs\":null,\"env\":null}",
                                 &s, err, sizeof err));
    CHECK(proto_start_is_for_me(&s, "p1"));
    CHECK_INT(0, s.n_inputs);

    /* env is bounded: extra or oversized entries are ignored */
    char env[512] = "{\"id\":\"t4\",\"name\":\"f\",\"file\":\"AA==\",\"env\":{";
    for (int i = 0; i < PROPLET_MAX_ENV + 2; i++) {
        char e[32] = "\"Kx\":\"v\",";
        e[2] = (char)('a' + i);
        strcat(env, e);
    }
    strcat(env, "\"N\":1}}");
    CHECK_INT(PROTO_OK, start_of(env, &s, err, sizeof err));
    CHECK_INT(PROPLET_MAX_ENV, s.n_env);
    CHECK_INT(3, s.env_ignored);
    CHECK_STR("Ka", s.env[0].key);

    /* invalid starts: each error has a sentence */
    struct {
        const char *payload;
        int code;
        const char *err;
    } bad[] = {
        {"{\"name\":\"f\",\"file\":\"AA==\"}", PROTO_ERR_FIELD, "start without id"},
        {"{\"id\":\"t\",\"file\":\"AA==\"}", PROTO_ERR_FIELD, "start without name"},
        {"{\"id\":\"t\",\"name\":\"f\"}", PROTO_ERR_FIELD, "start without file or image_url"},
        {"{\"id\":\"t\",\"name\":\"f\",\"file\":\"\"}", PROTO_ERR_FIELD, "start without file or image_url"},
        {"{\"id\":5,\"name\":\"f\",\"file\":\"AA==\"}", PROTO_ERR_FIELD, "field is not a string: id"},
        {"{\"id\":\"t\",\"name\":\"f\",\"file\":7}", PROTO_ERR_FIELD, "field is not a string: file"},
        {"{\"id\":\"t\",\"name\":\"f\",\"file\":\"AA==\",\"broadcast\":\"yes\"}", PROTO_ERR_FIELD,
         "field is not a boolean: broadcast"},
        {"{\"id\":\"t\",\"name\":\"f\",\"file\":\"AA==\",\"inputs\":{}}", PROTO_ERR_FIELD, "field is not an array: inputs"},
        {"{\"id\":\"t\",\"name\":\"f\",\"file\":\"AA==\",\"inputs\":[[1]]}", PROTO_ERR_FIELD,
         "inputs must be strings, numbers or booleans"},
        {"{\"id\":\"t\",\"name\":\"f\",\"file\":\"AA==\",\"timeout_ms\":1.5}", PROTO_ERR_FIELD,
         "field is not an integer: timeout_ms"},
        {"{\"id\":\"t\",\"name\":\"f\",\"file\":\"AA==\",\"monitoring_profile\":[]}", PROTO_ERR_FIELD,
         "field is not an object: monitoring_profile"},
        {"{\"id\":\"t\",\"name\":\"f\",\"file\":\"AA==\",\"monitoring_profile\":{\"enabled\":1}}", PROTO_ERR_FIELD,
         "field is not a boolean: monitoring_profile.enabled"},
        {"{\"id\":\"t\",\"name\":\"f\",\"file\":\"AA==\",\"monitoring_profile\":{\"export_to_mqtt\":\"no\"}}",
         PROTO_ERR_FIELD, "field is not a boolean: monitoring_profile.export_to_mqtt"},
        {"{\"id\":\"t\",\"name\":\"f\",\"file\":\"AA==\",\"monitoring_profile\":{\"interval\":-1}}", PROTO_ERR_FIELD,
         "field is not an unsigned integer: monitoring_profile.interval"},
        {"{\"id\":\"t\",\"name\":\"f\",\"file\":\"AA==\",\"monitoring_profile\":{\"interval\":\"10s\"}}",
         PROTO_ERR_FIELD, "field is not an unsigned integer: monitoring_profile.interval"},
        {"{\"id\":\"t\",\"name\":\"f\",\"file\":\"AA==\",\"monitoring_profile\":{\"history_size\":1.5}}",
         PROTO_ERR_FIELD, "field is not an integer: monitoring_profile.history_size"},
        {"[1]", PROTO_ERR_JSON, "payload is not a JSON object"},
        {"{\"id\":", PROTO_ERR_JSON, "malformed JSON: truncated JSON"},
        {"not json", PROTO_ERR_JSON, "malformed JSON: invalid JSON"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_INT(bad[i].code, start_of(bad[i].payload, &s, err, sizeof err));
        CHECK_STR(bad[i].err, err);
    }
    char many[512] = "{\"id\":\"t\",\"name\":\"f\",\"file\":\"AA==\",\"inputs\":[";
    for (int i = 0; i <= PROPLET_MAX_INPUTS; i++) strcat(many, i == 0 ? "1" : ",1");
    strcat(many, "]}");
    CHECK_INT(PROTO_ERR_TOO_LONG, start_of(many, &s, err, sizeof err));
    CHECK_STR("too many inputs", err);
    char longin[256] = "{\"id\":\"t\",\"name\":\"f\",\"file\":\"AA==\",\"inputs\":[\"";
    for (int i = 0; i <= PROPLET_INPUT_MAX; i++) strcat(longin, "9");
    strcat(longin, "\"]}");
    CHECK_INT(PROTO_ERR_TOO_LONG, start_of(longin, &s, err, sizeof err));
    char longid[256] = "{\"name\":\"f\",\"file\":\"AA==\",\"id\":\"";
    for (int i = 0; i <= PROPLET_ID_MAX; i++) strcat(longid, "i");
    strcat(longid, "\"}");
    CHECK_INT(PROTO_ERR_TOO_LONG, start_of(longid, &s, err, sizeof err));
    CHECK_STR("field too long: id", err);
}

static void stop(void)
{
    proto_stop s;
    char err[96];
    CHECK_INT(PROTO_OK, proto_parse_stop(STOP_USER, strlen(STOP_USER), toks, PROPLET_JSON_MAX_TOKENS, &s, err, sizeof err));
    CHECK_STR("t1", s.id);
    CHECK_STR("p1", s.proplet_id);
    CHECK(!s.broadcast);
    CHECK(proto_stop_is_for_me(&s, "p1"));
    CHECK(!proto_stop_is_for_me(&s, "p2"));
    CHECK_INT(PROTO_OK, proto_parse_stop(STOP_BCAST, strlen(STOP_BCAST), toks, PROPLET_JSON_MAX_TOKENS, &s, err, sizeof err));
    CHECK(s.broadcast);
    CHECK(proto_stop_is_for_me(&s, "p2"));
    CHECK_INT(PROTO_OK,
              proto_parse_stop(STOP_RECOVERY, strlen(STOP_RECOVERY), toks, PROPLET_JSON_MAX_TOKENS, &s, err, sizeof err));
    CHECK(!proto_stop_is_for_me(&s, "p2"));
    CHECK(proto_stop_is_for_me(&s, "p1"));
    const char *noid = "{\"proplet_id\":\"p1\"}";
    CHECK_INT(PROTO_ERR_FIELD, proto_parse_stop(noid, strlen(noid), toks, PROPLET_JSON_MAX_TOKENS, &s, err, sizeof err));
    CHECK_STR("stop without id", err);
}

static void chunk_and_status(void)
{
    static proto_chunk c;
    char err[96];
    CHECK_INT(PROTO_OK, proto_parse_chunk(CHUNK, strlen(CHUNK), toks, PROPLET_JSON_MAX_TOKENS, &c, err, sizeof err));
    CHECK_STR("reg/app:v1", c.msg.app_name);
    CHECK_INT(1, c.msg.chunk_idx);
    CHECK_INT(2, c.msg.total_chunks);
    CHECK_STR("sha256:ab", c.msg.digest);
    CHECK_MEM("\\u002B\\/8=", 10, c.msg.data, c.msg.data_len);

    /* straight into an assembly: chunk 1 of 2 first, then chunk 0 */
    static uint8_t arena[PROPLET_MAX_ASSEMBLIES * 64u];
    static chunk_set set;
    chunks_init(&set, arena, sizeof arena, 60000);
    chunks_expect(&set, "reg/app:v1", 0);
    const char *c0 = "{\"total_chunks\":2,\"chunk_idx\":0,\"app_name\":\"reg/app:v1\",\"data\":\"AAE=\"}";
    CHECK_INT(CHUNK_ACCEPTED, chunks_add(&set, &c.msg, 0, NULL, NULL)); /* the digest is checked at the end */
    static proto_chunk c2;
    CHECK_INT(PROTO_OK, proto_parse_chunk(c0, strlen(c0), toks, PROPLET_JSON_MAX_TOKENS, &c2, err, sizeof err));
    chunk_assembly *slot = NULL;
    CHECK_INT(CHUNK_REJECTED, chunks_add(&set, &c2.msg, 0, &slot, NULL)); /* no digest while the first had one */
    const char *c0d = "{\"total_chunks\":2,\"chunk_idx\":0,\"app_name\":\"reg/app:v1\",\"data\":\"AAE=\",\"digest\":\"sha256:ab\"}";
    CHECK_INT(PROTO_OK, proto_parse_chunk(c0d, strlen(c0d), toks, PROPLET_JSON_MAX_TOKENS, &c2, err, sizeof err));
    CHECK_INT(CHUNK_FAILED, chunks_add(&set, &c2.msg, 0, &slot, NULL)); /* "sha256:ab" is not the hash */
    CHECK(strstr(slot->error, "failed verification") != NULL);

    const char *nodata = "{\"app_name\":\"a\",\"chunk_idx\":0,\"total_chunks\":1}";
    CHECK_INT(PROTO_OK, proto_parse_chunk(nodata, strlen(nodata), toks, PROPLET_JSON_MAX_TOKENS, &c, err, sizeof err));
    CHECK(c.msg.data == NULL);
    const char *bad[] = {"{\"chunk_idx\":0,\"total_chunks\":1,\"data\":\"AA==\"}",
                         "{\"app_name\":\"a\",\"total_chunks\":1,\"data\":\"AA==\"}",
                         "{\"app_name\":\"a\",\"chunk_idx\":\"0\",\"total_chunks\":1,\"data\":\"AA==\"}",
                         "{\"app_name\":\"a\",\"chunk_idx\":0,\"total_chunks\":1.0,\"data\":\"AA==\"}",
                         "{\"app_name\":\"a\",\"chunk_idx\":0,\"total_chunks\":1,\"data\":5}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_INT(PROTO_ERR_FIELD, proto_parse_chunk(bad[i], strlen(bad[i]), toks, PROPLET_JSON_MAX_TOKENS, &c, err, sizeof err));
    }

    proto_registry_status st;
    CHECK_INT(PROTO_OK, proto_parse_registry_status(STATUS_ERR, strlen(STATUS_ERR), toks, PROPLET_JSON_MAX_TOKENS, &st,
                                                    err, sizeof err));
    CHECK_STR("reg/app:v9", st.app_name);
    CHECK(st.has_error);
    CHECK_STR("manifest unknown: \"v9\"", st.error);
    CHECK(!st.unchanged);
    CHECK_INT(PROTO_OK, proto_parse_registry_status(STATUS_SAME, strlen(STATUS_SAME), toks, PROPLET_JSON_MAX_TOKENS,
                                                    &st, err, sizeof err));
    CHECK(!st.has_error);
    CHECK(st.unchanged);
    CHECK_STR("sha256:ab", st.digest);
    /* a very long error is cut, not refused */
    static char longerr[2048];
    strcpy(longerr, "{\"app_name\":\"a\",\"error\":\"");
    for (int i = 0; i < 1500; i++) strcat(longerr, "e");
    strcat(longerr, "\"}");
    CHECK_INT(PROTO_OK, proto_parse_registry_status(longerr, strlen(longerr), toks, PROPLET_JSON_MAX_TOKENS, &st, err,
                                                    sizeof err));
    CHECK_INT(PROPLET_ERROR_MAX, strlen(st.error));
}

/* Every strict prefix of a golden payload is refused with an error, reading only inside the prefix. */
static void prefixes(void)
{
    const char *payloads[] = {START, STOP_USER, STOP_BCAST, STOP_RECOVERY, CHUNK, STATUS_ERR, STATUS_SAME};
    static proto_start s;
    static proto_chunk c;
    proto_stop p;
    proto_registry_status st;
    char err[96];
    for (size_t k = 0; k < sizeof payloads / sizeof payloads[0]; k++) {
        size_t len = strlen(payloads[k]);
        for (size_t i = 0; i < len; i++) {
            char *copy = malloc(i == 0 ? 1 : i);
            if (copy == NULL) abort();
            memcpy(copy, payloads[k], i);
            int r1 = proto_parse_start(copy, i, toks, PROPLET_JSON_MAX_TOKENS, &s, err, sizeof err);
            int r2 = proto_parse_stop(copy, i, toks, PROPLET_JSON_MAX_TOKENS, &p, err, sizeof err);
            int r3 = proto_parse_chunk(copy, i, toks, PROPLET_JSON_MAX_TOKENS, &c, err, sizeof err);
            int r4 = proto_parse_registry_status(copy, i, toks, PROPLET_JSON_MAX_TOKENS, &st, err, sizeof err);
            free(copy);
            if (r1 != PROTO_ERR_JSON || r2 != PROTO_ERR_JSON || r3 != PROTO_ERR_JSON || r4 != PROTO_ERR_JSON) {
                fprintf(stderr, "%s:%d: payload %zu prefix %zu accepted (%d %d %d %d)\n", __FILE__, __LINE__, k, i, r1,
                        r2, r3, r4);
                check_failures++;
            }
        }
    }
    /* too many tokens is an error too, not a crash */
    json_token few[8];
    CHECK_INT(PROTO_ERR_JSON, proto_parse_start(START, strlen(START), few, 8, &s, err, sizeof err));
}

static void emitters(void)
{
    char out[1024];
    const char *tags[] = {"edge", "esp32"};
    proto_metadata md = {.description = "kitchen sensor",
                         .tags = tags,
                         .n_tags = 2,
                         .location = "",
                         .ip = "10.0.0.7",
                         .os = "zephyr",
                         .hostname = NULL,
                         .cpu_arch = "xtensa",
                         .total_memory_bytes = 524288,
                         .proplet_version = "0.1.0",
                         .wasm_runtime = "wamr"};
    int n = proto_emit_discovery(&ctx, &md, out, sizeof out);
    const char *want = "{\"proplet_id\":\"p1\",\"namespace\":\"default\",\"metadata\":{\"description\":\"kitchen sensor\","
                       "\"tags\":[\"edge\",\"esp32\"],\"ip\":\"10.0.0.7\",\"environment\":\"embedded\",\"os\":\"zephyr\","
                       "\"cpu_arch\":\"xtensa\",\"total_memory_bytes\":524288,\"proplet_version\":\"0.1.0\","
                       "\"wasm_runtime\":\"wamr\"},\"direct_control\":true}";
    CHECK_STR(want, out);
    CHECK_INT(strlen(want), n);
    CHECK_INT(-1, proto_emit_discovery(&ctx, &md, out, 40));
    n = proto_emit_discovery(&ctx, NULL, out, sizeof out);
    CHECK_STR("{\"proplet_id\":\"p1\",\"namespace\":\"default\",\"metadata\":{\"environment\":\"embedded\"},"
              "\"direct_control\":true}",
              out);

    n = proto_emit_heartbeat(&ctx, out, sizeof out);
    CHECK_STR("{\"proplet_id\":\"p1\",\"status\":\"alive\",\"namespace\":\"default\"}", out);
    CHECK_INT(strlen(out), n);
    proto_emit_last_will(&ctx, out, sizeof out);
    CHECK_STR("{\"status\":\"offline\",\"proplet_id\":\"p1\",\"namespace\":\"default\"}", out);

    proto_emit_result(&ctx, "t1", "30", NULL, out, sizeof out);
    CHECK_STR("{\"task_id\":\"t1\",\"proplet_id\":\"p1\",\"results\":\"30\",\"error\":null}", out);
    proto_emit_result(&ctx, "t1", "ignored", "Task was cancelled or panicked", out, sizeof out);
    CHECK_STR("{\"task_id\":\"t1\",\"proplet_id\":\"p1\",\"results\":\"\",\"error\":\"Task was cancelled or panicked\"}",
              out);
    proto_emit_result(&ctx, "t\"2", "line\nbreak", NULL, out, sizeof out);
    CHECK_STR("{\"task_id\":\"t\\\"2\",\"proplet_id\":\"p1\",\"results\":\"line\\nbreak\",\"error\":null}", out);
    CHECK_INT(-1, proto_emit_result(&ctx, "t1", "30", NULL, out, 20));

    /* replayed: the .NET ResultMessage's order (task_id, proplet_id, results, error, replayed, finished_at) */
    n = proto_emit_replayed_result(&ctx, "t1", "30", NULL, "2026-11-26T02:18:52.123Z", out, sizeof out);
    CHECK_STR("{\"task_id\":\"t1\",\"proplet_id\":\"p1\",\"results\":\"30\",\"error\":null,\"replayed\":true,"
              "\"finished_at\":\"2026-11-26T02:18:52.123Z\"}",
              out);
    CHECK_INT((long long)strlen(out), n);
    proto_emit_replayed_result(&ctx, "t1", "ignored", "Task was cancelled or panicked", "1970-01-01T00:00:00.000Z", out,
                               sizeof out);
    CHECK_STR("{\"task_id\":\"t1\",\"proplet_id\":\"p1\",\"results\":\"\",\"error\":\"Task was cancelled or panicked\","
              "\"replayed\":true,\"finished_at\":\"1970-01-01T00:00:00.000Z\"}",
              out);
    proto_emit_replayed_result(&ctx, "t\"2", "a\\b", NULL, "2026-11-26T02:18:52.123Z", out, sizeof out);
    CHECK_STR("{\"task_id\":\"t\\\"2\",\"proplet_id\":\"p1\",\"results\":\"a\\\\b\",\"error\":null,\"replayed\":true,"
              "\"finished_at\":\"2026-11-26T02:18:52.123Z\"}",
              out);
    {
        /* every capacity below the full length fails; the full length + NUL fits */
        const char *full = "{\"task_id\":\"t1\",\"proplet_id\":\"p1\",\"results\":\"30\",\"error\":null,\"replayed\":true,"
                           "\"finished_at\":\"2026-11-26T02:18:52.123Z\"}";
        size_t full_len = strlen(full);
        for (size_t c = 0; c <= full_len; c++) {
            char small[160];
            if (proto_emit_replayed_result(&ctx, "t1", "30", NULL, "2026-11-26T02:18:52.123Z", small, c) != -1) {
                fprintf(stderr, "%s:%d: replayed result fit in %zu bytes (needs %zu)\n", __FILE__, __LINE__, c,
                        full_len + 1);
                check_failures++;
            }
        }
        char exact[160];
        CHECK_INT((long long)full_len,
                  proto_emit_replayed_result(&ctx, "t1", "30", NULL, "2026-11-26T02:18:52.123Z", exact, full_len + 1));
        CHECK_STR(full, exact);
    }
    /* the plain result never carries the replay fields */
    proto_emit_result(&ctx, "t1", "30", NULL, out, sizeof out);
    CHECK(strstr(out, "replayed") == NULL && strstr(out, "finished_at") == NULL);

    proto_process_metrics m = {1250, 65536, 0, 1, 2, 3, 4, 5};
    proto_aggregated_metrics ag = {1000, 2550, 60000, 65536, 10, 20, 7};
    n = proto_emit_task_metrics(&ctx, "t1", "2026-11-25T10:00:00.123Z", &m, &ag, out, sizeof out);
    CHECK_STR("{\"task_id\":\"t1\",\"proplet_id\":\"p1\",\"timestamp\":\"2026-11-25T10:00:00.123Z\",\"metrics\":{"
              "\"cpu_percent\":12.50,\"memory_bytes\":65536,\"memory_percent\":0.00,\"disk_read_bytes\":1,"
              "\"disk_write_bytes\":2,\"uptime_seconds\":3,\"thread_count\":4,\"file_descriptor_count\":5},"
              "\"aggregated\":{\"avg_cpu_usage\":10.00,\"max_cpu_usage\":25.50,\"avg_memory_usage\":60000,"
              "\"max_memory_usage\":65536,\"total_disk_read\":10,\"total_disk_write\":20,\"sample_count\":7}}",
              out);
    CHECK(n > 0);
    proto_emit_task_metrics(&ctx, "t1", "2026-11-25T10:00:00Z", &m, NULL, out, sizeof out);
    CHECK(strstr(out, "\"aggregated\":null}") != NULL);
    json_doc d;
    CHECK_INT(JSON_OK, json_parse(&d, out, strlen(out), toks, PROPLET_JSON_MAX_TOKENS));

    proto_system_metrics sm = {.cpu_user_us = 1200000, .cpu_system_us = 300001, .cpu_percent_x100 = 1250,
                               .rss_bytes = 52428800};
    const char *want_sm = "{\"proplet_id\":\"p1\",\"namespace\":\"default\",\"timestamp\":\"2026-11-25T10:00:00.123Z\","
                          "\"cpu_metrics\":{\"user_seconds\":1.200000,\"system_seconds\":0.300001,\"percent\":12.50},"
                          "\"memory_metrics\":{\"rss_bytes\":52428800,\"heap_alloc_bytes\":0,\"heap_sys_bytes\":0,"
                          "\"heap_inuse_bytes\":0}}";
    n = proto_emit_system_metrics(&ctx, "2026-11-25T10:00:00.123Z", &sm, out, sizeof out);
    CHECK_STR(want_sm, out);
    CHECK_INT(strlen(want_sm), n);
    CHECK_INT(JSON_OK, json_parse(&d, out, strlen(out), toks, PROPLET_JSON_MAX_TOKENS));
    /* every buffer one byte short of the payload (and its NUL) is refused */
    for (size_t cap = 0; cap <= strlen(want_sm); cap++) {
        char small[512];
        if (proto_emit_system_metrics(&ctx, "2026-11-25T10:00:00.123Z", &sm, small, cap) != -1) {
            fprintf(stderr, "%s:%d: system metrics in a %zu-byte buffer: expected -1\n", __FILE__, __LINE__, cap);
            check_failures++;
        }
    }
    CHECK_INT(strlen(want_sm), proto_emit_system_metrics(&ctx, "2026-11-25T10:00:00.123Z", &sm, out,
                                                         strlen(want_sm) + 1));
    proto_system_metrics zero = {0};
    proto_emit_system_metrics(&ctx, "2026-11-25T10:00:00.000Z", &zero, out, sizeof out);
    CHECK_CONTAINS("\"cpu_metrics\":{\"user_seconds\":0.000000,\"system_seconds\":0.000000,\"percent\":0.00}", out);
    CHECK(strstr(out, "container") == NULL);

    CHECK_INT(0, proto_cpu_percent_x100(123, 0));
    CHECK_INT(0, proto_cpu_percent_x100(0, 1000));
    CHECK_INT(10000, proto_cpu_percent_x100(1000000, 1000)); /* 1 s of CPU in 1 s: 100.00 */
    CHECK_INT(1250, proto_cpu_percent_x100(125000, 1000));   /* 12.50 */
    CHECK_INT(20000, proto_cpu_percent_x100(2000000, 1000)); /* two busy threads: 200.00 */
    CHECK_INT(3333, proto_cpu_percent_x100(1000, 3));        /* 1 ms in 3 ms: 33.33 */
    CHECK_INT(1667, proto_cpu_percent_x100(1000, 6));        /* 16.666… rounds to 16.67 */
    CHECK_INT(INT64_MAX, proto_cpu_percent_x100(UINT64_MAX, 1));

    proto_emit_fetch_request("reg/app:v1", NULL, out, sizeof out);
    CHECK_STR("{\"app_name\":\"reg/app:v1\"}", out);
    proto_emit_fetch_request("reg/app:v1", "sha256:ab", out, sizeof out);
    CHECK_STR("{\"app_name\":\"reg/app:v1\",\"digest\":\"sha256:ab\"}", out);
}

int main(void)
{
    topics();
    start();
    stop();
    chunk_and_status();
    prefixes();
    emitters();
    return check_done("test_protocol");
}
