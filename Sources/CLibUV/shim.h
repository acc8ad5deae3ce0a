#ifndef SIGNALHUB_CLIBUV_SHIM_H
#define SIGNALHUB_CLIBUV_SHIM_H

/* libuv, for the loop that an lws service thread runs with lws joined to it as a foreign
   loop (SignalHubLWS's LWSEventLoop: the hub's and the client engine's). Nothing else of
   libuv is used. */
#include <uv.h>
/* The loop's microsecond wakeup: libuv's own timers count whole milliseconds. */
#include <sys/timerfd.h>

#endif
