#include "dynlearn/parallel/partition.hpp"

#include <algorithm>

namespace dynlearn::parallel {

IndexRange block_range(std::size_t n, int rank, int nranks) {
  const std::size_t p = static_cast<std::size_t>(nranks);
  const std::size_t r = static_cast<std::size_t>(rank);
  const std::size_t base = n / p, extra = n % p;
  const std::size_t begin = r * base + std::min(r, extra);
  return {begin, begin + base + (r < extra ? 1 : 0)};
}

}  // namespace dynlearn::parallel
