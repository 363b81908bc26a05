/* source.c - files, host lookups, interface addresses (see source.h). */
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/arena.h"
#include "dns/err.h"
#include "daemon/source.h"

int
source_read_file(const char *path, size_t max, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	size_t n = 0, cap = 4096;
	char *buf;

	if (fd < 0)
		return -errno;
	buf = xmalloc(cap + 1);
	for (;;) {
		ssize_t r;

		if (n == cap) {
			if (cap >= max) {
				err = -E_LIMIT;
				break;
			}
			cap = cap * 2 > max ? max : cap * 2;
			buf = xrealloc(buf, cap + 1);
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			break;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (err != 0) {
		free(buf);
		return err;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

#define CONFIG_MAX (1u << 20)

struct config *
source_load_config(const char *path, const char *state_file, char *errbuf,
    size_t errlen)
{
	char *text, why[8000];
	const char *slash = strrchr(path, '/');
	struct config *c;
	size_t len;
	int r = source_read_file(path, CONFIG_MAX, &text, &len);

	if (r != 0) {
		snprintf(errbuf, errlen, "cannot read config %s: %s", path,
		    err_str(r));
		return NULL;
	}
	c = config_parse(text, len, path, state_file, why, sizeof(why));
	free(text);
	if (c == NULL) {
		snprintf(errbuf, errlen, "invalid config %s:\n%s", path, why);
		return NULL;
	}
	if (state_file == NULL && c->state_file[0] != '\0' &&
	    c->state_file[0] != '/' && slash != NULL) {
		size_t n = (size_t)(slash - path) + 1 + strlen(c->state_file) + 1;
		char *p = xmalloc(n);

		snprintf(p, n, "%.*s/%s", (int)(slash - path), path,
		    c->state_file);
		free(c->state_file);
		c->state_file = p;
	}
	return c;
}

struct cluster *
source_load_state(const char *path, const struct config *cfg, char *errbuf,
    size_t errlen)
{
	struct state_parser *p;
	struct cluster *c = NULL;
	char buf[65536], why[512];
	size_t total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	p = state_parser_new();
	state_parser_set_max_tasks(p, (uint32_t)cfg->max_tasks);
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(errbuf, errlen, "%s: %s", path,
			    strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		total += (size_t)r;
		if (total > (size_t)cfg->state_max_bytes) {
			snprintf(errbuf, errlen, "%s: over stateMaxBytes (%d "
			    "bytes): refused", path, cfg->state_max_bytes);
			goto out;
		}
		if (state_parser_feed(p, buf, (size_t)r, why,
		    sizeof(why)) != 0) {
			snprintf(errbuf, errlen, "%s: %s", path, why);
			goto out;
		}
	}
	c = state_parser_finish(p, why, sizeof(why));
	if (c == NULL)
		snprintf(errbuf, errlen, "%s: %s", path, why);
out:
	close(fd);
	state_parser_free(p);
	return c;
}

#define RESOLVE_TTL 300
#define RESOLVE_NEG_TTL 60

struct cached {
	char *host;
	struct ipaddr ips[2];
	int n;
	time_t until;
};

struct source_resolver {
	struct cached *v;
	size_t n;
};

struct source_resolver *
source_resolver_new(void)
{
	return xcalloc(1, sizeof(struct source_resolver));
}

void
source_resolver_free(struct source_resolver *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].host);
	free(r->v);
	free(r);
}

static int
lookup(const char *host, struct ipaddr *out, int max)
{
	struct addrinfo hints, *res = NULL;
	bool have4 = false, have6 = false;
	int n = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return 0;
	for (struct addrinfo *a = res; a != NULL && n < max; a = a->ai_next) {
		if (a->ai_family == AF_INET && !have4) {
			const struct sockaddr_in *s = (const void *)a->ai_addr;

			memset(&out[n], 0, sizeof(out[n]));
			out[n].family = 4;
			memcpy(out[n].addr, &s->sin_addr, 4);
			have4 = true;
			n++;
		} else if (a->ai_family == AF_INET6 && !have6) {
			const struct sockaddr_in6 *s = (const void *)a->ai_addr;

			memset(&out[n], 0, sizeof(out[n]));
			out[n].family = 6;
			memcpy(out[n].addr, &s->sin6_addr, 16);
			have6 = true;
			n++;
		}
	}
	freeaddrinfo(res);
	return n;
}

int
source_resolve(void *arg, const char *host, struct ipaddr *out, int max)
{
	struct source_resolver *r = arg;
	time_t now = time(NULL);
	struct cached *c = NULL;
	int n;

	for (size_t i = 0; i < r->n && c == NULL; i++)
		if (strcmp(r->v[i].host, host) == 0)
			c = &r->v[i];
	if (c == NULL) {
		r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
		c = &r->v[r->n++];
		memset(c, 0, sizeof(*c));
		c->host = xstrdup(host);
	}
	if (c->until <= now) {
		c->n = lookup(host, c->ips, 2);
		c->until = now + (c->n > 0 ? RESOLVE_TTL : RESOLVE_NEG_TTL);
	}
	n = c->n < max ? c->n : max;
	memcpy(out, c->ips, (size_t)n * sizeof(*out));
	return n;
}

size_t
source_local_ips(struct ipaddr **out)
{
	struct ifaddrs *ifs = NULL;
	struct ipaddr *v = NULL;
	size_t n = 0;

	*out = NULL;
	if (getifaddrs(&ifs) != 0)
		return 0;
	for (struct ifaddrs *i = ifs; i != NULL; i = i->ifa_next) {
		struct ipaddr ip;

		if (i->ifa_addr == NULL)
			continue;
		memset(&ip, 0, sizeof(ip));
		if (i->ifa_addr->sa_family == AF_INET) {
			const struct sockaddr_in *s = (const void *)i->ifa_addr;

			ip.family = 4;
			memcpy(ip.addr, &s->sin_addr, 4);
			if (ip.addr[0] == 127)
				continue;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			const struct sockaddr_in6 *s =
			    (const void *)i->ifa_addr;

			/* A link-local address means nothing without its
			 * interface: no record can carry it. */
			if (IN6_IS_ADDR_LOOPBACK(&s->sin6_addr) ||
			    IN6_IS_ADDR_LINKLOCAL(&s->sin6_addr))
				continue;
			ip.family = 6;
			memcpy(ip.addr, &s->sin6_addr, 16);
		} else
			continue;
		v = xrealloc(v, (n + 1) * sizeof(*v));
		v[n++] = ip;
	}
	freeifaddrs(ifs);
	*out = v;
	return n;
}

double
source_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}
