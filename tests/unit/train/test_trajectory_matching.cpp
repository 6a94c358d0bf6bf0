// The SNet trajectory-matching baselines: the loss gradient of each of the
// four methods against central finite differences (BKPR-DoPr5 with its step
// sizes frozen; ADJ-DoPr5 against an accurate loss, to the integrator's
// accuracy), ADJ against BKPR, and the adaptive forecast of a surrogate set
// to the true vehicle law against the ground-truth solver.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <string>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/rng.hpp"
#include "dynlearn/models/multi_agent_surrogate.hpp"
#include "dynlearn/models/vehicle_surrogate.hpp"
#include "dynlearn/systems/multi_agent.hpp"
#include "dynlearn/systems/vehicle.hpp"
#include "dynlearn/train/driven_forecast.hpp"
#include "dynlearn/train/trajectory_matching.hpp"

namespace dynlearn::train {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// Three trajectories of the true vehicle on one uniform grid over [0, 2] and
// one on a random subset of it (a second batch group, as in the low-data
// regime); initial states away from rest so that the heading matters.
DrivenTrajectories vehicle_data(const systems::Vehicle& truth) {
  DrivenTrajectories data;
  const VectorXd uniform = VectorXd::LinSpaced(11, 0.0, 2.0);
  VectorXd subset(6);
  subset << 0.0, 0.2, 0.6, 0.8, 1.4, 2.0;
  for (int b = 0; b < 4; ++b) {
    core::Rng rng(5, b, core::Purpose::input);
    systems::FourierInput u = systems::FourierInput::random(3, 3, 1.0, 10.0, rng);
    core::Rng x0_rng(5, b, core::Purpose::initial_state);
    systems::Vehicle::State x0;
    for (int i = 0; i < 6; ++i) x0(i) = x0_rng.uniform(-0.5, 0.5);
    const VectorXd& t = b < 3 ? uniform : subset;
    data.t.push_back(t);
    data.y.push_back(truth.integrate(x0, u, t));
    data.u.push_back(u);
  }
  return data;
}

models::VehicleSurrogate small_surrogate() {
  models::VehicleSurrogate field(4, 3, 3);
  field.initialize(7);
  return field;
}

VectorXd fd_gradient(integrate::DrivenField& field, const std::function<double()>& loss,
                     double step) {
  const VectorXd theta = field.parameters();
  VectorXd g(theta.size());
  VectorXd p = theta;
  for (Index i = 0; i < theta.size(); ++i) {
    p(i) = theta(i) + step;
    field.set_parameters(p);
    const double plus = loss();
    p(i) = theta(i) - step;
    field.set_parameters(p);
    const double minus = loss();
    p(i) = theta(i);
    g(i) = (plus - minus) / (2 * step);
  }
  field.set_parameters(theta);
  return g;
}

double relative_error(const VectorXd& a, const VectorXd& b) {
  return (a - b).cwiseAbs().maxCoeff() / std::max(b.cwiseAbs().maxCoeff(), 1e-8);
}

struct TrajectoryMatchingTest : ::testing::Test {
  systems::Vehicle truth;
  DrivenTrajectories data = vehicle_data(truth);
  models::VehicleSurrogate field = small_surrogate();

  VectorXd gradient(MatchingMethod method, double* loss = nullptr, MatchingOptions options = {}) {
    TrajectoryMatching matching(field, method, options);
    VectorXd g = VectorXd::Zero(field.num_parameters());
    const double l = matching.loss_and_gradient(data, 0, data.size(), g);
    if (loss) *loss = l;
    return g;
  }
};

TEST_F(TrajectoryMatchingTest, BkprEulerGradientMatchesFiniteDifferences) {
  TrajectoryMatching matching(field, MatchingMethod::bkpr_euler);
  VectorXd g = VectorXd::Zero(field.num_parameters());
  const double loss = matching.loss_and_gradient(data, 0, data.size(), g);
  EXPECT_NEAR(loss, matching.loss(data, 0, data.size()), 1e-14 * std::max(1.0, loss));
  const VectorXd fd = fd_gradient(
      field, [&] { return matching.loss(data, 0, data.size()); }, 1e-6);
  const double error = relative_error(g, fd);
  std::printf("[ matching FD ] bkpr_euler   relative error %.2e (loss %.4f)\n", error, loss);
  EXPECT_LT(error, 1e-6);
}

TEST_F(TrajectoryMatchingTest, BkprDopri5GradientMatchesFiniteDifferencesWithFrozenSteps) {
  TrajectoryMatching matching(field, MatchingMethod::bkpr_dopri5);
  VectorXd g = VectorXd::Zero(field.num_parameters());
  // The two groups use two rollouts: freeze only works per group, so check
  // the uniform group (trajectories 0..2) alone.
  matching.loss_and_gradient(data, 0, 3, g);
  matching.freeze_step_sizes(true);
  const VectorXd fd = fd_gradient(
      field, [&] { return matching.loss(data, 0, 3); }, 1e-6);
  matching.freeze_step_sizes(false);
  const double error = relative_error(g, fd);
  std::printf("[ matching FD ] bkpr_dopri5  relative error %.2e (frozen steps)\n", error);
  EXPECT_LT(error, 1e-6);
}

TEST_F(TrajectoryMatchingTest, AdjEulerEqualsBkprEulerAndFiniteDifferences) {
  double loss_adj = 0, loss_bkpr = 0;
  const VectorXd adj = gradient(MatchingMethod::adj_euler, &loss_adj);
  const VectorXd bkpr = gradient(MatchingMethod::bkpr_euler, &loss_bkpr);
  // PETSc's RK1FE adjoint is the discrete adjoint of the same Euler steps.
  EXPECT_NEAR(loss_adj, loss_bkpr, 1e-12 * loss_bkpr);
  const double error = relative_error(adj, bkpr);
  std::printf("[ matching   ] adj_euler vs bkpr_euler relative difference %.2e\n", error);
  EXPECT_LT(error, 1e-10);
  TrajectoryMatching euler(field, MatchingMethod::bkpr_euler);
  const VectorXd fd = fd_gradient(
      field, [&] { return euler.loss(data, 0, data.size()); }, 1e-6);
  EXPECT_LT(relative_error(adj, fd), 1e-6);
}

TEST_F(TrajectoryMatchingTest, AdjDopri5AgreesWithAccurateGradients) {
  double loss_adj = 0, loss_bkpr = 0;
  const VectorXd adj = gradient(MatchingMethod::adj_dopri5, &loss_adj);
  const VectorXd bkpr = gradient(MatchingMethod::bkpr_dopri5, &loss_bkpr);
  // Both integrate to rtol 1e-7 with their own step-size controllers, so
  // they agree to the integrators' accuracy, not to rounding. (This test
  // caught PETSc 3.18's wrong μ for DoPr5's b_2 = 0 stage: 4e-2 error.)
  EXPECT_NEAR(loss_adj, loss_bkpr, 1e-5 * loss_bkpr);
  const double error_bkpr = relative_error(adj, bkpr);
  // Finite differences of a tightly integrated loss: the exact gradient to ~1e-7.
  MatchingOptions tight;
  tight.rtol = 1e-12;
  tight.atol = 1e-14;
  TrajectoryMatching accurate(field, MatchingMethod::bkpr_dopri5, tight);
  const VectorXd fd = fd_gradient(
      field, [&] { return accurate.loss(data, 0, data.size()); }, 1e-5);
  const double error_fd = relative_error(adj, fd);
  std::printf("[ matching   ] adj_dopri5 vs bkpr_dopri5 %.2e, vs FD of an accurate loss %.2e\n",
              error_bkpr, error_fd);
  EXPECT_LT(error_bkpr, 1e-6);
  EXPECT_LT(error_fd, 1e-6);
}

TEST(TrajectoryMatchingNames, ParseAndReject) {
  EXPECT_EQ(parse_matching_method("bkpr_euler"), MatchingMethod::bkpr_euler);
  EXPECT_EQ(parse_matching_method("adj_dopri5"), MatchingMethod::adj_dopri5);
  for (auto m : {MatchingMethod::bkpr_euler, MatchingMethod::bkpr_dopri5, MatchingMethod::adj_euler,
                 MatchingMethod::adj_dopri5})
    EXPECT_EQ(parse_matching_method(matching_method_name(m)), m);
  EXPECT_THROW(parse_matching_method("dopri5"), InputError);
}

// A network set to ≈ the linear map A z + c (tanh(ε z)/ε = z + O(ε²)).
void set_linear(nn::Mlp& net, const MatrixXd& a, const VectorXd& c, double eps) {
  const Index in = net.input_size(), hidden = net.layer_sizes()[1];
  net.parameters().setZero();
  MatrixXd w1 = MatrixXd::Zero(hidden, in);
  w1.topRows(in) = eps * MatrixXd::Identity(in, in);
  net.weight(0) = w1;
  MatrixXd w2 = MatrixXd::Zero(net.output_size(), hidden);
  w2.leftCols(in) = a / eps;
  net.weight(1) = w2;
  if (net.has_bias(1)) net.bias(1) = c;
}

TEST(DrivenForecast, TrueLawReproducesTheVehicle) {
  systems::Vehicle truth;
  models::VehicleSurrogate field(3, 3, 3, truth.m, truth.inertia);
  MatrixXd aj = MatrixXd::Zero(9, 2);
  aj(0, 1) = 1;
  aj(1, 0) = -1;
  aj(3, 0) = 1;
  aj(4, 1) = 1;
  VectorXd cj = VectorXd::Zero(9);
  cj(8) = 1;
  MatrixXd ac = MatrixXd::Zero(9, 3);
  ac(1, 2) = -truth.m;
  ac(3, 2) = truth.m;
  auto& nj = const_cast<nn::Mlp&>(field.j_network());
  auto& nc = const_cast<nn::Mlp&>(field.c_network());
  auto& nd = const_cast<nn::Mlp&>(field.d_network());
  set_linear(nj, aj, cj, 1e-5);
  set_linear(nc, ac, VectorXd(), 1e-5);
  set_linear(nd, truth.kd * MatrixXd::Identity(3, 3), VectorXd(), 1e-5);
  VectorXd theta(field.num_parameters());
  theta << nj.parameters(), nc.parameters(), nd.parameters();
  field.set_parameters(theta);

  core::Rng rng(3, 0, core::Purpose::input);
  const auto u = systems::FourierInput::random(3, 3, 1.0, 10.0, rng);
  systems::Vehicle::State x0;
  x0 << 0.1, -0.2, 0.3, 0.5, 0.0, -0.4;
  const VectorXd t = VectorXd::LinSpaced(201, 0.0, 20.0);
  const MatrixXd expected = truth.integrate(x0, u, t);
  const MatrixXd forecast = forecast_driven(field, x0, u, t, 1e-9, 1e-11);
  ASSERT_EQ(forecast.cols(), t.size());
  const double error = (forecast - expected).cwiseAbs().maxCoeff();
  std::printf("[ forecast   ] true law over 20 s: max error %.2e\n", error);
  EXPECT_LT(error, 1e-6);
  // Looser tolerances still follow the truth, to their accuracy.
  EXPECT_LT((forecast_driven(field, x0, u, t) - expected).cwiseAbs().maxCoeff(), 1e-4);
}

// The multi-agent surrogate (coupled agents, known policies) through the
// same baselines: BKPR-Euler against finite differences, ADJ-Euler equal to
// it, and the forecast of the true kinematics. DoPr5 is not exercised on
// this random surrogate: it drives two agents together, where the
// avoidance heading atan2(y_i - y_j, x_i - x_j) turns at a rate ~1/d and
// the adaptive step collapses (~1e-6 at t = 2.6), much as BKPR-DoPr5
// "failed due to an underflow when computing the time step" in the paper's
// Table 2.
TEST(TrajectoryMatchingMultiAgent, GradientsAndForecast) {
  systems::MultiAgent truth;
  truth.n_agents = 3;
  truth.ls = 0.5;
  truth.prepare(1);
  DrivenTrajectories data;
  const VectorXd t = VectorXd::LinSpaced(9, 0.0, 4.0);
  for (int b = 0; b < 2; ++b) {
    const systems::TrajectoryKey key{2, static_cast<std::uint64_t>(b)};
    const auto trajectory = truth.simulate(t, key);
    data.t.push_back(t);
    data.y.push_back(trajectory.x);
    data.u.push_back(truth.input(key));
  }
  models::MultiAgentSurrogate field(3, truth.gains(), false, 5);
  field.initialize(4);
  VectorXd euler = VectorXd::Zero(field.num_parameters()), adj = euler;
  TrajectoryMatching bkpr(field, MatchingMethod::bkpr_euler);
  bkpr.loss_and_gradient(data, 0, 2, euler);
  const VectorXd fd = fd_gradient(
      field, [&] { return bkpr.loss(data, 0, 2); }, 1e-6);
  TrajectoryMatching(field, MatchingMethod::adj_euler).loss_and_gradient(data, 0, 2, adj);
  std::printf("[ multi-agent ] bkpr_euler vs FD %.2e, adj_euler vs bkpr %.2e\n",
              relative_error(euler, fd), relative_error(adj, euler));
  EXPECT_LT(relative_error(euler, fd), 1e-6);
  EXPECT_LT(relative_error(adj, euler), 1e-10);

  // J = [[cos, 0], [sin, 0], [0, 1]] makes the surrogate the true system.
  models::MultiAgentSurrogate exact(3, truth.gains(), false, 2);
  auto& net = const_cast<nn::Mlp&>(exact.network());
  MatrixXd a = MatrixXd::Zero(6, 2);
  a(0, 1) = 1;
  a(2, 0) = 1;
  VectorXd c = VectorXd::Zero(6);
  c(5) = 1;
  set_linear(net, a, c, 1e-5);
  exact.set_parameters(net.parameters());
  const VectorXd long_t = VectorXd::LinSpaced(41, 0.0, 20.0);
  const MatrixXd expected = truth.integrate(data.y[0].col(0), data.u[0], long_t);
  const MatrixXd forecast =
      forecast_driven(exact, data.y[0].col(0), data.u[0], long_t, 1e-10, 1e-12);
  EXPECT_LT((forecast - expected).cwiseAbs().maxCoeff(), 1e-6);
}

}  // namespace
}  // namespace dynlearn::train
