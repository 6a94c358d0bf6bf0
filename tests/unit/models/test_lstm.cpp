// models::Lstm (SRNN's LSTM baseline): backprop-through-time gradients
// against central finite differences, predict() against a scalar
// re-implementation of the documented equations and layout (PyTorch's gate
// order i, f, g, o), the no-motion zero readout, PyTorch-like initialisation.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "dynlearn/core/error.hpp"
#include "dynlearn/models/lstm.hpp"
#include "dynlearn/models/sequence_model_factory.hpp"
#include "sequence_test_support.hpp"

namespace dynlearn::models {
namespace {

using namespace dynlearn::models::testing;

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
  expect_gradients_match_finite_differences<Lstm>("lstm");
}

TEST(LstmGradients, EachRequestAloneGivesTheSameGradient) {
  Lstm lstm = make_model<Lstm>(8);
  expect_each_request_alone_gives_the_same_gradient(lstm);
}

TEST(LstmPredict, MatchesTheDocumentedEquationsAndLayout) {
  Lstm lstm = make_model<Lstm>(9);
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
  Lstm lstm = make_model<Lstm>(10);
  expect_loss_is_the_sum_of_squares_of_predict_minus_targets(lstm);
}

TEST(LstmPredict, DtIsIgnored) {
  Lstm lstm = make_model<Lstm>(11);
  expect_dt_is_ignored(lstm);
}

TEST(LstmPredict, ZeroReadoutPredictsConstantStates) {
  expect_zero_readout_predicts_constant_states<Lstm>();
}

TEST(LstmInit, DeterministicPerSeedAndPyTorchBounds) {
  expect_deterministic_per_seed_within_pytorch_bounds<Lstm>();
}

TEST(LstmInit, LayoutSizes) {
  expect_layout_sizes<Lstm>(4);
}

TEST(LstmInput, ShapeErrorsAreInputErrors) {
  Lstm lstm = make_model<Lstm>(13);
  expect_shape_errors_are_input_errors(lstm);
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
