// SecondOrderNet x'' = f(x; θ) as a vector field: the rate is [v; f(x)], and
// its VJPs (full and split views, with respect to the state and θ) agree with
// central finite differences; rollouts through RK4 and leapfrog too. The same
// with a pinned equilibrium, f(x) = g(x) - g(x_eq), and with an odd force,
// f(x) = (g(x) - g(-x)) / 2.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <initializer_list>
#include <string>

#include "../integrate/rollout_fd.hpp"
#include "dynlearn/core/error.hpp"
#include "dynlearn/core/rng.hpp"
#include "dynlearn/integrate/stepper.hpp"
#include "dynlearn/models/second_order_net.hpp"

namespace dynlearn::models {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kStep = 1e-5;
constexpr double kTolerance = 1e-7;
constexpr Index kBatch = 5;

MatrixXd random_matrix(Index rows, Index cols, std::uint64_t index) {
  core::Rng rng(11, index, core::Purpose::user);
  MatrixXd m(rows, cols);
  for (Index j = 0; j < cols; ++j)
    for (Index i = 0; i < rows; ++i) m(i, j) = rng.uniform(-1.5, 1.5);
  return m;
}

double relative_error(const MatrixXd& analytic, const MatrixXd& reference) {
  return (analytic - reference).cwiseAbs().maxCoeff() /
         std::max(reference.cwiseAbs().maxCoeff(), 1e-3);
}

/// <G, rate(x; θ)> with the field's evaluate.
double weighted_rate(const SecondOrderNet& net, const MatrixXd& x, const MatrixXd& g) {
  auto tape = net.make_tape();
  MatrixXd out(x.rows(), x.cols());
  net.evaluate(x, out, *tape);
  return (g.array() * out.array()).sum();
}

/// Checks the full VJP at x with upstream g against central differences in
/// x and θ; returns the θ-gradient.
VectorXd expect_vjp_matches_fd(SecondOrderNet& net, const MatrixXd& x, const MatrixXd& g,
                               const std::string& label) {
  auto tape = net.make_tape();
  MatrixXd out(x.rows(), x.cols()), x_adjoint(x.rows(), x.cols());
  net.evaluate(x, out, *tape);
  VectorXd theta_gradient = VectorXd::Zero(net.num_parameters());
  net.vjp(g, x_adjoint, theta_gradient, *tape);

  MatrixXd x_reference(x.rows(), x.cols());
  MatrixXd xp = x;
  for (Index i = 0; i < x.size(); ++i) {
    xp(i) = x(i) + kStep;
    const double plus = weighted_rate(net, xp, g);
    xp(i) = x(i) - kStep;
    const double minus = weighted_rate(net, xp, g);
    xp(i) = x(i);
    x_reference(i) = (plus - minus) / (2 * kStep);
  }
  VectorXd theta_reference(net.num_parameters());
  const VectorXd theta = net.parameters();
  VectorXd tp = theta;
  for (Index i = 0; i < theta.size(); ++i) {
    tp[i] = theta[i] + kStep;
    net.set_parameters(tp);
    const double plus = weighted_rate(net, x, g);
    tp[i] = theta[i] - kStep;
    net.set_parameters(tp);
    const double minus = weighted_rate(net, x, g);
    tp[i] = theta[i];
    theta_reference[i] = (plus - minus) / (2 * kStep);
  }
  net.set_parameters(theta);
  const double ex = relative_error(x_adjoint, x_reference);
  const double et = relative_error(theta_gradient, theta_reference);
  std::printf("[ second-order FD ] d=%ld %svjp: state %.2e, theta %.2e\n",
              static_cast<long>(net.state_dim() / 2), label.c_str(), ex, et);
  EXPECT_LT(ex, kTolerance) << label;
  EXPECT_LT(et, kTolerance) << label;
  return theta_gradient;
}

/// Checks the split view dp/dt = f(q) against the full field with upstream [0; g].
void expect_split_dp_matches_full(const SecondOrderNet& net, const MatrixXd& x, const MatrixXd& g) {
  const Index d = net.state_dim() / 2;
  auto tape = net.make_tape();
  MatrixXd out(2 * d, x.cols()), x_adjoint(2 * d, x.cols());
  net.evaluate(x, out, *tape);
  MatrixXd upstream = MatrixXd::Zero(2 * d, x.cols());
  upstream.bottomRows(d) = g;
  VectorXd full_gradient = VectorXd::Zero(net.num_parameters());
  net.vjp(upstream, x_adjoint, full_gradient, *tape);

  MatrixXd fp(d, x.cols()), qa(d, x.cols()), pa(d, x.cols());
  auto split_tape = net.make_tape();
  net.evaluate_dp(x.topRows(d), x.bottomRows(d), fp, *split_tape);
  EXPECT_EQ(fp, out.bottomRows(d));
  VectorXd split_gradient = VectorXd::Zero(net.num_parameters());
  net.vjp_dp(g, qa, pa, split_gradient, *split_tape);
  EXPECT_LT(relative_error(qa, x_adjoint.topRows(d)), 1e-14);
  EXPECT_LT(relative_error(pa, x_adjoint.bottomRows(d)), 1e-14);
  EXPECT_LT(relative_error(split_gradient, full_gradient), 1e-14);
}

/// Checks rollouts from x0 through each stepper against finite differences.
void expect_rollouts_match_fd(SecondOrderNet& net, const MatrixXd& x0,
                              std::initializer_list<integrate::StepperKind> kinds,
                              const std::string& label) {
  for (auto kind : kinds) {
    integrate::StepperOptions options;
    options.substeps = 4;
    auto stepper = integrate::make_stepper(kind, options);
    const auto errors = integrate::testing::check_rollout_gradients(net, *stepper, x0, 0.3, 3);
    std::printf("[ second-order FD ] d=%ld %s%s rollout: x0 %.2e, theta %.2e\n",
                static_cast<long>(net.state_dim() / 2), label.c_str(),
                std::string(integrate::stepper_name(kind)).c_str(), errors.x0, errors.theta);
    EXPECT_LT(errors.x0, 1e-6) << label << integrate::stepper_name(kind);
    EXPECT_LT(errors.theta, 1e-6) << label << integrate::stepper_name(kind);
  }
}

class SecondOrderNetGradients : public ::testing::TestWithParam<Index> {};

TEST_P(SecondOrderNetGradients, RateIsVelocityAndForce) {
  const Index d = GetParam();
  SecondOrderNet net(d, {7, 5}, "tanh");
  net.initialize(3);
  const MatrixXd x = random_matrix(2 * d, kBatch, 1);
  auto tape = net.make_tape();
  MatrixXd out(2 * d, kBatch);
  net.evaluate(x, out, *tape);
  nn::MlpWorkspace ws;
  const MatrixXd force = net.network().forward(x.topRows(d), ws);
  EXPECT_EQ(out.topRows(d), x.bottomRows(d));
  EXPECT_EQ(out.bottomRows(d), force);
  MatrixXd f(d, kBatch);
  net.force(x.topRows(d), f, ws);
  EXPECT_EQ(f, force);
  EXPECT_TRUE(net.separable());
  EXPECT_EQ(net.state_dim(), 2 * d);
}

TEST_P(SecondOrderNetGradients, FullVjpMatchesFiniteDifferences) {
  const Index d = GetParam();
  SecondOrderNet net(d, {6}, "tanh");
  net.initialize(5);
  expect_vjp_matches_fd(net, random_matrix(2 * d, kBatch, 2), random_matrix(2 * d, kBatch, 3), "");
}

TEST_P(SecondOrderNetGradients, SplitVjpsMatchFullVjp) {
  const Index d = GetParam();
  SecondOrderNet net(d, {6}, "tanh");
  net.initialize(9);
  const MatrixXd x = random_matrix(2 * d, kBatch, 4);
  const MatrixXd q = x.topRows(d), p = x.bottomRows(d);
  const MatrixXd g = random_matrix(d, kBatch, 5);
  auto tape = net.make_tape();
  MatrixXd out(d, kBatch), qa(d, kBatch), pa(d, kBatch);

  // dp/dt half: against the full field with upstream [0; g].
  MatrixXd full_upstream = MatrixXd::Zero(2 * d, kBatch);
  full_upstream.bottomRows(d) = g;
  auto full_tape = net.make_tape();
  MatrixXd full_out(2 * d, kBatch), full_adjoint(2 * d, kBatch);
  net.evaluate(x, full_out, *full_tape);
  VectorXd full_gradient = VectorXd::Zero(net.num_parameters());
  net.vjp(full_upstream, full_adjoint, full_gradient, *full_tape);

  net.evaluate_dp(q, p, out, *tape);
  EXPECT_EQ(out, full_out.bottomRows(d));
  VectorXd gradient = VectorXd::Zero(net.num_parameters());
  net.vjp_dp(g, qa, pa, gradient, *tape);
  EXPECT_LT(relative_error(qa, full_adjoint.topRows(d)), 1e-14);
  EXPECT_LT(relative_error(pa, full_adjoint.bottomRows(d)), 1e-14);
  EXPECT_LT(relative_error(gradient, full_gradient), 1e-14);

  // dq/dt half: v itself, no θ-dependence.
  net.evaluate_dq(q, p, out, *tape);
  EXPECT_EQ(out, p);
  gradient.setZero();
  net.vjp_dq(g, qa, pa, gradient, *tape);
  EXPECT_EQ(qa, MatrixXd::Zero(d, kBatch));
  EXPECT_EQ(pa, g);
  EXPECT_EQ(gradient, VectorXd::Zero(net.num_parameters()));
}

TEST_P(SecondOrderNetGradients, RolloutsMatchFiniteDifferences) {
  const Index d = GetParam();
  SecondOrderNet net(d, {8}, "tanh");
  net.initialize(13);
  expect_rollouts_match_fd(net, random_matrix(2 * d, 3, 6),
                           {integrate::StepperKind::rk4, integrate::StepperKind::leapfrog,
                            integrate::StepperKind::dopri5},
                           "");
}

TEST_P(SecondOrderNetGradients, PinnedEquilibriumVanishesAndItsVjpsMatchFiniteDifferences) {
  const Index d = GetParam();
  SecondOrderNet net(d, {6}, "tanh");
  net.initialize(17);
  const VectorXd x_eq = random_matrix(d, 1, 7).col(0);
  nn::MlpWorkspace ws;
  const MatrixXd x = random_matrix(2 * d, kBatch, 8);
  const MatrixXd g_x = net.network().forward(x.topRows(d), ws);
  const MatrixXd g_eq = net.network().forward(x_eq, ws);
  net.set_equilibrium(x_eq);
  ASSERT_TRUE(net.equilibrium().has_value());

  // f(x) = g(x) - g(x_eq): zero at x_eq (to rounding: x_eq shares a batch).
  MatrixXd f(d, kBatch), f_eq(d, 1);
  net.force(x.topRows(d), f, ws);
  EXPECT_LT((f - (g_x.colwise() - g_eq.col(0))).cwiseAbs().maxCoeff(), 1e-15);
  net.force(x_eq, f_eq, ws);
  EXPECT_LT(f_eq.cwiseAbs().maxCoeff(), 1e-15);
  auto tape = net.make_tape();
  MatrixXd out(2 * d, kBatch);
  net.evaluate(x, out, *tape);
  EXPECT_EQ(out.bottomRows(d), f);
  EXPECT_EQ(out.topRows(d), x.bottomRows(d));

  const MatrixXd g = random_matrix(2 * d, kBatch, 9);
  const VectorXd theta_gradient = expect_vjp_matches_fd(net, x, g, "pinned ");
  // The output bias cancels exactly: f does not depend on it.
  const Index last_bias = net.network().bias_offset(1);
  for (Index k = 0; k < d; ++k) EXPECT_EQ(theta_gradient[last_bias + k], 0.0);
  expect_split_dp_matches_full(net, x, g.bottomRows(d));
  expect_rollouts_match_fd(net, random_matrix(2 * d, 3, 10),
                           {integrate::StepperKind::rk4, integrate::StepperKind::leapfrog},
                           "pinned ");
  net.set_equilibrium(std::nullopt);
  net.force(x.topRows(d), f, ws);
  EXPECT_EQ(f, g_x);
}

TEST_P(SecondOrderNetGradients, OddForceIsOddAndItsVjpsMatchFiniteDifferences) {
  const Index d = GetParam();
  SecondOrderNet net(d, {6}, "tanh");
  net.initialize(19);
  nn::MlpWorkspace ws;
  const MatrixXd x = random_matrix(2 * d, kBatch, 12);
  const MatrixXd q = x.topRows(d);
  const MatrixXd g_x = net.network().forward(q, ws);
  const MatrixXd g_minus = net.network().forward(-q, ws);
  net.set_symmetry(ForceSymmetry::odd);
  EXPECT_EQ(net.symmetry(), ForceSymmetry::odd);
  EXPECT_THROW(net.set_equilibrium(VectorXd::Zero(d)), InputError);

  // f(x) = (g(x) - g(-x)) / 2, odd (to rounding: a column's products may
  // round differently at another position in the batch), zero at 0.
  MatrixXd f(d, kBatch), f_minus(d, kBatch), f_zero(d, 1);
  net.force(q, f, ws);
  EXPECT_LT((f - 0.5 * (g_x - g_minus)).cwiseAbs().maxCoeff(), 1e-15);
  EXPECT_GT(f.cwiseAbs().maxCoeff(), 1e-3);
  net.force(-q, f_minus, ws);
  EXPECT_LT((f_minus + f).cwiseAbs().maxCoeff(), 1e-15);
  net.force(MatrixXd::Zero(d, 1), f_zero, ws);
  EXPECT_EQ(f_zero, MatrixXd::Zero(d, 1));
  auto tape = net.make_tape();
  MatrixXd out(2 * d, kBatch), x_adjoint(2 * d, kBatch);
  net.evaluate(x, out, *tape);
  EXPECT_EQ(out.bottomRows(d), f);
  EXPECT_EQ(out.topRows(d), x.bottomRows(d));

  const MatrixXd g = random_matrix(2 * d, kBatch, 13);
  const VectorXd theta_gradient = expect_vjp_matches_fd(net, x, g, "odd ");
  // The output bias cancels exactly: f does not depend on it, and what the
  // gradient vector held there is kept.
  const Index last_bias = net.network().bias_offset(1);
  for (Index k = 0; k < d; ++k) EXPECT_EQ(theta_gradient[last_bias + k], 0.0);
  VectorXd held = VectorXd::Constant(net.num_parameters(), 0.25);
  net.vjp(g, x_adjoint, held, *tape);
  for (Index k = 0; k < d; ++k) EXPECT_EQ(held[last_bias + k], 0.25);
  expect_split_dp_matches_full(net, x, g.bottomRows(d));
  expect_rollouts_match_fd(net, random_matrix(2 * d, 3, 14),
                           {integrate::StepperKind::rk4, integrate::StepperKind::leapfrog}, "odd ");
  net.set_symmetry(ForceSymmetry::none);
  net.force(q, f, ws);
  EXPECT_EQ(f, g_x);
}

INSTANTIATE_TEST_SUITE_P(Dimensions, SecondOrderNetGradients, ::testing::Values(1, 3));

TEST(SecondOrderNet, RejectsBadSizes) {
  EXPECT_THROW(SecondOrderNet(0, {4}), InputError);
  EXPECT_THROW(SecondOrderNet(1, {4}, "nope"), InputError);
  SecondOrderNet net(1, {4});
  EXPECT_EQ(net.num_parameters(), 4 + 4 + 4 + 1);
  EXPECT_THROW(net.set_parameters(VectorXd::Zero(3)), InputError);
  EXPECT_THROW(net.set_equilibrium(VectorXd::Zero(2)), InputError);
  // An odd force vanishes at 0 already: no pin on top of it, either order.
  net.set_equilibrium(VectorXd::Zero(1));
  EXPECT_THROW(net.set_symmetry(ForceSymmetry::odd), InputError);
  EXPECT_EQ(net.symmetry(), ForceSymmetry::none);
}

}  // namespace
}  // namespace dynlearn::models
