/*
 * port.h - the platform layer of the embedded proplet.
 *
 * Target-agnostic: no POSIX or Zephyr types appear here. Implementations:
 *   port/posix/   libmosquitto + pthreads (host build, tests)
 *   port/zephyr/  Zephyr MQTT library, k_thread, settings/NVS, Wi-Fi
 *
 * Threading model (binding for every implementation):
 *   - MQTT is single-threaded. Only the main loop calls port_mqtt_connect, _subscribe, _publish, _poll and
 *     _disconnect; the message and state callbacks run on that same thread from inside port_mqtt_poll (or
 *     port_mqtt_connect). Zephyr's MQTT client is not thread-safe, so nothing else may touch it.
 *   - Worker threads hand results to the main loop through a port_queue; posting never blocks and wakes a
 *     port_mqtt_poll in progress so the main loop drains the queue promptly.
 *   - Strings come back in caller-provided buffers; functions never return pointers to static storage.
 *   - The MQTT callbacks may call port_mqtt_publish and port_mqtt_subscribe, never port_mqtt_connect or
 *     port_mqtt_disconnect.
 *
 * Notes for port/zephyr (the POSIX port is the reference behaviour; tests in embedded/tests/port):
 *   - Keep a real wake-up: zsock_poll() on the MQTT socket plus an eventfd (CONFIG_EVENTFD) that port_wake()
 *     writes, with the timeout capped by mqtt_keepalive_time_left(); call mqtt_input() on POLLIN and mqtt_live()
 *     every iteration. (POSIX slices mosquitto_loop at 20 ms instead, since libmosquitto cannot add our fd.)
 *   - The Zephyr client does not ack for us: answer MQTT_EVT_PUBLISH with mqtt_publish_qos1_ack / qos2_receive,
 *     and MQTT_EVT_PUBREL with mqtt_publish_qos2_complete. An oversized payload must still be read off the socket
 *     (mqtt_read_publish_payload in pieces into a scratch buffer) before it is dropped, or the stream desyncs.
 *   - client_id, username, password, will topic/message are referenced (not copied) by struct mqtt_client: copy
 *     them into static storage, as the POSIX port copies them.
 *   - Nothing restores subscriptions after a reconnect: keep the PORT_MQTT_MAX_SUBSCRIPTIONS table, re-subscribe,
 *     then call on_state(true). Back off between attempts (min 500 ms doubling to 30 s by default).
 *   - TLS takes credentials by sec_tag (tls_credential_add), not file paths: map tls_ca_file/tls_cert_file/
 *     tls_key_file to built-in or settings-stored PEM, set the SNI host name, tls_insecure → TLS_PEER_VERIFY_NONE.
 *   - Threads need static stacks (K_THREAD_STACK_ARRAY_DEFINE) sized at build time: a pool of max-concurrent-tasks
 *     entries; PORT_ERR_NOMEM when empty, PORT_ERR_INVAL when stack_bytes exceeds the pool's stack size.
 *     port_queue maps to k_msgq with K_NO_WAIT; port_thread_join to k_thread_join.
 *   - Settings/NVS: key names are limited (SETTINGS_MAX_NAME_LEN) and NVS values by sector size; keep credential
 *     keys short and values well under PORT_KV_MAX_VALUE.
 *   - The wall clock is unset until SNTP: port_time_unix_ms returns 0 until then.
 *   - There is no environment: fill port_config (config.h) from Kconfig and the key-value store through
 *     port_config_load's lookup callback.
 */
#ifndef PROPLET_PORT_H
#define PROPLET_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define PORT_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#define PORT_PRINTF(fmt_index, first_arg)
#endif

/* ---- status codes ------------------------------------------------------------------------------------------ */

typedef enum {
    PORT_OK = 0,
    PORT_ERR = -1,           /* unspecified failure (details logged) */
    PORT_ERR_INVAL = -2,     /* bad argument */
    PORT_ERR_NOSPACE = -3,   /* caller's buffer too small; output truncated and NUL-terminated when possible */
    PORT_ERR_NOTFOUND = -4,  /* key-value: no such key */
    PORT_ERR_FULL = -5,      /* queue full */
    PORT_ERR_EMPTY = -6,     /* queue empty */
    PORT_ERR_NOCONN = -7,    /* MQTT: not connected (the message was not queued) */
    PORT_ERR_IO = -8,        /* storage or socket I/O error */
    PORT_ERR_NOMEM = -9,     /* allocation failed */
    PORT_ERR_TIMEOUT = -10   /* a wait ran out */
} port_status;

/* A short constant description of a status, for log lines. */
const char *port_status_str(int status);

/* ---- log --------------------------------------------------------------------------------------------------- */

typedef enum {
    PORT_LOG_TRACE = 0,
    PORT_LOG_DEBUG = 1,
    PORT_LOG_INFO = 2,
    PORT_LOG_WARN = 3,
    PORT_LOG_ERROR = 4
} port_log_level;

/* Messages below `level` are dropped. Default PORT_LOG_INFO. Thread-safe. */
void port_log_set_level(port_log_level level);
port_log_level port_log_get_level(void);
/* One line per call (a trailing newline is added). POSIX: stderr, "<RFC 3339 time> <LEVEL> <message>".
 * Lines are truncated at 1 KiB. Thread-safe; lines from different threads never interleave. */
void port_log(port_log_level level, const char *fmt, ...) PORT_PRINTF(2, 3);

/* ---- time -------------------------------------------------------------------------------------------------- */

/* Milliseconds from an arbitrary start; never goes backwards. */
uint64_t port_time_monotonic_ms(void);
/* Wall-clock time as RFC 3339 UTC with milliseconds, e.g. "2026-11-25T19:42:55.123Z" (24 chars + NUL). */
#define PORT_RFC3339_SIZE 32
int port_time_rfc3339(char *buf, size_t cap);
/* Wall-clock milliseconds since the Unix epoch (0 when the clock is not set yet, e.g. before SNTP on Zephyr). */
uint64_t port_time_unix_ms(void);
void port_sleep_ms(uint32_t ms);

/* ---- MQTT (main loop only) --------------------------------------------------------------------------------- */

/* Called on the main loop thread from port_mqtt_poll. `topic` is NUL-terminated; `payload` is not, and both are
 * valid only during the call. Messages larger than max_incoming_bytes are dropped (logged) before this. */
typedef void (*port_mqtt_message_fn)(void *ctx, const char *topic, const uint8_t *payload, size_t len);
/* Called on the main loop thread when the session comes up (connected=true; subscriptions made through
 * port_mqtt_subscribe have already been restored by the port) or goes down (connected=false). The app re-announces
 * itself (discovery) on connected=true. Not called for the first successful port_mqtt_connect. */
typedef void (*port_mqtt_state_fn)(void *ctx, bool connected);

typedef struct {
    const char *host;           /* required */
    uint16_t port;              /* 0 means 1883, or 8883 with TLS */
    const char *client_id;      /* required */
    const char *username;       /* NULL: none */
    const char *password;       /* NULL: none */
    uint16_t keepalive_s;       /* 0 means 30; POSIX raises 1..4 to 5 (libmosquitto's minimum) */
    bool clean_session;

    const char *will_topic;     /* NULL: no Last Will */
    const uint8_t *will_payload;
    size_t will_len;
    int will_qos;
    bool will_retain;

    bool tls;                   /* connect with TLS */
    const char *tls_ca_file;    /* PEM CA file; NULL: the platform's default roots */
    const char *tls_cert_file;  /* client certificate (PEM), with tls_key_file; NULL: none */
    const char *tls_key_file;
    bool tls_insecure;          /* do not verify the broker's certificate or host name */

    size_t max_incoming_bytes;  /* 0 means PORT_MQTT_DEFAULT_MAX_INCOMING */
    uint32_t connect_timeout_ms;/* 0 means 10000: how long port_mqtt_connect waits for CONNACK */
    uint32_t reconnect_min_ms;  /* 0 means 500: first back-off after a drop, doubled up to reconnect_max_ms */
    uint32_t reconnect_max_ms;  /* 0 means 30000 */

    port_mqtt_message_fn on_message;
    port_mqtt_state_fn on_state;
    void *ctx;                  /* passed to both callbacks */
} port_mqtt_config;

#define PORT_MQTT_DEFAULT_MAX_INCOMING ((size_t)10 * 1024 * 1024)
/* Subscriptions remembered for restoration after a reconnect. */
#define PORT_MQTT_MAX_SUBSCRIPTIONS 16
#define PORT_MQTT_MAX_TOPIC 256

/* Connects and waits for the broker's CONNACK (up to connect_timeout_ms). One client per process. The strings of
 * `config` are copied. Fails with PORT_ERR_NOCONN when the broker is unreachable or refuses. */
int port_mqtt_connect(const port_mqtt_config *config);
/* Subscribes now (when connected) and remembers the topic for every later reconnect. */
int port_mqtt_subscribe(const char *topic, int qos);
/* Queues a message; PORT_ERR_NOCONN while disconnected (the app decides whether to retry). Not retained. */
int port_mqtt_publish(const char *topic, const void *payload, size_t len, int qos);
/* Runs the client for at most timeout_ms: sends and receives, keepalive, delivers messages and state changes to the
 * callbacks, reconnects with back-off after a drop. Returns early after delivering messages, on a state change or
 * when port_wake() is called. Returns PORT_OK, or PORT_ERR_NOCONN when the client is currently disconnected. */
int port_mqtt_poll(uint32_t timeout_ms);
bool port_mqtt_is_connected(void);
/* Clean DISCONNECT (the broker does not publish the Last Will) and releases the client. */
void port_mqtt_disconnect(void);

/* Wakes a port_mqtt_poll in progress (or makes the next one return at once). Any thread. port_queue_post calls it. */
void port_wake(void);

/* ---- threads, mutex, queue --------------------------------------------------------------------------------- */

typedef struct port_thread port_thread;
typedef struct port_mutex port_mutex;
typedef struct port_queue port_queue;

typedef void (*port_thread_fn)(void *arg);

/* Starts fn(arg) on a new thread with at least stack_bytes of stack (0: platform default). `name` is for
 * debuggers (may be truncated). On Zephyr threads come from a fixed pool: expect PORT_ERR_NOMEM when it is used up. */
int port_thread_create(port_thread **out, const char *name, size_t stack_bytes, port_thread_fn fn, void *arg);
/* Waits for the thread to return and releases it. */
int port_thread_join(port_thread *thread);

int port_mutex_create(port_mutex **out);
void port_mutex_lock(port_mutex *mutex);
void port_mutex_unlock(port_mutex *mutex);
void port_mutex_destroy(port_mutex *mutex);

/* A bounded multi-producer queue of fixed-size items (copied in and out). Created once at start-up. */
int port_queue_create(port_queue **out, size_t item_size, size_t capacity);
/* Copies item_size bytes from `item`; never blocks. PORT_ERR_FULL when full. Wakes the main loop. */
int port_queue_post(port_queue *queue, const void *item);
/* Copies the oldest item to `out`; never blocks. PORT_ERR_EMPTY when there is none. */
int port_queue_try_get(port_queue *queue, void *out);
size_t port_queue_count(port_queue *queue);
void port_queue_destroy(port_queue *queue);

/* ---- key-value storage (credentials) ----------------------------------------------------------------------- */

/* Keys: 1..PORT_KV_MAX_KEY chars of [A-Za-z0-9_.-], not starting with '.'. Values: strings up to PORT_KV_MAX_VALUE
 * bytes. POSIX: one file per key in `dir` (created if missing), replaced atomically (temp file, fsync, rename).
 * Zephyr: the settings subsystem on NVS; `dir` is the settings subtree name. */
#define PORT_KV_MAX_KEY 64
#define PORT_KV_MAX_VALUE 4096
int port_kv_open(const char *dir);
/* Copies the value into buf (NUL-terminated). PORT_ERR_NOTFOUND, or PORT_ERR_NOSPACE when cap is too small. */
int port_kv_get(const char *key, char *buf, size_t cap);
int port_kv_set(const char *key, const char *value);
int port_kv_delete(const char *key); /* PORT_OK also when the key did not exist */

/* ---- system info ------------------------------------------------------------------------------------------- */

typedef struct {
    char os[16];           /* "linux" or "zephyr" */
    char arch[32];         /* e.g. "x86_64", "aarch64", "xtensa" */
    char hostname[64];     /* "" when unknown */
    char ipv4[16];         /* dotted quad of the default route's interface; "" when unknown */
    uint64_t total_memory_bytes; /* 0 when unknown */
} port_sysinfo;

/* Fills every field it can (best effort); PORT_OK even when some are unknown. */
int port_sysinfo_get(port_sysinfo *out);
/* Resident memory of this process (POSIX) or heap in use (Zephyr); 0 when unknown. */
uint64_t port_process_rss_bytes(void);

typedef struct {
    uint64_t user_us;   /* CPU time in user mode, microseconds */
    uint64_t system_us; /* CPU time in kernel mode, microseconds */
} port_cpu_times;

/* CPU time used so far: POSIX, by this process (all its threads, getrusage RUSAGE_SELF); Zephyr, by every non-idle
 * thread (with CONFIG_SCHED_THREAD_USAGE_ALL; reported as user time, system 0). Never decreases. PORT_OK, or
 * PORT_ERR when the platform cannot tell (both fields 0), PORT_ERR_INVAL for NULL. */
int port_process_cpu_times(port_cpu_times *out);

#ifdef __cplusplus
}
#endif

#endif /* PROPLET_PORT_H */
