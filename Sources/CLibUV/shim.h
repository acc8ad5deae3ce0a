#ifndef SIGNALHUB_CLIBUV_SHIM_H
#define SIGNALHUB_CLIBUV_SHIM_H

/* libuv, for the one loop that the hub's service thread runs with lws joined to it as a
   foreign loop (SignalHubServer's ServiceEventLoop). Nothing else of libuv is used. */
#include <uv.h>
/* The loop's microsecond wakeup: libuv's own timers count whole milliseconds. */
#include <sys/timerfd.h>

#endif
