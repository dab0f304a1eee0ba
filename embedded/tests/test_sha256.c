/* SHA-256 against the FIPS 180-4 example vectors. */
#include <stdint.h>

#include "check.h"
#include "sha256.h"

static void hex_of(const void *data, size_t n, char hex[SHA256_HEX_LEN + 1])
{
    uint8_t d[SHA256_DIGEST_LEN];
    sha256(data, n, d);
    sha256_hex(d, hex);
}

int main(void)
{
    char hex[SHA256_HEX_LEN + 1];
    hex_of("abc", 3, hex);
    CHECK_STR("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hex);
    hex_of("", 0, hex);
    CHECK_STR("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", hex);
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hex_of(m448, strlen(m448), hex);
    CHECK_STR("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", hex);
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
                       "mnopqrstnopqrstu";
    hex_of(m896, strlen(m896), hex);
    CHECK_STR("cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1", hex);

    /* one million 'a', fed in uneven pieces */
    sha256_ctx c;
    sha256_init(&c);
    char a[1000];
    memset(a, 'a', sizeof a);
    size_t left = 1000000;
    size_t piece = 1;
    while (left > 0) {
        size_t take = piece < left ? piece : left;
        sha256_update(&c, a, take);
        left -= take;
        piece = piece % 977 + 13; /* stays below sizeof a */
    }
    uint8_t d[SHA256_DIGEST_LEN];
    sha256_final(&c, d);
    sha256_hex(d, hex);
    CHECK_STR("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0", hex);

    /* streaming equals one shot across the 55/56/64-byte padding boundaries */
    uint8_t buf[130];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)i;
    for (size_t n = 50; n <= 130; n++) {
        uint8_t one[SHA256_DIGEST_LEN], two[SHA256_DIGEST_LEN];
        sha256(buf, n, one);
        sha256_init(&c);
        sha256_update(&c, buf, n / 3);
        sha256_update(&c, buf + n / 3, n - n / 3);
        sha256_final(&c, two);
        CHECK_MEM(one, sizeof one, two, sizeof two);
    }
    return check_done("test_sha256");
}
