/* kv_zephyr.c - the key-value store on Zephyr's settings subsystem (NVS backend, the "storage" flash partition).
 * A key is stored as "<dir>/<key>" (dir = the settings subtree given to port_kv_open); the value is saved with its
 * terminating NUL, so a stored empty string still has length 1 and "not found" is unambiguous. */
#include "port.h"
#include "port_common.h"

#include <errno.h>
#include <string.h>
#include <sys/types.h>

#include <zephyr/kernel.h>
#include <zephyr/settings/settings.h>

static char g_dir[32];

/* "<dir>/<key>"; PORT_ERR_INVAL when it would exceed the settings name limit. */
static int full_name(char *buf, size_t cap, const char *key)
{
    if (g_dir[0] == '\0' || !port_kv_key_ok(key)) {
        return PORT_ERR_INVAL;
    }
    size_t need = strlen(g_dir) + 1 + strlen(key);
    if (need > SETTINGS_MAX_NAME_LEN || need >= cap) {
        return PORT_ERR_INVAL;
    }
    memcpy(buf, g_dir, strlen(g_dir));
    buf[strlen(g_dir)] = '/';
    memcpy(buf + strlen(g_dir) + 1, key, strlen(key) + 1);
    return PORT_OK;
}

int port_kv_open(const char *dir)
{
    if (dir == NULL || dir[0] == '\0' || strlen(dir) >= sizeof g_dir || strchr(dir, '/') != NULL ||
        strchr(dir, '=') != NULL) {
        return PORT_ERR_INVAL;
    }
    int rc = settings_subsys_init();
    if (rc != 0) {
        port_log(PORT_LOG_ERROR, "kv: settings_subsys_init failed: %d", rc);
        return PORT_ERR_IO;
    }
    memcpy(g_dir, dir, strlen(dir) + 1);
    return PORT_OK;
}

typedef struct {
    char *buf;
    size_t cap;
    int status;
} load_ctx;

/* Called for the record named exactly like the subtree (key "" or NULL) and for any below it; only the exact one
 * is ours. */
static int load_one(const char *key, size_t len, settings_read_cb read_cb, void *cb_arg, void *param)
{
    load_ctx *ctx = param;
    if (key != NULL && key[0] != '\0') {
        return 0;
    }
    if (len == 0) { /* a deleted record */
        ctx->status = PORT_ERR_NOTFOUND;
        return 0;
    }
    if (len > ctx->cap) {
        ctx->status = PORT_ERR_NOSPACE;
        return 0;
    }
    ssize_t n = read_cb(cb_arg, ctx->buf, len);
    if (n < 0 || (size_t)n != len) {
        ctx->status = PORT_ERR_IO;
        return 0;
    }
    ctx->buf[len - 1] = '\0'; /* stored with its NUL; enforce it anyway */
    ctx->status = PORT_OK;
    return 0;
}

int port_kv_get(const char *key, char *buf, size_t cap)
{
    char name[SETTINGS_MAX_NAME_LEN + 1];
    if (buf == NULL || cap == 0) {
        return PORT_ERR_INVAL;
    }
    int rc = full_name(name, sizeof name, key);
    if (rc != PORT_OK) {
        return rc;
    }
    buf[0] = '\0';
    load_ctx ctx = {.buf = buf, .cap = cap, .status = PORT_ERR_NOTFOUND};
    rc = settings_load_subtree_direct(name, load_one, &ctx);
    if (rc != 0) {
        return PORT_ERR_IO;
    }
    if (ctx.status == PORT_ERR_NOSPACE) {
        buf[0] = '\0';
    }
    return ctx.status;
}

int port_kv_set(const char *key, const char *value)
{
    char name[SETTINGS_MAX_NAME_LEN + 1];
    if (value == NULL || strlen(value) > PORT_KV_MAX_VALUE) {
        return PORT_ERR_INVAL;
    }
    int rc = full_name(name, sizeof name, key);
    if (rc != PORT_OK) {
        return rc;
    }
    rc = settings_save_one(name, value, strlen(value) + 1);
    if (rc != 0) {
        port_log(PORT_LOG_ERROR, "kv: saving %s failed: %d (NVS sector too small for the value?)", name, rc);
        return PORT_ERR_IO;
    }
    return PORT_OK;
}

int port_kv_delete(const char *key)
{
    char name[SETTINGS_MAX_NAME_LEN + 1];
    int rc = full_name(name, sizeof name, key);
    if (rc != PORT_OK) {
        return rc;
    }
    rc = settings_delete(name);
    return rc == 0 || rc == -ENOENT ? PORT_OK : PORT_ERR_IO;
}
