// Bit-for-bit comparison of Eigen arrays and doubles, for tests of results
// that must not depend on the rank count or on a restart.
#pragma once

#include <Eigen/Core>
#include <cstring>

namespace dynlearn::testing {

/// Same shape and the same bits (so -0 differs from 0, and NaN equals itself).
inline bool same_bits(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::Ref<const Eigen::MatrixXd>& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) return false;
  // memcmp on the null data of an empty array is undefined behaviour (GCC then
  // drops later null checks: a crash with AVX builds).
  for (Eigen::Index j = 0; j < a.cols(); ++j)
    if (a.rows() > 0 && std::memcmp(a.col(j).data(), b.col(j).data(), sizeof(double) * a.rows()) != 0) return false;
  return true;
}

inline bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace dynlearn::testing
