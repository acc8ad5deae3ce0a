/* SwiftPM links an executable target with `--defsym main=<Module>_main`, so libFuzzer's
   own main() is never used. This is that <Module>_main: it hands over to libFuzzer's
   driver with the Swift callback (`@_cdecl("LLVMFuzzerTestOneInput")` in FuzzEntry.swift). */
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

int SignalHubFuzz_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
