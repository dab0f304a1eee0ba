/* MQTT over TLS against a real mosquitto with a throw-away CA made by the openssl CLI: a verified connection with
 * the CA file works (round trip), a wrong CA is refused, tls_insecure accepts it anyway, and a client certificate
 * is accepted by a broker that requires one. */
#define _GNU_SOURCE
#include "port.h"
#include "test_util.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned received;
static char last_payload[64];

static void on_message(void *ctx, const char *topic, const uint8_t *payload, size_t len)
{
    (void)ctx;
    (void)topic;
    received++;
    size_t n = len < sizeof last_payload - 1 ? len : sizeof last_payload - 1;
    memcpy(last_payload, payload, n);
    last_payload[n] = '\0';
}

static void run(const char *dir, const char *cmd)
{
    char line[2048];
    int n = snprintf(line, sizeof line, "cd '%s' && ( %s ) >openssl.log 2>&1", dir, cmd);
    REQUIRE(n > 0 && (size_t)n < sizeof line);
    int rc = system(line);
    if (rc != 0) {
        fprintf(stderr, "%s:%d: command failed (%d): %s (see %s/openssl.log)\n", __FILE__, __LINE__, rc, cmd, dir);
        exit(1);
    }
}

static port_mqtt_config tls_config(uint16_t port, const char *ca)
{
    port_mqtt_config c;
    memset(&c, 0, sizeof c);
    c.host = "127.0.0.1";
    c.port = port;
    c.client_id = "port-test-tls";
    c.keepalive_s = 10;
    c.clean_session = true;
    c.tls = true;
    c.tls_ca_file = ca;
    c.connect_timeout_ms = 5000;
    c.on_message = on_message;
    return c;
}

static bool round_trip(const char *text)
{
    unsigned before = received;
    if (port_mqtt_subscribe("tls/rt", 1) != PORT_OK ||
        port_mqtt_publish("tls/rt", text, strlen(text), 1) != PORT_OK) {
        return false;
    }
    uint64_t deadline = port_time_monotonic_ms() + 5000;
    while (received == before && port_time_monotonic_ms() < deadline) {
        (void)port_mqtt_poll(100);
    }
    return received != before && strcmp(last_payload, text) == 0;
}

int main(void)
{
    (void)signal(SIGPIPE, SIG_IGN);
    if (system("openssl version >/dev/null 2>&1") != 0) {
        fprintf(stderr, "%s:%d: the openssl CLI is needed to make test certificates\n", __FILE__, __LINE__);
        return 1;
    }
    char dir[256];
    test_make_temp_dir(dir, sizeof dir, "tls");
    run(dir, "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 -subj /CN=proplet-test-ca");
    run(dir, "openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.crt -days 2 -subj /CN=other-ca");
    run(dir, "printf 'subjectAltName=IP:127.0.0.1\\n' >san.cnf && "
             "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1 && "
             "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 2 "
             "-extfile san.cnf");
    run(dir, "openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=port-test-client && "
             "openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out client.crt -days 2");

    char ca[320], other[320], ccert[320], ckey[320], extra[1200];
    (void)snprintf(ca, sizeof ca, "%s/ca.crt", dir);
    (void)snprintf(other, sizeof other, "%s/other.crt", dir);
    (void)snprintf(ccert, sizeof ccert, "%s/client.crt", dir);
    (void)snprintf(ckey, sizeof ckey, "%s/client.key", dir);
    (void)snprintf(extra, sizeof extra, "cafile %s/ca.crt\ncertfile %s/server.crt\nkeyfile %s/server.key\n", dir, dir,
                   dir);

    test_broker broker;
    memset(&broker, 0, sizeof broker);
    if (!test_broker_start_with(&broker, 0, extra)) {
        fprintf(stderr, "%s:%d: cannot start the TLS broker\n", __FILE__, __LINE__);
        return 1;
    }

    /* verified with the right CA */
    port_mqtt_config c = tls_config(broker.port, ca);
    CHECK_INT(PORT_OK, port_mqtt_connect(&c));
    CHECK(round_trip("over-tls"));
    port_mqtt_disconnect();

    /* a CA that did not sign the broker's certificate: refused */
    c = tls_config(broker.port, other);
    CHECK_INT(PORT_ERR_NOCONN, port_mqtt_connect(&c));
    CHECK(!port_mqtt_is_connected());

    /* the same wrong CA with verification off: accepted */
    c.tls_insecure = true;
    CHECK_INT(PORT_OK, port_mqtt_connect(&c));
    CHECK(round_trip("insecure"));
    port_mqtt_disconnect();

    /* plain TCP to a TLS listener never gets a session */
    c = tls_config(broker.port, NULL);
    c.tls = false;
    c.connect_timeout_ms = 2000;
    CHECK_INT(PORT_ERR_NOCONN, port_mqtt_connect(&c));
    test_broker_stop(&broker);

    /* a broker that requires a client certificate */
    test_broker mutual;
    memset(&mutual, 0, sizeof mutual);
    (void)snprintf(mutual.dir, sizeof mutual.dir, "%s", broker.dir);
    (void)snprintf(extra + strlen(extra), sizeof extra - strlen(extra), "require_certificate true\n");
    REQUIRE(test_broker_start_with(&mutual, 0, extra));
    c = tls_config(mutual.port, ca);
    CHECK_INT(PORT_ERR_NOCONN, port_mqtt_connect(&c)); /* no client certificate */
    c.tls_cert_file = ccert;
    c.tls_key_file = ckey;
    CHECK_INT(PORT_OK, port_mqtt_connect(&c));
    CHECK(round_trip("mutual"));
    port_mqtt_disconnect();
    test_broker_stop(&mutual);

    test_remove_dir(broker.dir);
    test_remove_dir(dir);
    return check_done("port_mqtt_tls");
}
