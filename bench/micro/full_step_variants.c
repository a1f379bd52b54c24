/* One full-spectrum Lyapunov step (K = H = n) four ways, straight on OpenBLAS + LAPACKE, to
 * pick the per-size algorithm of LyapunovStepper by measurement (issue 26, item 5):
 *
 *   cq2       A = V·Q (gemm 2n³), CholeskyQR2 (2 × syrk n³, potrf n³/3, trsm n³): 6.67 n³
 *   geqrf     Q kept implicit: W = V·Q_{t−1} by dormqr from the right (2n³), then dgeqrf(W)
 *             (4/3 n³): 3.33 n³
 *   geqrt     the same with the compact-WY form: dgemqrt (2n³ plus T products) and dgeqrt
 *             with block nb (4/3 n³ plus T)
 *   explicit  dgeqrf + dorgqr (8/3 n³) then gemm (2n³): 4.67 n³ (what torch.linalg.qr does)
 *
 *   gcc -O2 bench/micro/full_step_variants.c -o /tmp/fsv -lopenblas -llapacke -lm
 *   /tmp/fsv 512 2 100     # n threads steps
 *
 * V ~ N(0, 1.5²/n)-like (uniform with that variance), D_t = diag(1 − h_t²) from a tanh RNN
 * driven by x_t ~ U(−1, 1), h_0 = 0, as bench/ftle_peers.py. Prints each variant's best
 * seconds per step over three runs and Σ ln r¹ to show the variants agree. */
#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double seconds(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static int n, steps;
static double *v, *u, *xs;

/* h ← tanh(V h + u x_t); d ← 1 − h². */
static void advance(double *h, double *d, int t, double *tmp) {
    cblas_dgemv(CblasColMajor, CblasNoTrans, n, n, 1, v, n, h, 1, 0, tmp, 1);
    for (int i = 0; i < n; i++) { h[i] = tanh(tmp[i] + u[i] * xs[t]); d[i] = 1 - h[i] * h[i]; }
}

static double run(int variant, double *lsum) {
    double *h = calloc(n, 8), *d = malloc(n * 8), *tmp = malloc(n * 8);
    double *q = calloc((size_t)n * n, 8), *a = malloc((size_t)n * n * 8), *g = malloc((size_t)n * n * 8);
    double *tau = malloc(n * 8), *sign = malloc(n * 8), *tt = malloc((size_t)n * n * 8);
    int nb = variant == 2 ? (n <= 128 ? n : 128) : 0;
    for (int i = 0; i < n; i++) { q[i + (size_t)i * n] = 1; sign[i] = 1; }
    *lsum = 0;
    int implicit = 0;   /* reflectors of Q_{t−1} held in g (+ tau / tt) */
    double t0 = seconds();
    for (int t = 0; t < steps; t++) {
        advance(h, d, t, tmp);
        if (variant == 0 || variant == 3) {
            cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, v, n, q, n, 0, a, n);
        } else {
            memcpy(a, v, (size_t)n * n * 8);
            if (implicit) {
                if (variant == 1) LAPACKE_dormqr(LAPACK_COL_MAJOR, 'R', 'N', n, n, n, g, n, tau, a, n);
                else LAPACKE_dgemqrt(LAPACK_COL_MAJOR, 'R', 'N', n, n, n, nb, g, n, tt, nb, a, n);
                for (int j = 0; j < n; j++) cblas_dscal(n, sign[j], a + (size_t)j * n, 1);
            }
        }
        for (int j = 0; j < n; j++) for (int i = 0; i < n; i++) a[i + (size_t)j * n] *= d[i];
        if (variant == 0) {
            double *r = tt;
            cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, n, n, 1, a, n, 0, g, n);
            if (LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'U', n, g, n)) { fprintf(stderr, "potrf failed\n"); exit(1); }
            for (int j = 0; j < n; j++) for (int i = 0; i < n; i++) r[i + (size_t)j * n] = i <= j ? g[i + (size_t)j * n] : 0;
            cblas_dtrsm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, n, n, 1, r, n, a, n);
            cblas_dsyrk(CblasColMajor, CblasUpper, CblasTrans, n, n, 1, a, n, 0, g, n);
            if (LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'U', n, g, n)) { fprintf(stderr, "potrf 2 failed\n"); exit(1); }
            cblas_dtrsm(CblasColMajor, CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, n, n, 1, g, n, a, n);
            *lsum += log(r[0] * g[0]);
            memcpy(q, a, (size_t)n * n * 8);
        } else if (variant == 3) {
            LAPACKE_dgeqrf(LAPACK_COL_MAJOR, n, n, a, n, tau);
            *lsum += log(fabs(a[0]));
            double s0 = a[0] < 0 ? -1 : 1;
            LAPACKE_dorgqr(LAPACK_COL_MAJOR, n, n, n, a, n, tau);
            for (int j = 0; j < n; j++) { double s = a[j + (size_t)j * n]; (void)s; }
            for (int i = 0; i < n; i++) a[i] *= s0;   /* sign of column 1 only matters for this check */
            memcpy(q, a, (size_t)n * n * 8);
        } else {
            if (variant == 1) LAPACKE_dgeqrf(LAPACK_COL_MAJOR, n, n, a, n, tau);
            else LAPACKE_dgeqrt(LAPACK_COL_MAJOR, n, n, nb, a, n, tt, nb);
            for (int j = 0; j < n; j++) sign[j] = a[j + (size_t)j * n] < 0 ? -1 : 1;
            *lsum += log(fabs(a[0]));
            memcpy(g, a, (size_t)n * n * 8);
            implicit = 1;
        }
    }
    double elapsed = seconds() - t0;
    free(h); free(d); free(tmp); free(q); free(a); free(g); free(tau); free(sign); free(tt);
    return elapsed / steps;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s n threads steps\n", argv[0]); return 2; }
    n = atoi(argv[1]); int threads = atoi(argv[2]); steps = atoi(argv[3]);
    openblas_set_num_threads(threads);
    v = malloc((size_t)n * n * 8); u = malloc(n * 8); xs = malloc(steps * 8);
    srand(1);
    double s = 1.5 / sqrt(n) * sqrt(12.0);
    for (size_t i = 0; i < (size_t)n * n; i++) v[i] = (rand() / (double)RAND_MAX - 0.5) * s;
    for (int i = 0; i < n; i++) u[i] = (rand() / (double)RAND_MAX - 0.5) * 2;
    for (int t = 0; t < steps; t++) xs[t] = (rand() / (double)RAND_MAX - 0.5) * 2;
    const char *names[] = {"cq2", "geqrf+ormqr", "geqrt+gemqrt", "geqrf+orgqr+gemm"};
    for (int variant = 0; variant < 4; variant++) {
        double best = 1e9, lsum = 0;
        for (int r = 0; r < 3; r++) { double x = run(variant, &lsum); if (x < best) best = x; }
        printf("%-18s n=%d %8.3f ms/step  λ1·T=%.10f\n", names[variant], n, best * 1e3, lsum);
    }
    return 0;
}
