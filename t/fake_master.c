/* fake_master.c - a stand-in Mesos master for the tests (libevent evhttp).
 *
 *   fake_master PORTFILE STATEFILE [ADDR]
 *
 * Listens on ADDR (127.0.0.1 by default) on a free port, writes the port
 * to PORTFILE, and
 * serves STATEFILE at /master/state with leader, pid and leader_info
 * rewritten to its own address, so nothing a fixture names is contacted.
 * GET /control?mode=M[&state=FILE][&leader=HOST:PORT] changes what it does:
 *   leader         serve the state (the default)
 *   old            404 on /master/state, the state on /master/state.json
 *   nonleader-old  a pre-1.0 non-leader: 200, pid = self, leader = LEADER
 *   redirect       307, Location: //LEADER/master/state (Mesos 1.x)
 *   500, 503       that status
 *   hang           never answer
 *   truncate       half the body, then the connection drops
 *   notjson        200 with an HTML page
 *   reset          the connection is reset (RST) at once
 *   trickle        200, then one byte every 100 ms
 *   huge           200 with a 4 MB valid JSON state
 * GET /control?auth=BASE64 requires "Authorization: Basic BASE64" on state
 * requests (401 otherwise); auth= turns that off.
 * GET /control/hits answers how many state requests came; /control/ua the
 * last User-Agent.
 *
 * The v1 operator API: POST /api/v1 {"type":"SUBSCRIBE"} (Content-Type and
 * Accept application/json, else 415/406/400 as Mesos) answers 200 and
 * sends, RecordIO-framed, each line of the stream script (stream=FILE,
 * one record a line; none: 404, a master before 1.1), then a HEARTBEAT
 * every second, the connection kept open.  GET /master/frameworks
 * answers the state.  Control:
 *   stream=FILE    the script new subscribers get
 *   push=FILE      each line of FILE sent now to every open subscriber
 *   drop=1         every subscriber's connection closed
 *   smode=M        normal (default); stall (no heartbeat); garbage (after
 *                  the script, a length that is no number); oversized (a
 *                  frame of 2^40 bytes announced); cut (half the first
 *                  record, then the connection drops); chunk1 (every
 *                  byte its own HTTP chunk); 503; redirect (307 to
 *                  //LEADER/api/v1)
 * GET /control/subs answers how many SUBSCRIBE requests came.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

struct fm {
	struct event_base *base;
	struct evhttp *http;
	int port;
	const char *addr;
	char mode[32];
	char state_file[1024];
	char leader[128];
	char *body;		/* the rewritten state */
	size_t body_len;
	unsigned hits;
	char auth[256];		/* required Basic credentials, or "" */
	char ua[256];		/* the last User-Agent */
	char stream_file[1024];	/* the SUBSCRIBE script, "" for none */
	char smode[32];
	unsigned subs_seen;
	struct sub *subs;
	struct event *hb;
};

/* An open SUBSCRIBE stream. */
struct sub {
	struct fm *f;
	struct evhttp_request *req;
	struct sub *next;
};

struct drop {
	struct evhttp_connection *con;
	struct event *ev;
	int alive;
	int rst;
};

struct trickle {
	struct evhttp_request *req;
	struct event *ev;
	size_t sent;
};

static int
load_state(struct fm *f)
{
	json_error_t err;
	json_t *root = json_load_file(f->state_file, 0, &err), *li, *addr;
	char self[64];

	if (root == NULL || !json_is_object(root)) {
		fprintf(stderr, "fake_master: %s: %s\n", f->state_file, err.text);
		json_decref(root);
		return -1;
	}
	snprintf(self, sizeof(self), "master@%s:%d", f->addr, f->port);
	json_object_set_new(root, "pid", json_string(self));
	json_object_set_new(root, "leader", json_string(self));
	li = json_object();
	addr = json_object();
	json_object_set_new(addr, "ip", json_string(f->addr));
	json_object_set_new(addr, "port", json_integer(f->port));
	json_object_set_new(li, "address", addr);
	json_object_set_new(li, "hostname", json_string("localhost"));
	json_object_set_new(root, "leader_info", li);
	free(f->body);
	f->body = json_dumps(root, JSON_COMPACT);
	f->body_len = strlen(f->body);
	json_decref(root);
	return 0;
}

static void
drop_close_cb(struct evhttp_connection *con, void *arg)
{
	struct drop *d = arg;

	(void)con;
	d->alive = 0;
}

static void
drop_cb(evutil_socket_t fd, short what, void *arg)
{
	struct drop *d = arg;

	(void)fd;
	(void)what;
	if (d->alive) {
		struct bufferevent *bev = evhttp_connection_get_bufferevent(d->con);
		int s = bufferevent_getfd(bev);

		if (d->rst && s >= 0) {
			struct linger l = { 1, 0 };

			setsockopt(s, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		}
		evhttp_connection_set_closecb(d->con, NULL, NULL);
		evhttp_connection_free(d->con);
	}
	event_free(d->ev);
	free(d);
}

/* Drop the request's connection after ms (RST when rst). */
static void
drop_later(struct fm *f, struct evhttp_request *req, int ms, int rst)
{
	struct drop *d = calloc(1, sizeof(*d));
	struct timeval tv = { 0, ms * 1000 };

	d->con = evhttp_request_get_connection(req);
	d->alive = 1;
	d->rst = rst;
	d->ev = evtimer_new(f->base, drop_cb, d);
	evhttp_connection_set_closecb(d->con, drop_close_cb, d);
	evtimer_add(d->ev, &tv);
}

static void
trickle_close_cb(struct evhttp_connection *con, void *arg)
{
	struct trickle *t = arg;

	(void)con;
	event_free(t->ev);
	free(t);
}

static void
trickle_cb(evutil_socket_t fd, short what, void *arg)
{
	struct trickle *t = arg;
	struct evbuffer *b = evbuffer_new();

	(void)fd;
	(void)what;
	evbuffer_add(b, " ", 1);
	evhttp_send_reply_chunk(t->req, b);
	evbuffer_free(b);
	t->sent++;
}

static void
reply(struct evhttp_request *req, int code, const char *why,
    const char *type, const char *body, size_t len)
{
	struct evbuffer *b = evbuffer_new();

	if (type != NULL)
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Content-Type", type);
	evbuffer_add(b, body, len);
	evhttp_send_reply(req, code, why, b);
	evbuffer_free(b);
}

static void
serve_huge(struct evhttp_request *req, const struct fm *f)
{
	struct evbuffer *b = evbuffer_new();
	char head[200];

	snprintf(head, sizeof(head), "{\"leader\":\"master@%s:%d\","
	    "\"pid\":\"master@%s:%d\",\"frameworks\":[],\"pad\":[",
	    f->addr, f->port, f->addr, f->port);
	evbuffer_add(b, head, strlen(head));
	for (int i = 0; i < 2 * 1024 * 1024 - 1; i++)
		evbuffer_add(b, "0,", 2);
	evbuffer_add(b, "0]}", 3);
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

static void
state_cb(struct evhttp_request *req, struct fm *f, int is_json)
{
	const char *m = f->mode;
	char buf[512];

	f->hits++;
	{
		struct evkeyvalq *h = evhttp_request_get_input_headers(req);
		const char *ua = evhttp_find_header(h, "User-Agent");
		const char *au = evhttp_find_header(h, "Authorization");

		snprintf(f->ua, sizeof(f->ua), "%s", ua ? ua : "");
		if (f->auth[0] != '\0' && (au == NULL ||
		    strncmp(au, "Basic ", 6) != 0 || strcmp(au + 6, f->auth))) {
			evhttp_add_header(evhttp_request_get_output_headers(req),
			    "WWW-Authenticate", "Basic realm=\"mesos\"");
			reply(req, 401, "Unauthorized", "text/plain", "no", 2);
			return;
		}
	}
	if (strcmp(m, "leader") == 0 || (strcmp(m, "old") == 0 && is_json))
		reply(req, 200, "OK", "application/json", f->body, f->body_len);
	else if (strcmp(m, "old") == 0)
		reply(req, 404, "Not Found", "text/plain", "no", 2);
	else if (strcmp(m, "nonleader-old") == 0) {
		int n = snprintf(buf, sizeof(buf), "{\"version\":\"0.19.1\","
		    "\"pid\":\"master@%s:%d\",\"leader\":\"master@%s\","
		    "\"frameworks\":[],\"slaves\":[]}", f->addr, f->port,
		    f->leader);

		reply(req, 200, "OK", "application/json", buf, (size_t)n);
	} else if (strcmp(m, "redirect") == 0) {
		snprintf(buf, sizeof(buf), "//%s/master/state", f->leader);
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Location", buf);
		reply(req, 307, "Temporary Redirect", NULL, "", 0);
	} else if (strcmp(m, "500") == 0)
		reply(req, 500, "Internal Server Error", "text/plain", "x", 1);
	else if (strcmp(m, "503") == 0)
		reply(req, 503, "Service Unavailable", "text/plain", "x", 1);
	else if (strcmp(m, "hang") == 0)
		;	/* never answered */
	else if (strcmp(m, "notjson") == 0)
		reply(req, 200, "OK", "text/html", "<html>maintenance</html>",
		    24);
	else if (strcmp(m, "truncate") == 0) {
		struct evbuffer *b = evbuffer_new();

		evhttp_send_reply_start(req, 200, "OK");
		evbuffer_add(b, f->body, f->body_len / 2);
		evhttp_send_reply_chunk(req, b);
		evbuffer_free(b);
		drop_later(f, req, 100, 0);
	} else if (strcmp(m, "reset") == 0)
		drop_later(f, req, 0, 1);
	else if (strcmp(m, "trickle") == 0) {
		struct trickle *t = calloc(1, sizeof(*t));
		struct timeval tv = { 0, 100000 };

		t->req = req;
		t->ev = event_new(f->base, -1, EV_PERSIST, trickle_cb, t);
		evhttp_connection_set_closecb(evhttp_request_get_connection(req),
		    trickle_close_cb, t);
		evhttp_send_reply_start(req, 200, "OK");
		evtimer_add(t->ev, &tv);
	} else if (strcmp(m, "huge") == 0)
		serve_huge(req, f);
	else
		reply(req, 500, "Bad Mode", "text/plain", "mode?", 5);
}

/* --- the event stream --- */

static void
sub_unlink(struct sub *sb)
{
	struct sub **pp = &sb->f->subs;

	while (*pp != NULL && *pp != sb)
		pp = &(*pp)->next;
	if (*pp == sb)
		*pp = sb->next;
}

static void
sub_closed_cb(struct evhttp_connection *con, void *arg)
{
	struct sub *sb = arg;

	(void)con;
	sub_unlink(sb);
	free(sb);
}

/* Send bytes on a subscriber, as one chunk or (chunk1) a byte a chunk. */
static void
sub_send(struct sub *sb, const char *p, size_t n)
{
	size_t step = strcmp(sb->f->smode, "chunk1") == 0 ? 1 : n;

	for (size_t i = 0; i < n; i += step) {
		struct evbuffer *b = evbuffer_new();

		evbuffer_add(b, p + i, step < n - i ? step : n - i);
		evhttp_send_reply_chunk(sb->req, b);
		evbuffer_free(b);
	}
}

static void
sub_record(struct sub *sb, const char *rec, size_t n)
{
	char head[32];
	int h = snprintf(head, sizeof(head), "%zu\n", n);

	sub_send(sb, head, (size_t)h);
	sub_send(sb, rec, n);
}

/* Each non-empty line of path as a record to sb (NULL: every open
 * subscriber). */
static int
send_file(struct fm *f, struct sub *only, const char *path)
{
	FILE *in = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (in == NULL)
		return -1;
	while ((n = getline(&line, &cap, in)) > 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		for (struct sub *sb = only ? only : f->subs; sb;
		    sb = only ? NULL : sb->next)
			sub_record(sb, line, (size_t)n);
	}
	free(line);
	fclose(in);
	return 0;
}

static void
heartbeat_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fm *f = arg;
	static const char hb[] = "{\"type\":\"HEARTBEAT\"}";

	(void)fd;
	(void)what;
	if (strcmp(f->smode, "stall") == 0)
		return;
	for (struct sub *sb = f->subs; sb; sb = sb->next)
		sub_record(sb, hb, sizeof(hb) - 1);
}

static void
drop_subs(struct fm *f)
{
	while (f->subs != NULL) {
		struct sub *sb = f->subs;
		struct evhttp_connection *con =
		    evhttp_request_get_connection(sb->req);

		f->subs = sb->next;
		evhttp_connection_set_closecb(con, NULL, NULL);
		evhttp_connection_free(con);
		free(sb);
	}
}

static void
subscribe_cb(struct evhttp_request *req, struct fm *f)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(req);
	const char *ct = evhttp_find_header(h, "Content-Type");
	const char *acc = evhttp_find_header(h, "Accept");
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	char body[128] = "";
	char loc[200];
	struct sub *sb;
	size_t n = evbuffer_get_length(in);

	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST ||
	    f->stream_file[0] == '\0') {
		reply(req, 404, "Not Found", "text/plain", "?", 1);
		return;
	}
	f->subs_seen++;
	if (ct == NULL) {
		reply(req, 400, "Bad Request", "text/plain", "ct", 2);
		return;
	}
	if (strncmp(ct, "application/json", 16) != 0) {
		reply(req, 415, "Unsupported Media Type", "text/plain", "ct", 2);
		return;
	}
	if (acc != NULL && strstr(acc, "application/json") == NULL &&
	    strstr(acc, "*/*") == NULL) {
		reply(req, 406, "Not Acceptable", "text/plain", "acc", 3);
		return;
	}
	evbuffer_copyout(in, body, n < sizeof(body) - 1 ? n : sizeof(body) - 1);
	if (strstr(body, "\"SUBSCRIBE\"") == NULL) {
		reply(req, 400, "Bad Request", "text/plain", "type", 4);
		return;
	}
	if (strcmp(f->smode, "503") == 0) {
		reply(req, 503, "Service Unavailable", "text/plain", "x", 1);
		return;
	}
	if (strcmp(f->smode, "redirect") == 0) {
		snprintf(loc, sizeof(loc), "//%s/api/v1", f->leader);
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Location", loc);
		reply(req, 307, "Temporary Redirect", NULL, "", 0);
		return;
	}
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/json");
	evhttp_send_reply_start(req, 200, "OK");
	sb = calloc(1, sizeof(*sb));
	sb->f = f;
	sb->req = req;
	sb->next = f->subs;
	f->subs = sb;
	evhttp_connection_set_closecb(evhttp_request_get_connection(req),
	    sub_closed_cb, sb);
	if (strcmp(f->smode, "cut") == 0) {
		FILE *sf = fopen(f->stream_file, "r");
		char *line = NULL, head[32];
		size_t cap = 0;
		ssize_t len = sf ? getline(&line, &cap, sf) : -1;

		if (len > 1) {
			int hl = snprintf(head, sizeof(head), "%zd\n", len - 1);

			sub_send(sb, head, (size_t)hl);
			sub_send(sb, line, (size_t)len / 2);
		}
		free(line);
		if (sf != NULL)
			fclose(sf);
		/* Not a subscriber any more: drop_later owns the
		 * connection now. */
		sub_unlink(sb);
		free(sb);
		drop_later(f, req, 100, 0);
		return;
	}
	send_file(f, sb, f->stream_file);
	if (strcmp(f->smode, "garbage") == 0)
		sub_send(sb, "xyz\n{}", 6);
	else if (strcmp(f->smode, "oversized") == 0)
		sub_send(sb, "1099511627776\n{", 15);
}

static void
control_cb(struct evhttp_request *req, struct fm *f, const char *uri)
{
	struct evkeyvalq q;
	const char *v, *qs = strchr(uri, '?');
	char buf[64];

	if (strncmp(uri, "/control/ua", 11) == 0) {
		reply(req, 200, "OK", "text/plain", f->ua, strlen(f->ua));
		return;
	}
	if (strncmp(uri, "/control/subs", 13) == 0) {
		int n = snprintf(buf, sizeof(buf), "%u\n", f->subs_seen);

		reply(req, 200, "OK", "text/plain", buf, (size_t)n);
		return;
	}
	if (strncmp(uri, "/control/hits", 13) == 0) {
		int n = snprintf(buf, sizeof(buf), "%u\n", f->hits);

		reply(req, 200, "OK", "text/plain", buf, (size_t)n);
		return;
	}
	/* evhttp_parse_query_str initialises q, even for "". */
	if (evhttp_parse_query_str(qs != NULL ? qs + 1 : "", &q) != 0) {
		reply(req, 400, "Bad Request", "text/plain", "query", 5);
		return;
	}
	if ((v = evhttp_find_header(&q, "mode")) != NULL)
		snprintf(f->mode, sizeof(f->mode), "%s", v);
	if ((v = evhttp_find_header(&q, "auth")) != NULL)
		snprintf(f->auth, sizeof(f->auth), "%s", v);
	if ((v = evhttp_find_header(&q, "leader")) != NULL)
		snprintf(f->leader, sizeof(f->leader), "%s", v);
	if ((v = evhttp_find_header(&q, "smode")) != NULL)
		snprintf(f->smode, sizeof(f->smode), "%s", v);
	if ((v = evhttp_find_header(&q, "stream")) != NULL)
		snprintf(f->stream_file, sizeof(f->stream_file), "%s", v);
	if ((v = evhttp_find_header(&q, "drop")) != NULL)
		drop_subs(f);
	if ((v = evhttp_find_header(&q, "push")) != NULL &&
	    send_file(f, NULL, v) != 0) {
		evhttp_clear_headers(&q);
		reply(req, 500, "Bad Push", "text/plain", "push", 4);
		return;
	}
	if ((v = evhttp_find_header(&q, "state")) != NULL) {
		snprintf(f->state_file, sizeof(f->state_file), "%s", v);
		if (load_state(f) != 0) {
			evhttp_clear_headers(&q);
			reply(req, 500, "Bad State", "text/plain", "state", 5);
			return;
		}
	}
	evhttp_clear_headers(&q);
	reply(req, 200, "OK", "text/plain", "ok\n", 3);
}

static void
request_cb(struct evhttp_request *req, void *arg)
{
	struct fm *f = arg;
	const char *uri = evhttp_request_get_uri(req);

	if (strncmp(uri, "/control", 8) == 0)
		control_cb(req, f, uri);
	else if (strcmp(uri, "/master/state") == 0)
		state_cb(req, f, 0);
	else if (strcmp(uri, "/master/state.json") == 0)
		state_cb(req, f, 1);
	else if (strcmp(uri, "/api/v1") == 0)
		subscribe_cb(req, f);
	else if (strcmp(uri, "/master/frameworks") == 0)
		reply(req, 200, "OK", "application/json", f->body, f->body_len);
	else
		reply(req, 404, "Not Found", "text/plain", "?", 1);
}

int
main(int argc, char **argv)
{
	struct fm f;
	struct evhttp_bound_socket *s;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	FILE *pf;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: fake_master PORTFILE STATEFILE [ADDR]\n");
		return 2;
	}
	memset(&f, 0, sizeof(f));
	snprintf(f.mode, sizeof(f.mode), "leader");
	snprintf(f.smode, sizeof(f.smode), "normal");
	snprintf(f.state_file, sizeof(f.state_file), "%s", argv[2]);
	f.addr = argc == 4 ? argv[3] : "127.0.0.1";
	f.base = event_base_new();
	f.http = evhttp_new(f.base);
	s = evhttp_bind_socket_with_handle(f.http, f.addr, 0);
	if (s == NULL) {
		fprintf(stderr, "fake_master: cannot bind: %s\n",
		    strerror(errno));
		return 1;
	}
	getsockname(evhttp_bound_socket_get_fd(s), (struct sockaddr *)&ss,
	    &len);
	f.port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (load_state(&f) != 0)
		return 1;
	evhttp_set_gencb(f.http, request_cb, &f);
	evhttp_set_allowed_methods(f.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
	{
		static const struct timeval second = { 1, 0 };

		f.hb = event_new(f.base, -1, EV_PERSIST, heartbeat_cb, &f);
		event_add(f.hb, &second);
	}
	pf = fopen(argv[1], "w");
	if (pf == NULL)
		return 1;
	fprintf(pf, "%d\n", f.port);
	fclose(pf);
	/* Never outlive a test by long, whatever happens to the test. */
	alarm(600);
	event_base_dispatch(f.base);
	return 0;
}
