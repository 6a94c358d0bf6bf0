// The Kepler problem in polar coordinates of the Lagrangian neural ODE paper
// (lagrangian-node.txt, eq. 6 and section 3.1):
//   r'' = r phi'^2 - GM / r^2,   phi'' = -2 r' phi' / r.
// Each trajectory's orbit is drawn by its semi-latus rectum p ~ N(p_mean,
// p_std^2) (|p| taken, as the paper's code does) and eccentricity
// e ~ N(e_mean, e_std^2) clipped to [0, e_max]; it starts at perihelion:
// r = p / (1 + e), phi = 0, r' = 0, phi' = sqrt(GM p) / r^2. GM comes from
// n_periods over the horizon for a reference orbit of semi-major axis a_ref
// (GM = 4 pi^2 a_ref^3 / (horizon / n_periods)^2; paper's code: a_ref = 1,
// period 4, horizon 8), or is given directly. p and e are stored per
// trajectory. State [r, phi, rdot, phidot]; positions r, phi.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "dynlearn/systems/system.hpp"

namespace dynlearn::systems {

class Kepler : public System {
 public:
  Kepler();

  void prepare(std::uint64_t seed) override;
  int state_dim() const override { return 4; }
  std::vector<std::string> state_names() const override { return {"r", "phi", "rdot", "phidot"}; }
  std::vector<int> position_indices() const override { return {0, 1}; }
  std::vector<std::string> parameter_names() const override { return {"p", "e"}; }
  Trajectory simulate(const Eigen::VectorXd& t, const TrajectoryKey& key) const override;
  /// GM (1 × 1).
  std::vector<NamedArray> constants() const override;
  /// Specific energy (rdot^2 + r^2 phidot^2) / 2 - GM / r.
  double energy(const Eigen::VectorXd& x) const override;
  /// Specific angular momentum r^2 phidot.
  static double angular_momentum(const Eigen::VectorXd& x) { return x(0) * x(0) * x(3); }

  /// The orbit (p, e) of trajectory `key`.
  Eigen::Vector2d orbit(const TrajectoryKey& key) const;
  /// The perihelion state of the orbit (p, e).
  Eigen::Vector4d perihelion_state(double p, double e) const;
  /// The states at times t (t(0) the initial time) from a given initial state.
  Eigen::MatrixXd integrate(const Eigen::Vector4d& x0, const Eigen::VectorXd& t) const;
  /// Resolved GM (after prepare()).
  double gm() const { return gm_; }

  double horizon = 8.0;
  double n_periods = 2.0;
  double a_ref = 1.0;
  double GM = 0.0;  // 0: from n_periods, horizon and a_ref
  double p_mean = 1.0;
  double p_std = 0.1;
  double e_mean = 0.2;
  double e_std = 0.15;
  double e_max = 0.5;
  double rtol = 1e-12;
  double atol = 1e-14;

 private:
  double gm_ = 0.0;
};

}  // namespace dynlearn::systems
