/* See dyn_kernels.h: the skinny products and the ReLU, each a public wrapper that runs one of
   the blocks of blocks.h over all rows, with the tiny dimension made a compile-time constant. */
#include "blocks.h"
#include <stdio.h>
#include <stdlib.h>

void dyn_contract_violation(const char *kernel, const char *what, long value) {
    fprintf(stderr, "dynlua: internal error: %s called with %s = %ld, outside what it accepts\n", kernel, what, value);
    abort();
}

#define DEFINE_KERNELS(T, S)                                                                       \
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
MULTI void dyn_dots_##S(long n, long k, long m, const T *a, long lda, const T *bt, long ldbt,      \
                        const T *bias, T *c, long ldc) {                                           \
    SMALL_SWITCH(m, DOTS_##S)                                                                      \
}                                                                                                  \
                                                                                                   \
MULTI void dyn_tn_acc_##S(long n, long k, long m, const T *a, long lda, const T *g, long ldg,      \
                          T *d, T *db) {                                                           \
    if (k <= DYN_SMALL) { SMALL_SWITCH(k, TN_K_##S) }                                              \
    else { SMALL_SWITCH(m, TN_M_##S) }                                                             \
}                                                                                                  \
                                                                                                   \
MULTI void dyn_relu_##S(long count, const T *x, T *y) {                                            \
    for (long i = 0; i < count; i++) y[i] = x[i] < 0 ? 0 : x[i];                                   \
}                                                                                                  \
                                                                                                   \
MULTI void dyn_relu_backward_##S(long count, const T *g, const T *y, T *gx) {                      \
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
