/* zk_tool.c - plays a Mesos master's part in ZooKeeper, for the tests.
 *
 *   zk_tool HOSTS register PATH IP PORT OUTFILE
 *       create PATH (and parents) if missing, then an ephemeral sequential
 *       PATH/json.info_ znode with MasterInfo JSON for IP:PORT; write its
 *       full name to OUTFILE and hold the session until SIGTERM.
 *   zk_tool HOSTS delete NODE
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zookeeper/zookeeper.h>

static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static zhandle_t *
connect_wait(const char *hosts)
{
	zhandle_t *zh;

	zoo_set_debug_level((ZooLogLevel)0);
	zh = zookeeper_init(hosts, NULL, 10000, NULL, NULL, 0);
	for (int i = 0; zh != NULL && i < 100; i++) {
		if (zoo_state(zh) == ZOO_CONNECTED_STATE)
			return zh;
		usleep(50000);
	}
	fprintf(stderr, "zk_tool: cannot connect to %s\n", hosts);
	exit(1);
}

static void
mkpath(zhandle_t *zh, const char *path)
{
	char buf[1024];

	for (const char *p = strchr(path + 1, '/');; p = strchr(p + 1, '/')) {
		size_t n = p ? (size_t)(p - path) : strlen(path);

		memcpy(buf, path, n);
		buf[n] = '\0';
		zoo_create(zh, buf, "", 0, &ZOO_OPEN_ACL_UNSAFE, 0, NULL, 0);
		if (p == NULL)
			break;
	}
}

int
main(int argc, char **argv)
{
	zhandle_t *zh;
	char node[1024], data[512], prefix[1024];
	FILE *f;
	int n, rc;

	if (argc == 4 && strcmp(argv[2], "delete") == 0) {
		zh = connect_wait(argv[1]);
		rc = zoo_delete(zh, argv[3], -1);
		zookeeper_close(zh);
		return rc == ZOK ? 0 : 1;
	}
	if (argc != 7 || strcmp(argv[2], "register") != 0) {
		fprintf(stderr, "usage: zk_tool HOSTS register PATH IP PORT "
		    "OUTFILE | HOSTS delete NODE\n");
		return 2;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	zh = connect_wait(argv[1]);
	mkpath(zh, argv[3]);
	n = snprintf(data, sizeof(data), "{\"address\":{\"hostname\":"
	    "\"localhost\",\"ip\":\"%s\",\"port\":%s},\"hostname\":"
	    "\"localhost\",\"id\":\"fake-%s\",\"ip\":16777343,\"pid\":"
	    "\"master@%s:%s\",\"port\":%s,\"version\":\"1.4.1\"}", argv[4],
	    argv[5], argv[5], argv[4], argv[5], argv[5]);
	snprintf(prefix, sizeof(prefix), "%s/json.info_", argv[3]);
	rc = zoo_create(zh, prefix, data, n, &ZOO_OPEN_ACL_UNSAFE,
	    ZOO_EPHEMERAL | ZOO_SEQUENCE, node, sizeof(node));
	if (rc != ZOK) {
		fprintf(stderr, "zk_tool: create: %s\n", zerror(rc));
		return 1;
	}
	f = fopen(argv[6], "w");
	if (f == NULL)
		return 1;
	fprintf(f, "%s\n", node);
	fclose(f);
	while (!stop)
		pause();
	zookeeper_close(zh);	/* the ephemeral znode goes with it */
	return 0;
}
