// The multi-agent surrogate of the SNet paper (snet.txt, section 6 and
// appendix B): Na kinematic vehicles eta_i' = J(eta_i) v_i whose velocities
// v_i = tanh(w + Kc(eta_i) + (1/Na) sum_j Ko(eta_i, eta_j)) come from the known
// control and collision-avoidance policies, and whose kinematics matrix
// J (3 x 2) is one two-layer network of (sin phi_i, cos phi_i) shared by all
// agents. The policies use the ground-truth system's gains, so the only
// unknown is J, as in the paper.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <memory>

#include "dynlearn/integrate/driven_field.hpp"
#include "dynlearn/nn/mlp.hpp"
#include "dynlearn/systems/multi_agent.hpp"

namespace dynlearn::models {

/// State [x_1, y_1, phi_1, x_2, ...] (columns are samples), input w (2).
/// Parameters: the network f_J: (sin phi, cos phi) -> 6 entries of J,
/// row-major, tanh hidden layer with bias, linear output with bias.
class MultiAgentSurrogate final : public integrate::DrivenField {
 public:
  /// `gains` as resolved by systems::MultiAgent::prepare; `wrap_heading_error`
  /// as the system's key. Throws InputError on a bad size.
  MultiAgentSurrogate(int n_agents, const systems::MultiAgent::Gains& gains,
                      bool wrap_heading_error, Eigen::Index hidden);

  /// PyTorch nn.Linear defaults from stream (seed, 0, init_weights).
  void initialize(std::uint64_t seed);

  const nn::Mlp& network() const { return net_; }
  int n_agents() const { return n_agents_; }

  Eigen::Index state_dim() const override { return 3 * n_agents_; }
  Eigen::Index input_dim() const override { return 2; }
  Eigen::Index num_parameters() const override { return net_.num_parameters(); }
  Eigen::VectorXd parameters() const override { return net_.parameters(); }
  void set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) override;
  std::unique_ptr<integrate::FieldTape> make_tape() const override;

  void evaluate(const Eigen::Ref<const Eigen::MatrixXd>& x,
                const Eigen::Ref<const Eigen::MatrixXd>& u, Eigen::Ref<Eigen::MatrixXd> out,
                integrate::FieldTape& tape) const override;
  void vjp(const Eigen::Ref<const Eigen::MatrixXd>& upstream, Eigen::Ref<Eigen::MatrixXd> x_adjoint,
           Eigen::Ref<Eigen::VectorXd> parameter_gradient,
           integrate::FieldTape& tape) const override;

 private:
  double heading_error(double a) const;

  int n_agents_;
  systems::MultiAgent::Gains gains_;
  bool wrap_;
  nn::Mlp net_;
};

}  // namespace dynlearn::models
