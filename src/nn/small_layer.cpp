// Small-layer products. Tall outputs: register blocks of rows of C, one
// multiply-add chain per entry over the inner index. Short outputs (the
// scalar output of an energy network, the input side of a first layer): dot
// products of a contiguous copy of a row of A with a column of B. Either way
// an entry's operations depend on the shapes alone (see small_layer.hpp).
#include "small_layer.hpp"

#include <algorithm>
#include <span>
#include <vector>

namespace dynlearn::nn::detail {

using Eigen::Index;

namespace {

// Written with Eigen's packets: the compiler does not vectorise these fused
// multiply-add loops by itself.
namespace ei = Eigen::internal;
using Packet = ei::packet_traits<double>::type;
constexpr Index kLanes = ei::packet_traits<double>::size;

// Rows of C kept in registers per column (four AVX2 vectors).
constexpr Index kRowBlock = 16;
constexpr Index kBlockPackets = kRowBlock / kLanes;

// kRowBlock rows of column j of C (a, init and cj point at the block's
// first row).
inline void row_block(const double* a, Index m, Index k, const double* bj, const double* init,
                      double* cj) {
  Packet acc[kBlockPackets];
  for (Index p = 0; p < kBlockPackets; ++p)
    acc[p] = init ? ei::ploadu<Packet>(init + p * kLanes) : ei::pset1<Packet>(0.0);
  for (Index l = 0; l < k; ++l) {
    const double* al = a + l * m;
    const Packet blj = ei::pset1<Packet>(bj[l]);
    for (Index p = 0; p < kBlockPackets; ++p)
      acc[p] = ei::pmadd(ei::ploadu<Packet>(al + p * kLanes), blj, acc[p]);
  }
  for (Index p = 0; p < kBlockPackets; ++p) ei::pstoreu(cj + p * kLanes, acc[p]);
}

// x · y over k entries as kLanes interleaved partial sums (entry l into lane
// l mod kLanes; the last partial packet zero-padded) reduced by Eigen's
// fixed packet reduction: one order for a given k.
inline double dot(const double* x, const double* y, Index k) {
  Packet acc = ei::pset1<Packet>(0.0);
  Index l = 0;
  for (; l + kLanes <= k; l += kLanes)
    acc = ei::pmadd(ei::ploadu<Packet>(x + l), ei::ploadu<Packet>(y + l), acc);
  if (l < k) {
    double xt[kLanes] = {}, yt[kLanes] = {};
    std::copy(x + l, x + k, xt);
    std::copy(y + l, y + k, yt);
    acc = ei::pmadd(ei::ploadu<Packet>(xt), ei::ploadu<Packet>(yt), acc);
  }
  return ei::predux(acc);
}

// dot(x, y0, k) and dot(x, y1, k) with the same operations as dot(), sharing
// the loads of x (the same row of A for two columns of B).
inline void dot2(const double* x, const double* y0, const double* y1, Index k, double& d0,
                 double& d1) {
  Packet acc0 = ei::pset1<Packet>(0.0);
  Packet acc1 = acc0;
  Index l = 0;
  for (; l + kLanes <= k; l += kLanes) {
    const Packet xl = ei::ploadu<Packet>(x + l);
    acc0 = ei::pmadd(xl, ei::ploadu<Packet>(y0 + l), acc0);
    acc1 = ei::pmadd(xl, ei::ploadu<Packet>(y1 + l), acc1);
  }
  if (l < k) {
    double xt[kLanes] = {}, yt0[kLanes] = {}, yt1[kLanes] = {};
    std::copy(x + l, x + k, xt);
    std::copy(y0 + l, y0 + k, yt0);
    std::copy(y1 + l, y1 + k, yt1);
    const Packet xl = ei::ploadu<Packet>(xt);
    acc0 = ei::pmadd(xl, ei::ploadu<Packet>(yt0), acc0);
    acc1 = ei::pmadd(xl, ei::ploadu<Packet>(yt1), acc1);
  }
  d0 = ei::predux(acc0);
  d1 = ei::predux(acc1);
}

}  // namespace

void multiply(const double* a, Index m, Index k, const double* b, Index cols, const double* init,
              double* c) {
  if (m >= kRowBlock && m % kRowBlock == 0) {
    for (Index j = 0; j < cols; ++j) {
      for (Index r = 0; r < m; r += kRowBlock)
        row_block(a + r, m, k, b + j * k, init ? init + r : nullptr, c + j * m + r);
    }
    return;
  }
  // Few rows (a scalar output, or the input side of a layer): each entry a
  // dot product of a row of A (copied contiguous) with a column of B.
  thread_local std::vector<double> at;
  at.resize(static_cast<std::size_t>(m * k));
  for (Index r = 0; r < m; ++r)
    for (Index l = 0; l < k; ++l) at[static_cast<std::size_t>(r * k + l)] = a[l * m + r];
  Index j = 0;
  for (; j + 2 <= cols; j += 2) {
    double* cj = c + j * m;
    for (Index r = 0; r < m; ++r) {
      double d0, d1;
      dot2(at.data() + r * k, b + j * k, b + (j + 1) * k, k, d0, d1);
      cj[r] = (init ? init[r] : 0.0) + d0;
      cj[m + r] = (init ? init[r] : 0.0) + d1;
    }
  }
  for (; j < cols; ++j) {
    double* cj = c + j * m;
    for (Index r = 0; r < m; ++r)
      cj[r] = (init ? init[r] : 0.0) + dot(at.data() + r * k, b + j * k, k);
  }
}

void accumulate_outer(std::span<const OuterTerm> terms, Index m, Index n, Index cols, double* g) {
  if (m >= kRowBlock) {
    // Vectorised over rows (strided in G: gathered into packets once per
    // block and scattered back after every term); two columns of G at a
    // time share the loads of Y.
    const Index full = m - m % kRowBlock;
    for (Index r0 = 0; r0 < full; r0 += kRowBlock) {
      Index l = 0;
      for (; l + 2 <= n; l += 2) {
        Packet acc0[kBlockPackets], acc1[kBlockPackets];
        for (Index p = 0; p < kBlockPackets; ++p) {
          acc0[p] = ei::pgather<double, Packet>(g + (r0 + p * kLanes) * n + l, n);
          acc1[p] = ei::pgather<double, Packet>(g + (r0 + p * kLanes) * n + l + 1, n);
        }
        for (const OuterTerm& t : terms) {
          for (Index j = 0; j < cols; ++j) {
            const double* yj = t.y + j * m + r0;
            const Packet x0 = ei::pset1<Packet>(t.x[j * n + l]);
            const Packet x1 = ei::pset1<Packet>(t.x[j * n + l + 1]);
            for (Index p = 0; p < kBlockPackets; ++p) {
              const Packet yp = ei::ploadu<Packet>(yj + p * kLanes);
              acc0[p] = ei::pmadd(yp, x0, acc0[p]);
              acc1[p] = ei::pmadd(yp, x1, acc1[p]);
            }
          }
        }
        for (Index p = 0; p < kBlockPackets; ++p) {
          ei::pscatter<double, Packet>(g + (r0 + p * kLanes) * n + l, acc0[p], n);
          ei::pscatter<double, Packet>(g + (r0 + p * kLanes) * n + l + 1, acc1[p], n);
        }
      }
      for (; l < n; ++l) {
        Packet acc[kBlockPackets];
        for (Index p = 0; p < kBlockPackets; ++p)
          acc[p] = ei::pgather<double, Packet>(g + (r0 + p * kLanes) * n + l, n);
        for (const OuterTerm& t : terms) {
          for (Index j = 0; j < cols; ++j) {
            const double* yj = t.y + j * m + r0;
            const Packet xl = ei::pset1<Packet>(t.x[j * n + l]);
            for (Index p = 0; p < kBlockPackets; ++p)
              acc[p] = ei::pmadd(ei::ploadu<Packet>(yj + p * kLanes), xl, acc[p]);
          }
        }
        for (Index p = 0; p < kBlockPackets; ++p)
          ei::pscatter<double, Packet>(g + (r0 + p * kLanes) * n + l, acc[p], n);
      }
    }
    for (const OuterTerm& t : terms)
      for (Index j = 0; j < cols; ++j)
        for (Index r = full; r < m; ++r)
          for (Index l = 0; l < n; ++l)
            g[r * n + l] = madd(t.y[j * m + r], t.x[j * n + l], g[r * n + l]);
    return;
  }
  // Few rows: vectorised along the rows of G (contiguous in G and in X).
  const Index full = n - n % kRowBlock;
  for (Index r = 0; r < m; ++r) {
    double* gr = g + r * n;
    for (Index l0 = 0; l0 < full; l0 += kRowBlock) {
      Packet acc[kBlockPackets];
      for (Index p = 0; p < kBlockPackets; ++p) acc[p] = ei::ploadu<Packet>(gr + l0 + p * kLanes);
      for (const OuterTerm& t : terms) {
        for (Index j = 0; j < cols; ++j) {
          const Packet yrj = ei::pset1<Packet>(t.y[j * m + r]);
          const double* xj = t.x + j * n + l0;
          for (Index p = 0; p < kBlockPackets; ++p)
            acc[p] = ei::pmadd(yrj, ei::ploadu<Packet>(xj + p * kLanes), acc[p]);
        }
      }
      for (Index p = 0; p < kBlockPackets; ++p) ei::pstoreu(gr + l0 + p * kLanes, acc[p]);
    }
    for (const OuterTerm& t : terms)
      for (Index j = 0; j < cols; ++j)
        for (Index l = full; l < n; ++l) gr[l] = madd(t.y[j * m + r], t.x[j * n + l], gr[l]);
  }
}

void accumulate_outer(const double* y, Index m, const double* x, Index n, Index cols, double* g) {
  const OuterTerm term{y, x};
  accumulate_outer({&term, 1}, m, n, cols, g);
}

void accumulate_row_sums(const double* y, Index m, Index cols, double* g) {
  // Entry by entry the sum runs over the columns in order; vectorised
  // across rows (each lane its own entry), the scalar rest after.
  const Index full = m - m % kLanes;
  for (Index j = 0; j < cols; ++j) {
    const double* yj = y + j * m;
    for (Index r = 0; r < full; r += kLanes)
      ei::pstoreu(g + r, ei::padd(ei::ploadu<Packet>(g + r), ei::ploadu<Packet>(yj + r)));
    for (Index r = full; r < m; ++r) g[r] += yj[r];
  }
}

}  // namespace dynlearn::nn::detail
