#ifndef FTLE_CFLOATMODE_H
#define FTLE_CFLOATMODE_H

/// Flush-to-zero for the calling thread: results that would be subnormal become 0, and
/// subnormal operands are read as 0 (x86-64: MXCSR's FTZ and DAZ bits; AArch64: FPCR.FZ).
/// Returns 1 when the CPU has the mode (and it is now as asked), 0 when it has not (nothing
/// changed). Each thread has its own mode; a new thread starts in its creator's.
int ftle_set_flush_subnormals(int on);

/// 1 when the calling thread flushes subnormals (as `ftle_set_flush_subnormals(1)` left it).
int ftle_flushes_subnormals(void);

#endif
