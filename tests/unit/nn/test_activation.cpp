// Activation functions: every derivative order against central finite
// differences of the order below, array forms against the scalar reference,
// tails without overflow, and deck-name parsing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "dynlearn/core/error.hpp"
#include "dynlearn/nn/activation.hpp"

namespace dynlearn::nn {
namespace {

const std::vector<Activation> kAll{Activation::identity, Activation::tanh, Activation::softplus,
                                   Activation::relu, Activation::sigmoid};

// Away from relu's kink at 0; spans both tails of tanh / sigmoid / softplus.
const std::vector<double> kPoints{-4.2, -2.3, -1.1, -0.4, -0.05, 0.05, 0.37, 0.9, 1.7, 3.1, 5.5};

constexpr double kStep = 1e-5;
constexpr double kTolerance = 1e-7;

// Relative error with a floor, so that derivatives that vanish (relu's second,
// sigmoid's tails) are compared in absolute terms instead of amplifying noise.
double relative_error(double analytic, double reference) {
  return std::abs(analytic - reference) / std::max(std::abs(reference), 1e-3);
}

double central_difference(Activation activation, int order, double z) {
  return (activation_derivative(activation, order, z + kStep) -
          activation_derivative(activation, order, z - kStep)) /
         (2.0 * kStep);
}

class ActivationDerivatives : public ::testing::TestWithParam<Activation> {};

TEST_P(ActivationDerivatives, EachOrderMatchesFiniteDifferenceOfTheOrderBelow) {
  const Activation activation = GetParam();
  for (int order = 1; order <= 3; ++order) {
    double worst = 0.0;
    for (double z : kPoints) {
      const double analytic = activation_derivative(activation, order, z);
      const double reference = central_difference(activation, order - 1, z);
      worst = std::max(worst, relative_error(analytic, reference));
      EXPECT_LT(relative_error(analytic, reference), kTolerance)
          << activation_name(activation) << " order " << order << " at z = " << z << ": analytic "
          << analytic << ", finite difference " << reference;
    }
    RecordProperty("max_fd_error_order_" + std::to_string(order), std::to_string(worst));
  }
}

TEST_P(ActivationDerivatives, ArrayFormsEqualScalarReference) {
  const Activation activation = GetParam();
  std::vector<double> points = kPoints;
  for (double tail : {40.0, -40.0, 800.0, -800.0}) points.push_back(tail);
  Eigen::ArrayXXd z(static_cast<Eigen::Index>(points.size()), 2);
  for (std::size_t i = 0; i < points.size(); ++i) {
    z(static_cast<Eigen::Index>(i), 0) = points[i];
    z(static_cast<Eigen::Index>(i), 1) = -0.5 * points[i];
  }
  Eigen::ArrayXXd value(z.rows(), z.cols()), first(z.rows(), z.cols());
  Eigen::ArrayXXd second(z.rows(), z.cols()), third(z.rows(), z.cols());
  activation_value_and_first(activation, z, value, first);
  activation_second_and_third(activation, z, second, third);
  const std::vector<const Eigen::ArrayXXd*> paired{&value, &first, &second, &third};
  for (int order = 0; order <= 3; ++order) {
    Eigen::ArrayXXd single(z.rows(), z.cols());
    activation_derivative(activation, order, z, single);
    for (Eigen::Index j = 0; j < z.cols(); ++j) {
      for (Eigen::Index i = 0; i < z.rows(); ++i) {
        const double reference = activation_derivative(activation, order, z(i, j));
        ASSERT_TRUE(std::isfinite((*paired[order])(i, j)))
            << activation_name(activation) << " order " << order << " at " << z(i, j);
        EXPECT_NEAR((*paired[order])(i, j), reference, 1e-13 * std::max(1.0, std::abs(reference)))
            << activation_name(activation) << " order " << order << " at " << z(i, j);
        EXPECT_NEAR(single(i, j), reference, 1e-13 * std::max(1.0, std::abs(reference)));
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(All, ActivationDerivatives, ::testing::ValuesIn(kAll),
                         [](const auto& info) { return std::string(activation_name(info.param)); });

TEST(Activation, KnownValuesAndTails) {
  EXPECT_DOUBLE_EQ(activation_derivative(Activation::softplus, 0, 0.0), std::log(2.0));
  EXPECT_DOUBLE_EQ(activation_derivative(Activation::softplus, 0, 800.0), 800.0);
  EXPECT_EQ(activation_derivative(Activation::softplus, 0, -800.0), 0.0);
  EXPECT_NEAR(activation_derivative(Activation::softplus, 0, -30.0), std::exp(-30.0), 1e-25);
  EXPECT_DOUBLE_EQ(activation_derivative(Activation::sigmoid, 0, 0.0), 0.5);
  EXPECT_DOUBLE_EQ(activation_derivative(Activation::sigmoid, 1, 0.0), 0.25);
  // Sigmoid' keeps relative precision in the upper tail (no 1 - s cancellation).
  EXPECT_NEAR(activation_derivative(Activation::sigmoid, 1, 40.0) / std::exp(-40.0), 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(activation_derivative(Activation::tanh, 1, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(activation_derivative(Activation::tanh, 3, 0.0), -2.0);
  EXPECT_EQ(activation_derivative(Activation::relu, 0, -1.5), 0.0);
  EXPECT_EQ(activation_derivative(Activation::relu, 0, 1.5), 1.5);
  EXPECT_EQ(activation_derivative(Activation::relu, 1, 1.5), 1.0);
  EXPECT_EQ(activation_derivative(Activation::relu, 2, 1.5), 0.0);
  EXPECT_EQ(activation_derivative(Activation::identity, 0, -1.5), -1.5);
  EXPECT_EQ(activation_derivative(Activation::identity, 1, -1.5), 1.0);
  EXPECT_THROW(activation_derivative(Activation::tanh, 4, 0.0), Error);
}

// The checker itself must be able to fail: a plausible but wrong third
// derivative of tanh (sign slip) is rejected by the same comparison.
TEST(Activation, FiniteDifferenceCheckRejectsWrongDerivative) {
  double worst = 0.0;
  for (double z : kPoints) {
    const double t = std::tanh(z);
    const double wrong_third = (1.0 - t * t) * (6.0 * t * t + 2.0);
    worst =
        std::max(worst, relative_error(wrong_third, central_difference(Activation::tanh, 2, z)));
  }
  EXPECT_GT(worst, 1e-2);
}

TEST(Activation, ParseNamesRoundTrip) {
  for (Activation activation : kAll) {
    EXPECT_EQ(parse_activation(activation_name(activation)), activation);
  }
}

TEST(Activation, ParseUnknownNameListsValidOnes) {
  try {
    parse_activation("tahn");
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("tahn"), std::string::npos) << message;
    for (Activation activation : kAll) {
      EXPECT_NE(message.find(std::string(activation_name(activation))), std::string::npos)
          << message;
    }
    EXPECT_EQ(error.code(), ExitCode::bad_input);
  }
  EXPECT_THROW(parse_activation(""), InputError);
  EXPECT_THROW(parse_activation("Tanh"), InputError);
}

}  // namespace
}  // namespace dynlearn::nn
