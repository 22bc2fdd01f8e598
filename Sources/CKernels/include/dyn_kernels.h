/* Small dense kernels for the shapes BLAS handles badly: products where one dimension is tiny
   (a 2-input or 3-class layer), and the element-wise ReLU. Every kernel fixes its order of
   additions in the source, so results are the same bits on every CPU and in every caller
   (train.fit and a hand-written Lua loop share them). Matrices are row-major; ld* are row strides
   in elements, columns are contiguous. */
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

/* C = max(A B + bias, 0) (bias may be NULL): a layer and the ReLU after it in one pass. */
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

/* y = max(x, 0) (NaN -> 0); gx = y > 0 ? g : 0. */
void dyn_relu_f64(long count, const double *x, double *y);
void dyn_relu_f32(long count, const float *x, float *y);
void dyn_relu_backward_f64(long count, const double *g, const double *y, double *gx);
void dyn_relu_backward_f32(long count, const float *g, const float *y, float *gx);

/* out[j, i] = in[i, j] for a rows x cols matrix in (row stride ld), out contiguous (cols x rows). */
void dyn_transpose_f64(long rows, long cols, const double *in, long ld, double *out);
void dyn_transpose_f32(long rows, long cols, const float *in, long ld, float *out);

#endif
