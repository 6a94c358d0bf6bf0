// The isochronism loss and measurements: the data-parallel loss gradient
// against central finite differences (RK4 and dopri5 with frozen steps), the
// phase-space points, and the period measurement on the exact harmonic
// oscillator (isochronous) and the pendulum (period 4 K(sin(a/2)), not).
#include <gtest/gtest.h>
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "dynlearn/models/second_order_net.hpp"
#include "dynlearn/parallel/reduction.hpp"
#include "dynlearn/train/isochronism.hpp"

namespace dynlearn::train {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kStep = 1e-6;

double relative_error(const VectorXd& analytic, const VectorXd& reference) {
  return (analytic - reference).cwiseAbs().maxCoeff() /
         std::max(reference.cwiseAbs().maxCoeff(), 1e-3);
}

/// Central differences of `loss` with respect to the field's parameters.
template <class Loss>
VectorXd finite_difference_gradient(integrate::VectorField& field, Loss loss) {
  const VectorXd theta = field.parameters();
  VectorXd reference(theta.size());
  VectorXd t = theta;
  for (Index i = 0; i < theta.size(); ++i) {
    t[i] = theta[i] + kStep;
    field.set_parameters(t);
    const double plus = loss();
    t[i] = theta[i] - kStep;
    field.set_parameters(t);
    const double minus = loss();
    t[i] = theta[i];
    reference[i] = (plus - minus) / (2 * kStep);
  }
  field.set_parameters(theta);
  return reference;
}

TEST(IsochronismLoss, ObjectiveGradientMatchesFiniteDifferences) {
  models::SecondOrderNet net(1, {6}, "tanh");
  net.initialize(21);
  const std::size_t n_points = 11;
  parallel::ShardLayout layout(n_points, 3, MPI_COMM_WORLD);
  const auto owned = layout.owned_items();
  PeriodicityOptions options;
  options.steps = 20;
  PeriodicityObjective objective(net, options,
                                 isochronism_points(1, owned.begin, owned.size(), 1.0, 4), layout,
                                 MPI_COMM_WORLD);
  const auto value = objective.evaluate(false);
  EXPECT_FALSE(value.stop);
  const VectorXd reference =
      finite_difference_gradient(net, [&] { return objective.evaluate(false).loss; });
  const double error = relative_error(value.gradient, reference);
  std::printf("[ isochronism FD ] objective (rk4, 20 steps): loss %.6g, gradient error %.2e\n",
              value.loss, error);
  EXPECT_LT(error, 1e-7);

  // The loss is the mean of ||X(T) - X(0)||² over the points.
  auto stepper = make_periodicity_stepper(options);
  const MatrixXd points = isochronism_points(1, 0, n_points, 1.0, 4);
  const auto& states = stepper->rollout(net, points, options.period, 1);
  EXPECT_NEAR(value.loss, (states[1] - points).squaredNorm() / n_points, 1e-12 * value.loss);
}

TEST(IsochronismLoss, Dopri5GradientMatchesFiniteDifferencesWithFrozenSteps) {
  models::SecondOrderNet net(1, {5}, "tanh");
  net.initialize(8);
  PeriodicityOptions options;
  options.stepper = integrate::StepperKind::dopri5;
  options.steps = 10;
  options.rtol = 1e-6;
  auto stepper = make_periodicity_stepper(options);
  const MatrixXd points = isochronism_points(1, 0, 6, 1.0, 9);
  VectorXd gradient = VectorXd::Zero(net.num_parameters());
  periodicity_loss(net, *stepper, points, options.period, 0.5, gradient);
  stepper->freeze_step_sizes(true);
  VectorXd scratch = VectorXd::Zero(net.num_parameters());
  const VectorXd reference = finite_difference_gradient(
      net, [&] { return periodicity_loss(net, *stepper, points, options.period, 0.5, scratch); });
  stepper->freeze_step_sizes(false);
  const double error = relative_error(gradient, reference);
  std::printf("[ isochronism FD ] dopri5 (%zu steps): gradient error %.2e\n",
              stepper->step_sizes().size(), error);
  EXPECT_LT(error, 1e-7);
}

TEST(IsochronismLoss, PointsAreStandardNormalAndIndependentOfTheSplit) {
  const MatrixXd all = isochronism_points(2, 0, 4000, 1.0, 3);
  const MatrixXd part = isochronism_points(2, 1234, 10, 1.0, 3);
  EXPECT_EQ(part, all.middleCols(1234, 10));
  EXPECT_NEAR(all.mean(), 0.0, 0.03);
  const double variance = (all.array() - all.mean()).square().mean();
  EXPECT_NEAR(variance, 1.0, 0.04);
  EXPECT_EQ(isochronism_points(1, 0, 5, 2.0, 3), 2.0 * isochronism_points(1, 0, 5, 1.0, 3));
  EXPECT_NE(isochronism_points(1, 0, 5, 1.0, 4), isochronism_points(1, 0, 5, 1.0, 3));
}

/// x'' = g(x) for an analytic force, as a field on [x; v] (no parameters).
class ForceField final : public integrate::VectorField {
 public:
  explicit ForceField(double (*force)(double)) : force_(force) {}
  Index state_dim() const override { return 2; }
  Index num_parameters() const override { return 0; }
  VectorXd parameters() const override { return {}; }
  void set_parameters(const Eigen::Ref<const VectorXd>&) override {}
  std::unique_ptr<integrate::FieldTape> make_tape() const override {
    return std::make_unique<integrate::FieldTape>();
  }
  void evaluate(const Eigen::Ref<const MatrixXd>& x, Eigen::Ref<MatrixXd> out,
                integrate::FieldTape&) const override {
    for (Index j = 0; j < x.cols(); ++j) {
      out(0, j) = x(1, j);
      out(1, j) = force_(x(0, j));
    }
  }
  void vjp(const Eigen::Ref<const MatrixXd>&, Eigen::Ref<MatrixXd>, Eigen::Ref<VectorXd>,
           integrate::FieldTape&) const override {
    ADD_FAILURE() << "not needed";
  }

 private:
  double (*force_)(double);
};

/// Complete elliptic integral of the first kind K(k) by the AGM.
double elliptic_k(double k) {
  double a = 1.0, b = std::sqrt(1.0 - k * k);
  for (int i = 0; i < 40; ++i) {
    const double next = 0.5 * (a + b);
    b = std::sqrt(a * b);
    a = next;
  }
  return std::numbers::pi / (2.0 * a);
}

TEST(IsochronismPeriods, HarmonicOscillatorIsIsochronous) {
  ForceField harmonic([](double x) { return -x; });
  const std::vector<double> amplitudes{0.1, 0.5, 1.0, 2.0, 3.0, -1.5};
  const auto periods = measure_periods(harmonic, amplitudes, PeriodOptions{});
  for (std::size_t i = 0; i < amplitudes.size(); ++i) {
    std::printf("[ isochronism ] harmonic a=%5.2f: period %.12f\n", amplitudes[i], periods[i]);
    EXPECT_NEAR(periods[i], 2 * std::numbers::pi, 1e-8) << "amplitude " << amplitudes[i];
  }
  // A stiffer spring: period 2π/ω, found with the same reference sampling.
  ForceField stiff([](double x) { return -4.0 * x; });
  const auto fast = measure_periods(stiff, {1.0}, PeriodOptions{});
  EXPECT_NEAR(fast[0], std::numbers::pi, 1e-8);
}

TEST(IsochronismPeriods, PendulumIsNotIsochronous) {
  ForceField pendulum([](double x) { return -std::sin(x); });
  const std::vector<double> amplitudes{0.2, 1.0, 2.0, 2.5, -2.0};
  PeriodOptions options;
  options.horizon = 4.0;
  const auto periods = measure_periods(pendulum, amplitudes, options);
  for (std::size_t i = 0; i < amplitudes.size(); ++i) {
    const double exact = 4.0 * elliptic_k(std::sin(std::abs(amplitudes[i]) / 2));
    std::printf("[ isochronism ] pendulum a=%5.2f: period %.12f, exact %.12f\n", amplitudes[i],
                periods[i], exact);
    EXPECT_NEAR(periods[i], exact, 1e-8) << "amplitude " << amplitudes[i];
  }
  EXPECT_GT(periods[3], 1.2 * periods[0]);
}

TEST(IsochronismPeriods, NoReturnWithinTheHorizonIsNaN) {
  ForceField soft([](double x) { return -0.01 * x; });  // period 20π
  const auto periods = measure_periods(soft, {1.0}, PeriodOptions{});
  EXPECT_TRUE(std::isnan(periods[0]));
  ForceField free([](double) { return 0.0; });  // at rest forever
  EXPECT_TRUE(std::isnan(measure_periods(free, {1.0}, PeriodOptions{})[0]));
}

}  // namespace
}  // namespace dynlearn::train
