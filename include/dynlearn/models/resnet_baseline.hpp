// The one-layer ResNet baseline of OscillatorNet (oscillatornet.txt,
// equations 2 and 3, Figure 3's blue dots): x_{t+1} = x_t + F(x_t, ..., x_{t-K+1}),
// F a one-hidden-layer tanh network over a causal window of K samples of
// every mass (equation 2's filters), i.e. a forward-Euler-like first-order
// residual step with no notion of a second derivative unless K >= 2.
// Parameters: the Mlp's flat vector (PyTorch layout, PyTorch default init).
#pragma once

#include <Eigen/Dense>
#include <cstdint>

#include "dynlearn/nn/mlp.hpp"

namespace dynlearn::models {

class ResnetBaseline {
 public:
  /// `n_masses` channels, window `kernel` >= 1, `hidden` tanh units.
  ResnetBaseline(int n_masses, int kernel, int hidden);

  int n_masses() const { return n_; }
  int kernel() const { return kernel_; }
  Eigen::Index num_parameters() const { return net_.num_parameters(); }
  /// PyTorch nn.Linear default initialisation from the run's seed.
  Eigen::VectorXd initial_parameters(std::uint64_t seed) const;

  /// x_{t+1} given the last `kernel` samples (N x K, oldest first).
  Eigen::VectorXd step(const Eigen::VectorXd& theta, const Eigen::MatrixXd& window) const;
  /// Teacher-forced mean squared one-step error over X (N x T), for
  /// t = K-1..T-2; gradient (scaled by weight) added to grad if non-null.
  double loss(const Eigen::VectorXd& theta, const Eigen::MatrixXd& X, Eigen::VectorXd* grad,
              double weight = 1.0) const;

 private:
  /// The windows of X as columns (N*K x S), sample-major inside a column.
  Eigen::MatrixXd windows(const Eigen::MatrixXd& X) const;
  int n_, kernel_;
  mutable nn::Mlp net_;
  mutable nn::MlpWorkspace workspace_;
};

}  // namespace dynlearn::models
