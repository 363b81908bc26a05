/* http.c - libcurl multi on libevent (see http.h). */
#include <stdlib.h>
#include <string.h>

#include "daemon/http.h"
#include "util/arena.h"

struct http {
	struct event_base *base;
	CURLM *multi;
	struct event *timer;
};

/* What an easy handle carries (CURLOPT_PRIVATE). */
struct job {
	http_done_fn *done;
	void *arg;
};

struct sock {
	struct http *h;
	struct event *ev;
};

static void
check_done(struct http *h)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
		struct job *j = NULL;
		CURL *e = m->easy_handle;
		CURLcode rc = m->data.result;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&j);
		curl_multi_remove_handle(h->multi, e);
		curl_easy_setopt(e, CURLOPT_PRIVATE, NULL);
		if (j != NULL) {
			struct job run = *j;

			free(j);
			/* done may add and cancel handles: read the
			 * messages again from the start. */
			run.done(run.arg, e, rc);
		}
	}
}

static void
sock_ev_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http *h = arg;
	int running, flags = 0;

	if (what & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(h->multi, fd, flags, &running);
	check_done(h);
}

static int
sock_cb(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct http *h = userp;
	struct sock *sk = socketp;
	short ev = EV_PERSIST;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		if (sk != NULL) {
			event_free(sk->ev);
			free(sk);
		}
		curl_multi_assign(h->multi, s, NULL);
		return 0;
	}
	if (what & CURL_POLL_IN)
		ev |= EV_READ;
	if (what & CURL_POLL_OUT)
		ev |= EV_WRITE;
	if (sk == NULL) {
		sk = xcalloc(1, sizeof(*sk));
		sk->h = h;
		curl_multi_assign(h->multi, s, sk);
	} else
		event_free(sk->ev);
	sk->ev = event_new(h->base, s, ev, sock_ev_cb, h);
	event_add(sk->ev, NULL);
	return 0;
}

static void
timer_ev_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http *h = arg;
	int running;

	(void)fd;
	(void)what;
	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(h);
}

static int
timer_cb(CURLM *m, long ms, void *userp)
{
	struct http *h = userp;
	struct timeval tv;

	(void)m;
	if (ms < 0) {
		evtimer_del(h->timer);
		return 0;
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_add(h->timer, &tv);
	return 0;
}

struct http *
http_new(struct event_base *base)
{
	struct http *h;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return NULL;
	h = xcalloc(1, sizeof(*h));
	h->base = base;
	h->multi = curl_multi_init();
	h->timer = evtimer_new(base, timer_ev_cb, h);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	return h;
}

CURL *
http_request(const struct config *c, const char *url, long timeout)
{
	CURL *e = curl_easy_init();
	long connect = c->state_timeout_seconds < 10 ?
	    (long)c->state_timeout_seconds : 10;

	if (e == NULL)
		return NULL;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "taskdns/" PACKAGE_VERSION);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, connect);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	if (c->mesos_https_on) {
		/* As mesos-dns: no CA file, no verification. */
		bool verify = c->ca_cert_file[0] != '\0';

		if (verify)
			curl_easy_setopt(e, CURLOPT_CAINFO, c->ca_cert_file);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
		if (c->cert_file[0] != '\0') {
			curl_easy_setopt(e, CURLOPT_SSLCERT, c->cert_file);
			curl_easy_setopt(e, CURLOPT_SSLKEY, c->key_file);
		}
	}
	if (strcmp(c->mesos_authentication, "basic") == 0) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, c->mesos_principal);
		curl_easy_setopt(e, CURLOPT_PASSWORD, c->mesos_secret);
	}
	return e;
}

void
http_add(struct http *h, CURL *e, http_done_fn *done, void *arg)
{
	struct job *j = xcalloc(1, sizeof(*j));

	j->done = done;
	j->arg = arg;
	curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)j);
	curl_multi_add_handle(h->multi, e);
}

void
http_cancel(struct http *h, CURL *e)
{
	struct job *j = NULL;

	if (e == NULL)
		return;
	curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&j);
	free(j);
	curl_multi_remove_handle(h->multi, e);
	curl_easy_cleanup(e);
}

void
http_free(struct http *h)
{
	if (h == NULL)
		return;
	curl_multi_cleanup(h->multi);
	event_free(h->timer);
	free(h);
	curl_global_cleanup();
}

const char *
http_kind(CURLcode rc)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return "timeout";
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
		return "unreachable";
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_SEND_ERROR:
		return "connection broken";
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
		return "tls";
	default:
		return "http error";
	}
}
