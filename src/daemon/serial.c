/* serial.c - the serial kept across restarts (see serial.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/serial.h"
#include "util/log.h"

uint32_t
serial_load(const char *path)
{
	char buf[32], *end;
	ssize_t n;
	unsigned long v;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		if (errno != ENOENT)
			log_warn("serialFile %s: %s", path, strerror(errno));
		return 0;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		log_warn("serialFile %s: empty or unreadable", path);
		return 0;
	}
	buf[n] = '\0';
	errno = 0;
	v = strtoul(buf, &end, 10);
	if (errno != 0 || end == buf || (*end != '\n' && *end != '\0') ||
	    v > UINT32_MAX) {
		log_warn("serialFile %s: not a serial, ignored", path);
		return 0;
	}
	return (uint32_t)v;
}

void
serial_save(const char *path, uint32_t serial, uint32_t now, uint32_t *saved)
{
	static bool warned;
	char tmp[4096], buf[16];
	int fd, len;

	/* RFC 1982 comparisons: behind the clock, a restart is ahead. */
	if ((int32_t)(serial - now) < 0 || (*saved != 0 &&
	    (int32_t)(serial - *saved) <= 0))
		return;
	len = snprintf(buf, sizeof(buf), "%u\n", serial);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0 && write(fd, buf, (size_t)len) == len && close(fd) == 0 &&
	    rename(tmp, path) == 0) {
		*saved = serial;
		return;
	}
	if (fd >= 0)
		(void)unlink(tmp);
	if (!warned)
		log_warn("serialFile %s: cannot save serial %u: %s (a restart "
		    "may start behind it)", path, serial, strerror(errno));
	warned = true;
}
