#ifndef FTLE_FUZZ_DRIVER_H
#define FTLE_FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>
// libFuzzer's driver (compiler-rt, linked by -sanitize=fuzzer). SwiftPM gives every
// executable its own entry point (<module>_main), so each target's main.swift calls this
// instead of relying on libFuzzer's main().
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
#endif
