/* Small dense kernels for the shapes BLAS handles badly: products where one dimension is tiny
   (a 2-input or 3-class layer), the element-wise ReLU, the cross-entropy loss and a fused
   training step. Every kernel fixes its order of additions in the source, and each term of a
   sum of products is added with one fused multiply-add (a single rounding), so results are the
   same bits in every caller (train.fit and a hand-written Lua loop share them) and, but for the
   C library's exp and log in the cross-entropy, on every CPU. Matrices are row-major; ld* are row strides
   in elements, columns are contiguous. The callers check sizes and labels: a tiny dimension outside
   1..DYN_SMALL or a label outside 0..c-1 aborts the process with a message naming the kernel (a bug
   in dynlua, never reachable from a script) instead of reading or writing out of bounds. */
#ifndef DYN_KERNELS_H
#define DYN_KERNELS_H

/* The largest "tiny" dimension the kernels below accept where they say so. */
#define DYN_SMALL 8

/* C[r, j] = init_j + sum_{i < k} A[r, i] B[i, j], i ascending; init = bias or 0.
   For a small inner dimension k: the loop over j vectorizes. */
void dyn_rows_f64(long n, long k, long m, const double *a, long lda, const double *b, long ldb,
                  const double *bias, double *c, long ldc);
void dyn_rows_f32(long n, long k, long m, const float *a, long lda, const float *b, long ldb,
                  const float *bias, float *c, long ldc);

/* C = max(A B + bias, 0) (bias may be NULL; NaN stays NaN): a layer and the ReLU after it in one pass. */
void dyn_rows_relu_f64(long n, long k, long m, const double *a, long lda, const double *b, long ldb,
                       const double *bias, double *c, long ldc);
void dyn_rows_relu_f32(long n, long k, long m, const float *a, long lda, const float *b, long ldb,
                       const float *bias, float *c, long ldc);

/* The same product without bias, then C[r, j] = 0 where mask[r, j] <= 0 (mask: n x m, contiguous):
   a layer's input gradient times the derivative of the ReLU before it, in one pass. */
void dyn_rows_masked_f64(long n, long k, long m, const double *a, long lda, const double *b, long ldb,
                         const double *mask, double *c, long ldc);
void dyn_rows_masked_f32(long n, long k, long m, const float *a, long lda, const float *b, long ldb,
                         const float *mask, float *c, long ldc);

/* C[r, j] = init_j + dot(A[r, :], Bt[j, :]) for m <= DYN_SMALL outputs: the dot product keeps
   16 partial sums (term i goes to sum i mod 16), added pairwise at the end. */
void dyn_dots_f64(long n, long k, long m, const double *a, long lda, const double *bt, long ldbt,
                  const double *bias, double *c, long ldc);
void dyn_dots_f32(long n, long k, long m, const float *a, long lda, const float *bt, long ldbt,
                  const float *bias, float *c, long ldc);

/* D[i, j] += sum_{r < n} A[r, i] G[r, j] and, when db is not NULL, db[j] += sum_{r < n} G[r, j]
   (each sum over r ascending from 0, then added), for min(k, m) <= DYN_SMALL; D is k x m
   contiguous. The bias sums ride along the pass over G. */
void dyn_tn_acc_f64(long n, long k, long m, const double *a, long lda, const double *g, long ldg, double *d, double *db);
void dyn_tn_acc_f32(long n, long k, long m, const float *a, long lda, const float *g, long ldg, float *d, float *db);

/* y = x < 0 ? 0 : x (NaN and -0 stay, as t:relu()); gx = y > 0 ? g : 0. */
void dyn_relu_f64(long count, const double *x, double *y);
void dyn_relu_f32(long count, const float *x, float *y);
void dyn_relu_backward_f64(long count, const double *g, const double *y, double *gx);
void dyn_relu_backward_f32(long count, const float *g, const float *y, float *gx);

/* out[j, i] = in[i, j] for a rows x cols matrix in (row stride ld), out contiguous (cols x rows). */
void dyn_transpose_f64(long rows, long cols, const double *in, long ld, double *out);
void dyn_transpose_f32(long rows, long cols, const float *in, long ld, float *out);

/* What a cross-entropy pass adds up, in row order: the per-row losses, the per-row losses
   times their class weights, and the rows whose first largest logit is at the label. */
typedef struct { double loss, weighted; long correct; } dyn_ce_sums;

/* Cross-entropy of the logit rows x (n x c, contiguous) against labels y (0-based, checked by
   the caller), with class weights w (NULL: all ones): row loss = log sum_j exp(x_j - max) + max
   - x_y, in double for both dtypes. grad, when not NULL, receives the gradient of the weighted
   mean (w[y] / n) (softmax(x) - onehot(y)). The caller divides the sums by n. */
dyn_ce_sums dyn_cross_entropy_f64(long n, long c, const double *x, const long *y, const double *w, double *grad);
dyn_ce_sums dyn_cross_entropy_f32(long n, long c, const float *x, const long *y, const double *w, float *grad);

/* One training step's forward, loss and backward for x -> Linear(k -> h) -> ReLU ->
   Linear(h -> m) -> cross-entropy, float64, with k, m <= DYN_SMALL < h, as one pass over slices
   of rows whose hidden activations stay in the L1 cache. The same bits as the module-by-module
   path (dyn_rows_relu, dyn_dots, dyn_cross_entropy, dyn_tn_acc, dyn_rows_masked, dyn_tn_acc):
   every value is computed with the same additions in the same order, and every sum over rows
   runs in row order across slices. w1: k x h, w2: h x m (row-major, contiguous); b1, b2 may be
   NULL (then gb1, gb2 must be too). Writes the logits (n x m); adds the parameter gradients
   into gw1, gb1, gw2, gb2; returns the loss sums (divide by n).
   work: dyn_mlp2_work_size(k, h, m) doubles. */
long dyn_mlp2_work_size(long k, long h, long m);
dyn_ce_sums dyn_mlp2_step_f64(long n, long k, long h, long m, const double *x, long ldx,
                              const double *w1, const double *b1, const double *w2, const double *b2,
                              const long *y, const double *class_weights, double *logits,
                              double *gw1, double *gb1, double *gw2, double *gb2, double *work);

/* The geometry of a sliding window over one image plane: input h x w, kernel kh x kw, strides,
   zero padding (ph, pw) on each side, output oh x ow. The Swift callers compute oh and ow
   ((h + 2 ph - kh) / sh + 1) and check that every window starts inside the padded input. */
typedef struct { long h, w, kh, kw, sh, sw, ph, pw, oh, ow; } dyn_window;

/* col ((c kh kw) x (oh ow), row-major): row (ch, i, j), column (oy, ox) holds
   x[ch, oy sh - ph + i, ox sw - pw + j], 0 in the padding. col2im adds col back into x (the
   adjoint), so x must hold the values to add to (zeros for a fresh gradient). */
void dyn_im2col_f64(const dyn_window *g, long c, const double *x, double *col);
void dyn_im2col_f32(const dyn_window *g, long c, const float *x, float *col);
void dyn_col2im_f64(const dyn_window *g, long c, const double *col, double *x);
void dyn_col2im_f32(const dyn_window *g, long c, const float *col, float *x);

/* Pooling without padding: y (c x oh x ow) the mean (sum in row order, times 1 / (kh kw)) or the
   maximum of each window (the first largest value, or its first NaN). The backward functions
   add into gx: the mean's share to every element of a window, the max's gradient to the
   element the forward chose (found again from x). */
void dyn_avgpool_f64(const dyn_window *g, long c, const double *x, double *y);
void dyn_avgpool_f32(const dyn_window *g, long c, const float *x, float *y);
void dyn_avgpool_backward_f64(const dyn_window *g, long c, const double *gy, double *gx);
void dyn_avgpool_backward_f32(const dyn_window *g, long c, const float *gy, float *gx);
void dyn_maxpool_f64(const dyn_window *g, long c, const double *x, double *y);
void dyn_maxpool_f32(const dyn_window *g, long c, const float *x, float *y);
void dyn_maxpool_backward_f64(const dyn_window *g, long c, const double *x, const double *gy, double *gx);
void dyn_maxpool_backward_f32(const dyn_window *g, long c, const float *x, const float *gy, float *gx);

/* The thread pool (thread_pool.c). dyn_pool_run calls fn(ctx, task, worker) once for each task
   0 .. tasks - 1, spread over the pool's threads (the caller is worker 0; workers are numbered
   below dyn_pool_threads()), and returns when all are done. Which worker runs which task
   varies: results must depend on the task number only. dyn_pool_set_threads creates the
   workers still missing and returns the count in effect (fewer when threads cannot be made). */
typedef void (*dyn_task_fn)(void *ctx, long task, long worker);
long dyn_pool_set_threads(long n);
long dyn_pool_threads(void);
void dyn_pool_run(long tasks, dyn_task_fn fn, void *ctx);

/* Convolution on a chunk of n samples side by side. im2col_batch writes sample s's windows
   (as dyn_im2col) into columns s p .. s p + p - 1 (p = oh ow) of rows ld long; col2im_batch adds
   them back into the n samples. conv_scatter copies z ((o) x (n p), rows ld = n p) into y
   (n x o x p) adding bias[o] (NULL: none); conv_gather is the reverse copy without bias.
   row_sums: sums[r] = sum over j of z[r, j] (in a fixed order). add_into: dst[i] += src[i]. */
void dyn_im2col_batch_f64(const dyn_window *g, long c, long n, const double *x, double *col, long ld);
void dyn_im2col_batch_f32(const dyn_window *g, long c, long n, const float *x, float *col, long ld);
void dyn_col2im_batch_f64(const dyn_window *g, long c, long n, const double *col, long ld, double *x);
void dyn_col2im_batch_f32(const dyn_window *g, long c, long n, const float *col, long ld, float *x);
void dyn_conv_scatter_f64(long n, long o, long p, const double *z, const double *bias, double *y);
void dyn_conv_scatter_f32(long n, long o, long p, const float *z, const float *bias, float *y);
void dyn_conv_gather_f64(long n, long o, long p, const double *y, double *z);
void dyn_conv_gather_f32(long n, long o, long p, const float *y, float *z);
void dyn_row_sums_f64(long rows, long cols, const double *z, double *sums);
void dyn_row_sums_f32(long rows, long cols, const float *z, float *sums);
void dyn_add_into_f64(long n, const double *src, double *dst);
void dyn_add_into_f32(long n, const float *src, float *dst);

#endif
