// Second-order neural ODE x'' = f(x; θ) (isochronism paper, eq. 4) as a
// first-order vector field on the state [x; v]: rate [v; f(x)], f an MLP
// R^d -> R^d. The force depends on the position only, so the field is
// separable and leapfrog is symplectic on it. Reused by the Lagrangian
// neural ODE paper, whose second-order nets are fields of this shape.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "dynlearn/integrate/vector_field.hpp"
#include "dynlearn/nn/mlp.hpp"

namespace dynlearn::models {

/// A symmetry imposed on the force by construction: none (f = g, the
/// network) or odd (f(x) = (g(x) - g(-x)) / 2, so f(-x) = -f(x) exactly and
/// the potential is symmetric about 0).
enum class ForceSymmetry { none, odd };

/// x'' = f(x; θ) on the state [x; v] (2d x batch), f an MLP {d, hidden..., d}
/// with the given hidden activation and a linear output. θ is the network's
/// flat vector (PyTorch layout, see nn::Mlp).
class SecondOrderNet final : public integrate::VectorField {
 public:
  /// `dimension` = d >= 1, the size of x; `hidden` the hidden widths (may be
  /// empty: a linear force); `activation` a deck name (nn::parse_activation).
  /// Throws InputError on bad sizes or an unknown activation.
  SecondOrderNet(Eigen::Index dimension, const std::vector<Eigen::Index>& hidden,
                 std::string_view activation = "tanh");

  /// PyTorch's nn.Linear initialisation from stream (seed, index, init_weights).
  void initialize(std::uint64_t seed, std::uint64_t index = 0);

  Eigen::Index dimension() const { return network_.input_size(); }
  const nn::Mlp& network() const { return network_; }

  /// Pins the force's zero at x_eq (a d-vector): f(x) = g(x) - g(x_eq), g the
  /// network, so x_eq is an equilibrium whatever θ is; std::nullopt (the
  /// default) makes f = g. Used by the isochronism experiment, whose loss
  /// cannot tell equilibria apart (docs/isochronism.md). Throws InputError on
  /// a wrong size, or when the force is odd (its zero is already at 0).
  void set_equilibrium(std::optional<Eigen::VectorXd> equilibrium);
  const std::optional<Eigen::VectorXd>& equilibrium() const { return equilibrium_; }

  /// ForceSymmetry::odd makes f(x) = (g(x) - g(-x)) / 2 for every θ (one
  /// network pass over [x, -x]); the isochronism paper's theorem is about
  /// such symmetric potentials (docs/isochronism.md). Throws InputError when
  /// an equilibrium is pinned (an odd force vanishes at 0 anyway).
  void set_symmetry(ForceSymmetry symmetry);
  ForceSymmetry symmetry() const { return symmetry_; }

  /// The force f(x) alone, for positions x (d x batch); out is d x batch.
  void force(const Eigen::Ref<const Eigen::MatrixXd>& x, Eigen::Ref<Eigen::MatrixXd> out,
             nn::MlpWorkspace& workspace) const;

  Eigen::Index state_dim() const override { return 2 * network_.input_size(); }
  Eigen::Index num_parameters() const override { return network_.num_parameters(); }
  Eigen::VectorXd parameters() const override { return network_.parameters(); }
  void set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) override;

  std::unique_ptr<integrate::FieldTape> make_tape() const override;
  /// out = [v; f(x)] for x = [x; v].
  void evaluate(const Eigen::Ref<const Eigen::MatrixXd>& x, Eigen::Ref<Eigen::MatrixXd> out,
                integrate::FieldTape& tape) const override;
  /// Upstream [G_x; G_v]: adjoint [Jᵀ G_v; G_x], θ-gradient of <G_v, f(x)>.
  void vjp(const Eigen::Ref<const Eigen::MatrixXd>& upstream, Eigen::Ref<Eigen::MatrixXd> x_adjoint,
           Eigen::Ref<Eigen::VectorXd> parameter_gradient,
           integrate::FieldTape& tape) const override;

  /// dq/dt = v depends on v only and dv/dt = f(x) on x only.
  bool separable() const override { return true; }
  void evaluate_dq(const Eigen::Ref<const Eigen::MatrixXd>& q,
                   const Eigen::Ref<const Eigen::MatrixXd>& p, Eigen::Ref<Eigen::MatrixXd> out,
                   integrate::FieldTape& tape) const override;
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

 private:
  /// f(x) into out through the tape's workspace (appends x_eq when pinned,
  /// -x when odd).
  void force_into(const Eigen::Ref<const Eigen::MatrixXd>& x, Eigen::Ref<Eigen::MatrixXd> out,
                  integrate::FieldTape& tape) const;
  /// Jᵀ upstream of f at the tape's last force_into, adding <upstream, ∂f/∂θ>.
  void force_vjp(const Eigen::Ref<const Eigen::MatrixXd>& upstream,
                 Eigen::Ref<Eigen::MatrixXd> adjoint,
                 Eigen::Ref<Eigen::VectorXd> parameter_gradient, integrate::FieldTape& tape) const;

  nn::Mlp network_;
  std::optional<Eigen::VectorXd> equilibrium_;
  ForceSymmetry symmetry_ = ForceSymmetry::none;
};

}  // namespace dynlearn::models
