/* http.h - the libcurl multi handle of the main loop, on libevent.
 *
 * Every request to a Mesos master (the /master/state polls, the operator
 * API's SUBSCRIBE stream, /master/frameworks) is an easy handle added
 * here; its socket and timer events run on the daemon's event base, and
 * done() is called once it has finished, removed from the multi handle
 * (the caller cleans it up).  http_request() makes a handle with the
 * options every master request shares (TLS, authentication, agent,
 * timeouts), from the config. */
#ifndef TASKDNS_HTTP_H
#define TASKDNS_HTTP_H

#include <curl/curl.h>
#include <event2/event.h>

#include "conf/config.h"

struct http;

typedef void http_done_fn(void *arg, CURL *e, CURLcode rc);

/* NULL if libcurl cannot start. */
struct http *http_new(struct event_base *base);
/* A request for url with the shared options; timeout: seconds for the
 * whole transfer (0: none, a stream). */
CURL *http_request(const struct config *c, const char *url, long timeout);
/* Run e; done(arg, e, rc) when it ends. */
void http_add(struct http *h, CURL *e, http_done_fn *done, void *arg);
/* Stop e (done is not called) and clean it up.  NULL ok. */
void http_cancel(struct http *h, CURL *e);
/* Stop everything (done is not called) and free.  NULL ok. */
void http_free(struct http *h);

/* Why a transfer failed, in a word (for logs and metrics). */
const char *http_kind(CURLcode rc);

#endif
