// Matrix products of small dense layers (width up to a few dozen) without
// Eigen's GEMM: at these sizes GEMM's blocking and packing cost more than the
// arithmetic (a {5, 32, 1} network spends most of its time there).
//
// Every output entry is one chain of fused multiply-adds in a fixed order
// (over the inner index, or over the columns for weight gradients), whatever
// the number of columns and the position of a column in the batch. So
// splitting a batch into parts, or joining parts into one batch, gives the
// same bits column by column: what lets the trainer roll out the windows of
// several shards in one call and still sum each shard's gradient exactly as
// a rollout of that shard alone would (rank-count invariance).
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <span>

namespace dynlearn::nn::detail {

/// Layers with at most this many weights use these kernels; larger ones use
/// Eigen's GEMM, which is faster once the matrices fill the caches' blocks.
inline constexpr Eigen::Index kSmallLayerWeights = 64 * 64;

/// a * b + c in one rounding when the build has FMA; otherwise a product and
/// a sum. Spelled out because GCC contracts a plain a * b + c into an FMA
/// where it sees fit even in ISO C++ mode: two code paths that must agree bit
/// for bit (scalar and vector, fused kernel and layer-by-layer) call the same
/// helper rather than relying on the compiler to round them alike.
inline double madd(double a, double b, double c) {
#ifdef __FMA__
  return std::fma(a, b, c);
#else
  return a * b + c;
#endif
}

/// C = A B (+ init per row when `init` is not null): A col-major m x k,
/// B col-major k x cols, C col-major m x cols (leading dimensions m, k, m).
/// Tall C (m a multiple of 16): C(i, j) = init_i, then += A(i, l) B(l, j) for
/// l = 0..k-1 in order; otherwise init_i + a dot product of fixed order.
void multiply(const double* a, Eigen::Index m, Eigen::Index k, const double* b, Eigen::Index cols,
              const double* init, double* c);

/// G += Σ_j Y(:, j) X(:, j)ᵀ over j = 0..cols-1 in order: G row-major m x n
/// (a weight gradient in the flat parameter vector), Y m x cols and X n x
/// cols col-major. Each entry is one chain of multiply-adds from its value.
void accumulate_outer(const double* y, Eigen::Index m, const double* x, Eigen::Index n,
                      Eigen::Index cols, double* g);

/// One product Y Xᵀ of a sum of outer products (Y m x cols, X n x cols,
/// col-major).
struct OuterTerm {
  const double* y;
  const double* x;
};

/// accumulate_outer of each term in turn, with the same bits, in one sweep
/// over G (each entry's chain runs over the first term's columns, then the
/// next term's).
void accumulate_outer(std::span<const OuterTerm> terms, Eigen::Index m, Eigen::Index n,
                      Eigen::Index cols, double* g);

/// g_i += Y(i, j) for j = 0..cols-1 in order (a bias gradient).
void accumulate_row_sums(const double* y, Eigen::Index m, Eigen::Index cols, double* g);

}  // namespace dynlearn::nn::detail
