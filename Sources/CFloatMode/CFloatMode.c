#include "CFloatMode.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
/// MXCSR bit 15 (flush to zero) and bit 6 (denormals are zero).
static const unsigned int flushBits = 0x8040u;

int ftle_set_flush_subnormals(int on) {
    unsigned int csr = _mm_getcsr();
    _mm_setcsr(on ? (csr | flushBits) : (csr & ~flushBits));
    return 1;
}

int ftle_flushes_subnormals(void) { return (_mm_getcsr() & flushBits) == flushBits; }

#elif defined(__aarch64__)
/// FPCR bit 24 (FZ): flushes subnormal inputs and outputs of every floating-point operation.
static const unsigned long flushBit = 1ul << 24;

static unsigned long readFPCR(void) { unsigned long v; __asm__ volatile("mrs %0, fpcr" : "=r"(v)); return v; }
static void writeFPCR(unsigned long v) { __asm__ volatile("msr fpcr, %0" : : "r"(v)); }

int ftle_set_flush_subnormals(int on) {
    unsigned long v = readFPCR();
    writeFPCR(on ? (v | flushBit) : (v & ~flushBit));
    return 1;
}

int ftle_flushes_subnormals(void) { return (readFPCR() & flushBit) != 0; }

#else
int ftle_set_flush_subnormals(int on) { return on ? 0 : 1; }
int ftle_flushes_subnormals(void) { return 0; }
#endif
