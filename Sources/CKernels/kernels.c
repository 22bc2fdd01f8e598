/* See dyn_kernels.h. Plain loops the compiler vectorizes; no reassociation is left to it
   (no fast-math, no contraction into FMA), so every clone below computes the same bits. Each
   kernel is built for AVX-512, AVX2 and baseline x86-64 and picked at load time (ifunc). */
#include "dyn_kernels.h"
#include <string.h>

#pragma STDC FP_CONTRACT OFF
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

#if defined(__x86_64__) && defined(__linux__)
#define MULTI __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define MULTI
#endif

#define LANES 16
#define CHUNK 256

/* Calls F(K) with K a compile-time constant 1...8 equal to k, so that loops over the tiny
   dimension unroll and their sums stay in registers. */
#define SMALL_SWITCH(k, F) switch (k) { case 1: F(1); break; case 2: F(2); break; case 3: F(3); break; \
    case 4: F(4); break; case 5: F(5); break; case 6: F(6); break; case 7: F(7); break; default: F(8); break; }

#define BLOCK 32

#define DEFINE_KERNELS(T, S)                                                                       \
static inline __attribute__((always_inline)) void rows_##S(const long K, long n, long m,           \
        const T *a, long lda, const T *b, long ldb, const T *bias, const T *mask, T *c, long ldc,   \
        const int relu) {                                                                          \
    for (long r = 0; r < n; r++) {                                                                 \
        T *restrict cr = c + r * ldc;                                                              \
        const T *ar = a + r * lda;                                                                 \
        const T *mr = mask ? mask + r * m : 0;                                                     \
        T x[DYN_SMALL];                                                                            \
        for (long i = 0; i < K; i++) x[i] = ar[i];                                                 \
        for (long j = 0; j < m; j++) {                                                             \
            T s = bias ? bias[j] : 0;                                                              \
            for (long i = 0; i < K; i++) s = s + x[i] * b[i * ldb + j];                            \
            cr[j] = mask ? (mr[j] > 0 ? s : 0) : relu ? (s > 0 ? s : 0) : s;                       \
        }                                                                                          \
    }                                                                                              \
}                                                                                                  \
                                                                                                   \
MULTI void dyn_rows_relu_##S(long n, long k, long m, const T *a, long lda, const T *b, long ldb,   \
                             const T *bias, T *c, long ldc) {                                      \
    SMALL_SWITCH(k, ROWS_R_##S)                                                                    \
}                                                                                                  \
                                                                                                   \
MULTI void dyn_rows_masked_##S(long n, long k, long m, const T *a, long lda, const T *b, long ldb, \
                               const T *mask, T *c, long ldc) {                                    \
    SMALL_SWITCH(k, ROWS_M_##S)                                                                    \
}                                                                                                  \
                                                                                                   \
MULTI void dyn_rows_##S(long n, long k, long m, const T *a, long lda, const T *b, long ldb,        \
                        const T *bias, T *c, long ldc) {                                           \
    if (bias) {                                                                                    \
        SMALL_SWITCH(k, ROWS_B_##S)                                                                \
    } else {                                                                                       \
        SMALL_SWITCH(k, ROWS_N_##S)                                                                \
    }                                                                                              \
}                                                                                                  \
                                                                                                   \
static inline __attribute__((always_inline)) void dots_##S(const long M, long n, long k,           \
        const T *a, long lda, const T *bt, long ldbt, const T *bias, T *c, long ldc) {             \
    const long k16 = k - k % LANES;                                                                \
    /* The last k - k16 terms go to the first lanes; zero padding adds exact zeros elsewhere. */   \
    T btail[DYN_SMALL][LANES], atail[LANES];                                                       \
    for (long j = 0; j < M; j++)                                                                   \
        for (long l = 0; l < LANES; l++) btail[j][l] = k16 + l < k ? bt[j * ldbt + k16 + l] : 0;   \
    for (long r = 0; r < n; r++) {                                                                 \
        const T *restrict ar = a + r * lda;                                                        \
        T s[DYN_SMALL][LANES];                                                                     \
        for (long j = 0; j < M; j++) for (int l = 0; l < LANES; l++) s[j][l] = 0;                  \
        for (long i = 0; i < k16; i += LANES) {                                                    \
            for (long j = 0; j < M; j++) {                                                         \
                const T *restrict bj = bt + j * ldbt + i;                                          \
                for (int l = 0; l < LANES; l++) s[j][l] = s[j][l] + ar[i + l] * bj[l];             \
            }                                                                                      \
        }                                                                                          \
        for (int l = 0; l < LANES; l++) atail[l] = k16 + l < k ? ar[k16 + l] : 0;                  \
        for (long j = 0; j < M; j++)                                                               \
            for (int l = 0; l < LANES; l++) s[j][l] = s[j][l] + atail[l] * btail[j][l];            \
        for (long j = 0; j < M; j++) {                                                             \
            for (int w = LANES / 2; w >= 1; w /= 2)                                                \
                for (int l = 0; l < w; l++) s[j][l] = s[j][l] + s[j][l + w];                       \
            c[r * ldc + j] = (bias ? bias[j] : 0) + s[j][0];                                       \
        }                                                                                          \
    }                                                                                              \
}                                                                                                  \
                                                                                                   \
MULTI void dyn_dots_##S(long n, long k, long m, const T *a, long lda, const T *bt, long ldbt,      \
                        const T *bias, T *c, long ldc) {                                           \
    SMALL_SWITCH(m, DOTS_##S)                                                                      \
}                                                                                                  \
                                                                                                   \
/* Small K: D[i, j0 + jj] sums over r in a register block acc[i][jj] along G's rows. */            \
static inline __attribute__((always_inline)) void tn_small_k_##S(const long K, long n, long m,     \
        const T *a, long lda, const T *g, long ldg, T *d, T *db) {                                 \
    for (long j0 = 0; j0 < m; j0 += BLOCK) {                                                       \
        const long len = m - j0 < BLOCK ? m - j0 : BLOCK;                                          \
        T acc[DYN_SMALL][BLOCK], accb[BLOCK];                                                      \
        for (long i = 0; i < K; i++) for (long jj = 0; jj < BLOCK; jj++) acc[i][jj] = 0;           \
        for (long jj = 0; jj < BLOCK; jj++) accb[jj] = 0;                                          \
        if (len == BLOCK) {                                                                        \
            for (long r = 0; r < n; r++) {                                                         \
                const T *restrict gr = g + r * ldg + j0;                                           \
                if (db) for (long jj = 0; jj < BLOCK; jj++) accb[jj] = accb[jj] + gr[jj];          \
                for (long i = 0; i < K; i++) {                                                     \
                    const T x = a[r * lda + i];                                                    \
                    for (long jj = 0; jj < BLOCK; jj++) acc[i][jj] = acc[i][jj] + x * gr[jj];      \
                }                                                                                  \
            }                                                                                      \
        } else {                                                                                   \
            for (long r = 0; r < n; r++) {                                                         \
                const T *restrict gr = g + r * ldg + j0;                                           \
                if (db) for (long jj = 0; jj < len; jj++) accb[jj] = accb[jj] + gr[jj];            \
                for (long i = 0; i < K; i++) {                                                     \
                    const T x = a[r * lda + i];                                                    \
                    for (long jj = 0; jj < len; jj++) acc[i][jj] = acc[i][jj] + x * gr[jj];        \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
        for (long i = 0; i < K; i++)                                                               \
            for (long jj = 0; jj < len; jj++) d[i * m + j0 + jj] += acc[i][jj];                    \
        if (db) for (long jj = 0; jj < len; jj++) db[j0 + jj] += accb[jj];                         \
    }                                                                                              \
}                                                                                                  \
                                                                                                   \
/* Small M: D[i0 + ii, j] sums over r in a register block acc[j][ii] along A's rows. */            \
static inline __attribute__((always_inline)) void tn_small_m_##S(const long M, long n, long k,     \
        const T *a, long lda, const T *g, long ldg, T *d, T *db) {                                 \
    if (db) {                                                                                      \
        T accb[DYN_SMALL];                                                                         \
        for (long j = 0; j < M; j++) accb[j] = 0;                                                  \
        for (long r = 0; r < n; r++)                                                               \
            for (long j = 0; j < M; j++) accb[j] = accb[j] + g[r * ldg + j];                       \
        for (long j = 0; j < M; j++) db[j] += accb[j];                                             \
    }                                                                                              \
    for (long i0 = 0; i0 < k; i0 += BLOCK) {                                                       \
        const long len = k - i0 < BLOCK ? k - i0 : BLOCK;                                          \
        T acc[DYN_SMALL][BLOCK];                                                                   \
        for (long j = 0; j < M; j++) for (long ii = 0; ii < BLOCK; ii++) acc[j][ii] = 0;           \
        if (len == BLOCK) {                                                                        \
            for (long r = 0; r < n; r++) {                                                         \
                const T *restrict ar = a + r * lda + i0;                                           \
                for (long j = 0; j < M; j++) {                                                     \
                    const T x = g[r * ldg + j];                                                    \
                    for (long ii = 0; ii < BLOCK; ii++) acc[j][ii] = acc[j][ii] + x * ar[ii];      \
                }                                                                                  \
            }                                                                                      \
        } else {                                                                                   \
            for (long r = 0; r < n; r++) {                                                         \
                const T *restrict ar = a + r * lda + i0;                                           \
                for (long j = 0; j < M; j++) {                                                     \
                    const T x = g[r * ldg + j];                                                    \
                    for (long ii = 0; ii < len; ii++) acc[j][ii] = acc[j][ii] + x * ar[ii];        \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
        for (long ii = 0; ii < len; ii++)                                                          \
            for (long j = 0; j < M; j++) d[(i0 + ii) * M + j] += acc[j][ii];                       \
    }                                                                                              \
}                                                                                                  \
                                                                                                   \
MULTI void dyn_tn_acc_##S(long n, long k, long m, const T *a, long lda, const T *g, long ldg,      \
                          T *d, T *db) {                                                                  \
    if (k <= DYN_SMALL) { SMALL_SWITCH(k, TN_K_##S) }                                              \
    else { SMALL_SWITCH(m, TN_M_##S) }                                                             \
}                                                                                                  \
                                                                                                   \
MULTI void dyn_relu_##S(long count, const T *x, T *y) {                                                                    \
    for (long i = 0; i < count; i++) y[i] = x[i] > 0 ? x[i] : 0;                                   \
}                                                                                                  \
                                                                                                   \
MULTI void dyn_relu_backward_##S(long count, const T *g, const T *y, T *gx) {                                                 \
    for (long i = 0; i < count; i++) gx[i] = y[i] > 0 ? g[i] : 0;                                  \
}                                                                                                  \
                                                                                                   \
void dyn_transpose_##S(long rows, long cols, const T *in, long ld, T *restrict out) {              \
    for (long i = 0; i < rows; i++)                                                                \
        for (long j = 0; j < cols; j++) out[j * rows + i] = in[i * ld + j];                        \
}

#define ROWS_B_f64(K) rows_f64(K, n, m, a, lda, b, ldb, bias, 0, c, ldc, 0)
#define ROWS_R_f64(K) rows_f64(K, n, m, a, lda, b, ldb, bias, 0, c, ldc, 1)
#define ROWS_N_f64(K) rows_f64(K, n, m, a, lda, b, ldb, 0, 0, c, ldc, 0)
#define ROWS_M_f64(K) rows_f64(K, n, m, a, lda, b, ldb, 0, mask, c, ldc, 0)
#define DOTS_f64(M) dots_f64(M, n, k, a, lda, bt, ldbt, bias, c, ldc)
#define TN_K_f64(K) tn_small_k_f64(K, n, m, a, lda, g, ldg, d, db)
#define TN_M_f64(M) tn_small_m_f64(M, n, k, a, lda, g, ldg, d, db)
#define ROWS_B_f32(K) rows_f32(K, n, m, a, lda, b, ldb, bias, 0, c, ldc, 0)
#define ROWS_R_f32(K) rows_f32(K, n, m, a, lda, b, ldb, bias, 0, c, ldc, 1)
#define ROWS_N_f32(K) rows_f32(K, n, m, a, lda, b, ldb, 0, 0, c, ldc, 0)
#define ROWS_M_f32(K) rows_f32(K, n, m, a, lda, b, ldb, 0, mask, c, ldc, 0)
#define DOTS_f32(M) dots_f32(M, n, k, a, lda, bt, ldbt, bias, c, ldc)
#define TN_K_f32(K) tn_small_k_f32(K, n, m, a, lda, g, ldg, d, db)
#define TN_M_f32(M) tn_small_m_f32(M, n, k, a, lda, g, ldg, d, db)

DEFINE_KERNELS(double, f64)
DEFINE_KERNELS(float, f32)

