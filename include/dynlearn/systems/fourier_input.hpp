// Random input signals u(t) as truncated Fourier series over a period T,
// used by the input-driven systems (SNet's vehicle and multi-agent w(t)).
// Stored in datasets both sampled and as coefficients, so a learner can
// evaluate u between samples exactly.
#pragma once

#include <Eigen/Dense>

#include "dynlearn/core/rng.hpp"

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

}  // namespace dynlearn::systems
