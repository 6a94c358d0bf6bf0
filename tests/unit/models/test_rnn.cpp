// models::Rnn (SRNN's vanilla RNN baseline): backprop-through-time gradients
// against central finite differences, predict() against a scalar
// re-implementation of the documented equations and layout, the no-motion
// zero readout, PyTorch-like initialisation, and the sequence model factory.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "dynlearn/core/error.hpp"
#include "dynlearn/models/rnn.hpp"
#include "dynlearn/models/sequence_model_factory.hpp"
#include "sequence_test_support.hpp"

namespace dynlearn::models {
namespace {

using namespace dynlearn::models::testing;

// The documented equations, one column and one scalar at a time, reading the
// flat vector by the documented layout.
MatrixXd reference_step(const VectorXd& p, Index d, Index h, const MatrixXd& x, MatrixXd& hidden) {
  const Index w_ih = 0, w_hh = h * d, b_ih = w_hh + h * h, b_hh = b_ih + h, w_o = b_hh + h,
              b_o = w_o + d * h;
  MatrixXd next_hidden(h, x.cols()), next(d, x.cols());
  for (Index c = 0; c < x.cols(); ++c) {
    for (Index r = 0; r < h; ++r) {
      double z = p[b_ih + r] + p[b_hh + r];
      for (Index j = 0; j < d; ++j) z += p[w_ih + r * d + j] * x(j, c);
      for (Index j = 0; j < h; ++j) z += p[w_hh + r * h + j] * hidden(j, c);
      next_hidden(r, c) = std::tanh(z);
    }
    for (Index r = 0; r < d; ++r) {
      double y = x(r, c) + p[b_o + r];
      for (Index j = 0; j < h; ++j) y += p[w_o + r * h + j] * next_hidden(j, c);
      next(r, c) = y;
    }
  }
  hidden = next_hidden;
  return next;
}

TEST(RnnGradients, ThetaAndX0MatchFiniteDifferences) {
  expect_gradients_match_finite_differences<Rnn>("rnn");
}

TEST(RnnGradients, EachRequestAloneGivesTheSameGradient) {
  Rnn rnn = make_model<Rnn>(8);
  expect_each_request_alone_gives_the_same_gradient(rnn);
}

TEST(RnnPredict, MatchesTheDocumentedEquationsAndLayout) {
  Rnn rnn = make_model<Rnn>(9);
  const MatrixXd x0 = uniform_matrix(kDim, kBatch, 102);
  const auto states = rnn.predict(x0, kDt, 6);
  ASSERT_EQ(states.size(), 7u);
  EXPECT_EQ(states[0], x0);
  MatrixXd x = x0, hidden = MatrixXd::Zero(kHidden, kBatch);
  for (std::size_t k = 1; k < states.size(); ++k) {
    x = reference_step(rnn.parameters(), kDim, kHidden, x, hidden);
    EXPECT_LT((states[k] - x).cwiseAbs().maxCoeff(), 1e-13) << "step " << k;
  }
}

TEST(RnnPredict, LossIsTheSumOfSquaresOfPredictMinusTargets) {
  Rnn rnn = make_model<Rnn>(10);
  expect_loss_is_the_sum_of_squares_of_predict_minus_targets(rnn);
}

TEST(RnnPredict, DtIsIgnored) {
  Rnn rnn = make_model<Rnn>(11);
  expect_dt_is_ignored(rnn);
}

TEST(RnnPredict, ZeroReadoutPredictsConstantStates) {
  expect_zero_readout_predicts_constant_states<Rnn>();
}

TEST(RnnInit, DeterministicPerSeedAndPyTorchBounds) {
  expect_deterministic_per_seed_within_pytorch_bounds<Rnn>();
}

TEST(RnnInit, LayoutSizes) {
  expect_layout_sizes<Rnn>(1);
}

TEST(RnnInput, ShapeErrorsAreInputErrors) {
  Rnn rnn = make_model<Rnn>(13);
  expect_shape_errors_are_input_errors(rnn);
}

TEST(RnnFactory, BuildsInitialisedModelsAndRejectsUnknownTypes) {
  auto model = make_sequence_model("rnn", kDim, kHidden, 42);
  Rnn direct(kDim, kHidden);
  direct.initialize(42);
  ASSERT_EQ(model->num_parameters(), direct.num_parameters());
  EXPECT_EQ(model->parameters(), direct.parameters());
  auto lstm = make_sequence_model("lstm", kDim, kHidden, 42);
  EXPECT_EQ(lstm->num_parameters(),
            4 * kHidden * (kDim + kHidden) + 8 * kHidden + kDim * kHidden + kDim);
  EXPECT_THROW(make_sequence_model("gru", kDim, kHidden, 42), InputError);
  EXPECT_THROW(make_sequence_model("RNN", kDim, kHidden, 42), InputError);
  EXPECT_THROW(make_sequence_model("rnn", kDim, 0, 42), InputError);
}

}  // namespace
}  // namespace dynlearn::models
