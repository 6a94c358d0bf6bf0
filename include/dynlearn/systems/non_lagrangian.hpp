// The non-Lagrangian ODEs of the Lagrangian neural ODE paper
// (lagrangian-node.txt, eq. 6, third system; Douglas 1941 cases IIIb and IV):
//   x1'' = x1^2 + x2^2,   x2'' = xi x1,   xi in {0, 1}.
// No Lagrangian exists for either xi, so energy() is NaN. Initial positions
// and velocities are i.i.d. Gaussians (paper's code: N(0, 1) each, t in
// [0, 1]). The solutions blow up in finite time since x1'' >= 0 grows like
// x1^2: for N(0, 1) draws the blow-up time is above 1.2 even when all four
// components are +3.5 sigma (1.7 for the earliest of 400 random draws), so
// keep the horizon <= 1 with the default stds and shorter for wider ones.
// State [x1, x2, v1, v2]; positions x1, x2.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "dynlearn/systems/system.hpp"

namespace dynlearn::systems {

class NonLagrangian : public System {
 public:
  NonLagrangian();

  int state_dim() const override { return 4; }
  std::vector<std::string> state_names() const override { return {"x1", "x2", "v1", "v2"}; }
  std::vector<int> position_indices() const override { return {0, 1}; }
  Trajectory simulate(const Eigen::VectorXd& t, const TrajectoryKey& key) const override;

  Eigen::Vector4d initial_state(const TrajectoryKey& key) const;
  /// The states at times t (t(0) the initial time) from a given initial state.
  Eigen::MatrixXd integrate(const Eigen::Vector4d& x0, const Eigen::VectorXd& t) const;

  int xi = 1;
  double x0_mean = 0.0;
  double x0_std = 1.0;
  double v0_mean = 0.0;
  double v0_std = 1.0;
  double rtol = 1e-11;
  double atol = 1e-13;
};

}  // namespace dynlearn::systems
