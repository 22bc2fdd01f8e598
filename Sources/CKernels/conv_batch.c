/* See dyn_kernels.h: the convolution kernels on chunks of samples that Conv2d hands to the
   thread pool. Each output element is written once, or summed in a fixed order, whatever the
   chunk's position: results depend on the data only. */
#include "dyn_kernels.h"
#include <string.h>

/* The output columns ox whose input column ox sw - pw + j lies inside 0 .. w - 1: lo .. hi - 1. */
static void valid_columns(const dyn_window *g, long j, long *lo, long *hi) {
    long first = g->pw - j > 0 ? (g->pw - j + g->sw - 1) / g->sw : 0;
    long last = g->w - 1 + g->pw - j;
    long end = last < 0 ? 0 : last / g->sw + 1;
    if (end > g->ow) end = g->ow;
    if (first > end) first = end;
    *lo = first; *hi = end;
}

#define DEFINE_CONV_BATCH(T, S)                                                                    \
/* Stride 1 with as many output as input columns (the usual padded 3x3 layer): the rows oy of  \
   one (i, j) read a contiguous run of the plane, so one copy moves them all; then the columns    \
   that fall in the padding (they picked up the neighbouring row's ends) and the rows outside     \
   the image are set to 0. */                                                                     \
static void im2col_rows_##S(const dyn_window *g, long i, long j, long lo, long hi, const T *plane, T *row) { \
    long oy0 = g->ph - i > 0 ? g->ph - i : 0;                                                      \
    long oy1 = g->h + g->ph - i < g->oh ? g->h + g->ph - i : g->oh;                                \
    if (oy1 < oy0) oy1 = oy0;                                                                      \
    long d = (i - g->ph) * g->w + (j - g->pw);    /* source index - output index */               \
    long q0 = oy0 * g->ow, q1 = oy1 * g->ow;                                                       \
    if (q0 + d < 0) q0 = -d;                                                                       \
    if (q1 + d > g->h * g->w) q1 = g->h * g->w - d;                                                \
    for (long q = 0; q < oy0 * g->ow; q++) row[q] = 0;                                             \
    if (q1 > q0) memcpy(row + q0, plane + q0 + d, sizeof(T) * (q1 - q0));                          \
    for (long q = oy1 * g->ow; q < g->oh * g->ow; q++) row[q] = 0;                                 \
    for (long oy = oy0; oy < oy1; oy++) {                                                          \
        T *out = row + oy * g->ow;                                                                 \
        for (long ox = 0; ox < lo; ox++) out[ox] = 0;                                              \
        for (long ox = hi; ox < g->ow; ox++) out[ox] = 0;                                          \
    }                                                                                              \
}                                                                                                  \
                                                                                                   \
void dyn_im2col_batch_##S(const dyn_window *g, long c, long n, const T *x, T *col, long ld) {      \
    long p = g->oh * g->ow;                                                                        \
    for (long s = 0; s < n; s++)                                                                   \
        for (long ch = 0; ch < c; ch++) {                                                          \
            const T *plane = x + (s * c + ch) * g->h * g->w;                                       \
            for (long i = 0; i < g->kh; i++)                                                       \
                for (long j = 0; j < g->kw; j++) {                                                 \
                    long lo, hi;                                                                   \
                    valid_columns(g, j, &lo, &hi);                                                 \
                    T *row = col + ((ch * g->kh + i) * g->kw + j) * ld + s * p;                   \
                    if (g->sh == 1 && g->sw == 1 && g->ow == g->w) {                               \
                        im2col_rows_##S(g, i, j, lo, hi, plane, row);                              \
                        continue;                                                                  \
                    }                                                                              \
                    for (long oy = 0; oy < g->oh; oy++) {                                          \
                        long y = oy * g->sh - g->ph + i;                                           \
                        T *out = row + oy * g->ow;                                                 \
                        if (y < 0 || y >= g->h) {                                                  \
                            for (long ox = 0; ox < g->ow; ox++) out[ox] = 0;                       \
                            continue;                                                              \
                        }                                                                          \
                        const T *src = plane + y * g->w - g->pw + j;                               \
                        for (long ox = 0; ox < lo; ox++) out[ox] = 0;                              \
                        for (long ox = lo; ox < hi; ox++) out[ox] = src[ox * g->sw];               \
                        for (long ox = hi; ox < g->ow; ox++) out[ox] = 0;                          \
                    }                                                                              \
                }                                                                                  \
        }                                                                                          \
}                                                                                                  \
                                                                                                   \
static void add_row_##S(long count, long stride, const T *restrict in, T *restrict dst) {          \
    if (stride == 1) for (long k = 0; k < count; k++) dst[k] += in[k];                             \
    else for (long k = 0; k < count; k++) dst[k * stride] += in[k];                                \
}                                                                                                  \
                                                                                                   \
void dyn_col2im_batch_##S(const dyn_window *g, long c, long n, const T *col, long ld, T *x) {      \
    long p = g->oh * g->ow;                                                                        \
    for (long s = 0; s < n; s++)                                                                   \
        for (long ch = 0; ch < c; ch++) {                                                          \
            T *plane = x + (s * c + ch) * g->h * g->w;                                             \
            for (long i = 0; i < g->kh; i++)                                                       \
                for (long j = 0; j < g->kw; j++) {                                                 \
                    long lo, hi;                                                                   \
                    valid_columns(g, j, &lo, &hi);                                                 \
                    const T *row = col + ((ch * g->kh + i) * g->kw + j) * ld + s * p;             \
                    for (long oy = 0; oy < g->oh; oy++) {                                          \
                        long y = oy * g->sh - g->ph + i;                                           \
                        if (y < 0 || y >= g->h || hi <= lo) continue;                              \
                        add_row_##S(hi - lo, g->sw, row + oy * g->ow + lo,                         \
                                    plane + y * g->w - g->pw + j + lo * g->sw);                    \
                    }                                                                              \
                }                                                                                  \
        }                                                                                          \
}                                                                                                  \
                                                                                                   \
void dyn_conv_scatter_##S(long n, long o, long p, const T *z, const T *bias, T *y) {               \
    for (long s = 0; s < n; s++)                                                                   \
        for (long r = 0; r < o; r++) {                                                             \
            const T *in = z + r * n * p + s * p;                                                   \
            T *out = y + (s * o + r) * p;                                                          \
            if (bias) { T b = bias[r]; for (long k = 0; k < p; k++) out[k] = in[k] + b; }          \
            else memcpy(out, in, sizeof(T) * p);                                                   \
        }                                                                                          \
}                                                                                                  \
                                                                                                   \
void dyn_conv_gather_##S(long n, long o, long p, const T *y, T *z) {                               \
    for (long s = 0; s < n; s++)                                                                   \
        for (long r = 0; r < o; r++) memcpy(z + r * n * p + s * p, y + (s * o + r) * p, sizeof(T) * p); \
}                                                                                                  \
                                                                                                   \
void dyn_row_sums_##S(long rows, long cols, const T *z, T *sums) {                                 \
    /* Sixteen running sums (lane k takes columns k, k + 16, ...), added up in order at the end:  \
       a fixed order the compiler can run in vector registers. */                                 \
    for (long r = 0; r < rows; r++) {                                                              \
        const T *row = z + r * cols;                                                               \
        T lane[16] = {0};                                                                          \
        long j = 0;                                                                                \
        for (; j + 16 <= cols; j += 16)                                                            \
            for (long k = 0; k < 16; k++) lane[k] += row[j + k];                                   \
        for (long k = 0; j < cols; j++, k++) lane[k] += row[j];                                    \
        T sum = 0;                                                                                 \
        for (long k = 0; k < 16; k++) sum += lane[k];                                              \
        sums[r] = sum;                                                                             \
    }                                                                                              \
}                                                                                                  \
                                                                                                   \
void dyn_add_into_##S(long n, const T *src, T *dst) {                                              \
    for (long i = 0; i < n; i++) dst[i] += src[i];                                                 \
}

DEFINE_CONV_BATCH(double, f64)
DEFINE_CONV_BATCH(float, f32)
