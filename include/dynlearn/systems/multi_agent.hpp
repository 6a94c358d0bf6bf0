// Multi-agent kinematic vehicles of the SNet paper (snet.txt, section 6 and
// appendix B): Na agents eta_i = (x_i, y_i, phi_i) with
//   eta_i' = J(eta_i) v_i,  J = [[cos phi_i, 0], [sin phi_i, 0], [0, 1]],
//   v_i = tanh(w + Kc(eta_i) + (1/Na) sum_{j != i} Ko(eta_i, eta_j))   (elementwise),
//   Kc = [kv, kphi dphi_i],  dphi_i = atan2(-y_i, -x_i) - phi_i,
//   Ko = [-kvo e^{-d/ls} e^{-|dphi_ij + pi/2|}, kphio dphi_ij],
//   dphi_ij = atan2(y_i - y_j, x_i - x_j) - phi_i,  d = |(x_i, y_i) - (x_j, y_j)|.
// v_i = (linear speed, angular rate). w(t) is a 2-vector (linear, angular),
// shared by all agents ("shared by all vehicles", section 6): input_dim = 2.
// configuration = "train": kv 0.05, kphi 0.1, kvo 0.001, kphio 0.01,
// ls 0.01, w a Fourier series of fundamental amplitude 0.1; "test": Ko
// without the e^{-|dphi_ij + pi/2|} factor, kvo 0.05, kphio 0.1, w = 0. Each
// gain key (and input_amplitude) left negative (its default) takes the
// configuration's value; a value >= 0 overrides it. Note: the angular
// avoidance term kphio dphi_ij does not decay with distance (as in the paper),
// so only the linear term vanishes for agents far apart. Angles are used as
// written (no wrapping) unless wrap_heading_error = true. Initial positions
// are uniform in [-position_range, position_range]^2 and headings uniform in
// [-pi, pi) (the paper does not say). State [x_1, y_1, phi_1, x_2, ...].
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "dynlearn/systems/fourier_input.hpp"
#include "dynlearn/systems/system.hpp"

namespace dynlearn::systems {

class MultiAgent : public System {
 public:
  /// Gains in effect after prepare().
  struct Gains {
    double kv = 0, kphi = 0, kvo = 0, kphio = 0, ls = 0;
    bool heading_factor = true;  // e^{-|dphi_ij + pi/2|} in Ko (train only)
  };

  MultiAgent();

  void prepare(std::uint64_t seed) override;
  int state_dim() const override { return 3 * n_agents; }
  std::vector<std::string> state_names() const override;
  std::vector<int> position_indices() const override;
  int input_dim() const override { return 2; }
  std::vector<std::string> input_names() const override { return {"w_v", "w_omega"}; }
  Trajectory simulate(const Eigen::VectorXd& t, const TrajectoryKey& key) const override;

  Eigen::VectorXd initial_state(const TrajectoryKey& key) const;
  /// The shared input w of trajectory `key` (2 channels; zero in "test").
  FourierInput input(const TrajectoryKey& key) const;
  /// x' = f(x, w) at one state and input value.
  void rhs(const Eigen::Ref<const Eigen::VectorXd>& w, const Eigen::Ref<const Eigen::VectorXd>& x,
           Eigen::Ref<Eigen::VectorXd> dx) const;
  /// rhs() as the solver-facing function of (u, x).
  DrivenRhs driven_rhs() const;
  /// The states at times t (t(0) the initial time) from x0 under input w.
  Eigen::MatrixXd integrate(const Eigen::VectorXd& x0, const FourierInput& w,
                            const Eigen::VectorXd& t) const;
  const Gains& gains() const { return gains_; }
  double amplitude() const { return amplitude_; }

  int n_agents = 10;
  std::string configuration = "train";
  double kv = -1.0;
  double kphi = -1.0;
  double kvo = -1.0;
  double kphio = -1.0;
  double ls = -1.0;
  double input_amplitude = -1.0;
  int input_harmonics = 3;
  double input_period = 10.0;
  double position_range = 1.0;
  bool wrap_heading_error = false;
  double rtol = 1e-10;
  double atol = 1e-12;

 private:
  double heading_error(double a) const;
  Gains gains_;
  double amplitude_ = 0.0;
};

}  // namespace dynlearn::systems
