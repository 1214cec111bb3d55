#pragma once
// <malloc.h> may already belong to Swift's Glibc module, which does not export it: wrap what Herald uses in
// functions of this module's own.
#if defined(__linux__)
#include <malloc.h>

/// mallopt(M_ARENA_MAX, arenas): caps the number of malloc arenas; returns 1 on success.
static inline int herald_set_malloc_arena_max(int arenas) { return mallopt(M_ARENA_MAX, arenas); }

/// mallopt(M_MMAP_THRESHOLD, bytes): a fixed threshold, which also turns off glibc's dynamic one (it grows
/// after each large free, moving later large buffers into the heap, where they fragment it).
static inline int herald_set_malloc_mmap_threshold(int bytes) { return mallopt(M_MMAP_THRESHOLD, bytes); }

/// malloc_trim(0): returns free heap pages of every arena to the kernel; returns 1 if any were released.
static inline int herald_malloc_trim(void) { return malloc_trim(0); }
#endif
