// OscillatorNet (oscillatornet.txt, sections 2 and 3): a residual block whose
// connections implement the central second-order difference step (equation 7)
//   x_{t+1} = x_t + (x_t - x_{t-1}) - A x_t - diag(c) (x_t - x_{t-1}),
// where the learned weights enter only through the N x N "spring" matrix
// A = dt^2 M^-1 K and the per-mass "damping" vector c = dt M^-1 b (equations
// 11 and 14). The parametrisations:
//   canonical  W = [m_1..m_N, b_1..b_N, k_1..k_N] (equations 12, 15), the
//              chain of coupled_oscillators (k_1 to the wall, k_i between
//              masses i-1 and i);
//   one_filter W = [m_1..m_N, k_1..k_N]: the paper's network with one filter,
//              no dissipative channel (b = 0), which conserves energy;
//   combined   U = [a, b, c, d, e] for two masses (equations 20 to 24):
//              a = dt^2 k2/m1, b = dt^2 k2/m2, c = dt b1/m1, d = dt b2/m2,
//              e = (k1 + k2)/k2.
// Parameters are one flat vector; the step is linear in the positions, so
// forward and exact vector-Jacobian products go through (A, c).
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

namespace dynlearn::models {

enum class OscillatorWeights { canonical, one_filter, combined };

/// "canonical", "one_filter", "combined" (InputError for anything else).
OscillatorWeights parse_oscillator_weights(const std::string& name);
std::string to_string(OscillatorWeights weights);

/// The projection weights of the mapping x2 = alpha D2 x1 + beta D1 x1 + gamma x1
/// (equations 18, 19), derived from the solver weights when they are shared.
struct MappingCoefficients {
  double alpha = 0.0, beta = 0.0, gamma = 0.0;
};

class OscillatorNet {
 public:
  /// `n_masses` >= 1 (combined: exactly 2); `dt` the sample spacing Delta.
  OscillatorNet(int n_masses, OscillatorWeights weights, double dt);

  int n_masses() const { return n_; }
  OscillatorWeights weights() const { return weights_; }
  double dt() const { return dt_; }
  Eigen::Index num_parameters() const;
  /// "m1", "b1", "k1", ... (canonical, one_filter) or "a".."e" (combined).
  std::vector<std::string> parameter_names() const;

  /// The step's matrices A (N x N) and damping vector c (N) at weights w.
  void step_matrices(const Eigen::VectorXd& w, Eigen::MatrixXd& A, Eigen::VectorXd& c) const;
  /// Adds to `grad_w` the gradient of a loss with gradients gA, gc w.r.t. (A, c).
  void step_matrices_vjp(const Eigen::VectorXd& w, const Eigen::MatrixXd& gA,
                         const Eigen::VectorXd& gc, Eigen::VectorXd& grad_w) const;

  /// One step for a batch (columns): x_{t+1} from x_t and x_{t-1} (N x B each).
  Eigen::MatrixXd step(const Eigen::VectorXd& w, const Eigen::MatrixXd& x,
                       const Eigen::MatrixXd& x_prev) const;

  /// Teacher-forced one-step loss over a trajectory X (N x T): the mean over
  /// components and steps t = 1..T-2 of (step(X_t, X_{t-1}) - X_{t+1})^2, and
  /// its gradient w.r.t. w added to `grad` (if non-null), scaled by `weight`.
  double loss(const Eigen::VectorXd& w, const Eigen::MatrixXd& X, Eigen::VectorXd* grad,
              double weight = 1.0) const;

  /// The mapping coefficients of two masses (partial observation, shared weights).
  MappingCoefficients mapping_coefficients(const Eigen::VectorXd& w) const;
  /// Adds to grad_w the gradient through mapping_coefficients().
  void mapping_coefficients_vjp(const Eigen::VectorXd& w, const MappingCoefficients& g,
                                Eigen::VectorXd& grad_w) const;

  /// The constants the weights stand for, in the parameter order, given the
  /// true (m, b, k) of the chain: canonical/one_filter return W (one_filter
  /// without b), combined returns U (equations 20 to 24).
  Eigen::VectorXd weights_from_constants(const Eigen::VectorXd& m, const Eigen::VectorXd& b,
                                         const Eigen::VectorXd& k) const;

  /// The invariant of the undamped step (one_filter, c = 0): for symmetric
  /// K-form A the discrete energy E = |x_{t+1} - x_t|^2_M / dt^2 + x_{t+1}^T K x_t
  /// is exactly conserved by the central-difference step (the leapfrog shadow
  /// energy). Evaluated with the weights' M and K (canonical/one_filter only).
  double discrete_energy(const Eigen::VectorXd& w, const Eigen::VectorXd& x_next,
                         const Eigen::VectorXd& x) const;

 private:
  void masses_springs(const Eigen::VectorXd& w, Eigen::VectorXd& m, Eigen::VectorXd& b,
                      Eigen::VectorXd& k) const;
  int n_;
  OscillatorWeights weights_;
  double dt_;
};

}  // namespace dynlearn::models
