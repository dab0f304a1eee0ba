/* wifi_zephyr.c - Wi-Fi station bring-up for the Zephyr proplet: connect (retried with back-off), DHCPv4, and the
 * interface's IPv4 address for discovery. Events arrive through net_mgmt callbacks (CONFIG_NET_MGMT_EVENT_INFO for
 * the connect status). */
#include "port.h"
#include "port_zephyr_internal.h"

#include <string.h>

#include <zephyr/kernel.h>
#include <zephyr/net/dhcpv4.h>
#include <zephyr/net/net_if.h>
#include <zephyr/net/net_ip.h>
#include <zephyr/net/net_mgmt.h>
#include <zephyr/net/wifi_mgmt.h>

#define WIFI_EVENTS (NET_EVENT_WIFI_CONNECT_RESULT | NET_EVENT_WIFI_DISCONNECT_RESULT)
#define IPV4_EVENTS (NET_EVENT_IPV4_ADDR_ADD)

static struct net_mgmt_event_callback g_wifi_cb;
static struct net_mgmt_event_callback g_ipv4_cb;
static K_SEM_DEFINE(g_connect_done, 0, 1);
static K_SEM_DEFINE(g_have_ipv4, 0, 1);
static int g_connect_status;
static bool g_callbacks_added;

static void on_wifi_event(struct net_mgmt_event_callback *cb, uint64_t event, struct net_if *iface)
{
    ARG_UNUSED(iface);
    if (event == NET_EVENT_WIFI_CONNECT_RESULT) {
        const struct wifi_status *status = (const struct wifi_status *)cb->info;
        g_connect_status = status != NULL ? status->status : -1;
        k_sem_give(&g_connect_done);
    } else if (event == NET_EVENT_WIFI_DISCONNECT_RESULT) {
        port_log(PORT_LOG_WARN, "wifi: disconnected");
    }
}

static void on_ipv4_event(struct net_mgmt_event_callback *cb, uint64_t event, struct net_if *iface)
{
    ARG_UNUSED(cb);
    ARG_UNUSED(iface);
    if (event == NET_EVENT_IPV4_ADDR_ADD) {
        k_sem_give(&g_have_ipv4);
    }
}

static struct net_if *wifi_iface(void)
{
    struct net_if *iface = net_if_get_first_wifi();
    return iface != NULL ? iface : net_if_get_default();
}

void port_zephyr_ipv4(char *out, size_t cap)
{
    if (out == NULL || cap == 0) {
        return;
    }
    out[0] = '\0';
    struct net_if *iface = wifi_iface();
    if (iface == NULL) {
        return;
    }
    struct in_addr *addr = net_if_ipv4_get_global_addr(iface, NET_ADDR_PREFERRED);
    if (addr == NULL || net_addr_ntop(AF_INET, addr, out, cap) == NULL) {
        out[0] = '\0';
    }
}

int port_zephyr_wifi_connect(const char *ssid, const char *psk, uint32_t timeout_ms)
{
    if (ssid == NULL || ssid[0] == '\0' || strlen(ssid) > WIFI_SSID_MAX_LEN ||
        (psk != NULL && strlen(psk) > WIFI_PSK_MAX_LEN)) {
        port_log(PORT_LOG_ERROR, "wifi: SSID missing or too long, or PSK too long (CONFIG_PROPLET_WIFI_SSID/PSK)");
        return PORT_ERR_INVAL;
    }
    struct net_if *iface = wifi_iface();
    if (iface == NULL) {
        port_log(PORT_LOG_ERROR, "wifi: no network interface");
        return PORT_ERR;
    }
    if (!g_callbacks_added) {
        net_mgmt_init_event_callback(&g_wifi_cb, on_wifi_event, WIFI_EVENTS);
        net_mgmt_add_event_callback(&g_wifi_cb);
        net_mgmt_init_event_callback(&g_ipv4_cb, on_ipv4_event, IPV4_EVENTS);
        net_mgmt_add_event_callback(&g_ipv4_cb);
        g_callbacks_added = true;
    }
    uint64_t start = port_time_monotonic_ms();
    uint32_t backoff_ms = 1000;
    for (;;) {
        struct wifi_connect_req_params params;
        memset(&params, 0, sizeof params);
        params.ssid = (const uint8_t *)ssid;
        params.ssid_length = (uint8_t)strlen(ssid);
        if (psk != NULL && psk[0] != '\0') {
            params.psk = (const uint8_t *)psk;
            params.psk_length = (uint8_t)strlen(psk);
            params.security = WIFI_SECURITY_TYPE_PSK;
        } else {
            params.security = WIFI_SECURITY_TYPE_NONE;
        }
        params.channel = WIFI_CHANNEL_ANY;
        params.band = WIFI_FREQ_BAND_2_4_GHZ;
        params.mfp = WIFI_MFP_OPTIONAL;
        params.timeout = SYS_FOREVER_MS;
        k_sem_reset(&g_connect_done);
        port_log(PORT_LOG_INFO, "wifi: connecting to \"%s\"", ssid);
        int rc = net_mgmt(NET_REQUEST_WIFI_CONNECT, iface, &params, sizeof params);
        if (rc == 0 && k_sem_take(&g_connect_done, K_SECONDS(30)) == 0 && g_connect_status == 0) {
            break;
        }
        port_log(PORT_LOG_WARN, "wifi: connect failed (request %d, status %d); retrying in %u ms", rc,
                 g_connect_status, (unsigned)backoff_ms);
        if (timeout_ms != 0 && port_time_monotonic_ms() - start + backoff_ms > timeout_ms) {
            return PORT_ERR_TIMEOUT;
        }
        k_msleep((int32_t)backoff_ms);
        backoff_ms = backoff_ms >= 15000u ? 30000u : backoff_ms * 2u;
    }
    port_log(PORT_LOG_INFO, "wifi: connected; waiting for a DHCPv4 lease");
    char ip[NET_IPV4_ADDR_LEN];
    k_sem_reset(&g_have_ipv4); /* before the check: an address added from here on gives the semaphore */
    port_zephyr_ipv4(ip, sizeof ip);
    if (ip[0] == '\0') {
        net_dhcpv4_start(iface);
        uint64_t spent = port_time_monotonic_ms() - start;
        k_timeout_t wait = timeout_ms == 0 ? K_FOREVER
                           : spent >= timeout_ms ? K_NO_WAIT
                                                 : K_MSEC((int32_t)(timeout_ms - spent));
        if (k_sem_take(&g_have_ipv4, wait) != 0) {
            port_log(PORT_LOG_ERROR, "wifi: no DHCPv4 lease in time");
            return PORT_ERR_TIMEOUT;
        }
        port_zephyr_ipv4(ip, sizeof ip);
    }
    port_log(PORT_LOG_INFO, "wifi: up, address %s", ip);
    return PORT_OK;
}
