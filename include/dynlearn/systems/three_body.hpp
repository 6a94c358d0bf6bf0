// The planar three-body problem of SRNN (srnn.txt, section 5, appendix A.2)
// in the configuration of Greydanus et al. (2019), Hamiltonian Neural
// Networks (experiment-3body/data.py, random_config): three equal masses,
// G = 1, body 1 at a random point on a circle of radius r ~ U[0.9, 1.2] (the
// point is a uniform draw in [-1, 1]^2 scaled to radius r), bodies 2 and 3 at
// 120 and 240 degrees, velocities of the circular orbit (v = sqrt(G m /
// (sqrt(3) r)), perpendicular to the radius), each velocity component then
// multiplied by 1 + nu U[-1, 1] with nu = 0.2. Ground truth by solve_ode (the
// paper used SciPy's RK45) at tight tolerances.
// State [q (x1, y1, x2, y2, x3, y3), p (px1, py1, ..., py3)].
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "dynlearn/systems/system.hpp"

namespace dynlearn::systems {

class ThreeBody : public System {
 public:
  ThreeBody();

  void prepare(std::uint64_t seed) override;
  int state_dim() const override { return 12; }
  std::vector<std::string> state_names() const override;
  std::vector<int> position_indices() const override { return {0, 1, 2, 3, 4, 5}; }
  Trajectory simulate(const Eigen::VectorXd& t, const TrajectoryKey& key) const override;
  std::vector<NamedArray> constants() const override;
  /// sum |p_i|^2 / (2 m) - sum_{i<j} G m^2 / |q_i - q_j|.
  double energy(const Eigen::VectorXd& x) const override;

  Eigen::VectorXd initial_state(const TrajectoryKey& key) const;
  /// Hamilton's equations [p / m, forces].
  Eigen::VectorXd rhs(const Eigen::VectorXd& x) const;
  Eigen::VectorXd true_rhs(const Eigen::VectorXd& x) const override { return rhs(x); }

  double mass = 1.0;
  double G = 1.0;
  double min_radius = 0.9;
  double max_radius = 1.2;
  double nu = 0.2;
  double rtol = 1e-11;
  double atol = 1e-13;
};

}  // namespace dynlearn::systems
