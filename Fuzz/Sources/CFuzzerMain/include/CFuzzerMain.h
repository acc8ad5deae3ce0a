#ifndef SIGNALHUB_CFUZZERMAIN_H
#define SIGNALHUB_CFUZZERMAIN_H
/* Nothing to import: this target only provides the entry point (see FuzzerMain.c). */
#endif
