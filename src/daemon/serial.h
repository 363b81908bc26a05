/* serial.h - the Mesos zone's serial kept across restarts (serialFile).
 *
 * A serial is max(the one before + 1, the time) (table.h), so it runs
 * ahead of the clock while records change more than once a second; a
 * restart would then start from the clock, behind what the secondaries
 * hold (RFC 1982: they would ignore us until the clock caught up).  The
 * last serial that stood at or ahead of the clock is written to a file
 * (a new file renamed over the old), and a restart starts past it.
 */
#ifndef TASKDNS_SERIAL_H
#define TASKDNS_SERIAL_H

#include <stdint.h>

/* The serial saved in path, or 0 when there is none (a missing file is
 * no error; an unreadable or malformed one is logged). */
uint32_t serial_load(const char *path);
/* Save serial to path when it is at or ahead of now and past what was
 * saved last (*saved, updated); a failure is logged once. */
void serial_save(const char *path, uint32_t serial, uint32_t now,
    uint32_t *saved);

#endif
