// What test_rnn.cpp and test_lstm.cpp check alike of a SequenceModel (models::Rnn,
// models::Lstm): backprop-through-time gradients against central finite
// differences, loss() against predict(), the no-motion zero readout,
// PyTorch-like initialisation, the flat layout's size and input errors. Each
// check is written once here and named by a TEST in both files, so that every
// model's suite still lists all of them.
#pragma once

#include <gtest/gtest.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/rng.hpp"
#include "dynlearn/models/sequence_model.hpp"

namespace dynlearn::models::testing {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kTolerance = 1e-6;  // relative max-norm error vs central differences
constexpr double kStep = 1e-5;       // finite-difference step
constexpr Index kDim = 3;
constexpr Index kHidden = 5;
constexpr Index kBatch = 4;
constexpr double kDt = 0.1;

inline MatrixXd uniform_matrix(Index rows, Index cols, std::uint64_t index, double scale = 1.0) {
  core::Rng rng(1234, index, core::Purpose::user);
  MatrixXd m(rows, cols);
  for (Index j = 0; j < cols; ++j)
    for (Index i = 0; i < rows; ++i) m(i, j) = rng.uniform(-scale, scale);
  return m;
}

inline std::vector<MatrixXd> random_targets(Index steps, std::uint64_t index) {
  std::vector<MatrixXd> targets;
  for (Index k = 0; k < steps; ++k) targets.push_back(uniform_matrix(kDim, kBatch, index + k));
  return targets;
}

inline double loss_value(WindowModel& model, const MatrixXd& x0,
                         const std::vector<MatrixXd>& targets) {
  VectorXd none;
  return model.loss(x0, targets, kDt, none, false).sum_squares;
}

inline double relative_error(const Eigen::Ref<const MatrixXd>& analytic,
                             const Eigen::Ref<const MatrixXd>& numeric) {
  return (analytic - numeric).cwiseAbs().maxCoeff() /
         std::max(numeric.cwiseAbs().maxCoeff(), 1e-300);
}

struct FdErrors {
  double theta;
  double x0;
};

inline FdErrors check_gradients(WindowModel& model, const MatrixXd& x0,
                                const std::vector<MatrixXd>& targets) {
  const VectorXd theta = model.parameters();
  // Start from a non-zero vector: loss() must add to it, not overwrite it.
  const VectorXd offset = VectorXd::Constant(theta.size(), 0.25);
  VectorXd gradient = offset;
  const WindowLoss analytic = model.loss(x0, targets, kDt, gradient, true);
  gradient -= offset;

  VectorXd numeric_theta(theta.size());
  for (Index i = 0; i < theta.size(); ++i) {
    VectorXd shifted = theta;
    shifted[i] = theta[i] + kStep;
    model.set_parameters(shifted);
    const double plus = loss_value(model, x0, targets);
    shifted[i] = theta[i] - kStep;
    model.set_parameters(shifted);
    const double minus = loss_value(model, x0, targets);
    numeric_theta[i] = (plus - minus) / (2 * kStep);
  }
  model.set_parameters(theta);

  MatrixXd numeric_x0(x0.rows(), x0.cols());
  for (Index j = 0; j < x0.cols(); ++j) {
    for (Index i = 0; i < x0.rows(); ++i) {
      MatrixXd shifted = x0;
      shifted(i, j) = x0(i, j) + kStep;
      const double plus = loss_value(model, shifted, targets);
      shifted(i, j) = x0(i, j) - kStep;
      const double minus = loss_value(model, shifted, targets);
      numeric_x0(i, j) = (plus - minus) / (2 * kStep);
    }
  }
  return {relative_error(gradient, numeric_theta),
          relative_error(analytic.x0_gradient, numeric_x0)};
}

/// Initialised from `seed`, then scaled up: larger weights than the
/// initialisation's put the tanh and sigmoid gates in their nonlinear range.
template <class Model>
Model make_model(std::uint64_t seed) {
  Model model(kDim, kHidden);
  model.initialize(seed);
  model.set_parameters(2.0 * model.parameters());
  return model;
}

template <class Model>
void expect_gradients_match_finite_differences(const char* name) {
  for (Index steps : {1, 3, 7}) {
    Model model = make_model<Model>(7);
    const MatrixXd x0 = uniform_matrix(kDim, kBatch, 100);
    const auto targets = random_targets(steps, 200);
    const FdErrors errors = check_gradients(model, x0, targets);
    std::printf("[ %s FD ] T=%ld  dL/dtheta %.2e  dL/dx0 %.2e\n", name, static_cast<long>(steps),
                errors.theta, errors.x0);
    EXPECT_LT(errors.theta, kTolerance) << "T = " << steps;
    EXPECT_LT(errors.x0, kTolerance) << "T = " << steps;
  }
}

/// Asking for dL/dθ alone, dL/dx0 alone or both gives the same bits.
inline void expect_each_request_alone_gives_the_same_gradient(WindowModel& model) {
  const MatrixXd x0 = uniform_matrix(kDim, kBatch, 101);
  const auto targets = random_targets(4, 201);
  VectorXd both = VectorXd::Zero(model.num_parameters());
  const WindowLoss with_both = model.loss(x0, targets, kDt, both, true);
  VectorXd theta_only = VectorXd::Zero(model.num_parameters());
  const WindowLoss without_x0 = model.loss(x0, targets, kDt, theta_only, false);
  VectorXd none;
  const WindowLoss x0_only = model.loss(x0, targets, kDt, none, true);
  EXPECT_EQ(without_x0.x0_gradient.size(), 0);
  EXPECT_EQ((both - theta_only).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_EQ((with_both.x0_gradient - x0_only.x0_gradient).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_EQ(with_both.sum_squares, x0_only.sum_squares);
}

inline void expect_loss_is_the_sum_of_squares_of_predict_minus_targets(WindowModel& model) {
  const MatrixXd x0 = uniform_matrix(kDim, kBatch, 103);
  const auto targets = random_targets(5, 203);
  const auto states = model.predict(x0, kDt, 5);
  double expected = 0.0;
  for (std::size_t k = 0; k < targets.size(); ++k)
    expected += (states[k + 1] - targets[k]).squaredNorm();
  EXPECT_NEAR(loss_value(model, x0, targets), expected, 1e-12 * expected);
  EXPECT_GT(expected, 0.0);
}

inline void expect_dt_is_ignored(WindowModel& model) {
  const MatrixXd x0 = uniform_matrix(kDim, kBatch, 104);
  const auto a = model.predict(x0, 0.1, 3);
  const auto b = model.predict(x0, 7.0, 3);
  for (std::size_t k = 0; k < a.size(); ++k) EXPECT_EQ(a[k], b[k]);
}

template <class Model>
void expect_zero_readout_predicts_constant_states() {
  Model model = make_model<Model>(12);
  VectorXd theta = model.parameters();
  theta.tail(theta.size() - model.readout_offset()).setZero();
  model.set_parameters(theta);
  const MatrixXd x0 = uniform_matrix(kDim, kBatch, 105);
  for (const MatrixXd& state : model.predict(x0, kDt, 5)) EXPECT_EQ(state, x0);
  // An untrained (randomly initialised) readout does move the state.
  Model untrained(kDim, kHidden);
  untrained.initialize(12);
  EXPECT_GT((untrained.predict(x0, kDt, 1)[1] - x0).cwiseAbs().maxCoeff(), 1e-3);
  // The zero-parameter model, as constructed, is the no-motion model too.
  Model zero(kDim, kHidden);
  for (const MatrixXd& state : zero.predict(x0, kDt, 3)) EXPECT_EQ(state, x0);
}

template <class Model>
void expect_deterministic_per_seed_within_pytorch_bounds() {
  Model a(kDim, 16), b(kDim, 16), c(kDim, 16), d(kDim, 16);
  a.initialize(5);
  b.initialize(5);
  c.initialize(6);
  d.initialize(5, 1);
  EXPECT_EQ(a.parameters(), b.parameters());
  EXPECT_NE(a.parameters(), c.parameters());
  EXPECT_NE(a.parameters(), d.parameters());
  const double bound = 1.0 / std::sqrt(16.0);
  EXPECT_LE(a.parameters().cwiseAbs().maxCoeff(), bound);
  EXPECT_GT(a.parameters().cwiseAbs().maxCoeff(), 0.9 * bound);
  EXPECT_NEAR(a.parameters().mean(), 0.0, 0.05);
}

/// Sizes of the documented layout with `gates` blocks of H rows, written out
/// independently of SequenceModel's offsets.
template <class Model>
void expect_layout_sizes(Index gates) {
  Model model(kDim, kHidden);
  const Index g = gates * kHidden;
  EXPECT_EQ(model.num_parameters(), g * kDim + g * kHidden + 2 * g + kDim * kHidden + kDim);
  EXPECT_EQ(model.readout_offset(), g * kDim + g * kHidden + 2 * g);
  EXPECT_THROW(Model(0, 4), InputError);
  EXPECT_THROW(Model(2, 0), InputError);
}

inline void expect_shape_errors_are_input_errors(WindowModel& model) {
  const MatrixXd x0 = uniform_matrix(kDim, kBatch, 106);
  VectorXd none;
  auto wrong_rows = random_targets(2, 204);
  wrong_rows[1] = MatrixXd::Zero(kDim + 1, kBatch);
  EXPECT_THROW(model.loss(x0, wrong_rows, kDt, none, false), InputError);
  EXPECT_THROW(
      model.loss(uniform_matrix(kDim + 1, kBatch, 1), random_targets(2, 204), kDt, none, false),
      InputError);
  VectorXd short_gradient = VectorXd::Zero(3);
  EXPECT_THROW(model.loss(x0, random_targets(2, 204), kDt, short_gradient, false), InputError);
  EXPECT_THROW(model.set_parameters(VectorXd::Zero(3)), InputError);
  const WindowLoss empty = model.loss(x0, {}, kDt, none, true);
  EXPECT_EQ(empty.sum_squares, 0.0);
  EXPECT_EQ(empty.x0_gradient, MatrixXd::Zero(kDim, kBatch));
}

}  // namespace dynlearn::models::testing
