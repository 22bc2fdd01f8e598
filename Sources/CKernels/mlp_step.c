/* See dyn_kernels.h: a whole training step of a skinny two-layer ReLU network with the
   cross-entropy loss, run slice of rows by slice of rows.

   Module by module, each product is a separate pass over the N x h hidden activations, with a
   ragged tail wherever h is not a multiple of the vector width. Here the hidden layer lives in
   a padded slice (h rounded up to whole vectors, zero weights in the padding), each row's
   hidden values feed the logits while still in registers, and the hidden gradient is never
   stored: it goes straight into dW1 and db1. The order of every addition is the one the
   module-by-module kernels of blocks.h use (spelled out at each step below). On finite inputs
   the padding only ever computes fma(+0, +0, s) = s on sums that cannot be -0; an infinite
   input can make padded lanes NaN (inf * 0), but the forward pass masks the padded lanes of the
   hidden layer's last vector to +0 (the ReLU itself keeps NaN, as the module does), the backward
   mask zeroes them, and the gradient sums of padded lanes are never copied out. So the bits are
   the same. */
#include "blocks.h"
#include <stdint.h>
#include <string.h>

/* The vector helpers below are always inlined into functions built for each CPU. */
#pragma clang diagnostic ignored "-Wpsabi"

/* Eight doubles; aligned(8) lets a pointer to any double be read as one. */
typedef double v8 __attribute__((vector_size(64), aligned(8)));
typedef long v8l __attribute__((vector_size(64), aligned(8)));
#define W 8
#define COLUMN_BLOCK 4 /* vectors per register block in the gradient passes */

INLINE v8 splat(double x) { return (v8){x, x, x, x, x, x, x, x}; }
/* keep > 0 ? s : 0 (NaN in keep gives 0), as the scalar kernels write the ReLU's mask. */
INLINE v8 where_positive(v8 keep, v8 s) { return (v8)((v8l)s & (keep > splat(0))); }
/* The ReLU as the scalar kernels write it: s < 0 ? 0 : s (NaN and -0 stay; one vmaxpd). */
INLINE v8 relu(v8 s) { return (v8)((v8l)s & ~(s < splat(0))); }
/* s in the lanes where `lanes` is all ones, +0 elsewhere. */
INLINE v8 keep_lanes(v8 s, v8l lanes) { return (v8)((v8l)s & lanes); }

/* Rows per slice: the padded hidden slice takes about 24 KiB. */
static long slice_rows(long hp) {
    const long r = 3072 / hp;
    return r < 4 ? 4 : r > 64 ? 64 : r;
}

static long padded(long h) { return (h + W - 1) / W * W; }

long dyn_mlp2_work_size(long k, long h, long m) {
    const long hp = padded(h), r = slice_rows(hp);
    return hp * (2 * k + 2 + 2 * m + r) + r * m + m + 2 * W;
}

/* relu(b1 + sum_i x_i W1[i, :]) on vector v of a row: bias first, i ascending (rows_f64). */
INLINE v8 hidden_vector(const long K, const double *xi, const double *w1p, const double *b1p, long hp, long v) {
    v8 s = *(const v8 *)(b1p + v * W);
    for (long i = 0; i < K; i++) s = MADD(splat(xi[i]), *(const v8 *)(w1p + i * hp + v * W), s);
    return relu(s);
}

/* hidden row = relu(b1 + sum_i x_i W1[i, :]) (bias first, i ascending, as rows_f64), stored in
   the slice; logit j = b2_j + dot(hidden row, W2[:, j]) with the 16 partial sums of dots_f64:
   vector v of the row (terms 8v ... 8v + 7) goes to partial sums 0-7 when v is even, 8-15 when
   odd, then they are added pairwise (8, 4, 2, 1 apart). `tail` keeps the real lanes of the last
   vector (masking every vector cost 5% of a Fig. 4 step). */
INLINE void forward_slice(const long K, const long M, long rows, long V, const double *x, long ldx,
                          const double *w1p, const double *b1p, const long *tail_lanes, const double *w2tp,
                          const double *b2, double *hs, double *logits) {
    const long hp = V * W;
    const v8l tail = *(const v8l *)tail_lanes;
    for (long r = 0; r < rows; r++) {
        double xi[DYN_SMALL];
        for (long i = 0; i < K; i++) xi[i] = x[r * ldx + i];
        v8 even[DYN_SMALL], odd[DYN_SMALL];
        for (long j = 0; j < M; j++) { even[j] = splat(0); odd[j] = splat(0); }
        double *hr = hs + r * hp;
        /* Vectors 0 .. V-2 in pairs, then the last one, masked; each sum still takes its vectors
           in ascending order. */
        long v = 0;
        for (; v + 2 < V; v += 2) {
            const v8 s = hidden_vector(K, xi, w1p, b1p, hp, v);
            *(v8 *)(hr + v * W) = s;
            for (long j = 0; j < M; j++) even[j] = MADD(s, *(const v8 *)(w2tp + j * hp + v * W), even[j]);
            const v8 t = hidden_vector(K, xi, w1p, b1p, hp, v + 1);
            *(v8 *)(hr + (v + 1) * W) = t;
            for (long j = 0; j < M; j++) odd[j] = MADD(t, *(const v8 *)(w2tp + j * hp + (v + 1) * W), odd[j]);
        }
        if (v + 2 == V) {  /* one unmasked vector (even) before the last (odd) */
            const v8 s = hidden_vector(K, xi, w1p, b1p, hp, v);
            *(v8 *)(hr + v * W) = s;
            for (long j = 0; j < M; j++) even[j] = MADD(s, *(const v8 *)(w2tp + j * hp + v * W), even[j]);
            v += 1;
        }
        const v8 s = keep_lanes(hidden_vector(K, xi, w1p, b1p, hp, v), tail);
        *(v8 *)(hr + v * W) = s;
        v8 *sums = v % 2 == 0 ? even : odd;
        for (long j = 0; j < M; j++) sums[j] = MADD(s, *(const v8 *)(w2tp + j * hp + v * W), sums[j]);
        for (long j = 0; j < M; j++) {
            const v8 t = even[j] + odd[j];
            const double a0 = t[0] + t[4], a1 = t[1] + t[5], a2 = t[2] + t[6], a3 = t[3] + t[7];
            const double b0 = a0 + a2, b1 = a1 + a3;
            logits[r * M + j] = (b2 ? b2[j] : 0) + (b0 + b1);
        }
    }
}

/* dW2^T[j, :] += dlogit_j * hidden row, row after row (tn_small_m_f64: one running sum per
   element from 0 over all rows, kept here in the transposed layout), on NV vectors from v0. */
INLINE void weight2_gradient_block(const long M, const long NV, long rows, long hp, long v0,
                                   const double *hs, const double *dz, double *aw2t) {
    v8 acc[DYN_SMALL][COLUMN_BLOCK];
    for (long j = 0; j < M; j++) for (long u = 0; u < NV; u++) acc[j][u] = *(v8 *)(aw2t + j * hp + (v0 + u) * W);
    for (long r = 0; r < rows; r++) {
        const double *hr = hs + r * hp + v0 * W;
        for (long j = 0; j < M; j++) {
            const v8 g = splat(dz[r * M + j]);
            for (long u = 0; u < NV; u++) acc[j][u] = MADD(g, *(const v8 *)(hr + u * W), acc[j][u]);
        }
    }
    for (long j = 0; j < M; j++) for (long u = 0; u < NV; u++) *(v8 *)(aw2t + j * hp + (v0 + u) * W) = acc[j][u];
}

/* The same over all of the row's vectors, and db2 += dlogits. */
INLINE void weight2_gradient_slice(const long M, long rows, long V, const double *hs, const double *dz,
                                   double *aw2t, double *ab2) {
    const long hp = V * W;
    for (long r = 0; r < rows; r++) for (long j = 0; j < M; j++) ab2[j] = ab2[j] + dz[r * M + j];
    long v0 = 0;
    for (; v0 + COLUMN_BLOCK <= V; v0 += COLUMN_BLOCK) weight2_gradient_block(M, COLUMN_BLOCK, rows, hp, v0, hs, dz, aw2t);
    switch (V - v0) {
    case 1: weight2_gradient_block(M, 1, rows, hp, v0, hs, dz, aw2t); break;
    case 2: weight2_gradient_block(M, 2, rows, hp, v0, hs, dz, aw2t); break;
    case 3: weight2_gradient_block(M, 3, rows, hp, v0, hs, dz, aw2t); break;
    default: break;
    }
}

/* hidden gradient = (0 + sum_j dlogit_j W2[:, j], j ascending) where hidden > 0 (rows_f64 with
   a mask), used at once: db1 += it and dW1[i, :] += x_i * it, row after row (tn_small_k_f64:
   one running sum per element from 0 over all rows); on NV vectors from v0. The hidden
   gradient itself is never stored. */
INLINE void weight1_gradient_block(const long K, const long M, const long NV, long rows, long hp, long v0,
                                   const double *x, long ldx, const double *hs, const double *dz,
                                   const double *w2tp, double *aw1, double *ab1) {
    v8 acc[DYN_SMALL][COLUMN_BLOCK], accb[COLUMN_BLOCK], wt[DYN_SMALL][COLUMN_BLOCK];
    for (long u = 0; u < NV; u++) {
        for (long i = 0; i < K; i++) acc[i][u] = *(v8 *)(aw1 + i * hp + (v0 + u) * W);
        accb[u] = *(v8 *)(ab1 + (v0 + u) * W);
        for (long j = 0; j < M; j++) wt[j][u] = *(const v8 *)(w2tp + j * hp + (v0 + u) * W);
    }
    for (long r = 0; r < rows; r++) {
        const double *hr = hs + r * hp + v0 * W;
        v8 g[DYN_SMALL], xi[DYN_SMALL];
        for (long j = 0; j < M; j++) g[j] = splat(dz[r * M + j]);
        for (long i = 0; i < K; i++) xi[i] = splat(x[r * ldx + i]);
        for (long u = 0; u < NV; u++) {
            v8 d = splat(0);
            for (long j = 0; j < M; j++) d = MADD(g[j], wt[j][u], d);
            d = where_positive(*(const v8 *)(hr + u * W), d);
            accb[u] = accb[u] + d;
            for (long i = 0; i < K; i++) acc[i][u] = MADD(xi[i], d, acc[i][u]);
        }
    }
    for (long u = 0; u < NV; u++) {
        for (long i = 0; i < K; i++) *(v8 *)(aw1 + i * hp + (v0 + u) * W) = acc[i][u];
        *(v8 *)(ab1 + (v0 + u) * W) = accb[u];
    }
}

INLINE void weight1_gradient_slice(const long K, const long M, long rows, long V, const double *x, long ldx,
                                   const double *hs, const double *dz, const double *w2tp,
                                   double *aw1, double *ab1) {
    const long hp = V * W;
    long v0 = 0;
    for (; v0 + COLUMN_BLOCK <= V; v0 += COLUMN_BLOCK)
        weight1_gradient_block(K, M, COLUMN_BLOCK, rows, hp, v0, x, ldx, hs, dz, w2tp, aw1, ab1);
    switch (V - v0) {
    case 1: weight1_gradient_block(K, M, 1, rows, hp, v0, x, ldx, hs, dz, w2tp, aw1, ab1); break;
    case 2: weight1_gradient_block(K, M, 2, rows, hp, v0, x, ldx, hs, dz, w2tp, aw1, ab1); break;
    case 3: weight1_gradient_block(K, M, 3, rows, hp, v0, x, ldx, hs, dz, w2tp, aw1, ab1); break;
    default: break;
    }
}

/* One step's buffers (see dyn_mlp2_step_f64). */
struct step {
    long n, ldx, V, R;
    const double *x, *w1p, *b1p, *w2tp, *b2, *cw;
    const long *y, *tail;
    double *logits, *hs, *zs, *aw1, *ab1, *aw2t, *ab2;
};

/* The loop over slices for compile-time K and M: one function per pair, each built for every
   CPU (one large function holding all 64 pairs takes minutes to compile). */
#define DEFINE_SLICES(K, M)                                                                        \
MULTI static dyn_ce_sums slices_##K##_##M(const struct step *s) {                                  \
    dyn_ce_sums sums = {0, 0, 0};                                                                  \
    const double inv_rows = 1 / (double)s->n;                                                      \
    for (long r0 = 0; r0 < s->n; r0 += s->R) {                                                     \
        const long rows = s->n - r0 < s->R ? s->n - r0 : s->R;                                     \
        const double *xs = s->x + r0 * s->ldx;                                                     \
        double *zl = s->logits + r0 * M;                                                           \
        forward_slice(K, M, rows, s->V, xs, s->ldx, s->w1p, s->b1p, s->tail, s->w2tp,                   \
                      s->b2, s->hs, zl);                                                           \
        ce_rows_f64(rows, M, zl, s->y + r0, s->cw, inv_rows, s->zs, &sums);                        \
        weight2_gradient_slice(M, rows, s->V, s->hs, s->zs, s->aw2t, s->ab2);                      \
        weight1_gradient_slice(K, M, rows, s->V, xs, s->ldx, s->hs, s->zs, s->w2tp, s->aw1, s->ab1); \
    }                                                                                              \
    return sums;                                                                                   \
}
#define DEFINE_SLICES_K(K) DEFINE_SLICES(K, 1) DEFINE_SLICES(K, 2) DEFINE_SLICES(K, 3) DEFINE_SLICES(K, 4) \
    DEFINE_SLICES(K, 5) DEFINE_SLICES(K, 6) DEFINE_SLICES(K, 7) DEFINE_SLICES(K, 8)
DEFINE_SLICES_K(1) DEFINE_SLICES_K(2) DEFINE_SLICES_K(3) DEFINE_SLICES_K(4)
DEFINE_SLICES_K(5) DEFINE_SLICES_K(6) DEFINE_SLICES_K(7) DEFINE_SLICES_K(8)

#define SLICES_ROW(K) { slices_##K##_1, slices_##K##_2, slices_##K##_3, slices_##K##_4, \
                        slices_##K##_5, slices_##K##_6, slices_##K##_7, slices_##K##_8 }
static dyn_ce_sums (*const slices[DYN_SMALL][DYN_SMALL])(const struct step *) = {
    SLICES_ROW(1), SLICES_ROW(2), SLICES_ROW(3), SLICES_ROW(4),
    SLICES_ROW(5), SLICES_ROW(6), SLICES_ROW(7), SLICES_ROW(8) };

dyn_ce_sums dyn_mlp2_step_f64(long n, long k, long h, long m, const double *x, long ldx,
                              const double *w1, const double *b1, const double *w2, const double *b2,
                              const long *y, const double *cw, double *logits,
                              double *gw1, double *gb1, double *gw2, double *gb2, double *work) {
    if (k < 1 || k > DYN_SMALL) dyn_contract_violation(__func__, "k", k);
    if (m < 1 || m > DYN_SMALL) dyn_contract_violation(__func__, "m", m);
    if (h < 1) dyn_contract_violation(__func__, "h", h);
    if (n < 1) dyn_contract_violation(__func__, "n", n);
    const long hp = padded(h), V = hp / W, R = slice_rows(hp);
    /* 64-byte aligned start; every array below is a whole number of vectors long but zs. */
    double *w1p = (double *)(((uintptr_t)work + 63) & ~(uintptr_t)63);
    double *b1p = w1p + k * hp, *w2tp = b1p + hp, *aw1 = w2tp + m * hp, *ab1 = aw1 + k * hp;
    double *aw2t = ab1 + hp, *hs = aw2t + m * hp;
    long *tail = (long *)(hs + R * hp);
    double *ab2 = (double *)(tail + W), *zs = ab2 + m;
    /* Padded copies of the weights (zeros beyond h) and zeroed running sums. */
    memset(w1p, 0, (size_t)(hs - w1p) * sizeof(double));
    for (long i = 0; i < k; i++) memcpy(w1p + i * hp, w1 + i * h, (size_t)h * sizeof(double));
    if (b1) memcpy(b1p, b1, (size_t)h * sizeof(double));
    for (long c = 0; c < h; c++) for (long j = 0; j < m; j++) w2tp[j * hp + c] = w2[c * m + j];
    for (long j = 0; j < m; j++) ab2[j] = 0;
    for (long l = 0; l < W; l++) tail[l] = hp - W + l < h ? -1 : 0;

    const struct step s = { n, ldx, V, R, x, w1p, b1p, w2tp, b2, cw, y, tail, logits, hs, zs, aw1, ab1, aw2t, ab2 };
    const dyn_ce_sums sums = slices[k - 1][m - 1](&s);
    /* Each sum over all rows is added once to the gradient, as dyn_tn_acc does. */
    for (long i = 0; i < k; i++) for (long c = 0; c < h; c++) gw1[i * h + c] = gw1[i * h + c] + aw1[i * hp + c];
    if (gb1) for (long c = 0; c < h; c++) gb1[c] = gb1[c] + ab1[c];
    for (long c = 0; c < h; c++) for (long j = 0; j < m; j++) gw2[c * m + j] = gw2[c * m + j] + aw2t[j * hp + c];
    if (gb2) for (long j = 0; j < m; j++) gb2[j] = gb2[j] + ab2[j];
    return sums;
}
