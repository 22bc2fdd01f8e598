/* See dyn_kernels.h: im2col / col2im for convolution (one sample: conv_batch.c with n = 1), and
   average and max pooling, on C x H x W (contiguous). Plain loops in a fixed order: the same bits on every CPU. */
#include "dyn_kernels.h"

#define DEFINE_CONV_POOL(T, S)                                                                     \
void dyn_im2col_##S(const dyn_window *g, long c, const T *x, T *col) {                             \
    dyn_im2col_batch_##S(g, c, 1, x, col, g->oh * g->ow);                                          \
}                                                                                                  \
                                                                                                   \
void dyn_col2im_##S(const dyn_window *g, long c, const T *col, T *x) {                             \
    dyn_col2im_batch_##S(g, c, 1, col, g->oh * g->ow, x);                                          \
}                                                                                                  \
                                                                                                   \
void dyn_avgpool_##S(const dyn_window *g, long c, const T *x, T *y) {                              \
    T scale = (T)1 / (T)(g->kh * g->kw);                                                           \
    for (long ch = 0; ch < c; ch++)                                                                \
        for (long oy = 0; oy < g->oh; oy++)                                                        \
            for (long ox = 0; ox < g->ow; ox++) {                                                  \
                T s = 0;                                                                           \
                for (long i = 0; i < g->kh; i++) {                                                 \
                    const T *src = x + (ch * g->h + oy * g->sh + i) * g->w + ox * g->sw;           \
                    for (long j = 0; j < g->kw; j++) s += src[j];                                  \
                }                                                                                  \
                y[(ch * g->oh + oy) * g->ow + ox] = s * scale;                                     \
            }                                                                                      \
}                                                                                                  \
                                                                                                   \
void dyn_avgpool_backward_##S(const dyn_window *g, long c, const T *gy, T *gx) {                   \
    T scale = (T)1 / (T)(g->kh * g->kw);                                                           \
    for (long ch = 0; ch < c; ch++)                                                                \
        for (long oy = 0; oy < g->oh; oy++)                                                        \
            for (long ox = 0; ox < g->ow; ox++) {                                                  \
                T v = gy[(ch * g->oh + oy) * g->ow + ox] * scale;                                  \
                for (long i = 0; i < g->kh; i++) {                                                 \
                    T *dst = gx + (ch * g->h + oy * g->sh + i) * g->w + ox * g->sw;                \
                    for (long j = 0; j < g->kw; j++) dst[j] += v;                                  \
                }                                                                                  \
            }                                                                                      \
}                                                                                                  \
                                                                                                   \
/* The window's maximum: the first largest value, or the first NaN (which then propagates). */    \
static long argmax_##S(const dyn_window *g, const T *x, long ch, long oy, long ox) {               \
    long best = (ch * g->h + oy * g->sh) * g->w + ox * g->sw;                                      \
    for (long i = 0; i < g->kh; i++)                                                               \
        for (long j = 0; j < g->kw; j++) {                                                         \
            long at = (ch * g->h + oy * g->sh + i) * g->w + ox * g->sw + j;                        \
            T v = x[at], b = x[best];                                                              \
            if (v > b || (v != v && b == b)) best = at;                                            \
        }                                                                                          \
    return best;                                                                                   \
}                                                                                                  \
                                                                                                   \
void dyn_maxpool_##S(const dyn_window *g, long c, const T *x, T *y) {                              \
    for (long ch = 0; ch < c; ch++)                                                                \
        for (long oy = 0; oy < g->oh; oy++)                                                        \
            for (long ox = 0; ox < g->ow; ox++)                                                    \
                y[(ch * g->oh + oy) * g->ow + ox] = x[argmax_##S(g, x, ch, oy, ox)];               \
}                                                                                                  \
                                                                                                   \
void dyn_maxpool_backward_##S(const dyn_window *g, long c, const T *x, const T *gy, T *gx) {       \
    for (long ch = 0; ch < c; ch++)                                                                \
        for (long oy = 0; oy < g->oh; oy++)                                                        \
            for (long ox = 0; ox < g->ow; ox++)                                                    \
                gx[argmax_##S(g, x, ch, oy, ox)] += gy[(ch * g->oh + oy) * g->ow + ox];            \
}

DEFINE_CONV_POOL(double, f64)
DEFINE_CONV_POOL(float, f32)
