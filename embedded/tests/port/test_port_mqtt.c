/* MQTT against real mosquitto brokers started by this program: connect, subscribe, 1 MiB round trip, oversized
 * message dropped with the connection kept, wake-up of a poll by a queue post, Last Will of a SIGKILLed client
 * process, reconnect after a broker restart with subscriptions restored and the state callback fired, refused
 * connection. */
#define _GNU_SOURCE
#include "port.h"
#include "test_util.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define BIG_LEN ((size_t)1024 * 1024)

typedef struct {
    unsigned messages;
    char topic[PORT_MQTT_MAX_TOPIC];
    uint8_t *payload;
    size_t len;
    unsigned big_topic_messages;
    int states[8];
    unsigned state_count;
} recorder;

static recorder rec;

static void on_message(void *ctx, const char *topic, const uint8_t *payload, size_t len)
{
    recorder *r = ctx;
    r->messages++;
    (void)snprintf(r->topic, sizeof r->topic, "%s", topic);
    free(r->payload);
    r->payload = malloc(len + 1);
    REQUIRE(r->payload != NULL);
    memcpy(r->payload, payload, len);
    r->payload[len] = '\0';
    r->len = len;
    if (strcmp(topic, "test/big") == 0) {
        r->big_topic_messages++;
    }
}

static void on_state(void *ctx, bool connected)
{
    recorder *r = ctx;
    if (r->state_count < 8) {
        r->states[r->state_count] = connected ? 1 : 0;
    }
    r->state_count++;
}

/* Polls until a message on `topic` arrives (returns true) or timeout_ms passes. */
static bool wait_message(const char *topic, uint32_t timeout_ms)
{
    uint64_t deadline = port_time_monotonic_ms() + timeout_ms;
    unsigned before = rec.messages;
    while (port_time_monotonic_ms() < deadline) {
        (void)port_mqtt_poll(100);
        if (rec.messages != before && strcmp(rec.topic, topic) == 0) {
            return true;
        }
        before = rec.messages;
    }
    return false;
}

static bool wait_state_count(unsigned n, uint32_t timeout_ms)
{
    uint64_t deadline = port_time_monotonic_ms() + timeout_ms;
    while (rec.state_count < n && port_time_monotonic_ms() < deadline) {
        (void)port_mqtt_poll(100);
    }
    return rec.state_count >= n;
}

static port_mqtt_config base_config(uint16_t port, const char *client_id)
{
    port_mqtt_config c;
    memset(&c, 0, sizeof c);
    c.host = "127.0.0.1";
    c.port = port;
    c.client_id = client_id;
    c.keepalive_s = 5;
    c.clean_session = true;
    c.connect_timeout_ms = 5000;
    c.reconnect_min_ms = 100;
    c.reconnect_max_ms = 400;
    return c;
}

/* The Last Will client: connects, says so on the pipe, then serves until it is killed. */
static void will_child(uint16_t port, int ready_fd)
{
    static const char will[] = "{\"status\":\"offline\",\"proplet_id\":\"will-client\"}";
    port_mqtt_config c = base_config(port, "port-test-will");
    c.will_topic = "test/will/status";
    c.will_payload = (const uint8_t *)will;
    c.will_len = sizeof will - 1;
    c.will_qos = 1;
    char status = port_mqtt_connect(&c) == PORT_OK ? 'R' : 'F';
    if (write(ready_fd, &status, 1) != 1 || status != 'R') {
        _exit(3);
    }
    for (;;) {
        (void)port_mqtt_poll(1000);
    }
}

typedef struct {
    port_queue *q;
} poster_arg;

static void late_poster(void *p)
{
    poster_arg *a = p;
    port_sleep_ms(150);
    int v = 7;
    (void)port_queue_post(a->q, &v);
}

static void test_wake(void)
{
    poster_arg a = {NULL};
    REQUIRE(port_queue_create(&a.q, sizeof(int), 4) == PORT_OK);
    port_thread *t = NULL;
    (void)port_mqtt_poll(50); /* drain anything pending so the only early return can be the wake-up */
    unsigned before = rec.messages;
    REQUIRE(port_thread_create(&t, "poster", 0, late_poster, &a) == PORT_OK);
    uint64_t start = port_time_monotonic_ms();
    CHECK_INT(PORT_OK, port_mqtt_poll(5000));
    uint64_t took = port_time_monotonic_ms() - start;
    int v = 0;
    CHECK_INT(PORT_OK, port_queue_try_get(a.q, &v));
    CHECK_INT(7, v);
    CHECK_INT(before, rec.messages);
    CHECK(took >= 100);
    if (took >= 1000) {
        fprintf(stderr, "%s:%d: poll woke after %llu ms, expected < 1000\n", __FILE__, __LINE__,
                (unsigned long long)took);
        check_failures++;
    }
    CHECK_INT(PORT_OK, port_thread_join(t));
    port_queue_destroy(a.q);
}

int main(void)
{
    (void)signal(SIGPIPE, SIG_IGN);
    test_broker broker;
    memset(&broker, 0, sizeof broker);
    if (!test_broker_start(&broker, 0)) {
        fprintf(stderr, "%s:%d: cannot start the mosquitto broker; this test needs it\n", __FILE__, __LINE__);
        return 1;
    }

    /* The Last Will client is forked before this process has a client of its own. */
    int pipefd[2];
    REQUIRE(pipe(pipefd) == 0);
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        test_die_with_parent();
        (void)close(pipefd[0]);
        will_child(broker.port, pipefd[1]);
    }
    (void)close(pipefd[1]);

    /* connect and subscribe */
    port_mqtt_config c = base_config(broker.port, "port-test-main");
    c.max_incoming_bytes = 2 * BIG_LEN;
    c.on_message = on_message;
    c.on_state = on_state;
    c.ctx = &rec;
    REQUIRE(port_mqtt_connect(&c) == PORT_OK);
    CHECK(port_mqtt_is_connected());
    CHECK_INT(0, rec.state_count); /* not called for the first connect */
    CHECK_INT(PORT_OK, port_mqtt_subscribe("test/rt", 1));
    CHECK_INT(PORT_OK, port_mqtt_subscribe("test/big", 1));
    CHECK_INT(PORT_OK, port_mqtt_subscribe("test/will/#", 1));
    CHECK_INT(PORT_ERR_INVAL, port_mqtt_subscribe("", 1));
    CHECK_INT(PORT_ERR_INVAL, port_mqtt_subscribe("test/x", 3));
    CHECK_INT(PORT_ERR_INVAL, port_mqtt_publish("test/rt", "x", 1, 5));

    /* a small round trip also proves the subscriptions are active */
    CHECK_INT(PORT_OK, port_mqtt_publish("test/rt", "hello", 5, 1));
    REQUIRE(wait_message("test/rt", 5000));
    CHECK_INT(5, rec.len);
    CHECK_STR("hello", (const char *)rec.payload);

    /* an empty payload arrives as an empty payload */
    CHECK_INT(PORT_OK, port_mqtt_publish("test/rt", NULL, 0, 0));
    CHECK(wait_message("test/rt", 5000));
    CHECK_INT(0, rec.len);

    /* 1 MiB round trip, byte for byte */
    uint8_t *big = malloc(3 * BIG_LEN);
    REQUIRE(big != NULL);
    for (size_t i = 0; i < 3 * BIG_LEN; i++) {
        big[i] = (uint8_t)((i * 31U + 7U) ^ (i >> 11));
    }
    CHECK_INT(PORT_OK, port_mqtt_publish("test/rt", big, BIG_LEN, 1));
    CHECK(wait_message("test/rt", 10000));
    CHECK_INT(BIG_LEN, rec.len);
    CHECK(rec.len == BIG_LEN && memcmp(rec.payload, big, BIG_LEN) == 0);

    /* over max_incoming_bytes: dropped, connection kept, the next message still arrives */
    CHECK_INT(PORT_OK, port_mqtt_publish("test/big", big, 3 * BIG_LEN, 1));
    CHECK_INT(PORT_OK, port_mqtt_publish("test/rt", "after", 5, 1));
    CHECK(wait_message("test/rt", 10000));
    CHECK_STR("after", (const char *)rec.payload);
    CHECK_INT(0, rec.big_topic_messages);
    CHECK(port_mqtt_is_connected());
    CHECK_INT(0, rec.state_count);
    free(big);

    /* a queue post from a worker ends a long poll early */
    test_wake();

    /* Last Will: kill the other client's process without a DISCONNECT */
    char status = 0;
    ssize_t got = read(pipefd[0], &status, 1);
    (void)close(pipefd[0]);
    CHECK(got == 1 && status == 'R');
    REQUIRE(kill(child, SIGKILL) == 0);
    REQUIRE(waitpid(child, NULL, 0) == child);
    CHECK(wait_message("test/will/status", 10000));
    CHECK_STR("test/will/status", rec.topic);
    CHECK_STR("{\"status\":\"offline\",\"proplet_id\":\"will-client\"}", (const char *)rec.payload);

    /* broker restart: state goes down, publishing is refused, then it comes back with subscriptions restored */
    test_broker_stop(&broker);
    CHECK(wait_state_count(1, 10000));
    CHECK_INT(0, rec.states[0]);
    CHECK(!port_mqtt_is_connected());
    CHECK_INT(PORT_ERR_NOCONN, port_mqtt_publish("test/rt", "lost", 4, 1));
    CHECK_INT(PORT_ERR_NOCONN, port_mqtt_poll(300)); /* retries fail against the closed port */
    REQUIRE(test_broker_start(&broker, broker.port));
    CHECK(wait_state_count(2, 10000));
    CHECK_INT(1, rec.states[1]);
    CHECK(port_mqtt_is_connected());
    CHECK_INT(PORT_OK, port_mqtt_publish("test/rt", "back", 4, 1));
    CHECK(wait_message("test/rt", 5000)); /* the fresh broker knows our topic only through the re-subscription */
    CHECK_STR("back", (const char *)rec.payload);
    CHECK_INT(2, rec.state_count);

    port_mqtt_disconnect();
    CHECK(!port_mqtt_is_connected());
    CHECK_INT(PORT_ERR_INVAL, port_mqtt_publish("test/rt", "x", 1, 0));

    /* nobody listening: connect fails cleanly, and a second connect after it works */
    port_mqtt_config dead = base_config(test_free_port(), "port-test-dead");
    CHECK_INT(PORT_ERR_NOCONN, port_mqtt_connect(&dead));
    CHECK(!port_mqtt_is_connected());
    port_mqtt_config again = base_config(broker.port, "port-test-again");
    again.keepalive_s = 5;
    again.on_state = on_state;
    again.ctx = &rec;
    CHECK_INT(PORT_OK, port_mqtt_connect(&again));
    CHECK_INT(PORT_ERR_INVAL, port_mqtt_connect(&again)); /* one client per process */
    /* keepalive: idle for 9 s with a 5 s keepalive, the poll's PINGREQs keep the session (the broker drops a
     * silent client after 1.5 periods, 7.5 s) */
    uint64_t idle_until = port_time_monotonic_ms() + 9000;
    while (port_time_monotonic_ms() < idle_until) {
        CHECK_INT(PORT_OK, port_mqtt_poll(500));
    }
    CHECK(port_mqtt_is_connected());
    CHECK_INT(2, rec.state_count);
    port_mqtt_disconnect();

    test_broker_stop(&broker);
    test_remove_dir(broker.dir);
    free(rec.payload);
    return check_done("port_mqtt");
}
