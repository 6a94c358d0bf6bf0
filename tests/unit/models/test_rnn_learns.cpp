// The sequence baselines can learn: Adam on the window loss of a harmonic
// oscillator (exact rotation per step) cuts the loss tenfold in a few hundred
// steps, and below a tenth of the no-motion model's loss, so the net learned
// the motion rather than only shrinking its random initial readout. A wrong
// gradient sign or a broken BPTT would not.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "dynlearn/core/rng.hpp"
#include "dynlearn/models/sequence_model_factory.hpp"
#include "dynlearn/train/optimizer.hpp"

namespace dynlearn::models {
namespace {

using Eigen::MatrixXd;

struct Windows {
  MatrixXd x0;
  std::vector<MatrixXd> targets;
};

// q'' = -q sampled every dt: each step rotates (q, p) by the angle dt.
Windows oscillator_windows(Eigen::Index batch, int steps, double dt) {
  core::Rng rng(3, 0, core::Purpose::initial_state);
  Windows w;
  w.x0.resize(2, batch);
  for (Eigen::Index j = 0; j < batch; ++j) {
    w.x0(0, j) = rng.uniform(-1.0, 1.0);
    w.x0(1, j) = rng.uniform(-1.0, 1.0);
  }
  Eigen::Matrix2d rotation;
  rotation << std::cos(dt), std::sin(dt), -std::sin(dt), std::cos(dt);
  MatrixXd x = w.x0;
  for (int k = 0; k < steps; ++k) {
    x = rotation * x;
    w.targets.push_back(x);
  }
  return w;
}

void expect_learns(const std::string& type, Eigen::Index hidden) {
  constexpr double kDt = 0.3;
  const Windows data = oscillator_windows(32, 5, kDt);
  auto model = make_sequence_model(type, 2, hidden, 11);
  train::OptimizerOptions options;
  options.lr = 1e-2;
  auto adam = train::make_optimizer("adam", options);
  Eigen::VectorXd theta = model->parameters();
  Eigen::VectorXd gradient(theta.size());
  double first = 0.0, last = 0.0;
  for (int iteration = 0; iteration < 300; ++iteration) {
    gradient.setZero();
    last = model->loss(data.x0, data.targets, kDt, gradient, false).sum_squares;
    if (iteration == 0) first = last;
    adam->step(theta, gradient);
    model->set_parameters(theta);
  }
  double no_motion = 0.0;
  for (const MatrixXd& target : data.targets) no_motion += (target - data.x0).squaredNorm();
  std::printf("[ %s learns ] loss %.3e -> %.3e (x%.0f); no-motion model %.3e\n", type.c_str(),
              first, last, first / last, no_motion);
  EXPECT_LT(last, first / 10.0) << type;
  EXPECT_LT(last, no_motion / 10.0) << type;
}

TEST(RnnLearns, AdamFitsAHarmonicOscillator) {
  expect_learns("rnn", 16);
}

TEST(LstmLearns, AdamFitsAHarmonicOscillator) {
  expect_learns("lstm", 16);
}

}  // namespace
}  // namespace dynlearn::models
