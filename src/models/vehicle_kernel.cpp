// The fused vehicle kernel's dispatcher: picks the instruction set, packs
// the weights, moves columns between the field's column-major matrices and
// the core's block-major buffers (vehicle_soa.hpp), and adds the core's
// gradient sums into the flat θ-gradient.
#include "vehicle_kernel.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>

#include "dynlearn/core/error.hpp"

namespace dynlearn::models::detail {

using Eigen::Index;

namespace {

bool cpu_has(VehicleIsa isa) {
#if defined(__x86_64__) || defined(__i386__)
  if (isa == VehicleIsa::avx512) return __builtin_cpu_supports("avx512f");
  if (isa == VehicleIsa::avx2)
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return isa == VehicleIsa::none;
}

VehicleIsa isa_from_environment() {
  const char* name = std::getenv("DYNLEARN_KERNEL_ISA");
  if (name == nullptr || *name == '\0') {
    if (vehicle_kernel_isa_available(VehicleIsa::avx512)) return VehicleIsa::avx512;
    if (vehicle_kernel_isa_available(VehicleIsa::avx2)) return VehicleIsa::avx2;
    return VehicleIsa::none;
  }
  const std::string value(name);
  VehicleIsa isa;
  if (value == "avx512")
    isa = VehicleIsa::avx512;
  else if (value == "avx2")
    isa = VehicleIsa::avx2;
  else if (value == "none")
    isa = VehicleIsa::none;
  else
    throw InputError("DYNLEARN_KERNEL_ISA = \"" + value +
                     "\" is not one of avx512, avx2, none: unset it to take the best available");
  if (!vehicle_kernel_isa_available(isa))
    throw InputError("DYNLEARN_KERNEL_ISA = \"" + value +
                     "\": this build or CPU does not have it; unset it to take the best available");
  return isa;
}

VehicleIsa& chosen_isa() {
  static VehicleIsa isa = isa_from_environment();
  return isa;
}

constexpr Index kW = kFusedVehicleWidth;
// Rows per block of the buffers, in storage order, and the gradient sums.
constexpr std::size_t kTapeRows = kSoaInRows + kSoaHiddenRows + kSoaJcRows;
constexpr std::size_t kScratchRows = kSoaYbarRows + kSoaHiddenRows;
constexpr std::size_t kSumsStorage = (kSoaSums + 7) / 8 * 8;
// Offsets of each network's 2 W0 and 2 b0 in the tape's scaled copy.
constexpr Index kScaledJ = 0, kScaledC = 3 * kW, kScaledD = 7 * kW, kScaledSize = 11 * kW;
const double kZeros[kW] = {};

/// 2 W0 (row-major, as nn::Mlp stores it) then 2 b0 or zeros.
void scale_layer0(const nn::Mlp& net, double* scaled) {
  const Index n = kW * net.input_size();
  const double* w0 = net.weight(0).data();
  for (Index i = 0; i < n; ++i) scaled[i] = 2.0 * w0[i];
  for (Index k = 0; k < kW; ++k) scaled[n + k] = net.has_bias(0) ? 2.0 * net.bias(0)(k) : 0.0;
}

VehicleSoaNet soa_net(const nn::Mlp& net, const double* scaled) {
  VehicleSoaNet v{};
  v.w0x2 = scaled;
  v.b0x2 = scaled + kW * net.input_size();
  v.w0 = net.weight(0).data();
  v.w1 = net.weight(1).data();
  v.b1 = net.has_bias(1) ? net.bias(1).data() : kZeros;
  v.has_b0 = net.has_bias(0);
  v.has_b1 = net.has_bias(1);
  return v;
}

VehicleSoaParams soa_params(const nn::Mlp& j, const nn::Mlp& c, const nn::Mlp& d,
                            const Eigen::Vector3d& inverse_mass, const Eigen::VectorXd& scaled) {
  VehicleSoaParams p{};
  p.j = soa_net(j, scaled.data() + kScaledJ);
  p.c = soa_net(c, scaled.data() + kScaledC);
  p.d = soa_net(d, scaled.data() + kScaledD);
  for (int r = 0; r < 3; ++r) p.inverse_mass[r] = inverse_mass(r);
  return p;
}

/// Sizes the tape's buffers for `cols` columns, all zero (so padding lanes
/// hold zeros for good: only real columns are ever written).
void lay_out(VehicleKernelTape& tape, VehicleIsa isa, Index cols) {
  const std::size_t lanes = vehicle_soa_lanes(isa);
  const std::size_t blocks = (static_cast<std::size_t>(cols) + lanes - 1) / lanes;
  const std::size_t size = blocks * lanes * kTapeRows;
  tape.storage.resize(size);
  double* p = tape.storage.data();
  std::memset(p, 0, size * sizeof(double));
  VehicleSoaBuffers& b = tape.buffers;
  b.blocks = blocks;
  b.in = p;
  b.hidden = b.in + blocks * lanes * kSoaInRows;
  b.jc = b.hidden + blocks * lanes * kSoaHiddenRows;
  tape.isa = isa;
  tape.cols = cols;
  tape.heading.resize(cols);
}

/// The backward pass's scratch (ybar, zbar, sums), one per thread and shared
/// by every tape: a tape keeps only what the forward pass leaves for it, so
/// SnetResidual's many units stay in cache.
VehicleSoaBuffers with_scratch(const VehicleKernelTape& tape) {
  thread_local AlignedDoubles scratch;
  VehicleSoaBuffers b = tape.buffers;
  const std::size_t per_row = b.blocks * vehicle_soa_lanes(tape.isa);
  scratch.resize(per_row * kScratchRows + kSumsStorage);
  b.ybar = scratch.data();
  b.zbar = b.ybar + per_row * kSoaYbarRows;
  b.sums = b.zbar + per_row * kSoaHiddenRows;
  return b;
}

/// Adds the core's sums for one network into the flat gradient.
void add_sums(const nn::Mlp& net, const double* sums, double* gradient) {
  const Index in = net.input_size(), out = net.output_size();
  double* w0 = gradient + net.weight_offset(0);
  for (Index i = 0; i < kW * in; ++i) w0[i] += sums[i];
  sums += kW * in;
  if (net.has_bias(0)) {
    double* b0 = gradient + net.bias_offset(0);
    for (Index k = 0; k < kW; ++k) b0[k] += sums[k];
  }
  sums += kW;
  double* w1 = gradient + net.weight_offset(1);
  for (Index i = 0; i < out * kW; ++i) w1[i] += sums[i];
  sums += out * kW;
  if (net.has_bias(1)) {
    double* b1 = gradient + net.bias_offset(1);
    for (Index r = 0; r < out; ++r) b1[r] += sums[r];
  }
}

}  // namespace

void AlignedDoubles::resize(std::size_t n) {
  if (n <= capacity_) return;
  const std::size_t bytes = (n * sizeof(double) + 63) / 64 * 64;
  auto* p = static_cast<double*>(std::aligned_alloc(64, bytes));
  if (p == nullptr) throw Error(ExitCode::internal, "vehicle kernel: out of memory");
  data_.reset(p);
  capacity_ = bytes / sizeof(double);
}

bool vehicle_kernel_isa_available(VehicleIsa isa) {
  switch (isa) {
    case VehicleIsa::avx512:
      return vehicle_soa_built_avx512() && cpu_has(isa);
    case VehicleIsa::avx2:
      return vehicle_soa_built_avx2() && cpu_has(isa);
    case VehicleIsa::none:
      return true;
  }
  return false;
}

VehicleIsa vehicle_kernel_isa() {
  return chosen_isa();
}

void set_vehicle_kernel_isa(VehicleIsa isa) {
  if (!vehicle_kernel_isa_available(isa))
    throw InputError("vehicle kernel: this build or CPU lacks the requested instruction set");
  chosen_isa() = isa;
}

bool fused_vehicle_applies(const nn::Mlp& j, const nn::Mlp& c, const nn::Mlp& d) {
  for (const nn::Mlp* net : {&j, &c, &d})
    if (net->num_layers() != 2 || net->layer_sizes()[1] != kW) return false;
  return vehicle_kernel_isa() != VehicleIsa::none;
}

namespace {

/// Lays out the tape if needed and writes the columns' inputs (with sin and
/// cos of changed headings) and 2 W0, 2 b0; returns the core's parameters.
VehicleSoaParams record_inputs(const nn::Mlp& j, const nn::Mlp& c, const nn::Mlp& d,
                               const Eigen::Vector3d& inverse_mass,
                               const Eigen::Ref<const Eigen::MatrixXd>& x,
                               const Eigen::Ref<const Eigen::MatrixXd>& u,
                               VehicleKernelTape& tape) {
  const VehicleIsa isa = vehicle_kernel_isa();
  if (isa == VehicleIsa::none)
    throw Error(ExitCode::internal, "vehicle kernel: no instruction set for the fused kernel");
  const Index cols = x.cols();
  if (x.rows() != 6 || u.rows() != 3 || u.cols() != cols)
    throw Error(ExitCode::internal, "vehicle kernel: the state or input has the wrong shape");
  const bool fresh = tape.cols != cols || tape.isa != isa;
  if (fresh) lay_out(tape, isa, cols);
  const std::size_t lanes = vehicle_soa_lanes(isa);
  const int shift = std::countr_zero(lanes);
  for (Index b = 0; b < cols; ++b) {
    // The column's slot: block b / lanes, lane b % lanes (lanes a power of 2).
    const auto col = static_cast<std::size_t>(b);
    double* in = tape.buffers.in + (col >> shift) * kSoaInRows * lanes + (col & (lanes - 1));
    // δ-SNet evaluates the same nodal values every iteration: sin and cos
    // (a tenth of its time) only for a heading that changed.
    if (fresh ||
        std::bit_cast<std::uint64_t>(x(2, b)) != std::bit_cast<std::uint64_t>(tape.heading(b))) {
      tape.heading(b) = x(2, b);
      in[0] = std::sin(x(2, b));
      in[lanes] = std::cos(x(2, b));
    }
    for (std::size_t r = 0; r < 3; ++r) {
      in[(2 + r) * lanes] = x(3 + static_cast<Index>(r), b);
      in[(5 + r) * lanes] = u(static_cast<Index>(r), b);
    }
  }
  tape.scaled.resize(kScaledSize);
  scale_layer0(j, tape.scaled.data() + kScaledJ);
  scale_layer0(c, tape.scaled.data() + kScaledC);
  scale_layer0(d, tape.scaled.data() + kScaledD);
  return soa_params(j, c, d, inverse_mass, tape.scaled);
}

void add_all_sums(const nn::Mlp& j, const nn::Mlp& c, const nn::Mlp& d, const double* sums,
                  double* gradient) {
  add_sums(j, sums, gradient);
  add_sums(c, sums + kSoaJSums, gradient + j.num_parameters());
  add_sums(d, sums + kSoaJSums + kSoaCSums, gradient + j.num_parameters() + c.num_parameters());
}

}  // namespace

void fused_vehicle_forward(const nn::Mlp& j, const nn::Mlp& c, const nn::Mlp& d,
                           const Eigen::Vector3d& inverse_mass,
                           const Eigen::Ref<const Eigen::MatrixXd>& x,
                           const Eigen::Ref<const Eigen::MatrixXd>& u,
                           Eigen::Ref<Eigen::MatrixXd> out, VehicleKernelTape& tape) {
  if (out.rows() != 6 || out.cols() != x.cols())
    throw Error(ExitCode::internal, "vehicle kernel: the output has the wrong shape");
  const VehicleSoaParams params = record_inputs(j, c, d, inverse_mass, x, u, tape);
  VehicleSoaColumns columns{};
  columns.cols = static_cast<std::size_t>(x.cols());
  columns.out = out.data();
  columns.out_stride = static_cast<std::size_t>(out.outerStride());
  if (tape.isa == VehicleIsa::avx512)
    vehicle_soa_forward_avx512(params, tape.buffers, columns);
  else
    vehicle_soa_forward_avx2(params, tape.buffers, columns);
}

double fused_vehicle_residual(const nn::Mlp& j, const nn::Mlp& c, const nn::Mlp& d,
                              const Eigen::Vector3d& inverse_mass,
                              const Eigen::Ref<const Eigen::MatrixXd>& x,
                              const Eigen::Ref<const Eigen::MatrixXd>& u,
                              const Eigen::Ref<const Eigen::MatrixXd>& target, double scale,
                              double* gradient, VehicleKernelTape& tape) {
  if (target.rows() != 6 || target.cols() != x.cols())
    throw Error(ExitCode::internal, "vehicle kernel: the target has the wrong shape");
  const VehicleSoaParams params = record_inputs(j, c, d, inverse_mass, x, u, tape);
  VehicleSoaColumns columns{};
  columns.cols = static_cast<std::size_t>(x.cols());
  columns.upstream = target.data();
  columns.upstream_stride = static_cast<std::size_t>(target.outerStride());
  const VehicleSoaBuffers buffers = with_scratch(tape);
  const double squares = tape.isa == VehicleIsa::avx512
                             ? vehicle_soa_residual_avx512(params, buffers, columns, scale)
                             : vehicle_soa_residual_avx2(params, buffers, columns, scale);
  add_all_sums(j, c, d, buffers.sums, gradient);
  return squares;
}

void fused_vehicle_backward(const nn::Mlp& j, const nn::Mlp& c, const nn::Mlp& d,
                            const Eigen::Vector3d& inverse_mass,
                            const Eigen::Ref<const Eigen::MatrixXd>& upstream,
                            Eigen::Ref<Eigen::MatrixXd>* x_adjoint, double* gradient,
                            VehicleKernelTape& tape) {
  const Index cols = upstream.cols();
  if (cols != tape.cols || upstream.rows() != 6)
    throw Error(ExitCode::internal,
                "vehicle kernel: the upstream does not match the recorded batch");
  VehicleSoaColumns columns{};
  columns.cols = static_cast<std::size_t>(cols);
  columns.upstream = upstream.data();
  columns.upstream_stride = static_cast<std::size_t>(upstream.outerStride());
  if (x_adjoint) {
    if (x_adjoint->rows() != 6 || x_adjoint->cols() != cols)
      throw Error(ExitCode::internal, "vehicle kernel: the x adjoint does not match the batch");
    columns.x_adjoint = x_adjoint->data();
    columns.x_adjoint_stride = static_cast<std::size_t>(x_adjoint->outerStride());
  }
  const VehicleSoaParams params = soa_params(j, c, d, inverse_mass, tape.scaled);
  const VehicleSoaBuffers buffers = with_scratch(tape);
  if (tape.isa == VehicleIsa::avx512)
    vehicle_soa_backward_avx512(params, buffers, columns);
  else
    vehicle_soa_backward_avx2(params, buffers, columns);
  add_all_sums(j, c, d, buffers.sums, gradient);
}

}  // namespace dynlearn::models::detail
