// The fused RK4 isochronism loss (train/fused_periodicity.hpp): same loss and
// gradient as the generic periodicity_loss through RungeKutta and nn::Mlp
// (to rounding), with and without a pinned equilibrium or an odd force, for hidden widths
// that fill whole vector packets or not; its gradient against central
// differences; and which fields it applies to.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "dynlearn/core/error.hpp"
#include "dynlearn/models/second_order_net.hpp"
#include "dynlearn/train/fused_periodicity.hpp"
#include "dynlearn/train/isochronism.hpp"

namespace dynlearn::train {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

double relative_error(const VectorXd& analytic, const VectorXd& reference) {
  return (analytic - reference).cwiseAbs().maxCoeff() /
         std::max(reference.cwiseAbs().maxCoeff(), 1e-3);
}

struct Case {
  Index hidden;
  Index points;
  bool pinned;
  bool odd = false;
};

class FusedPeriodicityCases : public ::testing::TestWithParam<Case> {};

TEST_P(FusedPeriodicityCases, MatchesTheGenericLossAndGradient) {
  const Case c = GetParam();
  models::SecondOrderNet net(1, {c.hidden}, "tanh");
  net.initialize(31);
  if (c.pinned) net.set_equilibrium(VectorXd::Constant(1, 0.37));
  if (c.odd) net.set_symmetry(models::ForceSymmetry::odd);
  PeriodicityOptions options;
  options.steps = 25;
  ASSERT_TRUE(FusedPeriodicity::applies(net, options));
  const MatrixXd x0 = isochronism_points(1, 0, static_cast<std::size_t>(c.points), 1.0, 5);
  const double weight = 1.0 / 7.0;

  auto stepper = make_periodicity_stepper(options);
  VectorXd generic = VectorXd::Zero(net.num_parameters());
  const double generic_loss = periodicity_loss(net, *stepper, x0, options.period, weight, generic);
  FusedPeriodicity fused(net, options);
  VectorXd gradient = VectorXd::Zero(net.num_parameters());
  const double loss = fused.loss(x0, weight, gradient);
  const double loss_error = std::abs(loss - generic_loss) / generic_loss;
  const double gradient_error = relative_error(gradient, generic);
  std::printf(
      "[ fused periodicity ] H=%ld n=%ld pinned=%d odd=%d: loss %.6g, vs generic %.1e, "
      "gradient %.1e\n",
      static_cast<long>(c.hidden), static_cast<long>(c.points), c.pinned ? 1 : 0, c.odd ? 1 : 0,
      loss, loss_error, gradient_error);
  EXPECT_LT(loss_error, 1e-13);
  EXPECT_LT(gradient_error, 1e-12);
  if (c.pinned || c.odd) {
    EXPECT_EQ(gradient[net.network().bias_offset(1)], 0.0);  // f does not depend on b2
  }

  // The gradient is added to what the vector holds.
  VectorXd added = VectorXd::Constant(net.num_parameters(), 0.5);
  EXPECT_EQ(fused.loss(x0, weight, added), loss);
  EXPECT_LT(relative_error(added.array() - 0.5, gradient), 1e-14);
  // A second call at the same parameters gives the same bits (no state kept).
  VectorXd again = VectorXd::Zero(net.num_parameters());
  EXPECT_EQ(fused.loss(x0, weight, again), loss);
  EXPECT_EQ(again, gradient);
}

INSTANTIATE_TEST_SUITE_P(Shapes, FusedPeriodicityCases,
                         ::testing::Values(Case{16, 10, false}, Case{16, 10, true},
                                           Case{5, 7, false}, Case{5, 7, true}, Case{16, 1, true},
                                           Case{3, 33, false}, Case{16, 10, false, true},
                                           Case{5, 7, false, true}, Case{16, 1, false, true}));

/// Relative error of the fused kernel's θ-gradient at x0 against central
/// differences of its loss.
double fd_gradient_error(models::SecondOrderNet& net, FusedPeriodicity& fused, const MatrixXd& x0) {
  VectorXd gradient = VectorXd::Zero(net.num_parameters());
  fused.loss(x0, 0.25, gradient);
  const double step = 1e-6;
  const VectorXd theta = net.parameters();
  VectorXd reference(theta.size()), scratch(theta.size());
  VectorXd t = theta;
  for (Index i = 0; i < theta.size(); ++i) {
    t[i] = theta[i] + step;
    net.set_parameters(t);
    const double plus = fused.loss(x0, 0.25, scratch);
    t[i] = theta[i] - step;
    net.set_parameters(t);
    const double minus = fused.loss(x0, 0.25, scratch);
    t[i] = theta[i];
    reference[i] = (plus - minus) / (2 * step);
  }
  net.set_parameters(theta);
  return relative_error(gradient, reference);
}

TEST(FusedPeriodicity, PinnedGradientMatchesFiniteDifferences) {
  models::SecondOrderNet net(1, {6}, "tanh");
  net.initialize(41);
  net.set_equilibrium(VectorXd::Constant(1, -0.2));
  PeriodicityOptions options;
  options.steps = 20;
  FusedPeriodicity fused(net, options);
  const double error = fd_gradient_error(net, fused, isochronism_points(1, 0, 9, 1.0, 6));
  std::printf("[ fused periodicity FD ] pinned at -0.2, rk4 20 steps: gradient error %.2e\n",
              error);
  EXPECT_LT(error, 1e-7);
}

TEST(FusedPeriodicity, OddGradientMatchesFiniteDifferences) {
  models::SecondOrderNet net(1, {6}, "tanh");
  net.initialize(43);
  net.set_symmetry(models::ForceSymmetry::odd);
  PeriodicityOptions options;
  options.steps = 20;
  FusedPeriodicity fused(net, options);
  const MatrixXd x0 = isochronism_points(1, 0, 9, 1.0, 7);
  const double error = fd_gradient_error(net, fused, x0);
  std::printf("[ fused periodicity FD ] odd, rk4 20 steps: gradient error %.2e\n", error);
  EXPECT_LT(error, 1e-7);
  // b2 cancels in (g(x) - g(-x)) / 2: the loss changes with it only by
  // rounding.
  VectorXd scratch(net.num_parameters());
  const double loss = fused.loss(x0, 0.25, scratch);
  const VectorXd theta = net.parameters();
  VectorXd t = theta;
  t[net.network().bias_offset(1)] += 0.5;
  net.set_parameters(t);
  EXPECT_LT(std::abs(fused.loss(x0, 0.25, scratch) - loss), 1e-13 * loss);
  net.set_parameters(theta);
}

TEST(FusedPeriodicity, AppliesOnlyToTheOneHiddenLayerTanhNetWithRk4) {
  PeriodicityOptions rk4;
  PeriodicityOptions dopri5;
  dopri5.stepper = integrate::StepperKind::dopri5;
  EXPECT_TRUE(FusedPeriodicity::applies(models::SecondOrderNet(1, {16}, "tanh"), rk4));
  EXPECT_FALSE(FusedPeriodicity::applies(models::SecondOrderNet(1, {16}, "tanh"), dopri5));
  EXPECT_FALSE(FusedPeriodicity::applies(models::SecondOrderNet(1, {8, 8}, "tanh"), rk4));
  EXPECT_FALSE(FusedPeriodicity::applies(models::SecondOrderNet(1, {16}, "softplus"), rk4));
  EXPECT_FALSE(FusedPeriodicity::applies(models::SecondOrderNet(2, {16}, "tanh"), rk4));
  EXPECT_THROW(FusedPeriodicity(models::SecondOrderNet(2, {16}, "tanh"), rk4), InputError);
}

}  // namespace
}  // namespace dynlearn::train
