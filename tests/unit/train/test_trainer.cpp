// The trainer's loss and gradient, as the optimizer sees them: the mean
// squared error over all windows, and its gradient checked against central
// finite differences through shards, windows and the integrator.
#include <gtest/gtest.h>

#include <cmath>

#include "dynlearn/core/rng.hpp"
#include "dynlearn/integrate/stepper.hpp"
#include "dynlearn/io/learning_config.hpp"
#include "dynlearn/models/hnet.hpp"
#include "dynlearn/models/onet.hpp"
#include "dynlearn/models/window_model.hpp"
#include "dynlearn/parallel/reduction.hpp"
#include "dynlearn/train/trainer.hpp"

using namespace dynlearn;

namespace {

train::Trajectories oscillator_data(int n, int samples, double dt) {
  train::Trajectories data;
  data.dt = dt;
  for (int i = 0; i < n; ++i) {
    core::Rng rng(9, i, core::Purpose::user);
    const double a = rng.uniform(0.5, 1.5), phase = rng.uniform(0, 6.28);
    Eigen::MatrixXd y(2, samples);
    Eigen::VectorXd t(samples);
    for (int k = 0; k < samples; ++k) {
      t(k) = k * dt;
      y(0, k) = a * std::cos(t(k) + phase) + 0.01 * rng.normal();
      y(1, k) = -a * std::sin(t(k) + phase) + 0.01 * rng.normal();
    }
    data.y.push_back(y);
    data.t.push_back(t);
  }
  return data;
}

double relative_error(const Eigen::VectorXd& a, const Eigen::VectorXd& b) {
  return (a - b).lpNorm<Eigen::Infinity>() / std::max(b.lpNorm<Eigen::Infinity>(), 1e-8);
}

void check_gradient(integrate::VectorField& field, const std::string& integrator, int window) {
  io::TrainConfig config;
  config.integrator = integrator;
  config.window = window;
  config.shards = 3;
  const int n = 7;
  parallel::ShardLayout layout(n, 3, MPI_COMM_SELF);
  models::IntegratedField model(field, integrate::make_stepper(integrate::parse_stepper(integrator)));
  train::Trainer trainer(model, config, oscillator_data(n, 6, 0.2), layout, MPI_COMM_SELF, 1);
  Eigen::VectorXd gradient;
  trainer.full_loss(&gradient);
  const Eigen::VectorXd theta = field.parameters();
  Eigen::VectorXd fd(theta.size());
  const double h = 1e-6;
  for (Eigen::Index i = 0; i < theta.size(); ++i) {
    Eigen::VectorXd p = theta;
    p(i) += h;
    field.set_parameters(p);
    const double up = trainer.full_loss(nullptr);
    p(i) -= 2 * h;
    field.set_parameters(p);
    const double down = trainer.full_loss(nullptr);
    fd(i) = (up - down) / (2 * h);
  }
  field.set_parameters(theta);
  EXPECT_LT(relative_error(gradient, fd), 1e-6) << integrator << " window " << window;
}

}  // namespace

TEST(Trainer, LossGradientMatchesFiniteDifferencesHnet) {
  models::HNet field(1, {6}, "tanh");
  field.initialize(3);
  for (const char* integrator : {"euler", "leapfrog", "rk4"})
    for (int window : {1, 4}) check_gradient(field, integrator, window);
}

TEST(Trainer, LossGradientMatchesFiniteDifferencesOnet) {
  models::ONet field(1, {5}, "softplus");
  field.initialize(4);
  check_gradient(field, "leapfrog", 3);
}

TEST(Trainer, LearnsAHarmonicOscillator) {
  // H-NET through leapfrog on noisy harmonic motion: the loss must fall to
  // near the noise floor (2 x 0.01^2 per component) within a few hundred epochs.
  models::HNet field(1, {16}, "tanh");
  field.initialize(5);
  io::TrainConfig config;
  config.window = 3;
  config.epochs = 300;
  config.learning_rate = 0.01;
  config.scheduler = "constant";
  config.log_every = 0;
  config.shards = 4;
  const int n = 16;
  parallel::ShardLayout layout(n, 4, MPI_COMM_SELF);
  models::IntegratedField model(field, integrate::make_stepper(integrate::StepperKind::leapfrog));
  train::Trainer trainer(model, config, oscillator_data(n, 10, 0.2), layout, MPI_COMM_SELF, 1);
  const double before = trainer.full_loss(nullptr);
  trainer.run();
  const double after = trainer.full_loss(nullptr);
  EXPECT_LT(after, 0.05 * before) << "before " << before << " after " << after;
  EXPECT_LT(after, 2e-3);
  EXPECT_EQ(trainer.state().history.size(), 300u);
}
