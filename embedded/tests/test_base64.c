/* Streaming base64 decoder and encoder. */
#include <stdint.h>
#include <stdlib.h>

#include "base64.h"
#include "check.h"

static int decode_all(const char *s, uint8_t *out, size_t cap, size_t *len)
{
    b64_decoder d;
    b64_dec_init(&d);
    *len = 0;
    int r = b64_dec_update(&d, s, strlen(s), out, cap, len);
    return r != B64_OK ? r : b64_dec_finish(&d);
}

static void rfc4648_vectors(void)
{
    const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char *enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (size_t i = 0; i < 7; i++) {
        char e[16];
        size_t elen = 0;
        CHECK_INT(B64_OK, b64_encode((const uint8_t *)plain[i], strlen(plain[i]), e, sizeof e, &elen));
        CHECK_STR(enc[i], e);
        CHECK_INT(strlen(enc[i]), b64_encoded_len(strlen(plain[i])));
        uint8_t out[16];
        size_t len;
        CHECK_INT(B64_OK, decode_all(enc[i], out, sizeof out, &len));
        CHECK_MEM(plain[i], strlen(plain[i]), out, len);
        CHECK(b64_decoded_max(strlen(enc[i])) >= len);
    }
    char small[8];
    CHECK_INT(B64_ERR_OVERFLOW, b64_encode((const uint8_t *)"foobar", 6, small, 8, NULL)); /* needs 9 with NUL */
}

static void streaming_any_split(void)
{
    uint8_t data[300];
    for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(i * 7u + 3u);
    for (size_t n = 0; n <= sizeof data; n += 37) {
        char enc[512];
        size_t elen = 0;
        CHECK_INT(B64_OK, b64_encode(data, n, enc, sizeof enc, &elen));
        /* feed in pieces of every size from 1 to 9 */
        for (size_t piece = 1; piece <= 9; piece++) {
            b64_decoder d;
            b64_dec_init(&d);
            uint8_t out[300];
            size_t len = 0;
            for (size_t off = 0; off < elen; off += piece) {
                size_t take = elen - off < piece ? elen - off : piece;
                CHECK_INT(B64_OK, b64_dec_update(&d, enc + off, take, out, sizeof out, &len));
                CHECK(d.npend <= 3);
            }
            CHECK_INT(B64_OK, b64_dec_finish(&d));
            CHECK_MEM(data, n, out, len);
        }
    }
}

static void errors(void)
{
    uint8_t out[32];
    size_t len;
    CHECK_INT(B64_ERR_CHAR, decode_all("Zm9v!A==", out, sizeof out, &len));
    CHECK_INT(B64_ERR_CHAR, decode_all("Zm 9v", out, sizeof out, &len));
    CHECK_INT(B64_ERR_CHAR, decode_all("Zm9-", out, sizeof out, &len)); /* URL alphabet is not ours */
    CHECK_INT(B64_ERR_PADDING, decode_all("Z===", out, sizeof out, &len));
    CHECK_INT(B64_ERR_PADDING, decode_all("====", out, sizeof out, &len));
    CHECK_INT(B64_ERR_PADDING, decode_all("Zg=a", out, sizeof out, &len));
    CHECK_INT(B64_ERR_PADDING, decode_all("Zg==Zg==", out, sizeof out, &len));
    CHECK_INT(B64_ERR_PADDING, decode_all("Zm8=Zm9v", out, sizeof out, &len));
    CHECK_INT(B64_ERR_INCOMPLETE, decode_all("Zm9", out, sizeof out, &len));
    CHECK_INT(B64_ERR_INCOMPLETE, decode_all("Zg=", out, sizeof out, &len));
    CHECK_INT(B64_ERR_INCOMPLETE, decode_all("Z", out, sizeof out, &len));
    CHECK_INT(B64_ERR_OVERFLOW, decode_all("Zm9vYmFy", out, 5, &len));
    CHECK_INT(3, len); /* what fitted stays */
    CHECK_INT(B64_OK, decode_all("Zm9vYmFy", out, 6, &len));

    /* errors are sticky */
    b64_decoder d;
    b64_dec_init(&d);
    len = 0;
    CHECK_INT(B64_ERR_CHAR, b64_dec_update(&d, "Zm*", 3, out, sizeof out, &len));
    CHECK_INT(B64_ERR_CHAR, b64_dec_update(&d, "Zm9v", 4, out, sizeof out, &len));
    CHECK_INT(B64_ERR_CHAR, b64_dec_finish(&d));

    /* count-only mode */
    b64_dec_init(&d);
    len = 0;
    CHECK_INT(B64_OK, b64_dec_update(&d, "Zm9vYg==", 8, NULL, 0, &len));
    CHECK_INT(4, len);
    CHECK(strcmp(b64_strerror(B64_ERR_PADDING), "invalid base64 padding") == 0);
}

static void json_escaped(void)
{
    /* System.Text.Json writes '+' as \u002B and may write '/' as \/ */
    const char raw[] = "+/8=";
    const char esc[] = "\\u002B\\/8=";
    uint8_t a[8], b[8];
    size_t la = 0, lb = 0;
    CHECK_INT(B64_OK, decode_all(raw, a, sizeof a, &la));
    b64_decoder d;
    b64_dec_init(&d);
    CHECK_INT(B64_OK, b64_dec_update_json(&d, esc, strlen(esc), b, sizeof b, &lb));
    CHECK_INT(B64_OK, b64_dec_finish(&d));
    CHECK_MEM(a, la, b, lb);
    size_t n = 0;
    CHECK_INT(B64_OK, b64_json_decoded_len(esc, strlen(esc), &n));
    CHECK_INT(2, n);
    CHECK_INT(B64_ERR_CHAR, b64_json_decoded_len("\\n", 2, &n));
    CHECK_INT(B64_ERR_CHAR, b64_json_decoded_len("\\u00e9", 6, &n));
    CHECK_INT(B64_ERR_CHAR, b64_json_decoded_len("\\u00", 4, &n)); /* cut escape */
    CHECK_INT(B64_ERR_CHAR, b64_json_decoded_len("Zg\\", 3, &n));
    CHECK_INT(B64_ERR_INCOMPLETE, b64_json_decoded_len("Zg=", 3, &n));
    /* long input crosses the internal 32-char piece boundary */
    uint8_t data[100];
    for (size_t i = 0; i < sizeof data; i++) data[i] = (uint8_t)(250u - i);
    char enc[200];
    size_t elen;
    CHECK_INT(B64_OK, b64_encode(data, sizeof data, enc, sizeof enc, &elen));
    uint8_t back[100];
    size_t blen = 0;
    b64_dec_init(&d);
    CHECK_INT(B64_OK, b64_dec_update_json(&d, enc, elen, back, sizeof back, &blen));
    CHECK_INT(B64_OK, b64_dec_finish(&d));
    CHECK_MEM(data, sizeof data, back, blen);
}

static void garbage(void)
{
    uint32_t seed = 99u;
    for (int round = 0; round < 5000; round++) {
        char in[40];
        for (size_t i = 0; i < sizeof in; i++) {
            seed = seed * 1103515245u + 12345u;
            in[i] = (char)(seed >> 16);
        }
        uint8_t out[30];
        size_t len = 0;
        b64_decoder d;
        b64_dec_init(&d);
        int r = b64_dec_update(&d, in, sizeof in, out, sizeof out, &len);
        CHECK(r <= 0 && r >= B64_ERR_INCOMPLETE);
        CHECK(len <= sizeof out);
    }
}

int main(void)
{
    rfc4648_vectors();
    streaming_any_split();
    errors();
    json_escaped();
    garbage();
    return check_done("test_base64");
}
