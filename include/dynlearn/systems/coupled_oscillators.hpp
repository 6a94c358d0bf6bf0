// N damped oscillators coupled in a chain (OscillatorNet, oscillatornet.txt,
// section 3.2, equation 13 and Figure 4; Table 3: m = (1.5, 0.9) kg,
// b = (0.5, 0.3) kg/s, k = (14, 35) kg/s^2). Spring k_1 ties mass 1 to the
// wall, spring k_i (i > 1) ties mass i to mass i-1, the last mass is free on
// its far side, and damper b_i acts on mass i's absolute velocity:
//   m_i x_i'' = -b_i x_i' - k_i (x_i - x_{i-1}) + k_{i+1} (x_{i+1} - x_i),
// with x_0 = 0 (wall) and k_{N+1} = 0. State [x_1..x_N, v_1..v_N].
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "dynlearn/systems/system.hpp"

namespace dynlearn::systems {

class CoupledOscillators : public System {
 public:
  CoupledOscillators();

  void prepare(std::uint64_t seed) override;
  int state_dim() const override { return 2 * n(); }
  std::vector<std::string> state_names() const override;
  std::vector<int> position_indices() const override;
  Trajectory simulate(const Eigen::VectorXd& t, const TrajectoryKey& key) const override;
  std::vector<NamedArray> constants() const override;
  /// Mechanical energy when every b_i = 0 (then conserved), NaN otherwise.
  double energy(const Eigen::VectorXd& x) const override;
  /// sum m_i v_i^2 / 2 + k_1 x_1^2 / 2 + sum_{i>1} k_i (x_i - x_{i-1})^2 / 2.
  double mechanical_energy(const Eigen::VectorXd& x) const;
  /// Right-hand side [v, a] of the equations of motion.
  Eigen::VectorXd rhs(const Eigen::VectorXd& x) const;
  Eigen::VectorXd initial_state(const TrajectoryKey& key) const;
  int n() const { return static_cast<int>(m.size()); }

  std::vector<double> m = {1.5, 0.9};    ///< masses [kg]
  std::vector<double> b = {0.5, 0.3};    ///< dampers [kg/s]
  std::vector<double> k = {14.0, 35.0};  ///< springs [kg/s^2]: wall-1, 1-2, ...
  std::vector<double> x0 = {1.0, 0.0};   ///< initial positions [m]
  std::vector<double> v0 = {0.0, 0.0};   ///< initial velocities [m/s]
  double x0_std = 0.0;
  double v0_std = 0.0;
  double rtol = 1e-10;
  double atol = 1e-12;
};

}  // namespace dynlearn::systems
