// Shared vocabulary of the naive reference ops: the array type, the size check every op runs on its
// inputs, and scalar helpers used by more than one header.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace loom::reference {

// Row-major contiguous array; shapes travel beside it as ints, as in llm.c.
template <typename F> using Vec = std::vector<F>;

// Aborts rather than throws so the oracle also works inside targets built with -fno-exceptions.
template <typename T>
void require_size(const std::vector<T>& v, std::size_t expected, const char* what) {
  if (v.size() != expected) {
    std::fprintf(stderr, "loom::reference: %s has %zu elements, expected %zu\n", what, v.size(), expected);
    std::abort();
  }
}

// Stays finite for large |x|: exp(-x) overflowing to inf gives exactly 0.
template <typename F> F sigmoid(F x) { return F(1) / (F(1) + std::exp(-x)); }

}  // namespace loom::reference
