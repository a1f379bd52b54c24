/* Per-call timing of one CholeskyQR2 step straight on OpenBLAS, as LyapunovStepper ran it
 * before the second benchmark round: C = (Vᵀ)ᵀ·Q (K columns), then syrk → potrf → trsm
 * twice, then the trmm that forms R = R₂R₁. The stepper now skips that trmm and, for K < H,
 * multiplies K + 1 columns (the state rides along); the other calls are unchanged.
 * Reproduces the per-call table in bench/PROFILE.md:
 *
 *   gcc -O2 bench/micro/cholesky_qr2_calls.c -o /tmp/cq2 -lopenblas -llapacke
 *   /tmp/cq2 128 128 2   # K H threads: full frame at H = 128
 *   /tmp/cq2 32 512 2    # K = 32 of H = 512
 *
 * V is uniform in ±0.1 and Q starts as the first K columns of I; each iteration factors
 * V·Q and feeds Q back, so the inputs stay in the same range as in the stepper. */
#include <cblas.h>
#include <lapacke.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s K H threads\n", argv[0]); return 2; }
    int k = atoi(argv[1]), h = atoi(argv[2]), threads = atoi(argv[3]);
    if (k < 1 || h < k || threads < 1) { fprintf(stderr, "need 1 <= K <= H and threads >= 1\n"); return 2; }
    const int reps = 2000;
    openblas_set_num_threads(threads);
    double *vt = malloc(sizeof(double) * h * h), *q = calloc((size_t)h * k, sizeof(double));
    double *a = malloc(sizeof(double) * h * k), *g = malloc(sizeof(double) * k * k), *r = malloc(sizeof(double) * k * k);
    srand(1);
    for (int i = 0; i < h * h; i++) vt[i] = (rand() / (double)RAND_MAX - 0.5) * 0.2;
    for (int i = 0; i < k; i++) q[i + i * h] = 1;
    const char *names[] = {"gemm V.Q", "syrk 1", "potrf 1", "trsm 1", "syrk 2", "potrf 2", "trsm 2", "trmm R2R1"};
    double total[8] = {0};
    for (int rep = 0; rep < reps; rep++) {
        double t[9];
        t[0] = seconds();
        cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, h, k, h, 1, vt, h, q, h, 0, a, h);
        t[1] = seconds();
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, k, h, 1, a, h, 0, g, k);
        t[2] = seconds();
        if (LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'U', k, g, k) != 0) { fprintf(stderr, "potrf 1 failed\n"); return 1; }
        t[3] = seconds();
        for (int j = 0; j < k; j++) for (int i = 0; i < k; i++) r[i + j * k] = i <= j ? g[i + j * k] : 0;   /* R1 */
        cblas_dtrsm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, h, k, 1, r, k, a, h);
        t[4] = seconds();
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, k, h, 1, a, h, 0, g, k);
        t[5] = seconds();
        if (LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'U', k, g, k) != 0) { fprintf(stderr, "potrf 2 failed\n"); return 1; }
        t[6] = seconds();
        cblas_dtrsm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, h, k, 1, g, k, a, h);
        t[7] = seconds();
        cblas_dtrmm(CblasColMajor, CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, k, k, 1, g, k, r, k);
        t[8] = seconds();
        memcpy(q, a, sizeof(double) * h * k);
        for (int i = 0; i < 8; i++) total[i] += t[i + 1] - t[i];
    }
    double sum = 0;
    printf("K=%d H=%d threads=%d core=%s, mean µs per call over %d steps:\n", k, h, threads, openblas_get_corename(), reps);
    for (int i = 0; i < 8; i++) { printf("  %-10s %7.1f\n", names[i], total[i] / reps * 1e6); sum += total[i]; }
    printf("  %-10s %7.1f\n", "total", sum / reps * 1e6);
    return 0;
}
