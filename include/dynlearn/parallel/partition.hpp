// Which share of a global index range a rank owns. Contiguous blocks, the
// first (n mod size) ranks one larger, so hyperslabs in HDF5 are contiguous.
#pragma once

#include <cstddef>

namespace dynlearn::parallel {

struct IndexRange {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t size() const { return end - begin; }
  bool empty() const { return begin == end; }
};

/// The block of [0, n) owned by `rank` of `nranks`.
IndexRange block_range(std::size_t n, int rank, int nranks);

}  // namespace dynlearn::parallel
