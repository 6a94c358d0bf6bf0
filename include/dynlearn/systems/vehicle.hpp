// Planar vehicle of the SNet paper (snet.txt, section 5 and appendix A;
// Fossen 2011):
//   eta' = J(eta) v,   M v' + d(v) + C(v) v = u,
// eta = (x, y, phi) in the world frame, v = (vx, vy, omega) in the body frame,
// J = [[cos, -sin, 0], [sin, cos, 0], [0, 0, 1]], M = diag(m, m, I),
// C(v) = [[0, -m omega, 0], [m omega, 0, 0], [0, 0, 0]], d(v) = kd v, so
//   m vx' = Fx - kd vx + m omega vy,  m vy' = -kd vy - m omega vx,
//   I omega' = tau - kd omega.
// The paper sets m = 1 and kd = 1 but does not give I; we take I = 1 (the
// same unit scale). The input u = (Fx, 0, tau) is a random Fourier series of
// period T = 10 s (the training horizon) with fundamental amplitude 1 (the
// number of harmonics is not stated; we take 3); the middle channel is kept,
// identically 0, so u matches the paper's u. Initial states are zero by
// default (not stated in the paper) or Gaussian with the given stds.
// State [x, y, phi, vx, vy, omega]; positions x, y, phi.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "dynlearn/systems/fourier_input.hpp"
#include "dynlearn/systems/system.hpp"

namespace dynlearn::systems {

class Vehicle : public System {
 public:
  using State = Eigen::Matrix<double, 6, 1>;

  Vehicle();

  int state_dim() const override { return 6; }
  std::vector<std::string> state_names() const override {
    return {"x", "y", "phi", "vx", "vy", "omega"};
  }
  std::vector<int> position_indices() const override { return {0, 1, 2}; }
  int input_dim() const override { return 3; }
  std::vector<std::string> input_names() const override { return {"Fx", "Fy", "tau"}; }
  Trajectory simulate(const Eigen::VectorXd& t, const TrajectoryKey& key) const override;

  State initial_state(const TrajectoryKey& key) const;
  /// The input of trajectory `key`: 3 channels (Fx, 0, tau).
  FourierInput input(const TrajectoryKey& key) const;
  /// x' = f(x, u) at one state and input.
  void rhs(const Eigen::Vector3d& u, const Eigen::Ref<const Eigen::VectorXd>& x,
           Eigen::Ref<Eigen::VectorXd> dx) const;
  /// rhs() as the solver-facing function of (u, x).
  DrivenRhs driven_rhs() const;
  /// The states at times t (t(0) the initial time) from x0 under input u
  /// (evaluated at every solver stage, not only at the samples).
  Eigen::MatrixXd integrate(const State& x0, const FourierInput& u, const Eigen::VectorXd& t) const;

  double m = 1.0;
  double kd = 1.0;
  double inertia = 1.0;
  double input_amplitude = 1.0;
  int input_harmonics = 3;
  double input_period = 10.0;
  std::vector<double> pose_std = {0.0, 0.0, 0.0};
  std::vector<double> velocity_std = {0.0, 0.0, 0.0};
  double rtol = 1e-10;
  double atol = 1e-12;
};

}  // namespace dynlearn::systems
