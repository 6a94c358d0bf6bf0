#include <gtest/gtest.h>

#include <cmath>

#include "dynlearn/systems/ode_solver.hpp"

using namespace dynlearn::systems;

TEST(OdeSolver, HarmonicOscillatorMatchesClosedForm) {
  const OdeRhs f = [](double, const Eigen::Ref<const Eigen::VectorXd>& x,
                      Eigen::Ref<Eigen::VectorXd> dx) {
    dx(0) = x(1);
    dx(1) = -4.0 * x(0);
  };
  Eigen::VectorXd t = Eigen::VectorXd::LinSpaced(51, 0.0, 10.0);
  Eigen::VectorXd x0(2);
  x0 << 1.0, 0.0;
  const Eigen::MatrixXd x = solve_ode(f, x0, t);
  for (Eigen::Index k = 0; k < t.size(); ++k) {
    EXPECT_NEAR(x(0, k), std::cos(2 * t(k)), 1e-8);
    EXPECT_NEAR(x(1, k), -2 * std::sin(2 * t(k)), 1e-8);
  }
}

TEST(OdeSolver, TimeDependentRhs) {
  const OdeRhs f = [](double t, const Eigen::Ref<const Eigen::VectorXd>&,
                      Eigen::Ref<Eigen::VectorXd> dx) { dx(0) = std::cos(t); };
  Eigen::VectorXd t(3);
  t << 0.5, 1.0, 3.0;
  const Eigen::MatrixXd x = solve_ode(f, Eigen::VectorXd::Zero(1), t);
  EXPECT_NEAR(x(0, 2), std::sin(3.0) - std::sin(0.5), 1e-9);
}
