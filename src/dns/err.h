/* err.h - error codes shared by every module.
 *
 * Fallible functions return 0 or a negative number: -errno, or one of the
 * -E_* codes below.  err_str() gives the text of either kind.
 */
#ifndef TASKDNS_ERR_H
#define TASKDNS_ERR_H

enum {
	E_BASE = 1000,
	E_SHORT,	/* input ended before a field did */
	E_SPACE,	/* output buffer full */
	E_FORMAT,	/* input is not what the format allows */
	E_LOOP,		/* compression pointer loop or forward pointer */
	E_TOOLONG,	/* a label or name over its limit */
	E_LIMIT,	/* a configured or built-in cap was reached */
};

/* Text for an error code (negative or positive).  Never NULL; static. */
const char *err_str(int err);

#endif
