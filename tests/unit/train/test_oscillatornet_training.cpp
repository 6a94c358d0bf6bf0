// OscillatorNet's training loop on one rank: it learns the exact discrete
// weights of a noise-free oscillator, frozen parameters stay put, the free
// forecast appends one point per step and retrains in between, the inner
// feedback loop changes the partial-observation forecast, and bad settings
// are InputErrors that name the key.
#include <gtest/gtest.h>

#include <cmath>

#include "dynlearn/core/error.hpp"
#include "dynlearn/train/oscillatornet_training.hpp"

namespace dynlearn::train {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

/// x(t) of m x'' + b x' + k x = 0 from x(0) = 1, x'(0) = 0, at t = 0, dt, ...
MatrixXd damped(double m, double b, double k, double dt, int n) {
  const double g = b / (2 * m), w = std::sqrt(k / m - g * g);
  MatrixXd X(1, n);
  for (int i = 0; i < n; ++i) {
    const double t = i * dt;
    X(0, i) = std::exp(-g * t) * (std::cos(w * t) + g / w * std::sin(w * t));
  }
  return X;
}

/// Positions of the undamped coupled pair (Table 3's m, k) from its normal modes.
MatrixXd coupled(double dt, int n) {
  models::OscillatorNet net(2, models::OscillatorWeights::canonical, dt);
  VectorXd w(6);
  w << 1.5, 0.9, 0.0, 0.0, 14.0, 35.0;
  MatrixXd A;
  VectorXd c;
  net.step_matrices(w, A, c);
  const Eigen::EigenSolver<MatrixXd> modes(A / (dt * dt));
  MatrixXd X(2, n);
  for (int i = 0; i < n; ++i) {
    X.col(i).setZero();
    for (int j = 0; j < 2; ++j)
      X.col(i) += modes.eigenvectors().col(j).real() *
                  std::cos(std::sqrt(modes.eigenvalues()(j).real()) * i * dt);
  }
  return X;
}

TEST(OscillatorNetTraining, LearnsTheDiscreteRatiosAndKeepsFrozenWeights) {
  const double dt = 0.05;
  const MatrixXd X = damped(2.0, 1.5, 40.0, dt, 60);
  OscillatorNetSettings s;
  s.initial_m = {2.0};
  s.frozen = {"m1"};
  s.learning_rate = 0.05;
  s.iterations = 3000;
  s.forecast_points = 5;
  s.retrain_iterations = 3;
  s.log_every = 0;
  parallel::ShardLayout layout(1, 1, MPI_COMM_WORLD);
  OscillatorNetTrainer trainer(s, 1, dt, {X}, layout, MPI_COMM_WORLD, 1);
  trainer.train(s.iterations, 0);
  const VectorXd w = trainer.parameters();
  EXPECT_EQ(w(0), 2.0);  // frozen: bit for bit
  const double g = 0.375, om = std::sqrt(20.0 - g * g);
  const double q = (1 - std::exp(-2 * g * dt)) / dt;
  const double p = (2 - 2 * std::exp(-g * dt) * std::cos(om * dt) - q * dt) / (dt * dt);
  EXPECT_NEAR(w(1) / w(0), q, 1e-6 * q);
  EXPECT_NEAR(w(2) / w(0), p, 1e-6 * p);
  const auto predicted = trainer.forecast();
  ASSERT_EQ(predicted.size(), 1u);
  ASSERT_EQ(predicted[0].cols(), 5);
  EXPECT_EQ(trainer.series()[0].cols(), 65);
  EXPECT_EQ(trainer.history().size(), 3000u + 5u * 3u);
  EXPECT_EQ(trainer.history().back().forecast_step, 5);
  const MatrixXd truth = damped(2.0, 1.5, 40.0, dt, 65).rightCols(5);
  EXPECT_LT((predicted[0] - truth).cwiseAbs().maxCoeff(), 1e-8);
}

TEST(OscillatorNetTraining, InnerFeedbackChangesThePartialForecast) {
  const double dt = 1.0 / 15.0;
  const MatrixXd X = coupled(dt, 60);
  OscillatorNetSettings s;
  s.observed_masses = {1};
  s.initial_m = {1.5, 0.9};
  s.initial_b = {0.0};
  s.initial_k = {14.0, 35.0};
  s.iterations = 0;
  s.forecast_points = 10;
  s.retrain_iterations = 0;
  s.log_every = 0;
  parallel::ShardLayout layout(1, 1, MPI_COMM_WORLD);
  const MatrixXd x1 = X.topRows(1);
  OscillatorNetTrainer plain(s, 2, dt, {x1}, layout, MPI_COMM_WORLD, 1);
  s.inner_feedback = true;
  OscillatorNetTrainer ifl(s, 2, dt, {x1}, layout, MPI_COMM_WORLD, 1);
  const MatrixXd a = plain.forecast()[0], b = ifl.forecast()[0];
  EXPECT_TRUE(a.allFinite());
  EXPECT_GT((a - b).cwiseAbs().maxCoeff(), 1e-12);
  // With the true constants both stay close to the true motion over 10 steps.
  const MatrixXd truth = coupled(dt, 70).topRows(1).rightCols(10);
  EXPECT_LT((a - truth).cwiseAbs().maxCoeff(), 0.1);
}

TEST(OscillatorNetTraining, BadSettingsNameTheKey) {
  parallel::ShardLayout layout(1, 1, MPI_COMM_WORLD);
  const MatrixXd X = damped(2.0, 1.5, 40.0, 0.05, 20);
  OscillatorNetSettings s;
  s.frozen = {"mass"};
  try {
    OscillatorNetTrainer t(s, 1, 0.05, {X}, layout, MPI_COMM_WORLD, 1);
    FAIL() << "no error for an unknown frozen name";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("frozen"), std::string::npos) << e.what();
  }
  s.frozen = {};
  s.initial_k = {1.0, 2.0, 3.0};
  try {
    OscillatorNetTrainer t(s, 2, 0.05, {MatrixXd::Zero(2, 20)}, layout, MPI_COMM_WORLD, 1);
    FAIL() << "no error for three initial_k on two masses";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("initial_k"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dynlearn::train
