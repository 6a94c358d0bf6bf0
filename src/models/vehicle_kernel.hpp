// Fused forward and reverse pass of the vehicle surrogate (vehicle_surrogate.hpp)
// when its three networks are 16 wide: one pass over the columns computes
// the features, the hidden layers, the outputs and the assembled field, and
// the reverse pass gets the θ-gradient (and, only when asked, the x adjoint)
// with every accumulator in registers, instead of the three nn::Mlp calls,
// their workspaces and the per-network staging matrices of the generic path.
//
// Every column goes through the same operations whatever the call's other
// columns, and each θ-gradient entry is one chain of multiply-adds over the
// columns in order, starting from its value, so batching and rank counts
// keep the bits. The kernel differs from the generic path by rounding only
// (relative 1e-16, unit-tested): its tanh has one division
// (nn::detail::tanh_packet_fast) and it sums four output rows at once.
#pragma once

#include <Eigen/Core>

#include "dynlearn/nn/mlp.hpp"

namespace dynlearn::models::detail {

/// The hidden width the fused kernel is written for (the decks' 16).
inline constexpr Eigen::Index kFusedVehicleWidth = 16;

/// True when f_J, f_C and f_d are all kFusedVehicleWidth wide (their
/// architecture is otherwise fixed by VehicleSurrogate).
bool fused_vehicle_applies(const nn::Mlp& j, const nn::Mlp& c, const nn::Mlp& d);

/// What the forward pass records for the reverse pass (one call's columns).
struct VehicleKernelTape {
  Eigen::VectorXd packed;       // layer-0 weights by input, for the x adjoint
  Eigen::VectorXd scaled;       // 2 b0 and 2 W0 by input, for the forward pass
  Eigen::MatrixXd inputs;       // sin phi, cos phi, vx, vy, omega: 5 x columns
  Eigen::VectorXd heading;      // the phi that inputs' sin and cos belong to
  Eigen::MatrixXd hidden;       // tanh layers of f_J, f_C, f_d: 3 x 16 x columns
  Eigen::MatrixXd outputs;      // J and C (row-major entries): 18 x columns
  Eigen::MatrixXd out_adjoint;  // upstream of J, C, d (padded): reverse pass only
  Eigen::MatrixXd pre_adjoint;  // adjoints of the hidden pre-activations
};

/// out = f(x, u) (state 6 x columns, input 3 x columns); records in tape.
void fused_vehicle_forward(const nn::Mlp& j, const nn::Mlp& c, const nn::Mlp& d,
                           const Eigen::Vector3d& inverse_mass,
                           const Eigen::Ref<const Eigen::MatrixXd>& x,
                           const Eigen::Ref<const Eigen::MatrixXd>& u,
                           Eigen::Ref<Eigen::MatrixXd> out, VehicleKernelTape& tape);

/// Adds Gᵀ ∂f/∂θ over the columns to `gradient` ([θ_J; θ_C; θ_d]); with a
/// non-null x_adjoint also writes Gᵀ ∂f/∂x there (overwritten).
void fused_vehicle_backward(const nn::Mlp& j, const nn::Mlp& c, const nn::Mlp& d,
                            const Eigen::Vector3d& inverse_mass,
                            const Eigen::Ref<const Eigen::MatrixXd>& upstream,
                            Eigen::Ref<Eigen::MatrixXd>* x_adjoint, double* gradient,
                            VehicleKernelTape& tape);

}  // namespace dynlearn::models::detail
