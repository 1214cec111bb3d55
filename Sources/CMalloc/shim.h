#pragma once
// <malloc.h> may already belong to Swift's Glibc module, which does not export it: wrap what Herald uses in
// functions of this module's own.
#if defined(__linux__)
#include <malloc.h>

/// mallopt(M_ARENA_MAX, arenas): caps the number of malloc arenas; returns 1 on success.
static inline int herald_set_malloc_arena_max(int arenas) { return mallopt(M_ARENA_MAX, arenas); }

/// malloc_trim(0): returns free heap pages of every arena to the kernel; returns 1 if any were released.
static inline int herald_malloc_trim(void) { return malloc_trim(0); }
#endif
