// zlib's C API (Debian zlib1g-dev): inflate for gzip'd IDX files and deflated .npz entries.
#include <zlib.h>
