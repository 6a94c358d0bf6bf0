// The vehicle surrogate's kernel with the columns in the lanes of a packet:
// every operation of a column is one lane of a packet operation, so the
// weights are broadcast scalars and no packet is ever summed across its
// lanes inside a column's computation (the column-major kernel it replaced
// spent a fifth of its time on those horizontal sums). The θ-gradient sums
// run lane-wise over the call's blocks, in register tiles, and are summed
// across lanes once per call.
//
// Included only by the instruction-set units, each with its own Ops (an
// internal-linkage type, so every function here is instantiated privately
// in that unit). Ops provides, for a packet type V of kLanes doubles:
// load/store (aligned), set1, add, sub, mul, div, fma(a, b, c) = a b + c,
// fnma(a, b, c) = c - a b, min/max (NaN in the second operand is returned),
// floor, scale(a, n) = a 2^n for integral n, |n| <= 58 (exact), sum (across
// lanes, fixed order), and the tile width kTile of the gradient passes.
#pragma once

#include <cstddef>

#include "vehicle_soa.hpp"

namespace dynlearn::models::detail::soa {

using std::size_t;

/// tanh z from x = 2z (the forward pass folds the 2 into its weights).
/// With x = n ln 2 + r, |r| <= ln 2 / 2, and the Padé form of e^r =
/// (q + p) / (q - p) (Eigen's pexp coefficients, p odd and q even in r),
/// e^x = 2^n (q + p) / (q - p), so
///   tanh z = (e^x - 1) / (e^x + 1) = (2^n A - B) / (2^n A + B),
/// A = q + p, B = q - p: one division; within 2.1 eps of std::tanh relative
/// for |z| >= 0.5 and 1 eps absolute everywhere (nn's tanh_packet, 1 - 2 /
/// (e + 1), is absolute near 0 too; VehicleTanh.*), NaN propagates. x is
/// clamped to ±40, where tanh is ±1 in double.
template <class Ops>
inline typename Ops::V tanh_from_twice(typename Ops::V x) {
  using V = typename Ops::V;
  x = Ops::max(Ops::set1(-40.0), Ops::min(Ops::set1(40.0), x));
  const V n = Ops::floor(Ops::fma(Ops::set1(1.4426950408889634073599), x, Ops::set1(0.5)));
  x = Ops::fnma(n, Ops::set1(0.693145751953125), x);
  x = Ops::fnma(n, Ops::set1(1.42860682030941723212e-6), x);
  const V r2 = Ops::mul(x, x);
  V p = Ops::fma(Ops::set1(1.26177193074810590878e-4), r2, Ops::set1(3.02994407707441961300e-2));
  p = Ops::mul(Ops::fma(p, r2, Ops::set1(9.99999999999999999910e-1)), x);
  V q = Ops::fma(Ops::set1(3.00198505138664455042e-6), r2, Ops::set1(2.52448340349684104192e-3));
  q = Ops::fma(q, r2, Ops::set1(2.27265548208155028766e-1));
  q = Ops::fma(q, r2, Ops::set1(2.00000000000000000009e0));
  const V sa = Ops::scale(Ops::add(q, p), n), b = Ops::sub(q, p);
  return Ops::div(Ops::sub(sa, b), Ops::add(sa, b));
}

/// out[i] = tanh(twice_z[i] / 2) for n a multiple of the lanes (unaligned
/// arrays: the unit test's entry point).
template <class Ops>
void tanh_array(const double* twice_z, double* out, size_t n) {
  alignas(64) double lanes[Ops::kLanes];
  for (size_t i = 0; i < n; i += Ops::kLanes) {
    for (size_t l = 0; l < Ops::kLanes; ++l) lanes[l] = twice_z[i + l];
    Ops::store(lanes, tanh_from_twice<Ops>(Ops::load(lanes)));
    for (size_t l = 0; l < Ops::kLanes; ++l) out[i + l] = lanes[l];
  }
}

/// One network's hidden layer and outputs for a block: a_k = tanh(b_k +
/// Σ_i W0[k, i] in_i) stored to `hidden`, then y_r = b1_r + Σ_k W1[r, k] a_k
/// (two loops: the tanh temporaries and the output sums would not fit in
/// AVX2's sixteen registers together).
template <class Ops, size_t kIn, size_t kOut>
inline void network_forward(const VehicleSoaNet& net, const typename Ops::V* in, double* hidden,
                            typename Ops::V* y) {
  using V = typename Ops::V;
  constexpr size_t L = Ops::kLanes;
  for (size_t k = 0; k < kSoaHidden; ++k) {
    V z = Ops::set1(net.b0x2[k]);
    for (size_t i = 0; i < kIn; ++i) z = Ops::fma(Ops::set1(net.w0x2[k * kIn + i]), in[i], z);
    Ops::store(hidden + k * L, tanh_from_twice<Ops>(z));
  }
  for (size_t r = 0; r < kOut; ++r) y[r] = Ops::set1(net.b1[r]);
  for (size_t k = 0; k < kSoaHidden; ++k) {
    const V a = Ops::load(hidden + k * L);
    for (size_t r = 0; r < kOut; ++r)
      y[r] = Ops::fma(Ops::set1(net.w1[r * kSoaHidden + k]), a, y[r]);
  }
}

/// m v for a row-major 3 x 3 m: (m_r0 v0 + m_r1 v1) + m_r2 v2.
template <class Ops>
inline typename Ops::V row_times(const typename Ops::V* m, const typename Ops::V* v) {
  return Ops::fma(m[2], v[2], Ops::fma(m[1], v[1], Ops::mul(m[0], v[0])));
}

/// Lanes of block `blk` that hold columns. (static: each unit that includes
/// this header has its own copy, built with that unit's flags.)
static inline size_t lanes_used(size_t blk, size_t lanes, size_t cols) {
  const size_t first = blk * lanes;
  return cols - first < lanes ? cols - first : lanes;
}

/// The forward pass of block `blk`: hidden and jc stored, f returned.
template <class Ops>
inline void block_forward(const VehicleSoaParams& params, const VehicleSoaBuffers& b, size_t blk,
                          typename Ops::V* f) {
  using V = typename Ops::V;
  constexpr size_t L = Ops::kLanes;
  const double* in = b.in + blk * kSoaInRows * L;
  V features[2], v[3], u[3];
  for (size_t i = 0; i < 2; ++i) features[i] = Ops::load(in + i * L);
  for (size_t i = 0; i < 3; ++i) v[i] = Ops::load(in + (2 + i) * L);
  for (size_t i = 0; i < 3; ++i) u[i] = Ops::load(in + (5 + i) * L);
  double* hidden = b.hidden + blk * kSoaHiddenRows * L;
  V jc[18], d[3];
  network_forward<Ops, 2, 9>(params.j, features, hidden, jc);
  network_forward<Ops, 3, 9>(params.c, v, hidden + kSoaHidden * L, jc + 9);
  network_forward<Ops, 3, 3>(params.d, v, hidden + 2 * kSoaHidden * L, d);
  double* jc_out = b.jc + blk * kSoaJcRows * L;
  for (size_t r = 0; r < 18; ++r) Ops::store(jc_out + r * L, jc[r]);
  // f = (J v, (u - d - C v) / M).
  for (size_t r = 0; r < 3; ++r) {
    f[r] = row_times<Ops>(jc + 3 * r, v);
    const V rhs = Ops::sub(Ops::sub(u[r], d[r]), row_times<Ops>(jc + 9 + 3 * r, v));
    f[3 + r] = Ops::mul(rhs, Ops::set1(params.inverse_mass[r]));
  }
}

/// Rows of `packets` (6) to the first `used` columns at `columns` (column
/// stride `stride`), through the aligned scratch `lanes`.
template <class Ops>
inline void scatter_columns(const typename Ops::V* packets, double* lanes, size_t used,
                            double* columns, size_t stride) {
  constexpr size_t L = Ops::kLanes;
  for (size_t r = 0; r < 6; ++r) Ops::store(lanes + r * L, packets[r]);
  for (size_t lane = 0; lane < used; ++lane)
    for (size_t r = 0; r < 6; ++r) columns[lane * stride + r] = lanes[r * L + lane];
}

/// The first `used` columns at `columns` into rows of `packets` (6), zeros in
/// the other lanes.
template <class Ops>
inline void gather_columns(const double* columns, size_t stride, size_t used, double* lanes,
                           typename Ops::V* packets) {
  constexpr size_t L = Ops::kLanes;
  for (size_t lane = 0; lane < L; ++lane)
    for (size_t r = 0; r < 6; ++r)
      lanes[r * L + lane] = lane < used ? columns[lane * stride + r] : 0.0;
  for (size_t r = 0; r < 6; ++r) packets[r] = Ops::load(lanes + r * L);
}

template <class Ops>
void forward(const VehicleSoaParams& params, const VehicleSoaBuffers& b,
             const VehicleSoaColumns& columns) {
  constexpr size_t L = Ops::kLanes;
  alignas(64) double lanes[6 * L];
  for (size_t blk = 0; blk < b.blocks; ++blk) {
    typename Ops::V f[6];
    block_forward<Ops>(params, b, blk, f);
    scatter_columns<Ops>(f, lanes, lanes_used(blk, L, columns.cols),
                         columns.out + blk * L * columns.out_stride, columns.out_stride);
  }
}

/// One network's reverse pass for a block: ā_k = Σ_r W1[r, k] ȳ_r, z̄_k =
/// ā_k (1 - a_k²) stored to `zbar`; with the x adjoint, fa_i = Σ_k W0[k, i] z̄_k.
template <class Ops, size_t kIn, size_t kOut, bool kXAdjoint>
inline void network_backward(const VehicleSoaNet& net, const typename Ops::V* ybar,
                             const double* hidden, double* zbar, typename Ops::V* fa) {
  using V = typename Ops::V;
  constexpr size_t L = Ops::kLanes;
  if constexpr (kXAdjoint)
    for (size_t i = 0; i < kIn; ++i) fa[i] = Ops::set1(0.0);
  for (size_t k = 0; k < kSoaHidden; ++k) {
    V abar = Ops::mul(Ops::set1(net.w1[k]), ybar[0]);
    for (size_t r = 1; r < kOut; ++r)
      abar = Ops::fma(Ops::set1(net.w1[r * kSoaHidden + k]), ybar[r], abar);
    const V a = Ops::load(hidden + k * L);
    const V z = Ops::mul(abar, Ops::fnma(a, a, Ops::set1(1.0)));
    Ops::store(zbar + k * L, z);
    if constexpr (kXAdjoint)
      for (size_t i = 0; i < kIn; ++i) fa[i] = Ops::fma(Ops::set1(net.w0[k * kIn + i]), z, fa[i]);
  }
}

/// The reverse pass of block `blk` from the upstream `up` (6 packets, zero
/// in lanes without a column, so they add nothing to the sums): ybar and
/// zbar stored; with kXAdjoint the x adjoint of the first `used` columns
/// written to columns.x_adjoint.
template <class Ops, bool kXAdjoint>
inline void block_backward(const VehicleSoaParams& params, const VehicleSoaBuffers& b, size_t blk,
                           const typename Ops::V* up, size_t used,
                           const VehicleSoaColumns& columns) {
  using V = typename Ops::V;
  constexpr size_t L = Ops::kLanes;
  const double* in = b.in + blk * kSoaInRows * L;
  V h[3], v[3];
  const V* g = up;
  for (size_t i = 0; i < 3; ++i) {
    v[i] = Ops::load(in + (2 + i) * L);
    // h = -g_{3+r} / M_r: the upstream of d (and, times v, of C).
    h[i] = Ops::mul(Ops::sub(Ops::set1(0.0), up[3 + i]), Ops::set1(params.inverse_mass[i]));
  }
  V ybar[21];
  for (size_t r = 0; r < 3; ++r)
    for (size_t c = 0; c < 3; ++c) {
      ybar[3 * r + c] = Ops::mul(g[r], v[c]);
      ybar[9 + 3 * r + c] = Ops::mul(h[r], v[c]);
    }
  for (size_t r = 0; r < 3; ++r) ybar[18 + r] = h[r];
  double* ybar_out = b.ybar + blk * kSoaYbarRows * L;
  for (size_t r = 0; r < kSoaYbarRows; ++r) Ops::store(ybar_out + r * L, ybar[r]);
  const double* hidden = b.hidden + blk * kSoaHiddenRows * L;
  double* zbar = b.zbar + blk * kSoaHiddenRows * L;
  V fa_j[2], fa_c[3], fa_d[3];
  network_backward<Ops, 2, 9, kXAdjoint>(params.j, ybar, hidden, zbar, fa_j);
  network_backward<Ops, 3, 9, kXAdjoint>(params.c, ybar + 9, hidden + kSoaHidden * L,
                                         zbar + kSoaHidden * L, fa_c);
  network_backward<Ops, 3, 3, kXAdjoint>(params.d, ybar + 18, hidden + 2 * kSoaHidden * L,
                                         zbar + 2 * kSoaHidden * L, fa_d);
  if constexpr (kXAdjoint) {
    // Position: the field does not depend on it. Heading: through (sin phi,
    // cos phi). Velocity: through J v, C v and the inputs of f_C and f_d.
    V xa[6];
    xa[0] = xa[1] = Ops::set1(0.0);
    const V sin_phi = Ops::load(in), cos_phi = Ops::load(in + L);
    xa[2] = Ops::fnma(fa_j[1], sin_phi, Ops::mul(fa_j[0], cos_phi));
    const double* jc = b.jc + blk * kSoaJcRows * L;
    for (size_t c = 0; c < 3; ++c) {
      V sum = Ops::add(fa_c[c], fa_d[c]);
      for (size_t r = 0; r < 3; ++r) {
        sum = Ops::fma(Ops::load(jc + (3 * r + c) * L), g[r], sum);
        sum = Ops::fma(Ops::load(jc + (9 + 3 * r + c) * L), h[r], sum);
      }
      xa[3 + c] = sum;
    }
    alignas(64) double lanes[6 * L];
    scatter_columns<Ops>(xa, lanes, used, columns.x_adjoint + blk * L * columns.x_adjoint_stride,
                         columns.x_adjoint_stride);
  }
}

template <class Ops, bool kXAdjoint>
void backward_blocks(const VehicleSoaParams& params, const VehicleSoaBuffers& b,
                     const VehicleSoaColumns& columns) {
  constexpr size_t L = Ops::kLanes;
  alignas(64) double lanes[6 * L];
  for (size_t blk = 0; blk < b.blocks; ++blk) {
    const size_t used = lanes_used(blk, L, columns.cols);
    typename Ops::V up[6];
    gather_columns<Ops>(columns.upstream + blk * L * columns.upstream_stride,
                        columns.upstream_stride, used, lanes, up);
    block_backward<Ops, kXAdjoint>(params, b, blk, up, used, columns);
  }
}

/// sums[(row0 + q) * rs + (col0 + t) * cs] = Σ over blocks and lanes of
/// left[row0 + q] right[col0 + t] (q < kRows, t < kCols), left and right
/// being rows of two block-major buffers with the given rows per block.
template <class Ops, size_t kRows, size_t kCols>
inline void tile_sums(size_t blocks, const double* left, size_t left_rows, size_t row0,
                      const double* right, size_t right_rows, size_t col0, double* sums, size_t rs,
                      size_t cs) {
  using V = typename Ops::V;
  constexpr size_t L = Ops::kLanes;
  V acc[kRows][kCols];
  for (size_t q = 0; q < kRows; ++q)
    for (size_t t = 0; t < kCols; ++t) acc[q][t] = Ops::set1(0.0);
  for (size_t blk = 0; blk < blocks; ++blk) {
    const double* l = left + (blk * left_rows + row0) * L;
    const double* rt = right + (blk * right_rows + col0) * L;
    V lv[kRows];
    for (size_t q = 0; q < kRows; ++q) lv[q] = Ops::load(l + q * L);
    for (size_t t = 0; t < kCols; ++t) {
      const V rv = Ops::load(rt + t * L);
      for (size_t q = 0; q < kRows; ++q) acc[q][t] = Ops::fma(lv[q], rv, acc[q][t]);
    }
  }
  for (size_t q = 0; q < kRows; ++q)
    for (size_t t = 0; t < kCols; ++t)
      sums[(row0 + q) * rs + (col0 + t) * cs] = Ops::sum(acc[q][t]);
}

/// sums[row0 + q] = Σ over blocks and lanes of rows[row0 + q] (a bias).
template <class Ops, size_t kRows>
inline void row_sums(size_t blocks, const double* rows, size_t rows_per_block, size_t row0,
                     double* sums) {
  using V = typename Ops::V;
  constexpr size_t L = Ops::kLanes;
  V acc[kRows];
  for (size_t q = 0; q < kRows; ++q) acc[q] = Ops::set1(0.0);
  for (size_t blk = 0; blk < blocks; ++blk) {
    const double* l = rows + (blk * rows_per_block + row0) * L;
    for (size_t q = 0; q < kRows; ++q) acc[q] = Ops::add(acc[q], Ops::load(l + q * L));
  }
  for (size_t q = 0; q < kRows; ++q) sums[row0 + q] = Ops::sum(acc[q]);
}

/// One network's gradient sums: W0 (the inputs times z̄), b0, W1 (ȳ times
/// the hidden values), b1, into sums in that order.
template <class Ops, size_t kIn, size_t kOut>
void network_sums(const VehicleSoaNet& net, const VehicleSoaBuffers& b, size_t hidden_row,
                  size_t in_row, size_t ybar_row, double* sums) {
  constexpr size_t T = Ops::kTile, L = Ops::kLanes;
  static_assert(kSoaHidden % T == 0 && kOut % 3 == 0, "whole tiles");
  double* w0 = sums;
  double* b0 = w0 + kSoaHidden * kIn;
  double* w1 = b0 + kSoaHidden;
  double* b1 = w1 + kOut * kSoaHidden;
  const double* zbar = b.zbar + hidden_row * L;
  const double* ybar = b.ybar + ybar_row * L;
  // W0[k, i] (row-major): the inputs (rows i) against T hidden units.
  for (size_t k = 0; k < kSoaHidden; k += T)
    tile_sums<Ops, kIn, T>(b.blocks, b.in + in_row * L, kSoaInRows, 0, zbar, kSoaHiddenRows, k, w0,
                           1, kIn);
  if (net.has_b0)
    for (size_t k = 0; k < kSoaHidden; k += T)
      row_sums<Ops, T>(b.blocks, zbar, kSoaHiddenRows, k, b0);
  for (size_t r = 0; r < kOut; r += 3)
    for (size_t k = 0; k < kSoaHidden; k += T)
      tile_sums<Ops, 3, T>(b.blocks, ybar, kSoaYbarRows, r, b.hidden + hidden_row * L,
                           kSoaHiddenRows, k, w1, kSoaHidden, 1);
  if (net.has_b1)
    for (size_t r = 0; r < kOut; r += 3) row_sums<Ops, 3>(b.blocks, ybar, kSoaYbarRows, r, b1);
}

template <class Ops>
void all_sums(const VehicleSoaParams& params, const VehicleSoaBuffers& b) {
  network_sums<Ops, 2, 9>(params.j, b, 0, 0, 0, b.sums);
  network_sums<Ops, 3, 9>(params.c, b, kSoaHidden, 2, 9, b.sums + kSoaJSums);
  network_sums<Ops, 3, 3>(params.d, b, 2 * kSoaHidden, 2, 18, b.sums + kSoaJSums + kSoaCSums);
}

template <class Ops>
void backward(const VehicleSoaParams& params, const VehicleSoaBuffers& b,
              const VehicleSoaColumns& columns) {
  if (columns.x_adjoint)
    backward_blocks<Ops, true>(params, b, columns);
  else
    backward_blocks<Ops, false>(params, b, columns);
  all_sums<Ops>(params, b);
}

/// δ-SNet's step in one pass over the blocks: f, r = target - f (zero in
/// lanes without a column), Σ r² (returned), and the reverse pass from the
/// upstream -scale r while the block's hidden values are in L1; then the
/// gradient sums. columns.upstream holds the target.
template <class Ops>
double residual(const VehicleSoaParams& params, const VehicleSoaBuffers& b,
                const VehicleSoaColumns& columns, double scale) {
  using V = typename Ops::V;
  constexpr size_t L = Ops::kLanes;
  alignas(64) double lanes[6 * L];
  V squares = Ops::set1(0.0);
  const V minus_scale = Ops::set1(-scale);
  for (size_t blk = 0; blk < b.blocks; ++blk) {
    const size_t used = lanes_used(blk, L, columns.cols);
    V f[6], up[6];
    block_forward<Ops>(params, b, blk, f);
    gather_columns<Ops>(columns.upstream + blk * L * columns.upstream_stride,
                        columns.upstream_stride, used, lanes, up);
    if (used < L) {  // the target's zeros, not f, in the lanes without a column
      for (size_t r = 0; r < 6; ++r) Ops::store(lanes + r * L, f[r]);
      for (size_t lane = used; lane < L; ++lane)
        for (size_t r = 0; r < 6; ++r) lanes[r * L + lane] = 0.0;
      for (size_t r = 0; r < 6; ++r) f[r] = Ops::load(lanes + r * L);
    }
    for (size_t r = 0; r < 6; ++r) {
      const V res = Ops::sub(up[r], f[r]);
      squares = Ops::fma(res, res, squares);
      up[r] = Ops::mul(minus_scale, res);
    }
    block_backward<Ops, false>(params, b, blk, up, used, columns);
  }
  all_sums<Ops>(params, b);
  return Ops::sum(squares);
}

}  // namespace dynlearn::models::detail::soa
