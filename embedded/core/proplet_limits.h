/* Compile-time limits of the portable core. Every table and buffer in core/ is sized by one of these;
 * override any of them with -DNAME=value (CMake: target_compile_definitions, Zephyr: zephyr_compile_definitions). */
#ifndef PROPLET_LIMITS_H
#define PROPLET_LIMITS_H

/* Maximum number of tasks in the task table (running, waiting for a binary, or finished but not yet removed). */
#ifndef PROPLET_MAX_TASKS
#define PROPLET_MAX_TASKS 24
#endif

/* Longest task id, proplet id, namespace, tenant or channel id (bytes, without the terminating NUL). */
#ifndef PROPLET_ID_MAX
#define PROPLET_ID_MAX 63
#endif

/* Longest task name (= exported function to call). */
#ifndef PROPLET_NAME_MAX
#define PROPLET_NAME_MAX 63
#endif

/* Longest image_url / app_name. */
#ifndef PROPLET_APP_NAME_MAX
#define PROPLET_APP_NAME_MAX 255
#endif

/* Inputs of one start: how many, and the longest text of one input. */
#ifndef PROPLET_MAX_INPUTS
#define PROPLET_MAX_INPUTS 16
#endif
#ifndef PROPLET_INPUT_MAX
#define PROPLET_INPUT_MAX 63
#endif

/* Environment variables of one start kept (extra ones are ignored), longest key and value. */
#ifndef PROPLET_MAX_ENV
#define PROPLET_MAX_ENV 4
#endif
#ifndef PROPLET_ENV_KEY_MAX
#define PROPLET_ENV_KEY_MAX 31
#endif
#ifndef PROPLET_ENV_VALUE_MAX
#define PROPLET_ENV_VALUE_MAX 63
#endif

/* "sha256:" + 64 hex digits. */
#ifndef PROPLET_DIGEST_MAX
#define PROPLET_DIGEST_MAX 71
#endif

/* Error texts (results "error", chunk assembly failures). */
#ifndef PROPLET_ERROR_MAX
#define PROPLET_ERROR_MAX 511
#endif

/* Longest MQTT topic built or classified. */
#ifndef PROPLET_TOPIC_MAX
#define PROPLET_TOPIC_MAX 255
#endif

/* JSON: deepest nesting accepted, and tokens per parsed message (callers size their token arrays with it). */
#ifndef PROPLET_JSON_MAX_DEPTH
#define PROPLET_JSON_MAX_DEPTH 16
#endif
#ifndef PROPLET_JSON_MAX_TOKENS
#define PROPLET_JSON_MAX_TOKENS 128
#endif

/* Chunk assembly: concurrent assemblies, chunks per artifact (bitmap size), bytes per artifact. */
#ifndef PROPLET_MAX_ASSEMBLIES
#define PROPLET_MAX_ASSEMBLIES 2
#endif
#ifndef PROPLET_MAX_CHUNKS
#define PROPLET_MAX_CHUNKS 1024
#endif
#ifndef PROPLET_MAX_BINARY_BYTES
#define PROPLET_MAX_BINARY_BYTES (256u * 1024u)
#endif

/* Recent task results kept for replay on a discover request (core/recent.h): how many, the longest results and
 * error texts stored (a longer text is not stored at all, since a replay must be exact), and how old (wall-clock
 * milliseconds) a result may be to be replayed. */
#ifndef PROPLET_RECENT_RESULTS
#define PROPLET_RECENT_RESULTS 8
#endif
#ifndef PROPLET_RECENT_RESULT_MAX
#define PROPLET_RECENT_RESULT_MAX 127
#endif
#ifndef PROPLET_RECENT_ERROR_MAX
#define PROPLET_RECENT_ERROR_MAX 255
#endif
#ifndef PROPLET_RECENT_WINDOW_MS
#define PROPLET_RECENT_WINDOW_MS (10u * 60u * 1000u)
#endif

#endif
