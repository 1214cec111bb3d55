#include "CRE2.h"

#include <re2/re2.h>

#include <cstring>
#include <new>
#include <string>

namespace {
// Copies `reason` into the caller's buffer, NUL-terminated, cut to fit.
void write_error(const std::string &reason, char *error, size_t error_capacity) {
    if (error_capacity == 0) return;
    size_t count = reason.size() < error_capacity - 1 ? reason.size() : error_capacity - 1;
    std::memcpy(error, reason.data(), count);
    error[count] = 0;
}
}  // namespace

struct herald_re2 {
    re2::RE2 regex;
    herald_re2(const re2::StringPiece &pattern, const re2::RE2::Options &options) : regex(pattern, options) {}
};

extern "C" herald_re2 *herald_re2_compile(
    const char *pattern, size_t length, int64_t max_memory, char *error, size_t error_capacity) {
    re2::RE2::Options options;
    options.set_encoding(re2::RE2::Options::EncodingUTF8);
    // Errors go back to the caller, which names the Alert; RE2 must not write to stderr on its own.
    options.set_log_errors(false);
    options.set_max_mem(max_memory);
    herald_re2 *compiled = new (std::nothrow) herald_re2(re2::StringPiece(pattern, length), options);
    if (compiled == nullptr) {
        write_error("out of memory", error, error_capacity);
        return nullptr;
    }
    if (!compiled->regex.ok()) {
        write_error(compiled->regex.error(), error, error_capacity);
        delete compiled;
        return nullptr;
    }
    return compiled;
}

extern "C" int herald_re2_partial_match(const herald_re2 *re, const char *text, size_t length) {
    return re2::RE2::PartialMatch(re2::StringPiece(text, length), re->regex) ? 1 : 0;
}

extern "C" int herald_re2_program_size(const herald_re2 *re) { return re->regex.ProgramSize(); }

extern "C" void herald_re2_free(herald_re2 *re) { delete re; }
