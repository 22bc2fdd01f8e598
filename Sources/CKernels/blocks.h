/* Building blocks shared by the kernels (kernels.c, cross_entropy.c, mlp_step.c): inline loops
   over a range of rows whose tiny dimension is a compile-time constant. Every block fixes its
   order of additions in the source; mlp_step.c spells out the same orders on padded vectors. */
#ifndef DYN_BLOCKS_H
#define DYN_BLOCKS_H

#include "dyn_kernels.h"
#include <math.h>

/* Every multiply-add in a sum is one fused multiply-add, written out as MADD (a * b + c with a
   single rounding); nothing else is contracted or reassociated. fma is exact by definition, so
   every clone computes the same bits: the AVX-512 and FMA clones in hardware, the baseline
   clone through the C library's fma (slow, but only CPUs from before 2013 lack FMA). */
#pragma STDC FP_CONTRACT OFF
#if defined(__clang__)
#pragma clang fp contract(off)
#endif
#define MADD(a, b, c) __builtin_elementwise_fma(a, b, c)

/* Each public kernel is built for AVX-512, AVX with FMA and baseline x86-64, picked at load
   time. */
#if defined(__x86_64__) && defined(__linux__)
#define MULTI __attribute__((target_clones("avx512f", "fma", "default")))
#else
#define MULTI
#endif

#define INLINE static inline __attribute__((always_inline))
#define LANES 16
#define BLOCK 32
#define CE_CHUNK 32

/* The kernels trust their callers for sizes and labels (the Swift side checks them once, not
   per call); a value outside the contract is a bug in dynlua, so it stops the process with a
   message naming the kernel instead of reading or writing out of bounds. */
_Noreturn void dyn_contract_violation(const char *kernel, const char *what, long value);

/* Calls F(K) with K a compile-time constant 1...8 equal to k, so that loops over the tiny
   dimension unroll and their sums stay in registers. */
#define SMALL_SWITCH(k, F) switch (k) { case 1: F(1); break; case 2: F(2); break; case 3: F(3); break; \
    case 4: F(4); break; case 5: F(5); break; case 6: F(6); break; case 7: F(7); break;             \
    case 8: F(8); break; default: dyn_contract_violation(__func__, #k, k); }

#define DEFINE_BLOCKS(T, S)                                                                        \
/* C[r, j] = init_j + sum_{i < K} A[r, i] B[i, j] (i ascending), then the ReLU (NaN stays NaN), or zero where \
   mask[r, j] <= 0 (mask: n x m contiguous). */                                                    \
INLINE void rows_##S(const long K, long n, long m, const T *a, long lda, const T *b, long ldb,     \
                     const T *bias, const T *mask, T *c, long ldc, const int relu) {               \
    for (long r = 0; r < n; r++) {                                                                 \
        T *restrict cr = c + r * ldc;                                                              \
        const T *ar = a + r * lda;                                                                 \
        const T *mr = mask ? mask + r * m : 0;                                                     \
        T x[DYN_SMALL];                                                                            \
        for (long i = 0; i < K; i++) x[i] = ar[i];                                                 \
        for (long j = 0; j < m; j++) {                                                             \
            T s = bias ? bias[j] : 0;                                                              \
            for (long i = 0; i < K; i++) s = MADD(x[i], b[i * ldb + j], s);                        \
            cr[j] = mask ? (mr[j] > 0 ? s : 0) : relu ? (s < 0 ? 0 : s) : s;                       \
        }                                                                                          \
    }                                                                                              \
}                                                                                                  \
                                                                                                   \
/* C[r, j] = init_j + dot(A[r, :], Bt[j, :]) for j < M: term i goes to partial sum i mod 16,       \
   the partial sums are added pairwise at the end. */                                              \
INLINE void dots_##S(const long M, long n, long k, const T *a, long lda, const T *bt, long ldbt,   \
                     const T *bias, T *c, long ldc) {                                              \
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
                for (int l = 0; l < LANES; l++) s[j][l] = MADD(ar[i + l], bj[l], s[j][l]);         \
            }                                                                                      \
        }                                                                                          \
        for (int l = 0; l < LANES; l++) atail[l] = k16 + l < k ? ar[k16 + l] : 0;                  \
        for (long j = 0; j < M; j++)                                                               \
            for (int l = 0; l < LANES; l++) s[j][l] = MADD(atail[l], btail[j][l], s[j][l]);        \
        for (long j = 0; j < M; j++) {                                                             \
            for (int w = LANES / 2; w >= 1; w /= 2)                                                \
                for (int l = 0; l < w; l++) s[j][l] = s[j][l] + s[j][l + w];                       \
            c[r * ldc + j] = (bias ? bias[j] : 0) + s[j][0];                                       \
        }                                                                                          \
    }                                                                                              \
}                                                                                                  \
                                                                                                   \
/* Sums over rows r ascending of A[r, i] G[r, j] and of G[r, j], each starting at 0, then added    \
   to D[i, j] (k x m) and db[j]. This one is for a small K: register block acc[i][jj] along G's    \
   rows. */                                                                                        \
INLINE void tn_small_k_##S(const long K, long n, long m, const T *a, long lda, const T *g,         \
                           long ldg, T *d, T *db) {                                                \
    for (long j0 = 0; j0 < m; j0 += BLOCK) {                                                       \
        const long len = m - j0 < BLOCK ? m - j0 : BLOCK;                                          \
        T acc[DYN_SMALL][BLOCK], accb[BLOCK];                                                      \
        for (long i = 0; i < K; i++)                                                               \
            for (long jj = 0; jj < BLOCK; jj++) acc[i][jj] = 0;                                    \
        for (long jj = 0; jj < BLOCK; jj++) accb[jj] = 0;                                          \
        if (len == BLOCK) {                                                                        \
            for (long r = 0; r < n; r++) {                                                         \
                const T *restrict gr = g + r * ldg + j0;                                           \
                if (db) for (long jj = 0; jj < BLOCK; jj++) accb[jj] = accb[jj] + gr[jj];          \
                for (long i = 0; i < K; i++) {                                                     \
                    const T x = a[r * lda + i];                                                    \
                    for (long jj = 0; jj < BLOCK; jj++) acc[i][jj] = MADD(x, gr[jj], acc[i][jj]);  \
                }                                                                                  \
            }                                                                                      \
        } else {                                                                                   \
            for (long r = 0; r < n; r++) {                                                         \
                const T *restrict gr = g + r * ldg + j0;                                           \
                if (db) for (long jj = 0; jj < len; jj++) accb[jj] = accb[jj] + gr[jj];            \
                for (long i = 0; i < K; i++) {                                                     \
                    const T x = a[r * lda + i];                                                    \
                    for (long jj = 0; jj < len; jj++) acc[i][jj] = MADD(x, gr[jj], acc[i][jj]);    \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
        for (long i = 0; i < K; i++)                                                               \
            for (long jj = 0; jj < len; jj++)                                                      \
                d[i * m + j0 + jj] = d[i * m + j0 + jj] + acc[i][jj];                              \
        if (db) for (long jj = 0; jj < len; jj++) db[j0 + jj] = db[j0 + jj] + accb[jj];            \
    }                                                                                              \
}                                                                                                  \
                                                                                                   \
/* The same sums for a small M: register block acc[j][ii] along A's rows. */                       \
INLINE void tn_small_m_##S(const long M, long n, long k, const T *a, long lda, const T *g,         \
                           long ldg, T *d, T *db) {                                                \
    if (db) {                                                                                      \
        T accb[DYN_SMALL];                                                                         \
        for (long j = 0; j < M; j++) accb[j] = 0;                                                  \
        for (long r = 0; r < n; r++)                                                               \
            for (long j = 0; j < M; j++) accb[j] = accb[j] + g[r * ldg + j];                       \
        for (long j = 0; j < M; j++) db[j] = db[j] + accb[j];                                      \
    }                                                                                              \
    for (long i0 = 0; i0 < k; i0 += BLOCK) {                                                       \
        const long len = k - i0 < BLOCK ? k - i0 : BLOCK;                                          \
        T acc[DYN_SMALL][BLOCK];                                                                   \
        for (long j = 0; j < M; j++)                                                               \
            for (long ii = 0; ii < BLOCK; ii++) acc[j][ii] = 0;                                    \
        if (len == BLOCK) {                                                                        \
            for (long r = 0; r < n; r++) {                                                         \
                const T *restrict ar = a + r * lda + i0;                                           \
                for (long j = 0; j < M; j++) {                                                     \
                    const T x = g[r * ldg + j];                                                    \
                    for (long ii = 0; ii < BLOCK; ii++) acc[j][ii] = MADD(x, ar[ii], acc[j][ii]);  \
                }                                                                                  \
            }                                                                                      \
        } else {                                                                                   \
            for (long r = 0; r < n; r++) {                                                         \
                const T *restrict ar = a + r * lda + i0;                                           \
                for (long j = 0; j < M; j++) {                                                     \
                    const T x = g[r * ldg + j];                                                    \
                    for (long ii = 0; ii < len; ii++) acc[j][ii] = MADD(x, ar[ii], acc[j][ii]);    \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
        for (long ii = 0; ii < len; ii++)                                                          \
            for (long j = 0; j < M; j++)                                                           \
                d[(i0 + ii) * M + j] = d[(i0 + ii) * M + j] + acc[j][ii];                          \
    }                                                                                              \
}                                                                                                  \
                                                                                                   \
/* Cross-entropy of logit rows x (n x c) against labels y, with class weights w (NULL: ones);      \
   sums in double whatever T is (see dyn_cross_entropy_f64). Adds each row's loss to sums in       \
   row order; grad (n x c), when not NULL, receives (w[y] / total_rows) (softmax - onehot).        \
   Rows go in chunks: the sums of exponentials of a chunk first, then their logs in one tight      \
   loop of independent calls (the CPU overlaps them), then the losses and gradients. */            \
INLINE void ce_rows_##S(long n, long c, const T *x, const long *y, const double *w, double inv_rows, \
                        T *grad, dyn_ce_sums *sums) {                                              \
    double loss = sums->loss, weighted = sums->weighted;                                           \
    long correct = sums->correct;                                                                  \
    for (long r0 = 0; r0 < n; r0 += CE_CHUNK) {                                                    \
        const long len = n - r0 < CE_CHUNK ? n - r0 : CE_CHUNK;                                    \
        double total[CE_CHUNK], shift[CE_CHUNK], logs[CE_CHUNK];                                   \
        for (long q = 0; q < len; q++) {                                                           \
            const T *row = x + (r0 + q) * c;                                                       \
            T mx = row[0];                                                                         \
            long arg = 0;                                                                          \
            for (long j = 1; j < c; j++) if (row[j] > mx) { mx = row[j]; arg = j; }                \
            if ((unsigned long)y[r0 + q] >= (unsigned long)c)                                      \
                dyn_contract_violation(__func__, "label", y[r0 + q]);                              \
            if (arg == y[r0 + q]) correct += 1;                                                    \
            shift[q] = isfinite(mx) ? (double)mx : 0;                                              \
            /* exp(0) = 1 exactly: the row maximum's term needs no call. */                        \
            const long top = isfinite(mx) ? arg : -1;                                              \
            T *g = grad ? grad + (r0 + q) * c : 0;                                                 \
            double s = 0;                                                                          \
            for (long j = 0; j < c; j++) {                                                         \
                const double e = j == top ? 1 : exp((double)row[j] - shift[q]);                    \
                if (g) g[j] = (T)e;                                                                \
                s = s + e;                                                                         \
            }                                                                                      \
            total[q] = s;                                                                          \
        }                                                                                          \
        for (long q = 0; q < len; q++) logs[q] = log(total[q]);                                    \
        for (long q = 0; q < len; q++) {                                                           \
            const long label = y[r0 + q];                                                          \
            const double row_loss = shift[q] + logs[q] - (double)x[(r0 + q) * c + label];          \
            const double wy = w ? w[label] : 1;                                                    \
            loss = loss + row_loss;                                                                \
            weighted = weighted + wy * row_loss;                                                   \
            if (grad) {                                                                            \
                T *g = grad + (r0 + q) * c;                                                        \
                const double scale = wy * inv_rows / total[q];                                     \
                for (long j = 0; j < c; j++) g[j] = (T)((double)g[j] * scale);                     \
                g[label] = g[label] - (T)(wy * inv_rows);                                          \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
    sums->loss = loss; sums->weighted = weighted; sums->correct = correct;                         \
}

DEFINE_BLOCKS(double, f64)
DEFINE_BLOCKS(float, f32)

#endif
