// Fused forward and reverse pass of the vehicle surrogate (vehicle_surrogate.hpp)
// when its three networks are 16 wide: instead of three nn::Mlp calls, their
// workspaces and per-network staging matrices, one pass computes the
// features, hidden layers, outputs and assembled field with the columns in
// the lanes of AVX2 or AVX-512 packets (vehicle_soa_core.hpp), and the
// reverse pass forms the θ-gradient (and, when asked, the x adjoint).
//
// A column's field and x adjoint do not depend on the call's other columns
// or on the instruction set (every lane runs the same operations). The
// θ-gradient of a call is summed lane-wise and then across lanes, so its
// bits depend on the call's columns and the instruction set, and not on
// anything else: callers that keep their calls independent of the rank
// count (SnetResidual's units, the matching baselines' shards) keep their
// results independent of it too. The kernel differs from the generic path
// by rounding only (unit-tested): its tanh has one division and its sums
// run in another order.
#pragma once

#include <Eigen/Core>
#include <cstdlib>
#include <memory>

#include "dynlearn/nn/mlp.hpp"
#include "vehicle_soa.hpp"

namespace dynlearn::models::detail {

/// The hidden width the fused kernel is written for (the decks' 16).
inline constexpr Eigen::Index kFusedVehicleWidth = 16;

/// The instruction set the fused kernel runs with: the widest this build
/// and CPU have, unless the environment variable DYNLEARN_KERNEL_ISA says
/// avx2 or avx512 (for benchmarks; an unavailable one is an error) or none
/// (the generic path). none when neither is available.
VehicleIsa vehicle_kernel_isa();
/// Overrides the choice for the evaluations that follow (tests); throws
/// InputError if this build or CPU lacks `isa`.
void set_vehicle_kernel_isa(VehicleIsa isa);
/// Whether this build and CPU run `isa`.
bool vehicle_kernel_isa_available(VehicleIsa isa);

/// True when f_J, f_C and f_d are all kFusedVehicleWidth wide (their
/// architecture is otherwise fixed by VehicleSurrogate) and an instruction
/// set for the kernel is available.
bool fused_vehicle_applies(const nn::Mlp& j, const nn::Mlp& c, const nn::Mlp& d);

/// 64-byte aligned doubles; resize keeps nothing.
class AlignedDoubles {
 public:
  void resize(std::size_t n);
  double* data() { return data_.get(); }

 private:
  struct Free {
    void operator()(double* p) const { std::free(p); }
  };
  std::unique_ptr<double[], Free> data_;
  std::size_t capacity_ = 0;
};

/// What the forward pass records for the reverse pass (one call's columns).
struct VehicleKernelTape {
  VehicleIsa isa = VehicleIsa::none;
  Eigen::Index cols = -1;
  AlignedDoubles storage;  // the buffers below, block-major (vehicle_soa.hpp)
  VehicleSoaBuffers buffers{};
  Eigen::VectorXd scaled;   // 2 W0 and 2 b0 (zeros without a bias) of J, C, d
  Eigen::VectorXd heading;  // the phi whose sin and cos the input buffer holds
};

/// out = f(x, u) (state 6 x columns, input 3 x columns); records in tape.
void fused_vehicle_forward(const nn::Mlp& j, const nn::Mlp& c, const nn::Mlp& d,
                           const Eigen::Vector3d& inverse_mass,
                           const Eigen::Ref<const Eigen::MatrixXd>& x,
                           const Eigen::Ref<const Eigen::MatrixXd>& u,
                           Eigen::Ref<Eigen::MatrixXd> out, VehicleKernelTape& tape);

/// δ-SNet's step in one pass (DrivenField::residual_parameter_gradient):
/// records like fused_vehicle_forward, adds -scale Σ (∂f/∂θ)ᵀ r to
/// `gradient` for r = target - f(x, u), and returns Σ r².
double fused_vehicle_residual(const nn::Mlp& j, const nn::Mlp& c, const nn::Mlp& d,
                              const Eigen::Vector3d& inverse_mass,
                              const Eigen::Ref<const Eigen::MatrixXd>& x,
                              const Eigen::Ref<const Eigen::MatrixXd>& u,
                              const Eigen::Ref<const Eigen::MatrixXd>& target, double scale,
                              double* gradient, VehicleKernelTape& tape);

/// Adds Gᵀ ∂f/∂θ over the columns to `gradient` ([θ_J; θ_C; θ_d]); with a
/// non-null x_adjoint also writes Gᵀ ∂f/∂x there (overwritten).
void fused_vehicle_backward(const nn::Mlp& j, const nn::Mlp& c, const nn::Mlp& d,
                            const Eigen::Vector3d& inverse_mass,
                            const Eigen::Ref<const Eigen::MatrixXd>& upstream,
                            Eigen::Ref<Eigen::MatrixXd>* x_adjoint, double* gradient,
                            VehicleKernelTape& tape);

}  // namespace dynlearn::models::detail
