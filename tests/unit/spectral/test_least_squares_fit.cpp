// The least-squares fit of a chain's nodal values to samples: exact on
// polynomials of degree <= p, error falling exponentially with p on a smooth
// function, an underdetermined fit an error naming the fix.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "dynlearn/spectral/least_squares_fit.hpp"

namespace dynlearn::spectral {
namespace {

TEST(SnetLeastSquaresFit, ReproducesAPolynomialOfDegreeAtMostPExactly) {
  const ElementChain chain(0.0, 2.0, 2, 3);
  const Eigen::VectorXd t = Eigen::VectorXd::LinSpaced(15, 0.0, 2.0);
  Eigen::MatrixXd y(2, t.size());
  for (Eigen::Index k = 0; k < t.size(); ++k) {
    y(0, k) = 1.0 - 2.0 * t(k) + 0.5 * t(k) * t(k) * t(k);
    y(1, k) = std::pow(t(k) - 0.3, 2);
  }
  const Eigen::MatrixXd x = least_squares_fit(chain, t, y, 0.0);
  for (int j = 0; j < chain.node_count(); ++j) {
    const double s = chain.node_time(j);
    EXPECT_NEAR(x(0, j), 1.0 - 2.0 * s + 0.5 * s * s * s, 1e-10);
    EXPECT_NEAR(x(1, j), std::pow(s - 0.3, 2), 1e-10);
  }
}

// A smooth (entire) function: the fit's error at the nodes falls at least
// 10x for every 4 orders, down to 1e-9 at p = 16 (spectral accuracy).
TEST(SnetLeastSquaresFit, ErrorFallsExponentiallyWithTheOrder) {
  const auto f = [](double s) { return std::sin(2.0 * s) + std::exp(-s); };
  const Eigen::VectorXd t = Eigen::VectorXd::LinSpaced(101, 0.0, 3.0);
  Eigen::MatrixXd y(1, t.size());
  for (Eigen::Index k = 0; k < t.size(); ++k) y(0, k) = f(t(k));
  double previous = 0.0;
  for (int p = 4; p <= 16; p += 4) {
    const ElementChain chain(0.0, 3.0, 1, p);
    const Eigen::MatrixXd x = least_squares_fit(chain, t, y, 0.0);
    double error = 0.0;
    for (int j = 0; j < chain.node_count(); ++j)
      error = std::max(error, std::abs(x(0, j) - f(chain.node_time(j))));
    if (p > 4) {
      EXPECT_LT(error, previous / 10.0) << "p = " << p;
    }
    previous = error;
  }
  EXPECT_LT(previous, 1e-9);
}

TEST(SnetLeastSquaresFit, TooFewSamplesIsAnErrorNamingTheFix) {
  const ElementChain chain(0.0, 2.0, 4, 6);
  const Eigen::VectorXd t = Eigen::VectorXd::LinSpaced(5, 0.0, 2.0);
  const Eigen::MatrixXd y = Eigen::MatrixXd::Ones(1, 5);
  try {
    least_squares_fit(chain, t, y, 0.0);
    FAIL() << "expected an error";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("fit_ridge"), std::string::npos);
  }
  EXPECT_NO_THROW(least_squares_fit(chain, t, y, 1e-6));
}

}  // namespace
}  // namespace dynlearn::spectral
