/* Counts heap allocations, to check that a loop allocates nothing in its steady state.
 *
 *   gcc -O2 -shared -fPIC -o /tmp/libmalloc_count.so tools/bench/malloc_count.c
 *   LD_PRELOAD=/tmp/libmalloc_count.so KILN_BENCH=1 swift test -c release -Xswiftc -enable-testing \
 *       --skip-build --filter OptimizerBenchmarkTests
 *
 * Tests read the counter through dlsym(RTLD_DEFAULT, "kiln_allocation_count") and skip the check without it. */
#include <stddef.h>
#include <stdatomic.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

_Atomic long kiln_allocation_count = 0;

void *malloc(size_t n) { atomic_fetch_add(&kiln_allocation_count, 1); return __libc_malloc(n); }
void *calloc(size_t a, size_t b) { atomic_fetch_add(&kiln_allocation_count, 1); return __libc_calloc(a, b); }
void *realloc(void *p, size_t n) { atomic_fetch_add(&kiln_allocation_count, 1); return __libc_realloc(p, n); }
void *memalign(size_t a, size_t n) { atomic_fetch_add(&kiln_allocation_count, 1); return __libc_memalign(a, n); }
void *aligned_alloc(size_t a, size_t n) { return memalign(a, n); }
int posix_memalign(void **out, size_t a, size_t n) {
    void *p = memalign(a, n);
    if (!p) return 12; /* ENOMEM */
    *out = p;
    return 0;
}
