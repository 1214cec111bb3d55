// A C face for RE2, so Swift can use it without C++ interop in every module that matches.
// RE2 matches in time linear in the text (no backtracking), the guarantee Go's regexp gives Flux.
#ifndef HERALD_CRE2_H
#define HERALD_CRE2_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// One compiled pattern; immutable once compiled, so safe to match from several threads at once.
typedef struct herald_re2 herald_re2;

/// Compiles `pattern` (UTF-8, `length` bytes) with RE2's Perl-like syntax, within `max_memory` bytes
/// (the compiled program and its DFA caches). On failure returns NULL and writes RE2's reason,
/// NUL-terminated and truncated to `error_capacity`, into `error`.
herald_re2 *herald_re2_compile(const char *pattern, size_t length, int64_t max_memory, char *error, size_t error_capacity);

/// 1 when the pattern matches somewhere in `text` (unanchored, as Go's `regexp.MatchString`), else 0.
int herald_re2_partial_match(const herald_re2 *re, const char *text, size_t length);

/// Bytes of the compiled forward program, as RE2 estimates them (for the memory figures).
int herald_re2_program_size(const herald_re2 *re);

void herald_re2_free(herald_re2 *re);

#ifdef __cplusplus
}
#endif

#endif
