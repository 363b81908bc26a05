/* log.c - levelled logging (see log.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "util/log.h"

_Atomic int log_level = LVL_INFO;
static _Atomic int to_syslog;

void
log_to_syslog(void)
{
	if (to_syslog)
		return;
	openlog("taskdns", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	to_syslog = 1;
}

void
log_to_stderr(void)
{
	if (!to_syslog)
		return;
	to_syslog = 0;
	closelog();
}

int
log_level_parse(const char *name)
{
	static const char *names[] = { "error", "warning", "info", "debug" };

	for (int i = 0; i < 4; i++)
		if (strcmp(name, names[i]) == 0)
			return i;
	return -1;
}

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
	if (to_syslog) {
		static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO,
		    LOG_DEBUG };

		syslog(prio[lvl], "%s: %s", names[lvl], line);
		return;
	}
	fprintf(stderr, "%s.%03ldZ taskdns %s: %s\n", ts,
	    now.tv_nsec / 1000000, names[lvl], line);
}
