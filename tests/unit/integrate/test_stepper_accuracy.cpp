// Physics of the steppers on x'' = -k x (exact solution known): orders of
// convergence, leapfrog's symplecticity and bounded energy error over 10^4
// steps (and Euler's and RK4's drift, so the energy check can fail), dopri5
// meeting its tolerance, and substeps being plain finer steps.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>

#include "analytic_fields.hpp"
#include "dynlearn/integrate/runge_kutta.hpp"
#include "dynlearn/integrate/stepper.hpp"
#include "rollout_fd.hpp"

namespace dynlearn::integrate {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;
using testing::HarmonicField;

// Error at t = 1 of x'' = -x from (q, p) = (1, 0), with `steps` steps.
double error_at_one(StepperKind kind, int steps) {
  HarmonicField field(VectorXd::Ones(1));
  auto stepper = make_stepper(kind, {.substeps = steps});
  const MatrixXd end =
      stepper->rollout(field, (MatrixXd(2, 1) << 1.0, 0.0).finished(), 1.0, 1).back();
  return std::hypot(end(0) - std::cos(1.0), end(1) + std::sin(1.0));
}

TEST(StepperAccuracy, OrderOfConvergence) {
  struct Expected {
    StepperKind kind;
    double ratio;  // 2^order
  };
  for (const auto& [kind, ratio] :
       {Expected{StepperKind::euler, 2.0}, Expected{StepperKind::leapfrog, 4.0},
        Expected{StepperKind::rk4, 16.0}}) {
    const double e1 = error_at_one(kind, 20);
    const double e2 = error_at_one(kind, 40);
    const double e3 = error_at_one(kind, 80);
    std::printf("[ order ] %-8s errors %.3e %.3e %.3e  ratios %.3f %.3f (expected %.0f)\n",
                std::string(stepper_name(kind)).c_str(), e1, e2, e3, e1 / e2, e2 / e3, ratio);
    // Within 10% of 2^order at both halvings.
    EXPECT_NEAR(e1 / e2, ratio, 0.1 * ratio) << stepper_name(kind);
    EXPECT_NEAR(e2 / e3, ratio, 0.1 * ratio) << stepper_name(kind);
  }
}

// The one-step map M of a linear field is the rollout of the identity's
// columns; symplectic means Mᵀ J M = J.
double symplecticity_defect(StepperKind kind, double dt) {
  HarmonicField field((VectorXd(2) << 1.0, 9.0).finished());
  auto stepper = make_stepper(kind);
  const MatrixXd m = stepper->rollout(field, MatrixXd::Identity(4, 4), dt, 1).back();
  MatrixXd j = MatrixXd::Zero(4, 4);
  j.topRightCorner(2, 2).setIdentity();
  j.bottomLeftCorner(2, 2) = -MatrixXd::Identity(2, 2);
  return (m.transpose() * j * m - j).cwiseAbs().maxCoeff();
}

TEST(StepperAccuracy, LeapfrogIsSymplectic) {
  const double leapfrog = symplecticity_defect(StepperKind::leapfrog, 0.1);
  const double rk4 = symplecticity_defect(StepperKind::rk4, 0.1);
  std::printf("[ symplectic ] max |M^T J M - J|: leapfrog %.1e, rk4 %.1e\n", leapfrog, rk4);
  EXPECT_LT(leapfrog, 1e-14);
  EXPECT_GT(rk4, 1e-6);  // the check can fail
}

struct EnergyHistory {
  double first_window = 0.0;  // max relative energy error, steps 1..1000
  double last_window = 0.0;   // steps 9001..10000
  double overall = 0.0;
};

// Relative energy error of H = Σ p²/2 + k q²/2, k = (1, 9), over 10^4 steps of 0.1.
EnergyHistory energy_history(StepperKind kind) {
  HarmonicField field((VectorXd(2) << 1.0, 9.0).finished());
  auto stepper = make_stepper(kind);
  const MatrixXd x0 = (MatrixXd(4, 1) << 1.0, 0.3, 0.0, 0.5).finished();
  constexpr int kSteps = 10000;
  const auto& states = stepper->rollout(field, x0, 0.1, kSteps);
  const double e0 = field.energy(x0)(0);
  EnergyHistory history;
  for (int k = 1; k <= kSteps; ++k) {
    const double error = std::abs(field.energy(states[k])(0) - e0) / e0;
    if (k <= 1000) history.first_window = std::max(history.first_window, error);
    if (k > kSteps - 1000) history.last_window = std::max(history.last_window, error);
    history.overall = std::max(history.overall, error);
  }
  return history;
}

TEST(StepperAccuracy, LeapfrogEnergyErrorIsBoundedAndDoesNotDrift) {
  const EnergyHistory leapfrog = energy_history(StepperKind::leapfrog);
  const EnergyHistory rk4 = energy_history(StepperKind::rk4);
  std::printf("[ energy ] leapfrog: first 1000 %.3e, last 1000 %.3e, overall %.3e\n",
              leapfrog.first_window, leapfrog.last_window, leapfrog.overall);
  std::printf("[ energy ] rk4:      first 1000 %.3e, last 1000 %.3e, overall %.3e\n",
              rk4.first_window, rk4.last_window, rk4.overall);
  // Leapfrog conserves a modified energy: the error oscillates with amplitude
  // O((ω dt)²) (ω dt = 0.3 here: (0.3)²/4 ≈ 2.3%) and the same amplitude at
  // the end as at the start.
  EXPECT_LT(leapfrog.overall, 0.03);
  EXPECT_LT(leapfrog.last_window, 1.05 * leapfrog.first_window);
  EXPECT_GT(leapfrog.last_window, 0.95 * leapfrog.first_window);
  // RK4 dissipates energy steadily: the same windows differ by a large factor.
  EXPECT_GT(rk4.last_window, 5.0 * rk4.first_window);
}

TEST(StepperAccuracy, Dopri5MeetsItsTolerance) {
  HarmonicField field(VectorXd::Ones(1));
  const MatrixXd x0 = (MatrixXd(2, 1) << 1.0, 0.0).finished();
  double previous_error = 1.0;
  std::size_t previous_steps = 0;
  for (const double tolerance : {1e-4, 1e-6, 1e-8, 1e-10}) {
    RungeKutta stepper(StepperKind::dopri5, {.rtol = tolerance, .atol = tolerance});
    const auto& states = stepper.rollout(field, x0, 1.0, 10);  // to t = 10
    double error = 0.0;
    for (int k = 0; k <= 10; ++k) {
      error = std::max(error, std::hypot(states[k](0) - std::cos(k), states[k](1) + std::sin(k)));
    }
    const std::size_t steps = stepper.step_sizes().size();
    std::printf(
        "[ dopri5 ] tol %.0e: max error over t in [0, 10] %.2e, %zu steps, %d rejected, "
        "%d evaluations\n",
        tolerance, error, steps, stepper.rejected_steps(), stepper.evaluations());
    // Local error control per step: the global error over 10 time units
    // stays within 10x the tolerance.
    EXPECT_LT(error, 10.0 * tolerance);
    EXPECT_LT(error, previous_error);
    EXPECT_GT(steps, previous_steps);
    previous_error = error;
    previous_steps = steps;
  }
}

TEST(StepperAccuracy, SubstepsAreFinerSteps) {
  HarmonicField field((VectorXd(2) << 1.0, 4.0).finished());
  const MatrixXd x0 = testing::uniform_matrix(4, 3, 9);
  for (StepperKind kind : {StepperKind::euler, StepperKind::leapfrog, StepperKind::rk4}) {
    auto coarse = make_stepper(kind, {.substeps = 4});
    auto fine = make_stepper(kind);
    const auto& a = coarse->rollout(field, x0, 0.2, 5);
    const auto& b = fine->rollout(field, x0, 0.05, 20);
    for (int k = 0; k <= 5; ++k) {
      EXPECT_LT((a[k] - b[4 * k]).cwiseAbs().maxCoeff(), 1e-14) << stepper_name(kind);
    }
  }
}

}  // namespace
}  // namespace dynlearn::integrate
