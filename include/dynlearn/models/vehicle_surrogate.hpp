// The vehicle surrogate of the SNet paper (snet.txt, section 5): the planar
// vehicle eta' = J(eta) v, M v' + d(v) + C(v) v = u with J, C and d each a
// two-layer network (tanh hidden layer, linear output). J sees the heading
// only, through the features (sin phi, cos phi); C and d have no bias, so
// C(0) = 0 and d(0) = 0 as in the true system. The mass matrix
// M = diag(m, m, I) is known (the system's values): the paper learns J, C and d.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <memory>

#include "dynlearn/integrate/driven_field.hpp"
#include "dynlearn/nn/mlp.hpp"

namespace dynlearn::models {

/// State [x, y, phi, vx, vy, omega] (columns are samples), input (Fx, Fy, tau).
/// Parameters: [θ_J; θ_C; θ_d], each network in nn::Mlp's PyTorch layout.
///   f_J: (sin phi, cos phi) -> 9 entries of J, row-major (bias in both layers)
///   f_C: v -> 9 entries of C(v), row-major (no bias)
///   f_d: v -> d(v) (no bias)
class VehicleSurrogate final : public integrate::DrivenField {
 public:
  /// Hidden widths of the three networks and the known mass matrix diagonal.
  /// Throws InputError on a non-positive width or mass.
  VehicleSurrogate(Eigen::Index hidden_j, Eigen::Index hidden_c, Eigen::Index hidden_d,
                   double mass = 1.0, double inertia = 1.0);

  /// Scale of the output layers of f_C and f_d at initialisation (see initialize).
  static constexpr double kOutputScale = 0.1;

  /// PyTorch nn.Linear defaults, streams (seed, 0..2, init_weights) for J, C, d,
  /// then the output layers of f_C and f_d multiplied by `output_scale`, so the
  /// untrained surrogate is not explosive over the training horizon
  /// (output_scale = 1 is nn.Linear's default everywhere).
  void initialize(std::uint64_t seed, double output_scale = kOutputScale);

  const nn::Mlp& j_network() const { return net_j_; }
  const nn::Mlp& c_network() const { return net_c_; }
  const nn::Mlp& d_network() const { return net_d_; }
  /// Offsets of θ_J, θ_C and θ_d in the flat parameter vector.
  Eigen::Index j_offset() const { return 0; }
  Eigen::Index c_offset() const { return net_j_.num_parameters(); }
  Eigen::Index d_offset() const { return net_j_.num_parameters() + net_c_.num_parameters(); }

  Eigen::Index state_dim() const override { return 6; }
  Eigen::Index input_dim() const override { return 3; }
  Eigen::Index num_parameters() const override;
  Eigen::VectorXd parameters() const override;
  void set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) override;
  std::unique_ptr<integrate::FieldTape> make_tape() const override;

  void evaluate(const Eigen::Ref<const Eigen::MatrixXd>& x,
                const Eigen::Ref<const Eigen::MatrixXd>& u, Eigen::Ref<Eigen::MatrixXd> out,
                integrate::FieldTape& tape) const override;
  void vjp(const Eigen::Ref<const Eigen::MatrixXd>& upstream, Eigen::Ref<Eigen::MatrixXd> x_adjoint,
           Eigen::Ref<Eigen::VectorXd> parameter_gradient,
           integrate::FieldTape& tape) const override;
  void parameter_vjp(const Eigen::Ref<const Eigen::MatrixXd>& upstream,
                     Eigen::Ref<Eigen::VectorXd> parameter_gradient,
                     integrate::FieldTape& tape) const override;
  /// In one pass over the columns with the fused kernel.
  double residual_parameter_gradient(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                     const Eigen::Ref<const Eigen::MatrixXd>& u,
                                     const Eigen::Ref<const Eigen::MatrixXd>& target, double scale,
                                     Eigen::Ref<Eigen::VectorXd> parameter_gradient,
                                     integrate::FieldTape& tape) const override;

  /// Whether evaluate/vjp use the fused kernel (models/vehicle_kernel: all
  /// three networks 16 wide, on a CPU with AVX2 or AVX-512), which gives the
  /// generic path's values to rounding, faster. On by default where it
  /// applies; off forces the generic path (for checks). Takes effect at the
  /// next evaluate.
  void set_fused_kernel(bool enabled);
  bool fused_kernel() const { return fused_; }

 private:
  nn::Mlp net_j_;
  nn::Mlp net_c_;
  nn::Mlp net_d_;
  Eigen::Vector3d inverse_mass_;  // 1/m, 1/m, 1/I: products, not divisions, per column
  bool fused_ = false;
};

}  // namespace dynlearn::models
