/* log.c - levelled logging (see log.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

int log_level = LVL_INFO;

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	char line[2048], ts[32];
	struct timespec now;
	struct tm tm;
	va_list ap;

	if ((int)lvl > log_level)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* One event, one line: fold any newline in the text. */
	for (char *p = line; *p; p++)
		if (*p == '\n')
			*p = ';';
	fprintf(stderr, "%s.%03ldZ taskdns %s: %s\n", ts,
	    now.tv_nsec / 1000000, names[lvl], line);
}
