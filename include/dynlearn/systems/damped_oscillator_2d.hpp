// The 2-D damped oscillator of the Lagrangian neural ODE paper
// (lagrangian-node.txt, equation (6) and sections 3.1 and 4):
//   x'' = -Omega x - Gamma x',  Omega = diag(w1^2, w2^2), Gamma = diag(g1, g2).
// omega is parametrised by n_periods over a horizon (omega = 2 pi n_periods /
// horizon; the paper's reference code uses t in [0, 1] and n_periods = 3), or
// given directly; gamma = gamma_over_omega * omega (paper section 4: 0.5) or
// given directly. Initial state as in the paper: x0_i ~ N(mu, sigma^2) i.i.d.,
// xdot0_i = v0_factor |x0_i| (section 4: N(1, 1) and factor 1; the later
// experiment: N(1, 0.1^2) and factor 0.1). Ground truth by solve_ode.
// State [x1, x2, v1, v2]; positions x1, x2.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "dynlearn/systems/system.hpp"

namespace dynlearn::systems {

class DampedOscillator2d : public System {
 public:
  DampedOscillator2d();

  void prepare(std::uint64_t seed) override;
  int state_dim() const override { return 4; }
  std::vector<std::string> state_names() const override { return {"x1", "x2", "v1", "v2"}; }
  std::vector<int> position_indices() const override { return {0, 1}; }
  Trajectory simulate(const Eigen::VectorXd& t, const TrajectoryKey& key) const override;
  /// omega and gamma (1 × 2 each), the resolved constants of the dataset.
  std::vector<NamedArray> constants() const override;
  /// sum_i (v_i^2 + omega_i^2 x_i^2) / 2 when undamped (gamma = 0); NaN otherwise.
  double energy(const Eigen::VectorXd& x) const override;

  Eigen::Vector4d initial_state(const TrajectoryKey& key) const;
  /// The states at times t (t(0) the initial time) from a given initial state.
  Eigen::MatrixXd integrate(const Eigen::Vector4d& x0, const Eigen::VectorXd& t) const;
  /// Resolved angular frequencies and damping rates (after prepare()).
  const Eigen::Vector2d& omega() const { return omega_; }
  const Eigen::Vector2d& gamma() const { return gamma_; }

  double horizon = 1.0;
  double n_periods = 3.0;
  std::vector<double> omegas;  // empty: 2 pi n_periods / horizon for both
  double gamma_over_omega = 0.5;
  std::vector<double> gammas;  // empty: gamma_over_omega * omega
  double x0_mean = 1.0;
  double x0_std = 1.0;
  double v0_factor = 1.0;
  double rtol = 1e-11;
  double atol = 1e-13;

 private:
  Eigen::Vector2d omega_ = Eigen::Vector2d::Zero();
  Eigen::Vector2d gamma_ = Eigen::Vector2d::Zero();
};

}  // namespace dynlearn::systems
