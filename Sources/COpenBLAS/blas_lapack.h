/* CBLAS from OpenBLAS, plus prototypes of the LAPACK routines dynlua calls (OpenBLAS carries
   LAPACK but ships no LAPACK header of its own in this include path). Fortran calling
   convention: every argument by pointer, hidden string lengths appended. */
#include <cblas.h>
#include <stddef.h>

void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda,
             double *w, double *work, const int *lwork, int *iwork, const int *liwork,
             int *info, size_t jobz_len, size_t uplo_len);
void dstev_(const char *jobz, const int *n, double *d, double *e, double *z, const int *ldz,
            double *work, int *info, size_t jobz_len);
