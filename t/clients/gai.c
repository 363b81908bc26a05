/* gai.c - getaddrinfo as a program: built with musl-gcc by the tests, so
 * that musl's stub resolver (resolv.conf, its own parallel A/AAAA
 * queries, its checks of where an answer came from) asks taskdns.
 *
 *   gai NAME     prints each address, one a line; exit 0 found, 2 not
 *                found (EAI_NONAME), 1 another error (printed). */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

int
main(int argc, char **argv)
{
	struct addrinfo hints, *res, *ai;
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: gai NAME\n");
		return 1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	r = getaddrinfo(argv[1], NULL, &hints, &res);
	if (r == EAI_NONAME)
		return 2;
	if (r != 0) {
		printf("error: %s\n", gai_strerror(r));
		return 1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		char buf[INET6_ADDRSTRLEN];
		const void *a = ai->ai_family == AF_INET ?
		    (const void *)&((struct sockaddr_in *)(void *)ai->ai_addr)->sin_addr :
		    (const void *)&((struct sockaddr_in6 *)(void *)ai->ai_addr)->sin6_addr;

		if (inet_ntop(ai->ai_family, a, buf, sizeof(buf)) != NULL)
			printf("%s\n", buf);
	}
	freeaddrinfo(res);
	return 0;
}
