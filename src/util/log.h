/* log.h - levelled logging, one line per event, to stderr or syslog.
 * Only net and daemon log; the pure layers return errors instead. */
#ifndef TASKDNS_LOG_H
#define TASKDNS_LOG_H

enum log_level { LVL_ERR, LVL_WARN, LVL_INFO, LVL_DEBUG };

/* The one mutable global besides signal flags (STYLE.md 3). */
extern _Atomic int log_level;

/* Send every later line to syslog (facility daemon) instead of stderr. */
void log_to_syslog(void);
/* Back to stderr (a reloaded config). */
void log_to_stderr(void);
/* "error", "warning", "info", "debug" -> a level; -1 when none. */
int log_level_parse(const char *name);

void log_msg(enum log_level lvl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LVL_INFO, __VA_ARGS__)
#define log_debug(...) \
	do { if (log_level >= LVL_DEBUG) log_msg(LVL_DEBUG, __VA_ARGS__); } \
	while (0)

#endif
