// The damped harmonic oscillator m x'' + b x' + k x = 0 of OscillatorNet
// (oscillatornet.txt, section 3.1, Table 1: m = 2 kg, b = 1.5 kg/s, k = 40 kg/s^2).
// State [x, v]; integrated by solve_ode (the system is dissipative, so no
// symplectic scheme applies).
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "dynlearn/systems/system.hpp"

namespace dynlearn::systems {

class DampedOscillator : public System {
 public:
  DampedOscillator();

  void prepare(std::uint64_t seed) override;
  int state_dim() const override { return 2; }
  std::vector<std::string> state_names() const override { return {"x", "v"}; }
  std::vector<int> position_indices() const override { return {0}; }
  Trajectory simulate(const Eigen::VectorXd& t, const TrajectoryKey& key) const override;
  std::vector<NamedArray> constants() const override;
  /// m v^2 / 2 + k x^2 / 2 when b = 0 (conserved), NaN otherwise.
  double energy(const Eigen::VectorXd& x) const override;
  /// m v^2 / 2 + k x^2 / 2 whatever b (decays at the rate -b v^2).
  double mechanical_energy(const Eigen::VectorXd& x) const;
  /// Initial state [x0, v0] of trajectory `key` (deck values plus the random spread).
  Eigen::Vector2d initial_state(const TrajectoryKey& key) const;

  double m = 2.0;   ///< mass [kg]
  double b = 1.5;   ///< damping coefficient [kg/s]
  double k = 40.0;  ///< spring constant [kg/s^2]
  double x0 = 1.0;  ///< initial position [m]
  double v0 = 0.0;  ///< initial velocity [m/s]
  double x0_std = 0.0;
  double v0_std = 0.0;
  double rtol = 1e-10;
  double atol = 1e-12;
};

}  // namespace dynlearn::systems
