#ifndef SIGNALHUB_CLWS_SHIM_H
#define SIGNALHUB_CLWS_SHIM_H

#include <libwebsockets.h>
#include <string.h>
#include <sys/resource.h>
#include <malloc.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

/* Swift cannot import LWS_PRE (built from a padding macro), the compound option masks
   or the variadic log macros; these prefixed shims stand in for them. */

static const size_t SHLWS_PRE = LWS_PRE;

/* A scheduler entry that also carries a pointer back to its owner, because lws calls a
   sul back with nothing but the sul itself. */
typedef struct shlws_timer {
    lws_sorted_usec_list_t sul; /* first, so a sul pointer is a timer pointer */
    void *user;
} shlws_timer_t;

static inline void *shlws_timer_user(lws_sorted_usec_list_t *sul) { return ((shlws_timer_t *)sul)->user; }
static inline lws_sorted_usec_list_t *shlws_timer_sul(shlws_timer_t *timer) { return &timer->sul; }

static const uint64_t SHLWS_SERVER_OPTIONS =
    LWS_SERVER_OPTION_VALIDATE_UTF8 |
    LWS_SERVER_OPTION_HTTP_HEADERS_SECURITY_BEST_PRACTICES_ENFORCE;

static const uint64_t SHLWS_OPTION_DISABLE_IPV6 = LWS_SERVER_OPTION_DISABLE_IPV6;

/* lws joins a libuv loop that the service thread owns (a "foreign loop"): libuv waits in
   epoll, where lws's own loop calls poll() over every descriptor on each wakeup. */
static const uint64_t SHLWS_OPTION_LIBUV = LWS_SERVER_OPTION_LIBUV;

/* One whole-message write of a payload that has SHLWS_PRE writable bytes in front of it. */
static inline int shlws_write_message(struct lws *wsi, unsigned char *payload, size_t length, int binary) {
    return lws_write(wsi, payload, length, binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT);
}

/* Starts the closing handshake (RFC 6455 7.1): sends a close frame with `code` and
   `reason` but keeps the connection open until the peer answers with its own close, or
   `ack_seconds` pass. lws 4.1's own close drops TCP right after its close frame, so a peer
   still sending gets a reset and can lose the close code. 4 is lws's internal
   LWS_WRITE_CLOSE, which it no longer exports. */
static inline int shlws_send_close_frame(struct lws *wsi, unsigned short code, const unsigned char *reason,
                                         size_t length, int ack_seconds) {
    unsigned char frame[LWS_PRE + 2 + 123];
    if (length > 123) length = 123;
    frame[LWS_PRE] = (unsigned char)(code >> 8);
    frame[LWS_PRE + 1] = (unsigned char)(code & 0xff);
    if (length) memcpy(&frame[LWS_PRE + 2], reason, length);
    int written = lws_write(wsi, &frame[LWS_PRE], 2 + length, (enum lws_write_protocol)4);
    if (written >= 0) lws_set_timeout(wsi, PENDING_TIMEOUT_CLOSE_ACK, ack_seconds);
    return written;
}

/* A WebSocket ping. lws skips zero-length writes, so it carries a 1-byte payload. */
static inline int shlws_write_ping(struct lws *wsi) {
    unsigned char frame[LWS_PRE + 1];
    frame[LWS_PRE] = 'p';
    return lws_write(wsi, &frame[LWS_PRE], 1, LWS_WRITE_PING);
}

/* Drops a connection now, without waiting to write anything more (a reader that has
   stopped reading would never take a close frame). */
static inline void shlws_drop(struct lws *wsi) {
    lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

static const uint64_t SHLWS_OPTION_SSL_INIT = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;

/* Writes a whole small HTTP response: status, content type, no-store caching, and a
   body that has SHLWS_PRE writable bytes in front of it. Returns nonzero on failure. */
static inline int shlws_http_respond(struct lws *wsi, unsigned int status, const char *content_type,
                                     unsigned char *body, size_t body_length) {
    unsigned char headers[LWS_PRE + 1024];
    unsigned char *start = &headers[LWS_PRE], *p = start, *end = &headers[sizeof(headers) - 1];
    static const char no_store[] = "no-store";
    if (lws_add_http_common_headers(wsi, status, content_type, (lws_filepos_t)body_length, &p, end))
        return 1;
    if (lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
                                    (const unsigned char *)no_store, (int)strlen(no_store), &p, end))
        return 1;
    if (lws_finalize_write_http_header(wsi, start, &p, end))
        return 1;
    if (body_length > 0 && lws_write(wsi, body, body_length, LWS_WRITE_HTTP_FINAL) != (int)body_length)
        return 1;
    return 0;
}

/* Copies a header into buf; returns its length, or -1 when absent or too long. */
static inline int shlws_header(struct lws *wsi, enum lws_token_indexes token, char *buf, int len) {
    if (lws_hdr_total_length(wsi, token) <= 0) return -1;
    return lws_hdr_copy(wsi, buf, len, token);
}

/* Many connections need many descriptors: lift the soft limit as far as allowed (root may
   lift the hard one too). lws sizes its tables from this limit when a context starts.
   Returns the limit now in force. */
static inline unsigned long shlws_raise_fd_limit(unsigned long wanted) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
    struct rlimit raised = { wanted, limit.rlim_max > wanted ? limit.rlim_max : wanted };
    if (setrlimit(RLIMIT_NOFILE, &raised) != 0) {
        raised.rlim_cur = raised.rlim_max = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &raised);
    }
    getrlimit(RLIMIT_NOFILE, &limit);
    return (unsigned long)limit.rlim_cur;
}

/* Grows this process's descriptor table to hold `count` descriptors now, at start-up. Linux
   grows the table by doubling as descriptors are opened, and in a process with threads each
   growth waits for an RCU grace period (synchronize_rcu in expand_fdtable): 10 to 30 ms
   here, during which accept() or socket() blocks the whole service thread. Duplicating a
   descriptor to the highest number needed does the one growth up front. Returns 0 on
   success, -1 with errno set. */
static inline int shlws_reserve_descriptors(unsigned long count) {
    if (count < 2) return 0;
    int base = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (base < 0) return -1;
    int high = fcntl(base, F_DUPFD_CLOEXEC, (int)(count - 1));
    int saved = errno;
    close(base);
    if (high < 0) { errno = saved; return -1; }
    close(high);
    return 0;
}

/* Hands freed heap back to the system (glibc keeps it after bursts of allocation). */
static inline void shlws_release_free_heap(void) { malloc_trim(0); }

/* Allocations of at least `bytes` get pages of their own, unmapped when freed. */
static inline int shlws_set_own_pages_threshold(int bytes) { return mallopt(M_MMAP_THRESHOLD, bytes); }

/* ---- client side ---- */

/* Adds one request header while lws builds a client handshake (APPEND_HANDSHAKE_HEADER
   passes a pointer to its write cursor in `in` and the room left in `len`). */
static inline int shlws_client_add_header(struct lws *wsi, void *in, size_t len, const char *name, const char *value) {
    unsigned char **p = (unsigned char **)in, *end = (*p) + len;
    return lws_add_http_header_by_name(wsi, (const unsigned char *)name, (const unsigned char *)value,
                                       (int)strlen(value), p, end);
}

/* Drains what the HTTP client has received; lws then calls RECEIVE_CLIENT_HTTP_READ. */
static inline int shlws_client_http_drain(struct lws *wsi) {
    char buffer[LWS_PRE + 4096];
    char *start = buffer + LWS_PRE;
    int length = (int)(sizeof(buffer) - LWS_PRE);
    return lws_http_client_read(wsi, &start, &length) < 0 ? -1 : 0;
}

static inline int shlws_write_http_body(struct lws *wsi, unsigned char *payload, size_t length) {
    return lws_write(wsi, payload, length, LWS_WRITE_HTTP_FINAL);
}

/* The close code in a peer's close frame (PEER_INITIATED_CLOSE), or 0. */
static inline unsigned short shlws_close_code(const void *in, size_t len) {
    const unsigned char *bytes = (const unsigned char *)in;
    return len >= 2 ? (unsigned short)((bytes[0] << 8) | bytes[1]) : 0;
}

static const int SHLWS_CONTEXT_PORT_NO_LISTEN = CONTEXT_PORT_NO_LISTEN;
static const int SHLWS_CLIENT_TLS = LCCSCF_USE_SSL;
static const int SHLWS_CLIENT_TLS_SELF_SIGNED = LCCSCF_USE_SSL | LCCSCF_ALLOW_SELFSIGNED | LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK;

#endif
