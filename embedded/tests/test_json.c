/* JSON tokenizer and writer. */
#include <stdint.h>
#include <stdlib.h>

#include "check.h"
#include "json.h"

static json_token toks[PROPLET_JSON_MAX_TOKENS];

static int parse(json_doc *d, const char *s) { return json_parse(d, s, strlen(s), toks, PROPLET_JSON_MAX_TOKENS); }

/* Parses a heap copy of exactly len bytes so ASan catches any read past the end. */
static int parse_exact(const char *s, size_t len)
{
    char *copy = malloc(len == 0 ? 1 : len);
    if (copy == NULL) abort();
    memcpy(copy, s, len);
    json_doc d;
    int r = json_parse(&d, copy, len, toks, PROPLET_JSON_MAX_TOKENS);
    free(copy);
    return r;
}

static const char START[] =
    "{\"id\":\"t1\",\"name\":\"add\",\"state\":0,\"file\":\"AGFzbQEAAAA=\",\"inputs\":[\"10\",\"20\"],\"cli_args\":null,"
    "\"broadcast\":false,\"daemon\":false,\"latent\":false,\"encrypted\":false,\"env\":{\"K\":\"V\"},"
    "\"proplet_id\":\"p1\",\"parent_results\":{\"p0\":\"42\"},\"timeout_ms\":1500,\"x\":[1.5e-3,-2,true,{}]}";

static void golden_start(void)
{
    json_doc d;
    CHECK_INT(JSON_OK, parse(&d, START));
    CHECK_INT(JSON_OBJECT, toks[0].type);
    CHECK_INT(15, toks[0].count);
    char buf[32];
    CHECK_INT(JSON_OK, json_obj_string(&d, 0, "id", buf, sizeof buf));
    CHECK_STR("t1", buf);
    CHECK_INT(JSON_OK, json_obj_string(&d, 0, "name", buf, sizeof buf));
    CHECK_STR("add", buf);
    int64_t v = -1;
    CHECK_INT(JSON_OK, json_obj_int64(&d, 0, "state", &v));
    CHECK_INT(0, v);
    CHECK_INT(JSON_OK, json_obj_int64(&d, 0, "timeout_ms", &v));
    CHECK_INT(1500, v);
    bool b = true;
    CHECK_INT(JSON_OK, json_obj_bool(&d, 0, "broadcast", &b));
    CHECK(!b);
    CHECK(json_is_null(&d, json_find(&d, 0, "cli_args")));
    CHECK_INT(-1, json_find(&d, 0, "missing"));
    CHECK_INT(JSON_ERR_NOT_FOUND, json_obj_string(&d, 0, "missing", buf, sizeof buf));
    CHECK_INT(JSON_ERR_TYPE, json_obj_string(&d, 0, "state", buf, sizeof buf));
    CHECK_INT(JSON_ERR_TYPE, json_obj_int64(&d, 0, "id", &v));

    int arr = json_find(&d, 0, "inputs");
    CHECK_INT(JSON_ARRAY, toks[arr].type);
    CHECK_INT(2, toks[arr].count);
    const char *want[2] = {"10", "20"};
    int e = json_first(&d, arr);
    for (int k = 0; k < 2; k++, e = json_next(&d, e)) {
        CHECK_INT(JSON_OK, json_get_string(&d, e, buf, sizeof buf, NULL));
        CHECK_STR(want[k], buf);
    }
    /* the value after a nested object is still found (subtree skipping) */
    int pr = json_find(&d, 0, "parent_results");
    CHECK_INT(JSON_OK, json_obj_string(&d, pr, "p0", buf, sizeof buf));
    CHECK_STR("42", buf);
    int x = json_find(&d, 0, "x");
    CHECK_INT(4, toks[x].count);
    int n0 = json_first(&d, x);
    CHECK_INT(JSON_NUMBER, toks[n0].type);
    CHECK_INT(JSON_ERR_TYPE, json_get_int64(&d, n0, &v)); /* 1.5e-3 is not an integer */
    int n1 = json_next(&d, n0);
    CHECK_INT(JSON_OK, json_get_int64(&d, n1, &v));
    CHECK_INT(-2, v);
    int n3 = json_next(&d, json_next(&d, n1));
    CHECK_INT(JSON_OBJECT, toks[n3].type);
    CHECK_INT(0, toks[n3].count);
    CHECK_INT(-1, json_first(&d, n3));
}

static void every_prefix_is_an_error(const char *payload)
{
    size_t len = strlen(payload);
    CHECK_INT(JSON_OK, parse_exact(payload, len));
    for (size_t i = 0; i < len; i++) {
        int r = parse_exact(payload, i);
        if (r != JSON_ERR_TRUNCATED) {
            fprintf(stderr, "prefix of %zu bytes of %.40s...: expected truncated, got %d\n", i, payload, r);
            check_failures++;
        }
    }
}

static void truncation(void)
{
    every_prefix_is_an_error(START);
    every_prefix_is_an_error("{\"a\":\"\\u00e9\\ud83d\\ude00\\n\",\"b\":[true,false,null,-0.5E+10]}");
    every_prefix_is_an_error("{\"id\":\"t1\",\"broadcast\":false,\"proplet_id\":\"p1\"}");
}

static void garbage(void)
{
    /* deterministic mutations of a valid payload: must never crash, and every outcome is a defined code */
    uint32_t seed = 12345u;
    size_t len = strlen(START);
    char *m = malloc(len);
    if (m == NULL) abort();
    int ok = 0;
    for (int round = 0; round < 20000; round++) {
        memcpy(m, START, len);
        for (int k = 0; k < 3; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t pos = (seed >> 8) % len;
            seed = seed * 1103515245u + 12345u;
            m[pos] = (char)(seed >> 16);
        }
        json_doc d;
        int r = json_parse(&d, m, len, toks, PROPLET_JSON_MAX_TOKENS);
        CHECK(r <= 0 && r >= JSON_ERR_DEPTH);
        if (r == JSON_OK) {
            ok++;
            char buf[16];
            (void)json_obj_string(&d, 0, "id", buf, sizeof buf); /* helpers on a mutated doc stay in bounds */
        }
    }
    free(m);
    CHECK(ok < 20000); /* the mutations did break most payloads */
}

static void invalid(void)
{
    json_doc d;
    const char *bad[] = {"", " ", "{", "}", "{\"a\"}", "{\"a\":}", "{a:1}", "[1,]", "[,1]", "{\"a\":1,}", "01",
                         "-", "1.", "1e", ".5", "+1", "tru", "nul", "[1 2]", "{\"a\":1}x", "\"\\x\"",
                         "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"a\nb\"", "'a'", "[1]]", "{\"a\" 1}",
                         "\"\\u12G4\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int r = parse(&d, bad[i]);
        if (r == JSON_OK) {
            fprintf(stderr, "%s:%d: accepted invalid JSON <%s>\n", __FILE__, __LINE__, bad[i]);
            check_failures++;
        }
    }
    CHECK_INT(JSON_ERR_INVALID, parse(&d, "{\"a\":1} 2"));
    CHECK_INT(JSON_ERR_TRUNCATED, parse(&d, "{\"a\":[1,2"));
    CHECK_INT(JSON_OK, parse(&d, " \r\n\t{ \"a\" : [ 1 , 2 ] } \n"));
    CHECK_INT(JSON_OK, parse(&d, "42"));
    CHECK_INT(JSON_NUMBER, toks[0].type);
}

static void limits(void)
{
    json_doc d;
    char deep[64];
    size_t n = 0;
    for (int i = 0; i < PROPLET_JSON_MAX_DEPTH; i++) deep[n++] = '[';
    for (int i = 0; i < PROPLET_JSON_MAX_DEPTH; i++) deep[n++] = ']';
    deep[n] = '\0';
    CHECK_INT(JSON_OK, parse(&d, deep));
    n = 0;
    for (int i = 0; i <= PROPLET_JSON_MAX_DEPTH; i++) deep[n++] = '[';
    for (int i = 0; i <= PROPLET_JSON_MAX_DEPTH; i++) deep[n++] = ']';
    deep[n] = '\0';
    CHECK_INT(JSON_ERR_DEPTH, parse(&d, deep));

    json_token few[4];
    CHECK_INT(JSON_OK, json_parse(&d, "[1,2,3]", 7, few, 4));
    CHECK_INT(4, d.n);
    CHECK_INT(JSON_ERR_NOMEM, json_parse(&d, "[1,2,3,4]", 9, few, 4));
    CHECK_INT(JSON_ERR_NOMEM, json_parse(&d, "{\"a\":1,\"b\":2}", 13, few, 4));

    int64_t v;
    CHECK_INT(JSON_OK, parse(&d, "[9223372036854775807,-9223372036854775808,9223372036854775808,-0,1e3]"));
    int e = json_first(&d, 0);
    CHECK_INT(JSON_OK, json_get_int64(&d, e, &v));
    CHECK(v == INT64_MAX);
    e = json_next(&d, e);
    CHECK_INT(JSON_OK, json_get_int64(&d, e, &v));
    CHECK(v == INT64_MIN);
    e = json_next(&d, e);
    CHECK_INT(JSON_ERR_RANGE, json_get_int64(&d, e, &v));
    e = json_next(&d, e);
    CHECK_INT(JSON_OK, json_get_int64(&d, e, &v));
    CHECK_INT(0, v);
    e = json_next(&d, e);
    CHECK_INT(JSON_ERR_TYPE, json_get_int64(&d, e, &v));
}

static void strings(void)
{
    json_doc d;
    CHECK_INT(JSON_OK, parse(&d, "{\"n\\u0061me\":\"\\u00e9\\ud83d\\ude00\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0000x\"}"));
    int v = json_find(&d, 0, "name");
    CHECK(v > 0);
    char buf[64];
    size_t len = 0;
    CHECK_INT(JSON_OK, json_get_string(&d, v, buf, sizeof buf, &len));
    const char want[] = "\xC3\xA9\xF0\x9F\x98\x80\"\\/\b\f\n\r\t\0x";
    CHECK_MEM(want, sizeof want - 1, buf, len);
    CHECK(json_string_eq(&d, v, "\xC3\xA9\xF0\x9F\x98\x80\"\\/\b\f\n\r\t") == false); /* stops at the NUL */

    /* exact fit vs one byte short */
    CHECK_INT(JSON_OK, parse(&d, "[\"abcd\",\"\\u20ac\"]"));
    int s = json_first(&d, 0);
    CHECK_INT(JSON_OK, json_get_string(&d, s, buf, 5, NULL));
    CHECK_STR("abcd", buf);
    CHECK_INT(JSON_ERR_TOO_LONG, json_get_string(&d, s, buf, 4, NULL));
    CHECK_INT(JSON_OK, json_get_string_trunc(&d, s, buf, 4));
    CHECK_STR("abc", buf);
    int euro = json_next(&d, s);
    CHECK_INT(JSON_OK, json_get_string(&d, euro, buf, 4, NULL));
    CHECK_STR("\xE2\x82\xAC", buf);
    CHECK_INT(JSON_ERR_TOO_LONG, json_get_string(&d, euro, buf, 3, NULL));
    CHECK(json_string_eq(&d, euro, "\xE2\x82\xAC"));
    CHECK(!json_string_eq(&d, euro, "\xE2\x82"));
    CHECK(!json_string_eq(&d, s, "abcde"));
}

static void writer(void)
{
    char buf[256];
    json_writer w;
    json_w_init(&w, buf, sizeof buf);
    json_w_begin_object(&w);
    json_w_key(&w, "s");
    json_w_string(&w, "a\"b\\c\n\x01");
    json_w_key(&w, "i");
    json_w_int64(&w, INT64_MIN);
    json_w_key(&w, "u");
    json_w_uint64(&w, UINT64_MAX);
    json_w_key(&w, "d");
    json_w_decimal(&w, -1205, 2);
    json_w_key(&w, "z");
    json_w_decimal(&w, 7, 3);
    json_w_key(&w, "b");
    json_w_bool(&w, true);
    json_w_key(&w, "n");
    json_w_null(&w);
    json_w_key(&w, "a");
    json_w_begin_array(&w);
    json_w_int64(&w, 1);
    json_w_begin_object(&w);
    json_w_end_object(&w);
    json_w_begin_array(&w);
    json_w_end_array(&w);
    json_w_raw(&w, "{\"r\":1}", 7);
    json_w_bool(&w, false);
    json_w_end_array(&w);
    json_w_end_object(&w);
    long n = json_w_finish(&w);
    const char *want = "{\"s\":\"a\\\"b\\\\c\\n\\u0001\",\"i\":-9223372036854775808,\"u\":18446744073709551615,"
                       "\"d\":-12.05,\"z\":0.007,\"b\":true,\"n\":null,\"a\":[1,{},[],{\"r\":1},false]}";
    CHECK_STR(want, buf);
    CHECK_INT((long)strlen(want), n);
    json_doc d;
    CHECK_INT(JSON_OK, parse(&d, buf));

    /* every too-small buffer reports overflow and never writes past its end */
    size_t full = strlen(want);
    for (size_t cap = 0; cap <= full + 1; cap++) {
        char small[300];
        memset(small, 'Z', sizeof small);
        json_writer s;
        json_w_init(&s, small, cap);
        json_w_begin_object(&s);
        json_w_key(&s, "s");
        json_w_string(&s, "a\"b\\c\n\x01");
        json_w_key(&s, "i");
        json_w_int64(&s, INT64_MIN);
        json_w_key(&s, "u");
        json_w_uint64(&s, UINT64_MAX);
        json_w_key(&s, "d");
        json_w_decimal(&s, -1205, 2);
        json_w_key(&s, "z");
        json_w_decimal(&s, 7, 3);
        json_w_key(&s, "b");
        json_w_bool(&s, true);
        json_w_key(&s, "n");
        json_w_null(&s);
        json_w_key(&s, "a");
        json_w_begin_array(&s);
        json_w_int64(&s, 1);
        json_w_begin_object(&s);
        json_w_end_object(&s);
        json_w_begin_array(&s);
        json_w_end_array(&s);
        json_w_raw(&s, "{\"r\":1}", 7);
        json_w_bool(&s, false);
        json_w_end_array(&s);
        json_w_end_object(&s);
        long r = json_w_finish(&s);
        if (cap <= full) {
            CHECK_INT(-1, r);
        } else {
            CHECK_INT((long)full, r);
        }
        for (size_t k = cap; k < sizeof small; k++) {
            if (small[k] != 'Z') {
                fprintf(stderr, "%s:%d: writer with cap %zu wrote at %zu\n", __FILE__, __LINE__, cap, k);
                check_failures++;
                break;
            }
        }
    }

    /* unbalanced */
    json_w_init(&w, buf, sizeof buf);
    json_w_begin_array(&w);
    CHECK_INT(-1, json_w_finish(&w));
    json_w_init(&w, buf, sizeof buf);
    json_w_end_array(&w);
    CHECK_INT(-1, json_w_finish(&w));
}

static void escaping_round_trip(void)
{
    char original[300];
    size_t n = 0;
    for (int c = 1; c < 256; c++) original[n++] = (char)c;
    original[n] = '\0';
    char out[2048];
    json_writer w;
    json_w_init(&w, out, sizeof out);
    json_w_begin_array(&w);
    json_w_string(&w, original);
    json_w_end_array(&w);
    long len = json_w_finish(&w);
    CHECK(len > 0);
    json_doc d;
    CHECK_INT(JSON_OK, json_parse(&d, out, (size_t)len, toks, PROPLET_JSON_MAX_TOKENS));
    char back[300];
    size_t blen = 0;
    CHECK_INT(JSON_OK, json_get_string(&d, json_first(&d, 0), back, sizeof back, &blen));
    CHECK_MEM(original, n, back, blen);
    CHECK(json_string_eq(&d, json_first(&d, 0), original));
    /* no raw control character left in the output */
    for (long i = 0; i < len; i++) CHECK((unsigned char)out[i] >= 0x20);
}

int main(void)
{
    golden_start();
    truncation();
    garbage();
    invalid();
    limits();
    strings();
    writer();
    escaping_round_trip();
    return check_done("test_json");
}
