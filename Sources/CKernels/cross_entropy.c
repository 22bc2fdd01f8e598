/* See dyn_kernels.h: the cross-entropy block of blocks.h over all rows. Not cloned per CPU: the
   time goes to exp and log, which the C library already picks for the CPU. */
#include "blocks.h"

dyn_ce_sums dyn_cross_entropy_f64(long n, long c, const double *x, const long *y, const double *w, double *grad) {
    dyn_ce_sums sums = {0, 0, 0};
    ce_rows_f64(n, c, x, y, w, 1 / (double)n, grad, &sums);
    return sums;
}

dyn_ce_sums dyn_cross_entropy_f32(long n, long c, const float *x, const long *y, const double *w, float *grad) {
    dyn_ce_sums sums = {0, 0, 0};
    ce_rows_f32(n, c, x, y, w, 1 / (double)n, grad, &sums);
    return sums;
}
