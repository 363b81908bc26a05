/* main.c - command-line options, -version and --check-config; the rest is
 * app_run(). */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/app.h"
#include "conf/config.h"
#include "util/log.h"
#include "daemon/source.h"
#include "daemon/zk.h"

struct opts {
	const char *config, *state_file;
	bool check, print, version;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: taskdns [-config FILE] [--state-file FILE] "
	    "[--check-config] [--print-records] [-v] [-version]\n");
}

/* mesos-dns's flags are single-dash Go flags; accept both spellings. */
static int
parse_args(int argc, char **argv, struct opts *o)
{
	o->config = "config.json";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (a[0] == '-' && a[1] == '-')
			a++;
		if (!strcmp(a, "-config") || !strcmp(a, "-c") ||
		    !strcmp(a, "-state-file")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "taskdns: %s needs a file\n",
				    argv[i]);
				return -1;
			}
			if (!strcmp(a, "-state-file"))
				o->state_file = argv[++i];
			else
				o->config = argv[++i];
		} else if (!strncmp(a, "-config=", 8))
			o->config = a + 8;
		else if (!strcmp(a, "-check-config"))
			o->check = true;
		else if (!strcmp(a, "-print-records"))
			o->print = true;
		else if (!strcmp(a, "-version") || !strcmp(a, "-V"))
			o->version = true;
		else if (!strcmp(a, "-v") || !strcmp(a, "-verbose"))
			log_level = LVL_DEBUG;
		else if (!strcmp(a, "-h") || !strcmp(a, "-help")) {
			usage(stdout);
			exit(0);
		} else {
			fprintf(stderr, "taskdns: unknown option %s\n", argv[i]);
			usage(stderr);
			return -1;
		}
	}
	return 0;
}

static struct config *
load_config(const struct opts *o)
{
	char err[8192];
	struct config *c = source_load_config(o->config, o->state_file, err,
	    sizeof(err));

	if (c == NULL) {
		fprintf(stderr, "taskdns: %s\n", err);
		return NULL;
	}
	for (char *l = c->warnings, *nl; (nl = strchr(l, '\n')); l = nl + 1)
		log_warn("%s: %.*s", o->config, (int)(nl - l), l);
	return c;
}

int
main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct config *cfg;
	struct app_args aa;

	if (parse_args(argc, argv, &o) != 0)
		return 2;
#ifdef M_MMAP_THRESHOLD
	/* Generations are large arrays and arena chunks that live one
	 * refresh: from the kernel and back to it, so the resident size
	 * follows the tables alive, not the largest heap ever grown. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);
#endif
	if (o.version) {
		printf("taskdns %s\n", PACKAGE_VERSION);
		return 0;
	}
	if ((cfg = load_config(&o)) == NULL)
		return 1;
	if (cfg->zk[0] != '\0' && !zk_supported()) {
		fprintf(stderr, "taskdns: invalid config %s:\nzk: \"%s\": this "
		    "taskdns was built --without-zookeeper\n", o.config, cfg->zk);
		config_free(cfg);
		return 1;
	}
	if (o.check) {
		printf("%s: config OK\n", o.config);
		config_free(cfg);
		return 0;
	}
	aa.config = o.config;
	aa.state_file = o.state_file;
	aa.print = o.print;
	aa.verbose = log_level == LVL_DEBUG;
	return app_run(cfg, &aa);
}
