// H-NET (SRNN section 3.1): a separable Hamiltonian H = K_θ1(p) + V_θ2(q) of two
// scalar networks, whose field dq/dt = ∂K/∂p, dp/dt = -∂V/∂q the steppers
// integrate (SRNN = H-NET + leapfrog + recurrent training).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "dynlearn/integrate/vector_field.hpp"
#include "dynlearn/models/segmented_field.hpp"
#include "dynlearn/nn/mlp.hpp"

namespace dynlearn::models {

/// K and V are MLPs {n, hidden..., 1} with the given hidden activation and a
/// linear output. θ = [θ_K; θ_V] in one flat vector (K's parameters first).
/// The field's VJPs are Hessian-vector products of K and V (and the parameter
/// gradients of <G, ∇K>, <G, ∇V>), from nn::Mlp::input_gradient_vjp.
class HNet final : public integrate::VectorField, public SegmentedGradients {
 public:
  /// `half` = n, the size of q (and of p); `hidden` the hidden widths of both
  /// networks (at least one: a linear scalar net has a constant gradient);
  /// `activation` a deck name whose second derivative is not identically zero
  /// is what makes the field learnable. Throws InputError on bad sizes or an
  /// unknown activation.
  HNet(Eigen::Index half, const std::vector<Eigen::Index>& hidden,
       std::string_view activation = "tanh");

  /// PyTorch-like initialisation: K from stream (seed, 0, init_weights), V
  /// from (seed, 1, init_weights).
  void initialize(std::uint64_t seed);

  const nn::Mlp& kinetic() const { return kinetic_; }
  const nn::Mlp& potential() const { return potential_; }

  /// H(q, p) = K(p) + V(q) per column of x = [q; p] (2n x batch).
  Eigen::RowVectorXd energy(const Eigen::Ref<const Eigen::MatrixXd>& x) const;

  Eigen::Index state_dim() const override { return 2 * half_; }
  Eigen::Index num_parameters() const override {
    return kinetic_.num_parameters() + potential_.num_parameters();
  }
  Eigen::VectorXd parameters() const override;
  void set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) override;

  std::unique_ptr<integrate::FieldTape> make_tape() const override;
  void evaluate(const Eigen::Ref<const Eigen::MatrixXd>& x, Eigen::Ref<Eigen::MatrixXd> out,
                integrate::FieldTape& tape) const override;
  void vjp(const Eigen::Ref<const Eigen::MatrixXd>& upstream, Eigen::Ref<Eigen::MatrixXd> x_adjoint,
           Eigen::Ref<Eigen::VectorXd> parameter_gradient,
           integrate::FieldTape& tape) const override;

  bool separable() const override { return true; }
  /// dq/dt = ∂K/∂p: evaluates K only.
  void evaluate_dq(const Eigen::Ref<const Eigen::MatrixXd>& q,
                   const Eigen::Ref<const Eigen::MatrixXd>& p, Eigen::Ref<Eigen::MatrixXd> out,
                   integrate::FieldTape& tape) const override;
  /// dp/dt = -∂V/∂q: evaluates V only.
  void evaluate_dp(const Eigen::Ref<const Eigen::MatrixXd>& q,
                   const Eigen::Ref<const Eigen::MatrixXd>& p, Eigen::Ref<Eigen::MatrixXd> out,
                   integrate::FieldTape& tape) const override;
  void vjp_dq(const Eigen::Ref<const Eigen::MatrixXd>& upstream,
              Eigen::Ref<Eigen::MatrixXd> q_adjoint, Eigen::Ref<Eigen::MatrixXd> p_adjoint,
              Eigen::Ref<Eigen::VectorXd> parameter_gradient,
              integrate::FieldTape& tape) const override;
  void vjp_dp(const Eigen::Ref<const Eigen::MatrixXd>& upstream,
              Eigen::Ref<Eigen::MatrixXd> q_adjoint, Eigen::Ref<Eigen::MatrixXd> p_adjoint,
              Eigen::Ref<Eigen::VectorXd> parameter_gradient,
              integrate::FieldTape& tape) const override;

  // Per-segment gradients (SegmentedGradients): the same VJPs, each column
  // segment's parameter gradient in its own column.
  bool columns_independent() const override {
    return kinetic_.columns_independent() && potential_.columns_independent();
  }
  void vjp_segments(const Eigen::Ref<const Eigen::MatrixXd>& upstream,
                    Eigen::Ref<Eigen::MatrixXd> x_adjoint,
                    Eigen::Ref<Eigen::MatrixXd> parameter_gradients,
                    std::span<const Eigen::Index> bounds,
                    integrate::FieldTape& tape) const override;
  void vjp_dq_segments(const Eigen::Ref<const Eigen::MatrixXd>& upstream,
                       Eigen::Ref<Eigen::MatrixXd> q_adjoint, Eigen::Ref<Eigen::MatrixXd> p_adjoint,
                       Eigen::Ref<Eigen::MatrixXd> parameter_gradients,
                       std::span<const Eigen::Index> bounds,
                       integrate::FieldTape& tape) const override;
  void vjp_dp_segments(const Eigen::Ref<const Eigen::MatrixXd>& upstream,
                       Eigen::Ref<Eigen::MatrixXd> q_adjoint, Eigen::Ref<Eigen::MatrixXd> p_adjoint,
                       Eigen::Ref<Eigen::MatrixXd> parameter_gradients,
                       std::span<const Eigen::Index> bounds,
                       integrate::FieldTape& tape) const override;

 private:
  Eigen::Index half_;
  nn::Mlp kinetic_;
  nn::Mlp potential_;
};

}  // namespace dynlearn::models
