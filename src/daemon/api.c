/* api.c - the HTTP API (see api.h). */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "daemon/api.h"
#include "daemon/metrics.h"
#include "util/arena.h"
#include "dns/dname.h"
#include "util/jsonw.h"
#include "util/log.h"
#include "dns/wire.h"

#define HTTP_MAX_HEADERS 8192	/* request line and headers */
#define HTTP_TIMEOUT_S 10	/* a client slower than this is dropped */
#define CHUNK 32768		/* bytes per streamed chunk */

#ifndef PACKAGE_URL
#define PACKAGE_URL ""
#endif

struct api {
	struct event_base *base;
	struct api_opts o;
	api_state_fn *state;
	void *arg;
	struct evhttp *http;
	struct stream *streams;	/* /v1/axfr answers being sent */
};

/* --- JSON into an evbuffer --- */

static void
put_evbuffer(void *ctx, const char *p, size_t n)
{
	evbuffer_add(ctx, p, n);
}

static void
jsonw_evbuffer(struct jsonw *w, struct evbuffer *b)
{
	jsonw_init(w, put_evbuffer, b);
}

static void
reply(struct evhttp_request *req, int code, const char *reason,
    const char *type, struct evbuffer *body)
{
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", type);
	evhttp_send_reply(req, code, reason, body);
}

static void
reply_json(struct evhttp_request *req, struct evbuffer *body)
{
	reply(req, HTTP_OK, "OK", "application/json", body);
}

static void
reply_text(struct evhttp_request *req, int code, const char *reason,
    const char *text)
{
	struct evbuffer *b = evbuffer_new();

	evbuffer_add_printf(b, "%s\n", text);
	reply(req, code, reason, "text/plain; charset=utf-8", b);
	evbuffer_free(b);
}

/* --- names and records --- */

static int
node_text(const struct table_node *n, char *buf, size_t cap)
{
	struct dname d;

	d.len = n->name_len;
	memcpy(d.data, n->name, n->name_len);
	return dname_to_text(&d, buf, cap);
}

static void
ip_text(const struct table *t, const struct table_rec *r, char *buf,
    size_t cap)
{
	uint8_t rb[TABLE_RDATA_MAX];
	uint16_t len;

	buf[0] = '\0';
	if (r->type == RR_A && r->rdlen == 4)
		inet_ntop(AF_INET, table_rdata(t, r, rb, &len), buf,
		    (socklen_t)cap);
	else if (r->type == RR_AAAA && r->rdlen == 16)
		inet_ntop(AF_INET6, table_rdata(t, r, rb, &len), buf,
		    (socklen_t)cap);
}

/* An SRV's port and target; -1 when r is no SRV. */
static int
srv_parts(const struct table *t, const struct table_rec *r, unsigned *port,
    struct dname *target)
{
	const struct table_name *n = table_srv_name(r);

	if (n == NULL)
		return -1;
	*port = table_srv_port(t, r);
	target->len = n->len;
	memcpy(target->data, n->data, n->len);
	return 0;
}

/* A record's value as mesos-dns's /v1 views write it: the address, or
 * "target:port" for an SRV.  False if it has none. */
static bool
rec_value(const struct table *t, const struct table_rec *r, char *buf,
    size_t cap)
{
	struct dname target;
	unsigned port;

	if (r->type != RR_SRV) {
		ip_text(t, r, buf, cap);
		return true;
	}
	if (srv_parts(t, r, &port, &target) != 0 || cap < 8 ||
	    dname_to_text(&target, buf, cap - 8) <= 0)
		return false;
	snprintf(buf + strlen(buf), cap - strlen(buf), ":%u", port);
	return true;
}

/* The name of a /v1/hosts or /v1/services path, as mesos-dns cleans it:
 * ".*" removed, lower-cased, a trailing dot. */
static bool
clean_name(const char *in, char *out, size_t cap)
{
	size_t n = 0;

	for (const char *p = in; *p != '\0'; p++) {
		if (p[0] == '.' && p[1] == '*') {
			p++;
			continue;
		}
		if (n + 2 >= cap)
			return false;
		out[n++] = (char)tolower((unsigned char)*p);
	}
	if (n == 0 || out[n - 1] != '.')
		out[n++] = '.';
	out[n] = '\0';
	return true;
}

static const struct table_node *
lookup_text(const struct table *t, const char *text)
{
	struct dname d;

	if (dname_from_text(text, strlen(text), &d) != 0)
		return NULL;
	dname_lower(&d);
	return table_lookup(t, &d);
}

/* --- /v1 --- */

static void
v1_version(struct api *a, struct evhttp_request *req)
{
	struct evbuffer *b = evbuffer_new();
	struct jsonw w;

	(void)a;
	jsonw_evbuffer(&w, b);
	jsonw_object(&w);
	jsonw_kstring(&w, "Service", "taskdns");
	jsonw_kstring(&w, "URL", PACKAGE_URL);
	jsonw_kstring(&w, "Version", PACKAGE_VERSION);
	jsonw_end_object(&w);
	reply_json(req, b);
	evbuffer_free(b);
}

static char *
with_dot(const char *s)
{
	size_t n = strlen(s);
	char *out = xmalloc(n + 2);

	memcpy(out, s, n);
	out[n] = '.';
	out[n + 1] = '\0';
	return out;
}

/* The effective config under mesos-dns's field names (Go's, as its
 * /v1/config writes them), secrets and key material redacted. */
static void
v1_config(struct api *a, struct evhttp_request *req, time_t serial)
{
	struct evbuffer *b = evbuffer_new();
	struct jsonw w;

	jsonw_evbuffer(&w, b);
	jsonw_object(&w);
	config_write_json(a->o.cfg, &w);
	jsonw_kint(&w, "SOASerial", (long long)serial);
	jsonw_end_object(&w);
	reply_json(req, b);
	evbuffer_free(b);
}

static void
host_entry(struct jsonw *w, const char *host, const char *ip)
{
	jsonw_object(w);
	jsonw_kstring(w, "host", host);
	jsonw_kstring(w, "ip", ip);
	jsonw_end_object(w);
}

static void
v1_hosts(struct api *a, struct evhttp_request *req, const struct table *t,
    const char *arg)
{
	char dom[DNAME_TEXT_MAX + 2], ip[INET6_ADDRSTRLEN];
	const struct table_node *n = NULL;
	struct evbuffer *b = evbuffer_new();
	static const uint16_t types[2] = { RR_A, RR_AAAA };
	struct jsonw w;
	bool any = false;

	(void)a;
	if (clean_name(arg, dom, sizeof(dom)) && t != NULL)
		n = lookup_text(t, dom);
	jsonw_evbuffer(&w, b);
	jsonw_array(&w);
	for (int k = 0; k < 2 && n != NULL; k++) {
		uint32_t cnt;
		const struct table_rec *r = table_rrset(t, n, types[k], &cnt);

		for (uint32_t i = 0; i < cnt; i++) {
			ip_text(t, &r[i], ip, sizeof(ip));
			host_entry(&w, dom, ip);
			any = true;
		}
	}
	if (!any)
		host_entry(&w, "", "");
	jsonw_end_array(&w);
	reply_json(req, b);
	evbuffer_free(b);
}

static void
service_entry(struct jsonw *w, const char *service, const char *host,
    const char *ip, const char *port)
{
	jsonw_object(w);
	jsonw_kstring(w, "service", service);
	jsonw_kstring(w, "host", host);
	jsonw_kstring(w, "ip", ip);
	jsonw_kstring(w, "port", port);
	jsonw_end_object(w);
}

static void
v1_services(struct api *a, struct evhttp_request *req, const struct table *t,
    const char *arg)
{
	char dom[DNAME_TEXT_MAX + 2], host[DNAME_TEXT_MAX], ip[INET6_ADDRSTRLEN];
	const struct table_node *n = NULL;
	struct evbuffer *b = evbuffer_new();
	const struct table_rec *r = NULL;
	uint32_t cnt = 0;
	struct jsonw w;
	bool any = false;

	(void)a;
	if (clean_name(arg, dom, sizeof(dom)) && t != NULL)
		n = lookup_text(t, dom);
	if (n != NULL)
		r = table_rrset(t, n, RR_SRV, &cnt);
	jsonw_evbuffer(&w, b);
	jsonw_array(&w);
	for (uint32_t i = 0; i < cnt; i++) {
		static const uint16_t types[2] = { RR_A, RR_AAAA };
		struct dname target;
		const struct table_node *tn;
		unsigned port;
		char ptext[8];

		if (srv_parts(t, &r[i], &port, &target) != 0 ||
		    dname_to_text(&target, host, sizeof(host)) < 0)
			continue;
		dname_lower(&target);
		tn = table_lookup(t, &target);
		/* As mesos-dns: one entry for the target's first A and one
		 * for its first AAAA. */
		for (int k = 0; k < 2 && tn != NULL; k++) {
			uint32_t m;
			const struct table_rec *ar = table_rrset(t, tn,
			    types[k], &m);

			if (m == 0)
				continue;
			ip_text(t, &ar[0], ip, sizeof(ip));
			snprintf(ptext, sizeof(ptext), "%u", port);
			service_entry(&w, arg, host, ip, ptext);
			any = true;
		}
	}
	if (!any)
		service_entry(&w, "", "", "", "");
	jsonw_end_array(&w);
	reply_json(req, b);
	evbuffer_free(b);
}

/* --- /v1/axfr, streamed from a reference to the table --- */

struct stream {
	struct api *a;
	struct evhttp_request *req;
	struct evhttp_connection *evcon;
	struct table *t;
	/* Writes the next entries into b, up to about CHUNK bytes; sets
	 * phase to STREAM_END after the last. */
	void (*fill)(struct stream *s, struct evbuffer *b);
	struct jsonw w;		/* writes into the chunk being filled */
	int phase;		/* axfr: 0 As, 1 AAAAs, 2 SRVs, 3 done */
	uint32_t node;
	uint32_t fw, task, rec;	/* enumerate's place */
	struct stream *next;
};

#define STREAM_END 4

/* /v1/enumerate's phases. */
enum { EN_START, EN_FW, EN_TASK, EN_REC };

static const char *const phase_key[3] = { "As", "AAAAs", "SRVs" };
static const uint16_t phase_type[3] = { RR_A, RR_AAAA, RR_SRV };

static void
stream_unlink(struct stream *s)
{
	struct stream **pp = &s->a->streams;

	while (*pp != NULL && *pp != s)
		pp = &(*pp)->next;
	if (*pp == s)
		*pp = s->next;
}

static void
stream_free(struct stream *s)
{
	stream_unlink(s);
	table_unref(s->t);
	free(s);
}

/* The client went away mid-stream. */
static void
stream_closed(struct evhttp_connection *evcon, void *arg)
{
	(void)evcon;
	stream_free(arg);
}

/* One name's rrset of the phase's type: "name":["value",...], each value
 * as mesos-dns writes it (the address, or "target:port" for SRV). */
static void
axfr_rrset(struct jsonw *w, const struct table *t, const char *name,
    const struct table_rec *r, uint32_t cnt)
{
	char val[DNAME_TEXT_MAX + 16];

	jsonw_key(w, name);
	jsonw_array(w);
	for (uint32_t i = 0; i < cnt; i++)
		if (rec_value(t, &r[i], val, sizeof(val)))
			jsonw_string(w, val);
	jsonw_end_array(w);
}

/* Write the next entries into b, up to about CHUNK bytes. */
static void
stream_fill(struct stream *s, struct evbuffer *b)
{
	char name[DNAME_TEXT_MAX];

	s->w.ctx = b;
	while (s->phase < 3 && evbuffer_get_length(b) < CHUNK) {
		const struct table_node *n;
		const struct table_rec *r;
		uint32_t cnt;

		if (s->node >= s->t->n_nodes) {
			jsonw_end_object(&s->w);
			if (++s->phase < 3) {
				jsonw_key(&s->w, phase_key[s->phase]);
				jsonw_object(&s->w);
			}
			s->node = 0;
			continue;
		}
		n = table_node_at(s->t, s->node++);
		r = table_rrset(s->t, n, phase_type[s->phase], &cnt);
		if (cnt > 0 && node_text(n, name, sizeof(name)) > 0)
			axfr_rrset(&s->w, s->t, name, r, cnt);
	}
	if (s->phase == 3) {
		jsonw_end_object(&s->w);	/* Records */
		jsonw_end_object(&s->w);
		s->phase = STREAM_END;
	}
}

/* One record of a task: {"name":...,"host":...,"rtype":...}. */
static void
enum_record(struct jsonw *w, const struct table *t, uint32_t i)
{
	const struct table_rec *r = table_rec_at(t, i);
	char name[DNAME_TEXT_MAX], host[DNAME_TEXT_MAX + 16];

	if (node_text(table_rec_node(t, i), name, sizeof(name)) <= 0)
		name[0] = '\0';
	if (!rec_value(t, r, host, sizeof(host)))
		host[0] = '\0';
	jsonw_object(w);
	jsonw_kstring(w, "name", name);
	jsonw_kstring(w, "host", host);
	jsonw_kstring(w, "rtype", r->type == RR_A ? "A" :
	    r->type == RR_AAAA ? "AAAA" : "SRV");
	jsonw_end_object(w);
}

/* mesos-dns's EnumerationData, one record at a time: frameworks (null
 * when there are none) with their tasks, each task's records (null when
 * it added none). */
static void
enum_fill(struct stream *s, struct evbuffer *b)
{
	const struct table_enum *e = s->t->enumeration;
	struct jsonw *w = &s->w;

	w->ctx = b;
	while (s->phase != STREAM_END && evbuffer_get_length(b) < CHUNK) {
		const struct table_enum_fw *f;
		const struct table_enum_task *t;

		switch (s->phase) {
		case EN_START:
			jsonw_object(w);
			jsonw_key(w, "frameworks");
			if (e == NULL || e->n_fws == 0) {
				jsonw_null(w);
				jsonw_end_object(w);
				s->phase = STREAM_END;
			} else {
				jsonw_array(w);
				s->phase = EN_FW;
			}
			break;
		case EN_FW:
			if (s->fw == e->n_fws) {
				jsonw_end_array(w);
				jsonw_end_object(w);
				s->phase = STREAM_END;
				break;
			}
			jsonw_object(w);
			jsonw_key(w, "tasks");
			jsonw_array(w);
			s->task = 0;
			s->phase = EN_TASK;
			break;
		case EN_TASK:
			f = &e->fws[s->fw];
			if (s->task == f->n_tasks) {
				jsonw_end_array(w);
				jsonw_kstring(w, "name", f->name);
				jsonw_end_object(w);
				s->fw++;
				s->phase = EN_FW;
				break;
			}
			t = &e->tasks[f->first_task + s->task];
			jsonw_object(w);
			jsonw_kstring(w, "name", t->name);
			jsonw_kstring(w, "id", t->id);
			jsonw_key(w, "records");
			if (t->n_recs == 0) {
				jsonw_null(w);
				jsonw_end_object(w);
				s->task++;
				break;
			}
			jsonw_array(w);
			s->rec = 0;
			s->phase = EN_REC;
			break;
		case EN_REC:
			f = &e->fws[s->fw];
			t = &e->tasks[f->first_task + s->task];
			if (s->rec == t->n_recs) {
				jsonw_end_array(w);
				jsonw_end_object(w);
				s->task++;
				s->phase = EN_TASK;
				break;
			}
			enum_record(w, s->t, e->recs[t->first_rec + s->rec]);
			s->rec++;
			break;
		default:
			s->phase = STREAM_END;
			break;
		}
	}
}

static void
stream_next(struct evhttp_connection *evcon, void *arg)
{
	struct stream *s = arg;
	struct evbuffer *b;

	(void)evcon;
	if (s->phase == STREAM_END) {
		evhttp_connection_set_closecb(s->evcon, NULL, NULL);
		evhttp_send_reply_end(s->req);
		stream_free(s);
		return;
	}
	b = evbuffer_new();
	s->fill(s, b);
	evhttp_send_reply_chunk_with_cb(s->req, b, stream_next, s);
	evbuffer_free(b);
}

/* A stream of t to req, on a's list. */
static struct stream *
stream_new(struct api *a, struct evhttp_request *req, struct table *t,
    void (*fill)(struct stream *, struct evbuffer *))
{
	struct stream *s = xcalloc(1, sizeof(*s));

	s->a = a;
	s->req = req;
	s->evcon = evhttp_request_get_connection(req);
	s->t = table_ref(t);
	s->fill = fill;
	s->next = a->streams;
	a->streams = s;
	return s;
}

/* Send the first chunk (b, then what fill adds) and go on from there. */
static void
stream_start(struct stream *s, struct evbuffer *b)
{
	evhttp_add_header(evhttp_request_get_output_headers(s->req),
	    "Content-Type", "application/json");
	evhttp_send_reply_start(s->req, HTTP_OK, "OK");
	evhttp_connection_set_closecb(s->evcon, stream_closed, s);
	s->fill(s, b);
	evhttp_send_reply_chunk_with_cb(s->req, b, stream_next, s);
	evbuffer_free(b);
}

static void
v1_enumerate(struct api *a, struct evhttp_request *req, struct table *t)
{
	struct stream *s = stream_new(a, req, t, enum_fill);
	struct evbuffer *b = evbuffer_new();

	jsonw_evbuffer(&s->w, b);
	s->phase = EN_START;
	stream_start(s, b);
}

static void
v1_axfr(struct api *a, struct evhttp_request *req, struct table *t)
{
	const struct config *c = a->o.cfg;
	struct stream *s = stream_new(a, req, t, stream_fill);
	struct evbuffer *b = evbuffer_new();
	char *m = with_dot(c->soa_mname), *r = with_dot(c->soa_rname);

	jsonw_evbuffer(&s->w, b);
	jsonw_object(&s->w);
	jsonw_kint(&s->w, "TTL", c->ttl);
	jsonw_kint(&s->w, "Serial", t->serial);
	jsonw_kint(&s->w, "RefreshSeconds", c->refresh_seconds);
	jsonw_kstring(&s->w, "Mname", m);
	jsonw_kstring(&s->w, "Rname", r);
	jsonw_kstring(&s->w, "Domain", c->domain);
	jsonw_key(&s->w, "Records");
	jsonw_object(&s->w);
	jsonw_key(&s->w, phase_key[0]);
	jsonw_object(&s->w);
	free(m);
	free(r);
	stream_start(s, b);
}

/* --- /metrics and /healthz --- */

static void
metrics(struct api *a, struct evhttp_request *req, const struct api_state *st)
{
	struct evbuffer *b = evbuffer_new();
	struct server_stats s;

	memset(&s, 0, sizeof(s));
	if (a->o.srv != NULL)
		server_stats(a->o.srv, &s);
	metrics_write(b, &s, st, time(NULL));
	reply(req, HTTP_OK, "OK", "text/plain; version=0.0.4; charset=utf-8",
	    b);
	evbuffer_free(b);
}

static void
healthz(struct api *a, struct evhttp_request *req, const struct api_state *st)
{
	char why[768];
	time_t now = time(NULL);

	if (st->table == NULL || !st->table->ready)
		snprintf(why, sizeof(why), "unhealthy: no Mesos state loaded "
		    "yet%s%s", st->last_error[0] ? ": " : "", st->last_error);
	else if (st->zk_lost)
		snprintf(why, sizeof(why), "unhealthy: ZooKeeper names no "
		    "leading master");
	else if (now - st->last_ok > (time_t)a->o.stale_seconds)
		snprintf(why, sizeof(why), "unhealthy: the records are %lld s "
		    "old (limit %u s)%s%s", (long long)(now - st->last_ok),
		    a->o.stale_seconds, st->last_error[0] ? ": " : "",
		    st->last_error);
	else {
		snprintf(why, sizeof(why), "ok: serial %u, %u records, %lld s "
		    "old", st->table->serial, st->table->n_recs,
		    (long long)(now - st->last_ok));
		reply_text(req, HTTP_OK, "OK", why);
		return;
	}
	reply_text(req, HTTP_SERVUNAVAIL, "Service Unavailable", why);
}

/* --- routing --- */

static void
route(struct evhttp_request *req, void *arg)
{
	struct api *a = arg;
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *raw = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	enum evhttp_cmd_type m = evhttp_request_get_command(req);
	struct api_state st;
	char *path;

	if (raw == NULL) {
		reply_text(req, HTTP_BADREQUEST, "Bad Request", "bad request");
		return;
	}
	path = evhttp_uridecode(raw, 0, NULL);
	if (path == NULL) {
		reply_text(req, HTTP_BADREQUEST, "Bad Request", "bad request");
		return;
	}
	memset(&st, 0, sizeof(st));
	a->state(a->arg, &st);
	if (strcmp(path, "/v1/version") != 0 && strcmp(path, "/v1/config") != 0 &&
	    strncmp(path, "/v1/hosts/", 10) != 0 &&
	    strncmp(path, "/v1/services/", 13) != 0 &&
	    strcmp(path, "/metrics") != 0 && strcmp(path, "/healthz") != 0 &&
	    !(a->o.cfg->enumeration_on && (strcmp(path, "/v1/axfr") == 0 ||
	    strcmp(path, "/v1/enumerate") == 0))) {
		reply_text(req, HTTP_NOTFOUND, "Not Found", "not found");
		goto out;
	}
	if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET, HEAD");
		reply_text(req, 405, "Method Not Allowed",
		    "method not allowed");
		goto out;
	}
	if (strcmp(path, "/v1/version") == 0)
		v1_version(a, req);
	else if (strcmp(path, "/v1/config") == 0)
		v1_config(a, req, st.table != NULL ? st.table->serial : 0);
	else if (strncmp(path, "/v1/hosts/", 10) == 0 && path[10] != '\0')
		v1_hosts(a, req, st.table, path + 10);
	else if (strncmp(path, "/v1/services/", 13) == 0 && path[13] != '\0')
		v1_services(a, req, st.table, path + 13);
	else if (strcmp(path, "/v1/axfr") == 0 && st.table != NULL)
		v1_axfr(a, req, st.table);
	else if (strcmp(path, "/v1/enumerate") == 0 && st.table != NULL) {
		struct table *t = st.table->enumeration == NULL &&
		    st.enumerated != NULL ? st.enumerated(st.enum_arg) :
		    table_ref(st.table);

		v1_enumerate(a, req, t);
		table_unref(t);
	}
	else if (strcmp(path, "/metrics") == 0)
		metrics(a, req, &st);
	else if (strcmp(path, "/healthz") == 0)
		healthz(a, req, &st);
	else
		reply_text(req, HTTP_NOTFOUND, "Not Found", "not found");
out:
	free(path);
}

struct api *
api_new(struct event_base *base, const struct api_opts *o,
    api_state_fn *state, void *arg, char *errbuf, size_t errlen)
{
	struct api *a = xcalloc(1, sizeof(*a));

	a->base = base;
	a->o = *o;
	a->state = state;
	a->arg = arg;
	a->http = evhttp_new(base);
	if (a->http == NULL) {
		snprintf(errbuf, errlen, "cannot create the HTTP server");
		free(a);
		return NULL;
	}
	evhttp_set_max_headers_size(a->http, HTTP_MAX_HEADERS);
	evhttp_set_max_body_size(a->http, HTTP_MAX_HEADERS);
	evhttp_set_timeout(a->http, HTTP_TIMEOUT_S);
	evhttp_set_allowed_methods(a->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
	evhttp_set_gencb(a->http, route, a);
	if (evhttp_bind_socket_with_handle(a->http, o->cfg->http_listener,
	    (uint16_t)o->cfg->http_port) == NULL) {
		snprintf(errbuf, errlen, "cannot bind HTTP %s port %d: %s",
		    o->cfg->http_listener, o->cfg->http_port,
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		evhttp_free(a->http);
		free(a);
		return NULL;
	}
	return a;
}

void
api_set_opts(struct api *a, const struct api_opts *o)
{
	struct server *srv = a->o.srv;

	a->o = *o;
	a->o.srv = srv;
}

void
api_set_server(struct api *a, struct server *srv)
{
	a->o.srv = srv;
}

void
api_free(struct api *a)
{
	if (a == NULL)
		return;
	/* Freeing the server closes its connections; streams go with them
	 * (their close callbacks run). */
	evhttp_free(a->http);
	while (a->streams != NULL)
		stream_free(a->streams);
	free(a);
}
