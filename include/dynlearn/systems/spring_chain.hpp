// The spring chain of SRNN (srnn.txt, section 4 and appendix A.1): N masses
// (default 20) in a line, neighbours joined by springs and each end mass tied
// to fixed ground by one more spring (N + 1 springs), moving in one dimension:
//   H = sum p_i^2 / (2 m_i) + k_0 q_1^2 / 2 + sum_{i=1}^{N-1} k_i (q_{i+1} - q_i)^2 / 2
//       + k_N q_N^2 / 2.
// Masses and spring constants are random but shared by every trajectory: they
// are drawn once in prepare(seed) as in the paper's reference code
// (zhengdao-chen/SRNN, generate_data.py): m = max(N(1, 0.25^2), 0.2),
// k = 5 max(N(1, 0.25^2), 0.2). Ground truth is leapfrog (kick-drift-kick) at
// a fine step dt' = 0.001 coarsened to the sample times, as in appendix A.1.
// State [q_1..q_N, p_1..p_N].
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "dynlearn/systems/system.hpp"

namespace dynlearn::systems {

class SpringChain : public System {
 public:
  SpringChain();

  void prepare(std::uint64_t seed) override;
  int state_dim() const override { return 2 * n_masses; }
  std::vector<std::string> state_names() const override;
  std::vector<int> position_indices() const override;
  Trajectory simulate(const Eigen::VectorXd& t, const TrajectoryKey& key) const override;
  std::vector<NamedArray> constants() const override;
  double energy(const Eigen::VectorXd& x) const override;

  Eigen::VectorXd initial_state(const TrajectoryKey& key) const;
  /// dV/dq for positions q.
  Eigen::VectorXd potential_gradient(const Eigen::VectorXd& q) const;
  /// Hamilton's equations [dH/dp, -dH/dq] (for comparison with a general solver).
  Eigen::VectorXd rhs(const Eigen::VectorXd& x) const;
  Eigen::VectorXd true_rhs(const Eigen::VectorXd& x) const override { return rhs(x); }
  /// Leapfrog from state x over a time `span` in ceil(span / fine_dt) equal steps.
  Eigen::VectorXd leapfrog(Eigen::VectorXd x, double span) const;
  /// Masses and springs in use (drawn or given); valid after prepare().
  const Eigen::VectorXd& mass_values() const { return mass_; }
  const Eigen::VectorXd& spring_values() const { return spring_; }

  int n_masses = 20;
  double mass_mean = 1.0;
  double mass_std = 0.25;
  double mass_min = 0.2;
  double spring_mean = 5.0;
  double spring_std = 1.25;
  double spring_min = 1.0;
  std::vector<double> masses;   ///< explicit masses (empty: draw them)
  std::vector<double> springs;  ///< explicit spring constants (empty: draw them)
  double q0_half_width = 2.5;
  double p0_half_width = 2.5;
  double fine_dt = 1e-3;

 private:
  Eigen::VectorXd mass_;
  Eigen::VectorXd spring_;
};

}  // namespace dynlearn::systems
