// models::Lstm (SRNN's LSTM baseline): backprop-through-time gradients
// against central finite differences, predict() against a scalar
// re-implementation of the documented equations and layout (PyTorch's gate
// order i, f, g, o), the no-motion zero readout, PyTorch-like initialisation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/rng.hpp"
#include "dynlearn/models/lstm.hpp"
#include "dynlearn/models/sequence_model_factory.hpp"

namespace dynlearn::models {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kTolerance = 1e-6;  // relative max-norm error vs central differences
constexpr double kStep = 1e-5;       // finite-difference step
constexpr Index kDim = 3;
constexpr Index kHidden = 5;
constexpr Index kBatch = 4;
constexpr double kDt = 0.1;

MatrixXd uniform_matrix(Index rows, Index cols, std::uint64_t index, double scale = 1.0) {
  core::Rng rng(1234, index, core::Purpose::user);
  MatrixXd m(rows, cols);
  for (Index j = 0; j < cols; ++j)
    for (Index i = 0; i < rows; ++i) m(i, j) = rng.uniform(-scale, scale);
  return m;
}

std::vector<MatrixXd> random_targets(Index steps, std::uint64_t index) {
  std::vector<MatrixXd> targets;
  for (Index k = 0; k < steps; ++k) targets.push_back(uniform_matrix(kDim, kBatch, index + k));
  return targets;
}

double loss_value(WindowModel& model, const MatrixXd& x0, const std::vector<MatrixXd>& targets) {
  VectorXd none;
  return model.loss(x0, targets, kDt, none, false).sum_squares;
}

double relative_error(const Eigen::Ref<const MatrixXd>& analytic,
                      const Eigen::Ref<const MatrixXd>& numeric) {
  return (analytic - numeric).cwiseAbs().maxCoeff() /
         std::max(numeric.cwiseAbs().maxCoeff(), 1e-300);
}

struct FdErrors {
  double theta;
  double x0;
};

FdErrors check_gradients(WindowModel& model, const MatrixXd& x0,
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

Lstm make_lstm(std::uint64_t seed) {
  Lstm lstm(kDim, kHidden);
  lstm.initialize(seed);
  // Larger weights than the initialisation's, so the gates work in their nonlinear range.
  lstm.set_parameters(2.0 * lstm.parameters());
  return lstm;
}

double sigmoid(double z) {
  return 1.0 / (1.0 + std::exp(-z));
}

// The documented equations, one column and one scalar at a time, reading the
// flat vector by the documented layout (gate rows i, f, g, o).
MatrixXd reference_step(const VectorXd& p, Index d, Index h, const MatrixXd& x, MatrixXd& hidden,
                        MatrixXd& cell) {
  const Index w_ih = 0, w_hh = 4 * h * d, b_ih = w_hh + 4 * h * h, b_hh = b_ih + 4 * h,
              w_o = b_hh + 4 * h, b_o = w_o + d * h;
  MatrixXd next_hidden(h, x.cols()), next_cell(h, x.cols()), next(d, x.cols());
  for (Index c = 0; c < x.cols(); ++c) {
    double a[4];
    for (Index r = 0; r < h; ++r) {
      for (Index gate = 0; gate < 4; ++gate) {
        const Index row = gate * h + r;
        double z = p[b_ih + row] + p[b_hh + row];
        for (Index j = 0; j < d; ++j) z += p[w_ih + row * d + j] * x(j, c);
        for (Index j = 0; j < h; ++j) z += p[w_hh + row * h + j] * hidden(j, c);
        a[gate] = z;
      }
      next_cell(r, c) = sigmoid(a[1]) * cell(r, c) + sigmoid(a[0]) * std::tanh(a[2]);
      next_hidden(r, c) = sigmoid(a[3]) * std::tanh(next_cell(r, c));
    }
    for (Index r = 0; r < d; ++r) {
      double y = x(r, c) + p[b_o + r];
      for (Index j = 0; j < h; ++j) y += p[w_o + r * h + j] * next_hidden(j, c);
      next(r, c) = y;
    }
  }
  hidden = next_hidden;
  cell = next_cell;
  return next;
}

TEST(LstmGradients, ThetaAndX0MatchFiniteDifferences) {
  for (Index steps : {1, 3, 7}) {
    Lstm lstm = make_lstm(7);
    const MatrixXd x0 = uniform_matrix(kDim, kBatch, 100);
    const auto targets = random_targets(steps, 200);
    const FdErrors errors = check_gradients(lstm, x0, targets);
    std::printf("[ lstm FD ] T=%ld  dL/dtheta %.2e  dL/dx0 %.2e\n", static_cast<long>(steps),
                errors.theta, errors.x0);
    EXPECT_LT(errors.theta, kTolerance) << "T = " << steps;
    EXPECT_LT(errors.x0, kTolerance) << "T = " << steps;
  }
}

TEST(LstmGradients, EachRequestAloneGivesTheSameGradient) {
  Lstm lstm = make_lstm(8);
  const MatrixXd x0 = uniform_matrix(kDim, kBatch, 101);
  const auto targets = random_targets(4, 201);
  VectorXd both = VectorXd::Zero(lstm.num_parameters());
  const WindowLoss with_both = lstm.loss(x0, targets, kDt, both, true);
  VectorXd theta_only = VectorXd::Zero(lstm.num_parameters());
  const WindowLoss without_x0 = lstm.loss(x0, targets, kDt, theta_only, false);
  VectorXd none;
  const WindowLoss x0_only = lstm.loss(x0, targets, kDt, none, true);
  EXPECT_EQ(without_x0.x0_gradient.size(), 0);
  EXPECT_EQ((both - theta_only).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_EQ((with_both.x0_gradient - x0_only.x0_gradient).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_EQ(with_both.sum_squares, x0_only.sum_squares);
}

TEST(LstmPredict, MatchesTheDocumentedEquationsAndLayout) {
  Lstm lstm = make_lstm(9);
  const MatrixXd x0 = uniform_matrix(kDim, kBatch, 102);
  const auto states = lstm.predict(x0, kDt, 6);
  ASSERT_EQ(states.size(), 7u);
  EXPECT_EQ(states[0], x0);
  MatrixXd x = x0, hidden = MatrixXd::Zero(kHidden, kBatch), cell = hidden;
  for (std::size_t k = 1; k < states.size(); ++k) {
    x = reference_step(lstm.parameters(), kDim, kHidden, x, hidden, cell);
    EXPECT_LT((states[k] - x).cwiseAbs().maxCoeff(), 1e-13) << "step " << k;
  }
}

TEST(LstmPredict, LossIsTheSumOfSquaresOfPredictMinusTargets) {
  Lstm lstm = make_lstm(10);
  const MatrixXd x0 = uniform_matrix(kDim, kBatch, 103);
  const auto targets = random_targets(5, 203);
  const auto states = lstm.predict(x0, kDt, 5);
  double expected = 0.0;
  for (std::size_t k = 0; k < targets.size(); ++k)
    expected += (states[k + 1] - targets[k]).squaredNorm();
  EXPECT_NEAR(loss_value(lstm, x0, targets), expected, 1e-12 * expected);
  EXPECT_GT(expected, 0.0);
}

TEST(LstmPredict, DtIsIgnored) {
  Lstm lstm = make_lstm(11);
  const MatrixXd x0 = uniform_matrix(kDim, kBatch, 104);
  const auto a = lstm.predict(x0, 0.1, 3);
  const auto b = lstm.predict(x0, 7.0, 3);
  for (std::size_t k = 0; k < a.size(); ++k) EXPECT_EQ(a[k], b[k]);
}

TEST(LstmPredict, ZeroReadoutPredictsConstantStates) {
  Lstm lstm = make_lstm(12);
  VectorXd theta = lstm.parameters();
  theta.tail(theta.size() - lstm.readout_offset()).setZero();
  lstm.set_parameters(theta);
  const MatrixXd x0 = uniform_matrix(kDim, kBatch, 105);
  for (const MatrixXd& state : lstm.predict(x0, kDt, 5)) EXPECT_EQ(state, x0);
  // An untrained (randomly initialised) readout does move the state.
  Lstm untrained(kDim, kHidden);
  untrained.initialize(12);
  EXPECT_GT((untrained.predict(x0, kDt, 1)[1] - x0).cwiseAbs().maxCoeff(), 1e-3);
  // The zero-parameter model, as constructed, is the no-motion model too.
  Lstm zero(kDim, kHidden);
  for (const MatrixXd& state : zero.predict(x0, kDt, 3)) EXPECT_EQ(state, x0);
}

TEST(LstmInit, DeterministicPerSeedAndPyTorchBounds) {
  Lstm a(kDim, 16), b(kDim, 16), c(kDim, 16), d(kDim, 16);
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

TEST(LstmInit, LayoutSizes) {
  Lstm lstm(kDim, kHidden);
  EXPECT_EQ(lstm.num_parameters(),
            4 * kHidden * kDim + 4 * kHidden * kHidden + 8 * kHidden + kDim * kHidden + kDim);
  EXPECT_EQ(lstm.readout_offset(), 4 * kHidden * kDim + 4 * kHidden * kHidden + 8 * kHidden);
  EXPECT_THROW(Lstm(0, 4), InputError);
  EXPECT_THROW(Lstm(2, 0), InputError);
}

TEST(LstmInput, ShapeErrorsAreInputErrors) {
  Lstm lstm = make_lstm(13);
  const MatrixXd x0 = uniform_matrix(kDim, kBatch, 106);
  VectorXd none;
  auto wrong_rows = random_targets(2, 204);
  wrong_rows[1] = MatrixXd::Zero(kDim + 1, kBatch);
  EXPECT_THROW(lstm.loss(x0, wrong_rows, kDt, none, false), InputError);
  EXPECT_THROW(
      lstm.loss(uniform_matrix(kDim + 1, kBatch, 1), random_targets(2, 204), kDt, none, false),
      InputError);
  VectorXd short_gradient = VectorXd::Zero(3);
  EXPECT_THROW(lstm.loss(x0, random_targets(2, 204), kDt, short_gradient, false), InputError);
  EXPECT_THROW(lstm.set_parameters(VectorXd::Zero(3)), InputError);
  const WindowLoss empty = lstm.loss(x0, {}, kDt, none, true);
  EXPECT_EQ(empty.sum_squares, 0.0);
  EXPECT_EQ(empty.x0_gradient, MatrixXd::Zero(kDim, kBatch));
}

TEST(LstmFactory, BuildsTheSameInitialisedModel) {
  auto model = make_sequence_model("lstm", kDim, kHidden, 43);
  Lstm direct(kDim, kHidden);
  direct.initialize(43);
  ASSERT_EQ(model->num_parameters(), direct.num_parameters());
  EXPECT_EQ(model->parameters(), direct.parameters());
  EXPECT_THROW(make_sequence_model("lstm", 0, kHidden, 43), InputError);
}

}  // namespace
}  // namespace dynlearn::models
