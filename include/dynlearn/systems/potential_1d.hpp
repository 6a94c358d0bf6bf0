// One-dimensional motion x'' = -U'(x) (unit mass) of the isochronism paper
// (isochronism.txt, sections 1 and 3), with U chosen by a key:
//   harmonic          U = omega^2 x^2 / 2   (isochronous, period 2 pi / omega)
//   quartic           U = x^4 / 4           (period 7.4163 / amplitude)
//   harmonic_quartic  U = x^2 / 2 + eps x^4 / 4
//   pendulum          U = 1 - cos x
// Initial states are i.i.d. N(0, sigma^2) in phase space (paper: N(0, 1)).
// Ground truth by solve_ode. State [x, v].
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "dynlearn/systems/system.hpp"

namespace dynlearn::systems {

class Potential1d : public System {
 public:
  Potential1d();

  void prepare(std::uint64_t seed) override;
  int state_dim() const override { return 2; }
  std::vector<std::string> state_names() const override { return {"x", "v"}; }
  std::vector<int> position_indices() const override { return {0}; }
  Trajectory simulate(const Eigen::VectorXd& t, const TrajectoryKey& key) const override;
  /// v^2 / 2 + U(x).
  double energy(const Eigen::VectorXd& x) const override;

  double potential_value(double x) const;
  /// The force -U'(x).
  double force(double x) const;
  Eigen::Vector2d initial_state(const TrajectoryKey& key) const;
  /// The states at times t (t(0) the initial time) from a given initial state.
  Eigen::MatrixXd integrate(const Eigen::Vector2d& x0, const Eigen::VectorXd& t) const;

  std::string potential = "harmonic";
  double omega = 1.0;
  double eps = 0.1;
  double sigma = 1.0;
  double rtol = 1e-11;
  double atol = 1e-13;

 private:
  enum class Kind { harmonic, quartic, harmonic_quartic, pendulum } kind_ = Kind::harmonic;
};

}  // namespace dynlearn::systems
