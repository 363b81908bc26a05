/* check.h - what every answer of ours must be, for the fuzz targets that
 * answer queries: it parses record by record to its last byte, keeps the
 * query's ID and carries the query's question.  abort() otherwise. */
#ifndef TASKDNS_FUZZ_CHECK_H
#define TASKDNS_FUZZ_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "dns/message.h"

void fuzz_check_answer(const uint8_t *out, size_t len,
    const struct msg_query *q);

#endif
