// oneDNN's C API (Debian libdnnl-dev ships no pkg-config file, so this is a plain module map).
#include <oneapi/dnnl/dnnl.h>
// oneDNN in Debian uses the OpenMP runtime: its thread count follows libgomp's setting.
extern void omp_set_num_threads(int);
extern int omp_get_max_threads(void);
