// oneDNN's C API (Debian libdnnl-dev ships no pkg-config file, so this is a plain module map).
#include <oneapi/dnnl/dnnl.h>
// oneDNN in Debian uses the OpenMP runtime: its thread count follows libgomp's setting.
extern void omp_set_num_threads(int);
extern int omp_get_max_threads(void);
// Kiln's own parallel loops run on the same OpenMP team as oneDNN (one set of threads, no two pools spinning
// against each other): libgomp's entry point for `#pragma omp parallel` and the team queries.
extern void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
extern int omp_get_thread_num(void);
extern int omp_get_num_threads(void);
