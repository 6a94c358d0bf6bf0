// The curvature-penalised least-squares fit (the low-data option [snet]
// fit_smoothing): the penalty is the exact ∫|x''|², it leaves straight lines
// alone, and from sparse random samples of a smooth trajectory it fits far
// better between the samples than the plain or the ridge fit, also where
// the plain fit is underdetermined (two elements, 25 samples).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/rng.hpp"
#include "dynlearn/spectral/least_squares_fit.hpp"

namespace dynlearn::spectral {
namespace {

double quadratic_form(const Eigen::MatrixXd& k, const ElementChain& chain, double (*f)(double)) {
  Eigen::VectorXd x(chain.node_count());
  for (int j = 0; j < chain.node_count(); ++j) x(j) = f(chain.node_time(j));
  return x.dot(k * x);
}

TEST(SnetSmoothedFit, CurvaturePenaltyIsTheExactIntegralOfTheSquaredSecondDerivative) {
  const ElementChain chain(0.0, 2.0, 2, 5);
  const Eigen::MatrixXd k = curvature_penalty(chain);
  EXPECT_NEAR((k - k.transpose()).norm(), 0.0, 1e-9 * k.norm());
  // x = t³: ∫_0^2 (6t)² dt = 96; x = t²: ∫_0^2 2² dt = 8; a line: 0.
  EXPECT_NEAR(quadratic_form(k, chain, [](double t) { return t * t * t; }), 96.0, 1e-8);
  EXPECT_NEAR(quadratic_form(k, chain, [](double t) { return t * t; }), 8.0, 1e-9);
  EXPECT_NEAR(quadratic_form(k, chain, [](double t) { return 3.0 - 2.0 * t; }), 0.0, 1e-9);
  // A kink at the interface is free too (continuous piecewise linear).
  EXPECT_NEAR(quadratic_form(k, chain, [](double t) { return std::abs(t - 1.0); }), 0.0, 1e-9);
}

// 25 of the 100 uniform sample times on [0, 10], the first always kept (the
// `random` grid of the data stage), drawn from the draw-th stream.
Eigen::VectorXd sparse_times(std::uint64_t draw) {
  core::Rng rng(7, draw, core::Purpose::user);
  std::vector<int> keep{0};
  std::vector<int> rest;
  for (int k = 1; k < 100; ++k) rest.push_back(k);
  while (keep.size() < 25) {
    const auto pick =
        std::min(rest.size() - 1,
                 static_cast<std::size_t>(rng.uniform() * static_cast<double>(rest.size())));
    keep.push_back(rest[pick]);
    rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(pick));
  }
  std::sort(keep.begin(), keep.end());
  Eigen::VectorXd t(25);
  for (int i = 0; i < 25; ++i) t(i) = 10.0 / 99.0 * keep[static_cast<std::size_t>(i)];
  return t;
}

// A vehicle-like smooth trajectory: drift plus a few harmonics.
double trajectory(double t) {
  return 0.05 * t * t + std::sin(0.9 * t) + 0.3 * std::cos(2.1 * t + 0.4);
}

// Largest error of the fit over a fine grid of [0, 10].
double fit_error(const ElementChain& chain, const Eigen::VectorXd& t, double ridge,
                 double smoothing) {
  Eigen::MatrixXd y(1, t.size());
  for (Eigen::Index k = 0; k < t.size(); ++k) y(0, k) = trajectory(t(k));
  const Eigen::MatrixXd x = least_squares_fit(chain, t, y, ridge, smoothing);
  const Eigen::VectorXd fine = Eigen::VectorXd::LinSpaced(1001, 0.0, 10.0);
  const Eigen::VectorXd fitted = chain.global_interpolation(fine) * x.row(0).transpose();
  double error = 0.0;
  for (Eigen::Index k = 0; k < fine.size(); ++k)
    error = std::max(error, std::abs(fitted(k) - trajectory(fine(k))));
  return error;
}

TEST(SnetSmoothedFit, SparseRandomSamplesFitFarBetterWithTheCurvaturePenalty) {
  const ElementChain one(0.0, 10.0, 1, 14);
  const ElementChain two(0.0, 10.0, 2, 14);
  double plain = 0.0, ridge = 0.0, smoothed = 0.0, smoothed_two = 0.0;
  for (std::uint64_t draw = 0; draw < 20; ++draw) {
    const Eigen::VectorXd t = sparse_times(draw);
    plain = std::max(plain, fit_error(one, t, 0.0, 0.0));
    ridge = std::max(ridge, fit_error(one, t, 1e-2, 0.0));
    smoothed = std::max(smoothed, fit_error(one, t, 0.0, 1e-4));
    // 29 nodal values, 25 samples: only the penalised fit is determined.
    EXPECT_THROW(fit_error(two, t, 0.0, 0.0), NumericalError);
    smoothed_two = std::max(smoothed_two, fit_error(two, t, 0.0, 1e-5));
  }
  std::printf(
      "worst fit error over 20 draws: plain %.3g ridge %.3g smoothed %.3g (2 elements %.3g)\n",
      plain, ridge, smoothed, smoothed_two);
  EXPECT_LT(smoothed, plain / 10.0);
  EXPECT_LT(smoothed, ridge / 10.0);
  EXPECT_LT(smoothed_two, ridge / 10.0);
}

TEST(SnetSmoothedFit, StraightLinesAreFittedExactlyFromTwoSamples) {
  // 2 elements of order 6 (13 nodal values), 3 samples: the penalty
  // chooses the line through them.
  const ElementChain chain(0.0, 2.0, 2, 6);
  Eigen::VectorXd t(3);
  t << 0.1, 0.9, 1.7;
  Eigen::MatrixXd y(1, 3);
  for (Eigen::Index k = 0; k < 3; ++k) y(0, k) = 1.0 + 0.5 * t(k);
  const Eigen::MatrixXd x = least_squares_fit(chain, t, y, 0.0, 1.0);
  for (int j = 0; j < chain.node_count(); ++j)
    EXPECT_NEAR(x(0, j), 1.0 + 0.5 * chain.node_time(j), 1e-9);
}

TEST(SnetSmoothedFit, AnUndeterminedTrendOrABadValueIsAnErrorNamingTheKey) {
  // Both samples in the first of two elements: the hat at t = 2 is free.
  const ElementChain chain(0.0, 2.0, 2, 6);
  Eigen::VectorXd t(2);
  t << 0.1, 0.5;
  const Eigen::MatrixXd y = Eigen::MatrixXd::Ones(1, 2);
  try {
    least_squares_fit(chain, t, y, 0.0, 1.0);
    FAIL() << "expected an error";
  } catch (const NumericalError& e) {
    EXPECT_NE(std::string(e.what()).find("fit_ridge"), std::string::npos);
  }
  EXPECT_NO_THROW(least_squares_fit(chain, t, y, 1e-6, 1.0));
  EXPECT_THROW(least_squares_fit(chain, t, y, 0.0, -1.0), InputError);
  EXPECT_THROW(least_squares_fit(chain, t, y, 0.0, std::nan("")), InputError);
  EXPECT_THROW(least_squares_fit(chain, t, y, -1.0, 0.0), InputError);
}

}  // namespace
}  // namespace dynlearn::spectral
