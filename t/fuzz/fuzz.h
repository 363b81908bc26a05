/* fuzz.h - the libFuzzer entry point every target defines; replay.c calls
 * it on corpus files when libFuzzer is not linked. */
#ifndef TASKDNS_FUZZ_H
#define TASKDNS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
