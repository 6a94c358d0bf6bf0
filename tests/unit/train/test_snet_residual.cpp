// SNet's residual R and data loss L: values against a direct evaluation, and
// their gradients w.r.t. θ and the nodal values against central differences,
// on single- and multi-element chains.
#include <gtest/gtest.h>

#include <cmath>

#include "dynlearn/parallel/process_grid.hpp"
#include "dynlearn/train/delta_snet.hpp"
#include "dynlearn/train/snet_residual.hpp"
#include "mlp_driven_field.hpp"
#include "snet_test_data.hpp"

namespace dynlearn::train {
namespace {

struct Case {
  int elements;
  int p;
  bool random_times;
};

class SnetResidualTest : public ::testing::TestWithParam<Case> {};

double relative_error(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return (a - b).cwiseAbs().maxCoeff() / std::max(1e-12, b.cwiseAbs().maxCoeff());
}

TEST_P(SnetResidualTest, ValuesAndGradientsMatchDirectEvaluationAndFiniteDifferences) {
  const Case c = GetParam();
  const Eigen::Index n = 3, k = 2;
  const std::size_t trajectories = 3;
  testing::MlpDrivenField field(n, k, 6, 11);
  const train::DrivenTrajectories data =
      testing::snet_test_data(trajectories, n, k, 17, 4.0, c.random_times);
  const spectral::ElementChain chain(0.0, 4.0, c.elements, c.p);
  parallel::ProcessGrid grid(MPI_COMM_SELF, 1);
  const parallel::ShardLayout layout(trajectories, 2, 0, 1);
  SnetProblem problem(field, chain, grid, data, layout, static_cast<double>(trajectories) * 17);
  // Nodal values: the data fit plus noise, so neither R nor L is at a minimum.
  fit_coefficients(problem, chain, data, 1e-6);
  core::Rng rng(3, 0, core::Purpose::user);
  for (std::size_t i = 0; i < trajectories; ++i) {
    Eigen::MatrixXd x = problem.coefficients().local(i);
    for (Eigen::Index j = 0; j < x.size(); ++j) x(j) += rng.uniform(-0.2, 0.2);
    problem.coefficients().set_local(i, x);
  }

  // Direct evaluation of R and L.
  double r_sum = 0.0, l_sum = 0.0;
  auto tape = field.make_tape();
  for (std::size_t i = 0; i < trajectories; ++i) {
    const Eigen::MatrixXd x = problem.coefficients().local(i);
    for (int e = 0; e < c.elements; ++e) {
      const Eigen::MatrixXd xe = x.middleCols(e * c.p, c.p + 1);
      const Eigen::MatrixXd u = data.u[i].sample(chain.element_times(e));
      Eigen::MatrixXd f(n, c.p + 1);
      field.evaluate(xe, u, f, *tape);
      r_sum += (xe * chain.derivative().transpose() - f).squaredNorm();
    }
    l_sum += (x * chain.global_interpolation(data.t[i]).transpose() - data.y[i]).squaredNorm();
  }
  const double r_direct = r_sum / (trajectories * c.elements * (c.p + 1) * n);
  const double l_direct = l_sum / (trajectories * 17 * n);
  Eigen::VectorXd g_theta;
  const SnetValues values = problem.evaluate(&g_theta);
  EXPECT_NEAR(values.residual, r_direct, 1e-12 * r_direct);
  EXPECT_NEAR(values.loss, l_direct, 1e-12 * l_direct);
  EXPECT_GT(values.residual, 1e-3);

  // dR/dθ.
  const Eigen::VectorXd theta = field.parameters();
  Eigen::VectorXd fd(theta.size());
  const double h = 1e-6;
  for (Eigen::Index j = 0; j < theta.size(); ++j) {
    Eigen::VectorXd tp = theta, tm = theta;
    tp(j) += h;
    tm(j) -= h;
    field.set_parameters(tp);
    const double rp = problem.evaluate(nullptr).residual;
    field.set_parameters(tm);
    const double rm = problem.evaluate(nullptr).residual;
    fd(j) = (rp - rm) / (2 * h);
  }
  field.set_parameters(theta);
  EXPECT_LT(relative_error(g_theta, fd), 1e-6);

  // d(R + γ L)/dx.
  const double gamma = 3.0;
  spectral::BlockNodalValues g_x = problem.coefficients().like();
  problem.evaluate_coefficients(gamma, g_x);
  for (std::size_t i = 0; i < trajectories; ++i) {
    Eigen::MatrixXd x = problem.coefficients().local(i);
    Eigen::MatrixXd fd_x(x.rows(), x.cols());
    for (Eigen::Index j = 0; j < x.size(); ++j) {
      const double keep = x(j);
      x(j) = keep + h;
      problem.coefficients().set_local(i, x);
      const SnetValues p = problem.evaluate(nullptr);
      x(j) = keep - h;
      problem.coefficients().set_local(i, x);
      const SnetValues m = problem.evaluate(nullptr);
      x(j) = keep;
      problem.coefficients().set_local(i, x);
      fd_x(j) = ((p.residual + gamma * p.loss) - (m.residual + gamma * m.loss)) / (2 * h);
    }
    EXPECT_LT(relative_error(g_x.local(i), fd_x), 1e-6) << "trajectory " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(SnetResidual, SnetResidualTest,
                         ::testing::Values(Case{1, 6, false}, Case{3, 4, false}, Case{2, 5, true}));

}  // namespace
}  // namespace dynlearn::train
