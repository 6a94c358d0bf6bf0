// The fused vehicle kernel. Layout per column: the 16 hidden units of a
// network are contiguous (16 / lanes packets), the three networks follow
// each other. The operations follow the generic path's (see the header),
// except for tanh (one division) and the grouped output sums:
//   layer 0:   z = b (or 0), then z = fma(W0[:, i], in_i, z) over inputs i;
//   layer 1:   y_r = b_r (or 0.0) + the lane-wise fma chain of W1[r, :] a,
//              summed across lanes four rows at a time;
//   reverse:   ā = fma chain of W1[r, :] ȳ_r over r from 0, z̄ = ā (1 - a²),
//              weight gradients one fma chain per entry over the columns.
#include "vehicle_kernel.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>

#include "../nn/tanh_packet.hpp"
#include "dynlearn/core/error.hpp"
#include "vehicle_assembly.hpp"

namespace dynlearn::models::detail {

using Eigen::Index;

namespace {

namespace ei = Eigen::internal;
using Packet = ei::packet_traits<double>::type;
constexpr Index kLanes = ei::packet_traits<double>::size;
constexpr Index kW = kFusedVehicleWidth;
constexpr Index kPackets = kW / kLanes;
static_assert(kW % kLanes == 0, "the fused width must be whole packets");

constexpr Index padded(Index n) {
  return (n + kLanes - 1) / kLanes * kLanes;
}
constexpr Index kP9 = padded(9);
constexpr Index kP3 = padded(3);
// Rows of out_adjoint: ȳ of f_J, f_C, f_d, each padded to whole packets.
constexpr Index kGj = 0, kGc = kP9, kGd = 2 * kP9, kGrows = 2 * kP9 + kP3;
// Packed layer-0 weights by input (column i of W0 contiguous): f_J's two
// inputs, then f_C's three, then f_d's three.
constexpr Index kPj = 0, kPc = 2 * kW, kPd = 5 * kW, kPacked = 8 * kW;
// The forward pass's copy, scaled by 2 (tanh takes 2z; scaling by a power of
// two is exact, so z's bits are those of the unscaled chain): per network
// the bias (0 without one), then the columns of W0.
// Columns per chunk of the reverse pass (its adjoints stay in L1).
constexpr Index kChunk = 32;
constexpr Index kSj = 0, kSc = 3 * kW, kSd = 7 * kW, kScaled = 11 * kW;

inline Packet load(const double* p) {
  return ei::ploadu<Packet>(p);
}
inline void store(double* p, const Packet& v) {
  ei::pstoreu(p, v);
}
inline Packet bcast(double v) {
  return ei::pset1<Packet>(v);
}

/// Pointers into one network's parameters and their offsets in the flat
/// parameter vector (= in its gradient).
struct NetView {
  const double* w0;
  const double* b0;  // null without a bias
  const double* w1;
  const double* b1;  // null without a bias
  Index in, out;
  Index w0_at, b0_at, w1_at, b1_at;
};

NetView view(const nn::Mlp& net) {
  const double* base = net.parameters().data();
  NetView v{};
  v.w0 = net.weight(0).data();
  v.w1 = net.weight(1).data();
  v.b0 = net.has_bias(0) ? net.bias(0).data() : nullptr;
  v.b1 = net.has_bias(1) ? net.bias(1).data() : nullptr;
  v.in = net.input_size();
  v.out = net.output_size();
  v.w0_at = v.w0 - base;
  v.w1_at = v.w1 - base;
  v.b0_at = v.b0 ? v.b0 - base : -1;
  v.b1_at = v.b1 ? v.b1 - base : -1;
  return v;
}

/// Column i of the row-major kW x in W0 into packed[i * kW ...].
void pack_layer0(const NetView& net, double* packed) {
  for (Index i = 0; i < net.in; ++i)
    for (Index k = 0; k < kW; ++k) packed[i * kW + k] = net.w0[k * net.in + i];
}

/// 2 b (or 0) then 2 W0 by input, into scaled[0 .. (1 + in) kW).
void pack_scaled_layer0(const NetView& net, double* scaled) {
  for (Index k = 0; k < kW; ++k) scaled[k] = net.b0 ? 2.0 * net.b0[k] : 0.0;
  for (Index i = 0; i < net.in; ++i)
    for (Index k = 0; k < kW; ++k) scaled[(1 + i) * kW + k] = 2.0 * net.w0[k * net.in + i];
}

/// Hidden layer of one column: a = tanh(b + Σ_i W0[:, i] in_i), from the
/// scaled weights (2z = 2b + Σ_i 2 W0[:, i] in_i).
template <Index kIn>
inline void hidden_layer(const double* scaled, const double* in, double* a) {
  for (Index p = 0; p < kPackets; ++p) {
    Packet z2 = load(scaled + p * kLanes);
    for (Index i = 0; i < kIn; ++i)
      z2 = ei::pmadd(load(scaled + (1 + i) * kW + p * kLanes), bcast(in[i]), z2);
    Packet value, first;  // first (1 - value²) is recomputed by the reverse pass
    nn::detail::tanh_packet_fast_from_twice(z2, value, first);
    store(a + p * kLanes, value);
  }
}

/// Σ_k x_k y_k over kW entries as lane-wise fma chains, then Eigen's packet
/// reduction (nn::detail's dot with k a whole number of packets).
inline double dot(const double* x, const double* y) {
  Packet acc = bcast(0.0);
  for (Index p = 0; p < kPackets; ++p)
    acc = ei::pmadd(load(x + p * kLanes), load(y + p * kLanes), acc);
  return ei::predux(acc);
}

#if defined(EIGEN_VECTORIZE_AVX)
/// A packet's lanes summed down to four (AVX-512: the two halves added).
inline __m256d to_quad(const Packet& v) {
#if defined(EIGEN_VECTORIZE_AVX512)
  return _mm256_add_pd(_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd(v, 1));
#else
  return v;
#endif
}
#endif

/// Output layer of one column: y_r = b_r (or 0.0) + W1[r, :] · a. With AVX
/// four rows are reduced together (two hadd, two lane swaps, one add instead
/// of four horizontal sums).
template <Index kOut>
inline void output_layer(const NetView& net, const double* a, double* y) {
  Index r = 0;
#if defined(EIGEN_VECTORIZE_AVX)
  for (; r + 4 <= kOut; r += 4) {
    __m256d quad[4];
    for (Index q = 0; q < 4; ++q) {
      Packet acc = bcast(0.0);
      for (Index p = 0; p < kPackets; ++p)
        acc = ei::pmadd(load(net.w1 + (r + q) * kW + p * kLanes), load(a + p * kLanes), acc);
      quad[q] = to_quad(acc);
    }
    const __m256d h01 = _mm256_hadd_pd(quad[0], quad[1]), h23 = _mm256_hadd_pd(quad[2], quad[3]);
    __m256d sums = _mm256_add_pd(_mm256_permute2f128_pd(h01, h23, 0x20),
                                 _mm256_permute2f128_pd(h01, h23, 0x31));
    if (net.b1) sums = _mm256_add_pd(_mm256_loadu_pd(net.b1 + r), sums);
    _mm256_storeu_pd(y + r, sums);
  }
#endif
  for (; r < kOut; ++r) y[r] = (net.b1 ? net.b1[r] : 0.0) + dot(net.w1 + r * kW, a);
}

/// ā = Σ_r W1[r, :] ȳ_r (fma chain from 0 over r), z̄ = ā (1 - a²).
template <Index kOut>
inline void hidden_adjoint(const NetView& net, const double* gy, const double* a, double* zbar) {
  Packet acc[kPackets];
  for (Index p = 0; p < kPackets; ++p) acc[p] = bcast(0.0);
  for (Index r = 0; r < kOut; ++r) {
    const Packet y = bcast(gy[r]);
    for (Index p = 0; p < kPackets; ++p)
      acc[p] = ei::pmadd(load(net.w1 + r * kW + p * kLanes), y, acc[p]);
  }
  const Packet one = bcast(1.0);
  for (Index p = 0; p < kPackets; ++p) {
    const Packet ap = load(a + p * kLanes);
    store(zbar + p * kLanes, ei::pmul(acc[p], ei::psub(one, ei::pmul(ap, ap))));
  }
}

/// g[r, :] += Σ_b ȳ_r(b) a(b) for the row-major kOut x kW W1 gradient, rows
/// in blocks of three sharing the loads of a; one fma chain per entry over
/// the columns in order.
template <Index kOut>
void layer1_gradient(const Eigen::MatrixXd& gy_all, Index gy_row, const Eigen::MatrixXd& a_all,
                     Index a_row, Index begin, Index end, double* g) {
  static_assert(kOut % 3 == 0, "the outputs go in blocks of three rows");
  for (Index r = 0; r < kOut; r += 3) {
    Packet acc[3][kPackets];
    for (Index q = 0; q < 3; ++q)
      for (Index p = 0; p < kPackets; ++p) acc[q][p] = load(g + (r + q) * kW + p * kLanes);
    for (Index b = begin; b < end; ++b) {
      const double* gy = gy_all.col(b).data() + gy_row + r;
      const double* a = a_all.col(b).data() + a_row;
      for (Index q = 0; q < 3; ++q) {
        const Packet y = bcast(gy[q]);
        for (Index p = 0; p < kPackets; ++p)
          acc[q][p] = ei::pmadd(y, load(a + p * kLanes), acc[q][p]);
      }
    }
    for (Index q = 0; q < 3; ++q)
      for (Index p = 0; p < kPackets; ++p) store(g + (r + q) * kW + p * kLanes, acc[q][p]);
  }
}

/// g[k, i] += Σ_b z̄_k(b) in_i(b) for the row-major kW x inputs W0 gradient
/// (inputs <= 3; gathered into packets over k and scattered back).
void layer0_gradient(const Eigen::MatrixXd& zbar_all, Index z_row, const Eigen::MatrixXd& in_all,
                     Index in_row, Index inputs, Index begin, Index end, double* g) {
  alignas(64) double lanes[3][kW];
  for (Index i = 0; i < inputs; ++i)
    for (Index k = 0; k < kW; ++k) lanes[i][k] = g[k * inputs + i];
  Packet acc[3][kPackets];
  for (Index i = 0; i < inputs; ++i)
    for (Index p = 0; p < kPackets; ++p) acc[i][p] = load(lanes[i] + p * kLanes);
  for (Index b = begin; b < end; ++b) {
    const double* z = zbar_all.col(b).data() + z_row;
    const double* in = in_all.col(b).data() + in_row;
    for (Index i = 0; i < inputs; ++i) {
      const Packet x = bcast(in[i]);
      for (Index p = 0; p < kPackets; ++p)
        acc[i][p] = ei::pmadd(load(z + p * kLanes), x, acc[i][p]);
    }
  }
  for (Index i = 0; i < inputs; ++i)
    for (Index p = 0; p < kPackets; ++p) store(lanes[i] + p * kLanes, acc[i][p]);
  for (Index i = 0; i < inputs; ++i)
    for (Index k = 0; k < kW; ++k) g[k * inputs + i] = lanes[i][k];
}

/// g_r += Σ_b y_r(b), one addition chain per entry over the columns.
template <Index kRows>
void row_sums(const Eigen::MatrixXd& y_all, Index row, Index begin, Index end, double* g) {
  double sum[kRows];
  for (Index r = 0; r < kRows; ++r) sum[r] = g[r];
  for (Index b = begin; b < end; ++b) {
    const double* y = y_all.col(b).data() + row;
    for (Index r = 0; r < kRows; ++r) sum[r] += y[r];
  }
  for (Index r = 0; r < kRows; ++r) g[r] = sum[r];
}

}  // namespace

bool fused_vehicle_applies(const nn::Mlp& j, const nn::Mlp& c, const nn::Mlp& d) {
  for (const nn::Mlp* net : {&j, &c, &d})
    if (net->num_layers() != 2 || net->layer_sizes()[1] != kW) return false;
  return true;
}

void fused_vehicle_forward(const nn::Mlp& j, const nn::Mlp& c, const nn::Mlp& d,
                           const Eigen::Vector3d& inverse_mass,
                           const Eigen::Ref<const Eigen::MatrixXd>& x,
                           const Eigen::Ref<const Eigen::MatrixXd>& u,
                           Eigen::Ref<Eigen::MatrixXd> out, VehicleKernelTape& tape) {
  const NetView nj = view(j), nc = view(c), nd = view(d);
  const Index cols = x.cols();
  tape.packed.resize(kPacked);
  pack_layer0(nj, tape.packed.data() + kPj);
  pack_layer0(nc, tape.packed.data() + kPc);
  pack_layer0(nd, tape.packed.data() + kPd);
  tape.scaled.resize(kScaled);
  pack_scaled_layer0(nj, tape.scaled.data() + kSj);
  pack_scaled_layer0(nc, tape.scaled.data() + kSc);
  pack_scaled_layer0(nd, tape.scaled.data() + kSd);
  const double* scaled = tape.scaled.data();
  const bool fresh = tape.inputs.cols() != cols;
  if (fresh) {
    tape.inputs.resize(5, cols);
    tape.heading.resize(cols);
  }
  tape.hidden.resize(3 * kW, cols);
  tape.outputs.resize(18, cols);
  for (Index b = 0; b < cols; ++b) {
    double* in = tape.inputs.col(b).data();
    // δ-SNet evaluates the same nodal values every iteration: sin and cos
    // (a tenth of its time) only for a heading that changed.
    if (fresh ||
        std::bit_cast<std::uint64_t>(x(2, b)) != std::bit_cast<std::uint64_t>(tape.heading(b))) {
      tape.heading(b) = x(2, b);
      in[0] = std::sin(x(2, b));
      in[1] = std::cos(x(2, b));
    }
    for (Index r = 0; r < 3; ++r) in[2 + r] = x(3 + r, b);
    double* a = tape.hidden.col(b).data();
    hidden_layer<2>(scaled + kSj, in, a);
    hidden_layer<3>(scaled + kSc, in + 2, a + kW);
    hidden_layer<3>(scaled + kSd, in + 2, a + 2 * kW);
    double* jc = tape.outputs.col(b).data();
    double dv[3];
    output_layer<9>(nj, a, jc);
    output_layer<9>(nc, a + kW, jc + 9);
    output_layer<3>(nd, a + 2 * kW, dv);
    const double uv[3] = {u(0, b), u(1, b), u(2, b)};
    double f[6];
    assemble_vehicle(jc, jc + 9, dv, in + 2, uv, inverse_mass.data(), f);
    for (Index r = 0; r < 6; ++r) out(r, b) = f[r];
  }
}

void fused_vehicle_backward(const nn::Mlp& j, const nn::Mlp& c, const nn::Mlp& d,
                            const Eigen::Vector3d& inverse_mass,
                            const Eigen::Ref<const Eigen::MatrixXd>& upstream,
                            Eigen::Ref<Eigen::MatrixXd>* x_adjoint, double* gradient,
                            VehicleKernelTape& tape) {
  const NetView nj = view(j), nc = view(c), nd = view(d);
  const Index cols = upstream.cols();
  if (cols != tape.inputs.cols() || upstream.rows() != 6)
    throw Error(ExitCode::internal,
                "vehicle kernel: the upstream does not match the recorded batch");
  const Index at_c = j.num_parameters(), at_d = at_c + c.num_parameters();
  tape.out_adjoint.resize(kGrows, cols);
  tape.pre_adjoint.resize(3 * kW, cols);
  const double* packed = tape.packed.data();
  // Chunks of columns: the weight gradients read the chunk's adjoints while
  // they are in L1. Each entry's chain still runs over the columns in order.
  for (Index begin = 0; begin < cols; begin += kChunk) {
    const Index end = std::min(cols, begin + kChunk);
    for (Index b = begin; b < end; ++b) {
      const double* g = upstream.col(b).data();
      const double* v = tape.inputs.col(b).data() + 2;
      double* gy = tape.out_adjoint.col(b).data();
      double h[3];
      vehicle_output_adjoint(g, v, inverse_mass.data(), gy + kGj, gy + kGc, h);
      for (Index r = 9; r < kP9; ++r) gy[kGj + r] = gy[kGc + r] = 0.0;
      for (Index r = 0; r < kP3; ++r) gy[kGd + r] = r < 3 ? h[r] : 0.0;
      const double* a = tape.hidden.col(b).data();
      double* zbar = tape.pre_adjoint.col(b).data();
      hidden_adjoint<9>(nj, gy + kGj, a, zbar);
      hidden_adjoint<9>(nc, gy + kGc, a + kW, zbar + kW);
      hidden_adjoint<3>(nd, gy + kGd, a + 2 * kW, zbar + 2 * kW);
      if (x_adjoint) {
        Eigen::Ref<Eigen::MatrixXd>& xa = *x_adjoint;
        const double* jc = tape.outputs.col(b).data();
        double va[3];
        vehicle_velocity_adjoint(jc, jc + 9, g, h, va);
        const double* in = tape.inputs.col(b).data();
        const double fa0 = 0.0 + dot(packed + kPj, zbar);
        const double fa1 = 0.0 + dot(packed + kPj + kW, zbar);
        xa(0, b) = 0.0;
        xa(1, b) = 0.0;
        xa(2, b) = 0.0 + vehicle_heading_adjoint(fa0, fa1, in[0], in[1]);
        for (Index r = 0; r < 3; ++r) {
          double sum = va[r] + (0.0 + dot(packed + kPc + r * kW, zbar + kW));
          sum += 0.0 + dot(packed + kPd + r * kW, zbar + 2 * kW);
          xa(3 + r, b) = sum;
        }
      }
    }
    // Weight gradients: one chain per entry over the columns.
    layer1_gradient<9>(tape.out_adjoint, kGj, tape.hidden, 0, begin, end, gradient + nj.w1_at);
    layer1_gradient<9>(tape.out_adjoint, kGc, tape.hidden, kW, begin, end,
                       gradient + at_c + nc.w1_at);
    layer1_gradient<3>(tape.out_adjoint, kGd, tape.hidden, 2 * kW, begin, end,
                       gradient + at_d + nd.w1_at);
    if (nj.b1) row_sums<9>(tape.out_adjoint, kGj, begin, end, gradient + nj.b1_at);
    if (nc.b1) row_sums<9>(tape.out_adjoint, kGc, begin, end, gradient + at_c + nc.b1_at);
    if (nd.b1) row_sums<3>(tape.out_adjoint, kGd, begin, end, gradient + at_d + nd.b1_at);
    layer0_gradient(tape.pre_adjoint, 0, tape.inputs, 0, 2, begin, end, gradient + nj.w0_at);
    layer0_gradient(tape.pre_adjoint, kW, tape.inputs, 2, 3, begin, end,
                    gradient + at_c + nc.w0_at);
    layer0_gradient(tape.pre_adjoint, 2 * kW, tape.inputs, 2, 3, begin, end,
                    gradient + at_d + nd.w0_at);
    if (nj.b0) row_sums<kW>(tape.pre_adjoint, 0, begin, end, gradient + nj.b0_at);
    if (nc.b0) row_sums<kW>(tape.pre_adjoint, kW, begin, end, gradient + at_c + nc.b0_at);
    if (nd.b0) row_sums<kW>(tape.pre_adjoint, 2 * kW, begin, end, gradient + at_d + nd.b0_at);
  }
}

}  // namespace dynlearn::models::detail
