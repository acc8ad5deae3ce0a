#ifndef SIGNALHUB_CHIREDIS_SHIM_H
#define SIGNALHUB_CHIREDIS_SHIM_H

// hiredis (Debian's libhiredis-dev, 0.14) behind a few prefixed helpers: timeouts as
// milliseconds, replies through an out-parameter, and the context's error fields, which
// Swift cannot read through the incomplete-array-laden struct as comfortably.
#include <hiredis/hiredis.h>
#include <sys/socket.h>
#include <sys/time.h>

static inline struct timeval shr_timeval(long milliseconds) {
    struct timeval tv;
    tv.tv_sec = milliseconds / 1000;
    tv.tv_usec = (milliseconds % 1000) * 1000;
    return tv;
}

static inline redisContext *shr_connect(const char *host, int port, long timeout_ms) {
    return redisConnectWithTimeout(host, port, shr_timeval(timeout_ms));
}

static inline int shr_set_timeout(redisContext *c, long timeout_ms) {
    return redisSetTimeout(c, shr_timeval(timeout_ms));
}

static inline int shr_error(const redisContext *c) { return c->err; }
static inline const char *shr_error_text(const redisContext *c) { return c->errstr; }
static inline int shr_fd(const redisContext *c) { return c->fd; }

static inline int shr_append(redisContext *c, int argc, const char **argv, const size_t *lengths) {
    return redisAppendCommandArgv(c, argc, argv, lengths);
}

static inline int shr_get_reply(redisContext *c, redisReply **reply) {
    void *raw = NULL;
    int status = redisGetReply(c, &raw);
    *reply = (redisReply *)raw;
    return status;
}

static inline void shr_free_reply(redisReply *reply) { freeReplyObject(reply); }

/// Wakes a thread blocked reading this connection (from another thread): its read fails.
static inline void shr_interrupt(redisContext *c) { shutdown(c->fd, SHUT_RDWR); }

#endif
