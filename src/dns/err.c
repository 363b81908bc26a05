/* err.c - error texts. */

#include <string.h>

#include "dns/err.h"

const char *
err_str(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case 0:
		return "success";
	case E_SHORT:
		return "input too short";
	case E_SPACE:
		return "no space left in buffer";
	case E_FORMAT:
		return "malformed input";
	case E_LOOP:
		return "bad compression pointer";
	case E_TOOLONG:
		return "label or name too long";
	case E_LIMIT:
		return "limit reached";
	default:
		return strerror(err);
	}
}
