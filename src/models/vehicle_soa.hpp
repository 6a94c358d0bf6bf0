// The vehicle kernel's columns-in-lanes core (see vehicle_soa_core.hpp): its
// plain-pointer interface, shared by the dispatcher (vehicle_kernel.cpp) and
// the instruction-set translation units (vehicle_soa_avx2.cpp,
// vehicle_soa_avx512.cpp). This header includes no Eigen: those units are
// compiled with their own -m flags, and an inline function they shared with
// the rest of the library could be linked in with instructions the CPU lacks.
#pragma once

#include <cstddef>

namespace dynlearn::models::detail {

/// Instruction sets the core is built for, chosen at run time.
enum class VehicleIsa { none, avx2, avx512 };

/// One network of the surrogate: layer 0 (hidden x inputs) and layer 1
/// (outputs x hidden), both row-major. Absent biases are zeros here (adding
/// 0.0 is exact); their gradients are then not formed.
struct VehicleSoaNet {
  const double* w0x2;  // 2 W0: the forward pass takes tanh of 2z (exact scaling)
  const double* b0x2;  // 2 b0
  const double* w0;    // W0, for the x adjoint
  const double* w1;
  const double* b1;
  bool has_b0, has_b1;
};

/// Rows per column of each buffer (a block of `lanes` columns stores its rows
/// one after another, each `lanes` doubles wide: buf[(block * rows + row) *
/// lanes + lane]).
inline constexpr std::size_t kSoaHidden = 16;
inline constexpr std::size_t kSoaInRows = 8;       // sin phi, cos phi, v (3), u (3)
inline constexpr std::size_t kSoaHiddenRows = 48;  // tanh layers of f_J, f_C, f_d
inline constexpr std::size_t kSoaJcRows = 18;      // J and C, row-major entries
inline constexpr std::size_t kSoaYbarRows = 21;    // upstream of J, C, d

/// The gradient sums the backward pass writes (overwritten): per network
/// W0 (hidden x in), b0 (hidden), W1 (out x hidden), b1 (out), J then C then d.
inline constexpr std::size_t kSoaJSums = 16 * 2 + 16 + 9 * 16 + 9;
inline constexpr std::size_t kSoaCSums = 16 * 3 + 16 + 9 * 16 + 9;
inline constexpr std::size_t kSoaDSums = 16 * 3 + 16 + 3 * 16 + 3;
inline constexpr std::size_t kSoaSums = kSoaJSums + kSoaCSums + kSoaDSums;

struct VehicleSoaParams {
  VehicleSoaNet j, c, d;
  double inverse_mass[3];
};

/// The call's buffers, `blocks` blocks each; 64-byte aligned. in, hidden
/// and jc are the tape's (forward to backward); ybar, zbar and sums are
/// scratch of the backward pass.
struct VehicleSoaBuffers {
  std::size_t blocks;
  double* in;      // kSoaInRows, padding lanes zero
  double* hidden;  // kSoaHiddenRows
  double* jc;      // kSoaJcRows
  double* ybar;    // kSoaYbarRows
  double* zbar;    // kSoaHiddenRows
  double* sums;    // kSoaSums
};

/// The field's column-major matrices (6 rows, column c at data + c * stride),
/// read and written by the core directly: `cols` columns, the last block's
/// extra lanes ignored (upstream taken as zero there).
struct VehicleSoaColumns {
  std::size_t cols;
  double* out;  // forward: f
  std::size_t out_stride;
  const double* upstream;  // backward; the residual's target
  std::size_t upstream_stride;
  double* x_adjoint;  // backward, null when not wanted
  std::size_t x_adjoint_stride;
};

/// Lanes of each instruction set's packet.
constexpr std::size_t vehicle_soa_lanes(VehicleIsa isa) {
  return isa == VehicleIsa::avx512 ? 8 : isa == VehicleIsa::avx2 ? 4 : 1;
}

/// Whether the unit for an instruction set was compiled with its flags.
bool vehicle_soa_built_avx2();
bool vehicle_soa_built_avx512();

/// The kernel's tanh, out[i] = tanh(twice_z[i] / 2), n a multiple of the
/// instruction set's lanes (for its unit test).
void vehicle_soa_tanh_avx2(const double* twice_z, double* out, std::size_t n);
void vehicle_soa_tanh_avx512(const double* twice_z, double* out, std::size_t n);

/// Forward: hidden, jc and columns.out from in. Backward: ybar, zbar, sums
/// (and columns.x_adjoint when not null) from columns.upstream and the
/// forward's buffers.
void vehicle_soa_forward_avx2(const VehicleSoaParams& params, const VehicleSoaBuffers& buffers,
                              const VehicleSoaColumns& columns);
void vehicle_soa_backward_avx2(const VehicleSoaParams& params, const VehicleSoaBuffers& buffers,
                               const VehicleSoaColumns& columns);
void vehicle_soa_forward_avx512(const VehicleSoaParams& params, const VehicleSoaBuffers& buffers,
                                const VehicleSoaColumns& columns);
void vehicle_soa_backward_avx512(const VehicleSoaParams& params, const VehicleSoaBuffers& buffers,
                                 const VehicleSoaColumns& columns);
/// Residual: forward and backward in one pass for the upstream -scale r,
/// r = target - f (target in columns.upstream); returns Σ r².
double vehicle_soa_residual_avx2(const VehicleSoaParams& params, const VehicleSoaBuffers& buffers,
                                 const VehicleSoaColumns& columns, double scale);
double vehicle_soa_residual_avx512(const VehicleSoaParams& params, const VehicleSoaBuffers& buffers,
                                   const VehicleSoaColumns& columns, double scale);

}  // namespace dynlearn::models::detail
