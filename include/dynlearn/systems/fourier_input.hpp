// Random input signals u(t) as truncated Fourier series over a period T,
// used by the input-driven systems (SNet's vehicle and multi-agent w(t)).
// Stored in datasets both sampled and as coefficients, so a learner can
// evaluate u between samples exactly.
#pragma once

#include <Eigen/Dense>

#include <functional>

#include "dynlearn/core/rng.hpp"
#include "dynlearn/systems/ode_solver.hpp"
#include "dynlearn/systems/system.hpp"

namespace dynlearn::systems {

/// u_i(t) = a_i0 + sum_{k=1..K} a_ik cos(2 pi k t / T) + b_ik sin(2 pi k t / T).
/// Coefficient layout per channel (row): [a_0, a_1, b_1, ..., a_K, b_K].
class FourierInput {
 public:
  FourierInput() = default;
  explicit FourierInput(Eigen::MatrixXd coeffs, double period);

  /// Draws K harmonics per channel: a_k, b_k ~ N(0, (amplitude / k)^2), a_0 = 0
  /// (the fundamental has the given amplitude; higher harmonics decay as 1/k).
  static FourierInput random(int channels, int harmonics, double amplitude, double period,
                             core::Rng& rng);

  Eigen::VectorXd operator()(double t) const;
  /// Samples at every t(k): channels × n_t.
  Eigen::MatrixXd sample(const Eigen::VectorXd& t) const;
  const Eigen::MatrixXd& coeffs() const { return coeffs_; }
  double period() const { return period_; }
  int channels() const { return static_cast<int>(coeffs_.rows()); }

 private:
  Eigen::MatrixXd coeffs_;
  double period_ = 1.0;
};

/// x' = f(u, x) of a system driven by an input u(t).
using DrivenRhs = std::function<void(const Eigen::VectorXd& u, const Eigen::Ref<const Eigen::VectorXd>& x,
                                     Eigen::Ref<Eigen::VectorXd> dx)>;

/// Integrates a driven system with solve_ode from x0, evaluating u exactly at
/// every solver stage (not held between samples); states at every t(k).
Eigen::MatrixXd solve_driven(const DrivenRhs& f, const FourierInput& u, const Eigen::VectorXd& x0,
                             const Eigen::VectorXd& t, OdeTolerances tol);

/// A trajectory of a driven system: its states, and its input both sampled
/// and as Fourier coefficients (what the dataset stores).
Trajectory driven_trajectory(const DrivenRhs& f, const FourierInput& u, const Eigen::VectorXd& x0,
                             const Eigen::VectorXd& t, OdeTolerances tol);

}  // namespace dynlearn::systems
