#include "json.h"

#include <string.h>

typedef struct {
    const char *js;
    size_t len;
    size_t pos;
    json_token *toks;
    size_t cap;
    size_t n;
} parser;

static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static void skip_ws(parser *p)
{
    while (p->pos < p->len && is_ws(p->js[p->pos])) {
        p->pos++;
    }
}

static int hex_val(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Reads 4 hex digits at s[i..i+4) of a buffer of length len. Returns the code unit, -1 invalid, -2 truncated. */
static long read_hex4(const char *s, size_t i, size_t len)
{
    long v = 0;
    for (size_t k = 0; k < 4; k++) {
        if (i + k >= len) return -2;
        int h = hex_val(s[i + k]);
        if (h < 0) return -1;
        v = (v << 4) | h;
    }
    return v;
}

static int new_token(parser *p, json_type type, size_t start)
{
    if (p->n >= p->cap) return JSON_ERR_NOMEM;
    if (start > UINT32_MAX) return JSON_ERR_NOMEM;
    json_token *t = &p->toks[p->n];
    t->type = type;
    t->start = (uint32_t)start;
    t->len = 0;
    t->count = 0;
    t->next = 0;
    return (int)p->n++;
}

static int parse_string(parser *p)
{
    /* p->pos is at the opening quote */
    size_t start = ++p->pos;
    while (p->pos < p->len) {
        unsigned char c = (unsigned char)p->js[p->pos];
        if (c == '"') {
            int t = new_token(p, JSON_STRING, start);
            if (t < 0) return t;
            p->toks[t].len = (uint32_t)(p->pos - start);
            p->toks[t].next = (uint32_t)p->n;
            p->pos++;
            return t;
        }
        if (c < 0x20) return JSON_ERR_INVALID;
        if (c == '\\') {
            p->pos++;
            if (p->pos >= p->len) return JSON_ERR_TRUNCATED;
            char e = p->js[p->pos];
            if (e == 'u') {
                long u = read_hex4(p->js, p->pos + 1, p->len);
                if (u == -2) return JSON_ERR_TRUNCATED;
                if (u < 0) return JSON_ERR_INVALID;
                p->pos += 5;
                if (u >= 0xDC00 && u <= 0xDFFF) return JSON_ERR_INVALID; /* lone low surrogate */
                if (u >= 0xD800 && u <= 0xDBFF) {
                    if (p->pos >= p->len) return JSON_ERR_TRUNCATED;
                    if (p->js[p->pos] != '\\') return JSON_ERR_INVALID;
                    if (p->pos + 1 >= p->len) return JSON_ERR_TRUNCATED;
                    if (p->js[p->pos + 1] != 'u') return JSON_ERR_INVALID;
                    long lo = read_hex4(p->js, p->pos + 2, p->len);
                    if (lo == -2) return JSON_ERR_TRUNCATED;
                    if (lo < 0xDC00 || lo > 0xDFFF) return JSON_ERR_INVALID;
                    p->pos += 6;
                }
                continue;
            }
            if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't') {
                return JSON_ERR_INVALID;
            }
        }
        p->pos++;
    }
    return JSON_ERR_TRUNCATED;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static int parse_number(parser *p)
{
    size_t start = p->pos;
    if (p->js[p->pos] == '-') p->pos++;
    if (p->pos >= p->len) return JSON_ERR_TRUNCATED;
    if (p->js[p->pos] == '0') {
        p->pos++;
    } else if (is_digit(p->js[p->pos])) {
        while (p->pos < p->len && is_digit(p->js[p->pos])) p->pos++;
    } else {
        return JSON_ERR_INVALID;
    }
    if (p->pos < p->len && p->js[p->pos] == '.') {
        p->pos++;
        if (p->pos >= p->len) return JSON_ERR_TRUNCATED;
        if (!is_digit(p->js[p->pos])) return JSON_ERR_INVALID;
        while (p->pos < p->len && is_digit(p->js[p->pos])) p->pos++;
    }
    if (p->pos < p->len && (p->js[p->pos] == 'e' || p->js[p->pos] == 'E')) {
        p->pos++;
        if (p->pos < p->len && (p->js[p->pos] == '+' || p->js[p->pos] == '-')) p->pos++;
        if (p->pos >= p->len) return JSON_ERR_TRUNCATED;
        if (!is_digit(p->js[p->pos])) return JSON_ERR_INVALID;
        while (p->pos < p->len && is_digit(p->js[p->pos])) p->pos++;
    }
    int t = new_token(p, JSON_NUMBER, start);
    if (t < 0) return t;
    p->toks[t].len = (uint32_t)(p->pos - start);
    p->toks[t].next = (uint32_t)p->n;
    return t;
}

static int parse_literal(parser *p, const char *word, json_type type)
{
    size_t wl = strlen(word);
    size_t start = p->pos;
    for (size_t i = 0; i < wl; i++) {
        if (p->pos + i >= p->len) return JSON_ERR_TRUNCATED;
        if (p->js[p->pos + i] != word[i]) return JSON_ERR_INVALID;
    }
    p->pos += wl;
    int t = new_token(p, type, start);
    if (t < 0) return t;
    p->toks[t].len = (uint32_t)wl;
    p->toks[t].next = (uint32_t)p->n;
    return t;
}

static int parse_value(parser *p, unsigned depth);

static int parse_container(parser *p, unsigned depth, bool is_object)
{
    if (depth >= PROPLET_JSON_MAX_DEPTH) return JSON_ERR_DEPTH;
    int t = new_token(p, is_object ? JSON_OBJECT : JSON_ARRAY, p->pos);
    if (t < 0) return t;
    char close = is_object ? '}' : ']';
    p->pos++;
    uint32_t count = 0;
    skip_ws(p);
    if (p->pos >= p->len) return JSON_ERR_TRUNCATED;
    if (p->js[p->pos] == close) {
        p->pos++;
    } else {
        for (;;) {
            skip_ws(p);
            if (p->pos >= p->len) return JSON_ERR_TRUNCATED;
            if (is_object) {
                if (p->js[p->pos] != '"') return JSON_ERR_INVALID;
                int k = parse_string(p);
                if (k < 0) return k;
                skip_ws(p);
                if (p->pos >= p->len) return JSON_ERR_TRUNCATED;
                if (p->js[p->pos] != ':') return JSON_ERR_INVALID;
                p->pos++;
            }
            int v = parse_value(p, depth + 1);
            if (v < 0) return v;
            count++;
            skip_ws(p);
            if (p->pos >= p->len) return JSON_ERR_TRUNCATED;
            char c = p->js[p->pos];
            if (c == ',') {
                p->pos++;
                continue;
            }
            if (c == close) {
                p->pos++;
                break;
            }
            return JSON_ERR_INVALID;
        }
    }
    p->toks[t].count = count;
    p->toks[t].len = (uint32_t)(p->pos - p->toks[t].start);
    p->toks[t].next = (uint32_t)p->n;
    return t;
}

static int parse_value(parser *p, unsigned depth)
{
    skip_ws(p);
    if (p->pos >= p->len) return JSON_ERR_TRUNCATED;
    char c = p->js[p->pos];
    switch (c) {
    case '{': return parse_container(p, depth, true);
    case '[': return parse_container(p, depth, false);
    case '"': return parse_string(p);
    case 't': return parse_literal(p, "true", JSON_TRUE);
    case 'f': return parse_literal(p, "false", JSON_FALSE);
    case 'n': return parse_literal(p, "null", JSON_NULL);
    default:
        if (c == '-' || is_digit(c)) return parse_number(p);
        return JSON_ERR_INVALID;
    }
}

int json_parse(json_doc *doc, const char *js, size_t len, json_token *toks, size_t cap)
{
    doc->js = js;
    doc->len = len;
    doc->toks = toks;
    doc->cap = cap;
    doc->n = 0;
    if (js == NULL || toks == NULL || len > UINT32_MAX) return JSON_ERR_INVALID;
    parser p = {js, len, 0, toks, cap, 0};
    int r = parse_value(&p, 0);
    if (r < 0) return r;
    skip_ws(&p);
    if (p.pos != len) return JSON_ERR_INVALID;
    doc->n = p.n;
    return JSON_OK;
}

const char *json_strerror(int err)
{
    switch (err) {
    case JSON_OK: return "ok";
    case JSON_ERR_INVALID: return "invalid JSON";
    case JSON_ERR_TRUNCATED: return "truncated JSON";
    case JSON_ERR_NOMEM: return "too many JSON tokens";
    case JSON_ERR_DEPTH: return "JSON nested too deeply";
    case JSON_ERR_TOO_LONG: return "value too long";
    case JSON_ERR_TYPE: return "wrong JSON type";
    case JSON_ERR_NOT_FOUND: return "missing field";
    case JSON_ERR_RANGE: return "number out of range";
    default: return "unknown JSON error";
    }
}

static bool valid_tok(const json_doc *doc, int tok) { return tok >= 0 && (size_t)tok < doc->n; }

int json_first(const json_doc *doc, int tok)
{
    if (!valid_tok(doc, tok)) return -1;
    const json_token *t = &doc->toks[tok];
    if ((t->type != JSON_OBJECT && t->type != JSON_ARRAY) || t->count == 0) return -1;
    return tok + 1;
}

int json_next(const json_doc *doc, int tok)
{
    if (!valid_tok(doc, tok)) return -1;
    return (int)doc->toks[tok].next;
}

/* Decodes one escape starting at s[i] == '\\' (already validated by the parser). Writes up to 4 UTF-8 bytes to
 * u8 and returns how many; *consumed gets the escape's length in the input. */
static size_t decode_escape(const char *s, size_t i, size_t len, char u8[4], size_t *consumed)
{
    char e = s[i + 1];
    *consumed = 2;
    switch (e) {
    case 'b': u8[0] = '\b'; return 1;
    case 'f': u8[0] = '\f'; return 1;
    case 'n': u8[0] = '\n'; return 1;
    case 'r': u8[0] = '\r'; return 1;
    case 't': u8[0] = '\t'; return 1;
    case 'u': break;
    default: u8[0] = e; return 1;
    }
    long cp = read_hex4(s, i + 2, len);
    *consumed = 6;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        long lo = read_hex4(s, i + 8, len);
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        *consumed = 12;
    }
    if (cp < 0x80) {
        u8[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        u8[0] = (char)(0xC0 | (cp >> 6));
        u8[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        u8[0] = (char)(0xE0 | (cp >> 12));
        u8[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u8[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    u8[0] = (char)(0xF0 | (cp >> 18));
    u8[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    u8[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u8[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int get_string(const json_doc *doc, int tok, char *out, size_t cap, size_t *out_len, bool trunc)
{
    if (!valid_tok(doc, tok) || doc->toks[tok].type != JSON_STRING) return JSON_ERR_TYPE;
    if (out == NULL || cap == 0) return JSON_ERR_TOO_LONG;
    const char *s = doc->js + doc->toks[tok].start;
    size_t len = doc->toks[tok].len;
    size_t o = 0;
    size_t i = 0;
    while (i < len) {
        char u8[4];
        size_t n;
        size_t used;
        if (s[i] == '\\') {
            n = decode_escape(s, i, len, u8, &used);
        } else {
            u8[0] = s[i];
            n = 1;
            used = 1;
        }
        if (o + n + 1 > cap) {
            if (trunc) break;
            out[0] = '\0';
            return JSON_ERR_TOO_LONG;
        }
        memcpy(out + o, u8, n);
        o += n;
        i += used;
    }
    out[o] = '\0';
    if (out_len != NULL) *out_len = o;
    return JSON_OK;
}

int json_get_string(const json_doc *doc, int tok, char *out, size_t cap, size_t *out_len)
{
    return get_string(doc, tok, out, cap, out_len, false);
}

int json_get_string_trunc(const json_doc *doc, int tok, char *out, size_t cap)
{
    return get_string(doc, tok, out, cap, NULL, true);
}

bool json_string_eq(const json_doc *doc, int tok, const char *str)
{
    if (!valid_tok(doc, tok) || doc->toks[tok].type != JSON_STRING || str == NULL) return false;
    const char *s = doc->js + doc->toks[tok].start;
    size_t len = doc->toks[tok].len;
    size_t slen = strlen(str);
    size_t o = 0;
    size_t i = 0;
    while (i < len) {
        char u8[4];
        size_t n;
        size_t used;
        if (s[i] == '\\') {
            n = decode_escape(s, i, len, u8, &used);
        } else {
            u8[0] = s[i];
            n = 1;
            used = 1;
        }
        if (o + n > slen || memcmp(str + o, u8, n) != 0) return false;
        o += n;
        i += used;
    }
    return o == slen;
}

int json_find(const json_doc *doc, int obj, const char *key)
{
    if (!valid_tok(doc, obj) || doc->toks[obj].type != JSON_OBJECT) return -1;
    uint32_t count = doc->toks[obj].count;
    int k = obj + 1;
    for (uint32_t m = 0; m < count; m++) {
        int v = json_next(doc, k);
        if (!valid_tok(doc, v)) return -1;
        if (json_string_eq(doc, k, key)) return v;
        k = json_next(doc, v);
    }
    return -1;
}

int json_get_int64(const json_doc *doc, int tok, int64_t *out)
{
    if (!valid_tok(doc, tok) || doc->toks[tok].type != JSON_NUMBER) return JSON_ERR_TYPE;
    const char *s = doc->js + doc->toks[tok].start;
    size_t len = doc->toks[tok].len;
    size_t i = 0;
    bool neg = false;
    if (s[0] == '-') {
        neg = true;
        i = 1;
    }
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    uint64_t v = 0;
    for (; i < len; i++) {
        if (!is_digit(s[i])) return JSON_ERR_TYPE;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (limit - d) / 10u) return JSON_ERR_RANGE;
        v = v * 10u + d;
    }
    if (neg) {
        *out = v == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)v;
    } else {
        *out = (int64_t)v;
    }
    return JSON_OK;
}

int json_get_bool(const json_doc *doc, int tok, bool *out)
{
    if (!valid_tok(doc, tok)) return JSON_ERR_TYPE;
    if (doc->toks[tok].type == JSON_TRUE) {
        *out = true;
        return JSON_OK;
    }
    if (doc->toks[tok].type == JSON_FALSE) {
        *out = false;
        return JSON_OK;
    }
    return JSON_ERR_TYPE;
}

bool json_is_null(const json_doc *doc, int tok) { return valid_tok(doc, tok) && doc->toks[tok].type == JSON_NULL; }

int json_obj_string(const json_doc *doc, int obj, const char *key, char *out, size_t cap)
{
    int v = json_find(doc, obj, key);
    if (v < 0) return JSON_ERR_NOT_FOUND;
    return json_get_string(doc, v, out, cap, NULL);
}

int json_obj_int64(const json_doc *doc, int obj, const char *key, int64_t *out)
{
    int v = json_find(doc, obj, key);
    if (v < 0) return JSON_ERR_NOT_FOUND;
    return json_get_int64(doc, v, out);
}

int json_obj_bool(const json_doc *doc, int obj, const char *key, bool *out)
{
    int v = json_find(doc, obj, key);
    if (v < 0) return JSON_ERR_NOT_FOUND;
    return json_get_bool(doc, v, out);
}

/* ---- writer ---- */

void json_w_init(json_writer *w, char *buf, size_t cap)
{
    w->buf = buf;
    w->cap = cap;
    w->len = 0;
    w->overflow = cap == 0 || buf == NULL;
    w->after_key = false;
    w->depth = 0;
    w->has_items = 0;
    if (!w->overflow) buf[0] = '\0';
}

static void put(json_writer *w, const char *s, size_t n)
{
    if (w->overflow) return;
    if (n >= w->cap - w->len) { /* keep one byte for the NUL */
        w->overflow = true;
        return;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
}

static void putc1(json_writer *w, char c) { put(w, &c, 1); }

/* Separator before a value (or a key) at the current depth. */
static void before_value(json_writer *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    uint32_t bit = 1u << w->depth;
    if (w->depth > 0 && (w->has_items & bit)) putc1(w, ',');
    w->has_items |= bit;
}

static void open_container(json_writer *w, char c)
{
    before_value(w);
    putc1(w, c);
    if (w->depth >= JSON_WRITER_MAX_DEPTH) {
        w->overflow = true;
        return;
    }
    w->depth++;
    w->has_items &= ~(1u << w->depth);
}

static void close_container(json_writer *w, char c)
{
    if (w->depth == 0) {
        w->overflow = true;
        return;
    }
    w->has_items &= ~(1u << w->depth);
    w->depth--;
    w->after_key = false;
    putc1(w, c);
}

void json_w_begin_object(json_writer *w) { open_container(w, '{'); }
void json_w_end_object(json_writer *w) { close_container(w, '}'); }
void json_w_begin_array(json_writer *w) { open_container(w, '['); }
void json_w_end_array(json_writer *w) { close_container(w, ']'); }

static void put_escaped(json_writer *w, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    putc1(w, '"');
    size_t run = 0; /* start of the pending run of plain bytes */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char ubuf[6];
        size_t elen = 2;
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            if (c < 0x20) {
                ubuf[0] = '\\';
                ubuf[1] = 'u';
                ubuf[2] = '0';
                ubuf[3] = '0';
                ubuf[4] = hex[c >> 4];
                ubuf[5] = hex[c & 0xF];
                esc = ubuf;
                elen = 6;
            }
            break;
        }
        if (esc != NULL) {
            put(w, s + run, i - run);
            put(w, esc, elen);
            run = i + 1;
        }
    }
    put(w, s + run, n - run);
    putc1(w, '"');
}

void json_w_key(json_writer *w, const char *key)
{
    before_value(w);
    put_escaped(w, key, strlen(key));
    putc1(w, ':');
    w->after_key = true;
}

void json_w_string_n(json_writer *w, const char *s, size_t n)
{
    before_value(w);
    put_escaped(w, s, n);
}

void json_w_string(json_writer *w, const char *s) { json_w_string_n(w, s, strlen(s)); }

static size_t u64_to_text(uint64_t v, char out[21])
{
    char tmp[21];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + (v % 10u));
        v /= 10u;
    } while (v != 0);
    for (size_t i = 0; i < n; i++) out[i] = tmp[n - 1 - i];
    return n;
}

void json_w_uint64(json_writer *w, uint64_t v)
{
    char t[21];
    before_value(w);
    put(w, t, u64_to_text(v, t));
}

void json_w_int64(json_writer *w, int64_t v)
{
    char t[22];
    before_value(w);
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    size_t n = 0;
    if (v < 0) t[n++] = '-';
    n += u64_to_text(mag, t + n);
    put(w, t, n);
}

void json_w_decimal(json_writer *w, int64_t scaled, unsigned decimals)
{
    if (decimals > 9) {
        before_value(w);
        w->overflow = true;
        return;
    }
    uint64_t div = 1;
    for (unsigned i = 0; i < decimals; i++) div *= 10u;
    uint64_t mag = scaled < 0 ? (uint64_t)0 - (uint64_t)scaled : (uint64_t)scaled;
    char t[40];
    size_t n = 0;
    if (scaled < 0) t[n++] = '-';
    n += u64_to_text(mag / div, t + n);
    if (decimals > 0) {
        uint64_t frac = mag % div;
        t[n++] = '.';
        for (unsigned i = decimals; i > 0; i--) {
            uint64_t p = 1;
            for (unsigned k = 1; k < i; k++) p *= 10u;
            t[n++] = (char)('0' + (frac / p) % 10u);
        }
    }
    before_value(w);
    put(w, t, n);
}

void json_w_bool(json_writer *w, bool v)
{
    before_value(w);
    if (v) {
        put(w, "true", 4);
    } else {
        put(w, "false", 5);
    }
}

void json_w_null(json_writer *w)
{
    before_value(w);
    put(w, "null", 4);
}

void json_w_raw(json_writer *w, const char *s, size_t n)
{
    before_value(w);
    put(w, s, n);
}

long json_w_finish(json_writer *w)
{
    if (w->overflow || w->depth != 0 || w->after_key) return -1;
    return (long)w->len;
}
