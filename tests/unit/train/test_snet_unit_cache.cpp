// SnetResidual keeps each unit's gathered nodal values with x Dᵀ and the
// misfit sum, and reuses them while the nodal values are unchanged (δ-SNet).
// Repeated evaluations, and evaluations after the nodal values change (α-SNet)
// or change back, must give the bits of a freshly built problem; the vehicle
// surrogate (fused kernel, θ-only VJP) and the x-gradient path included.
#include <gtest/gtest.h>

#include <string>
#include <utility>

#include "dynlearn/core/error.hpp"
#include "dynlearn/models/vehicle_surrogate.hpp"
#include "dynlearn/parallel/process_grid.hpp"
#include "dynlearn/train/delta_snet.hpp"
#include "dynlearn/train/snet_residual.hpp"
#include "snet_test_data.hpp"

namespace dynlearn::train {
namespace {

struct Result {
  SnetValues values, with_x;
  Eigen::VectorXd theta_gradient, x_gradient;
};

// R, L, dR/dθ, then the gradient of R + 0.5 L w.r.t. the nodal values.
Result evaluate(SnetProblem& problem) {
  Result r;
  r.values = problem.evaluate(&r.theta_gradient);
  spectral::BlockNodalValues g = problem.coefficients().like();
  r.with_x = problem.evaluate_coefficients(0.5, g);
  r.x_gradient = g.owned();
  return r;
}

void expect_same_bits(const Result& a, const Result& b, const char* what) {
  EXPECT_EQ(a.values.residual, b.values.residual) << what;
  EXPECT_EQ(a.values.loss, b.values.loss) << what;
  EXPECT_EQ(a.with_x.residual, b.with_x.residual) << what;
  EXPECT_EQ(a.with_x.loss, b.with_x.loss) << what;
  EXPECT_EQ((a.theta_gradient - b.theta_gradient).cwiseAbs().maxCoeff(), 0.0) << what;
  EXPECT_EQ((a.x_gradient - b.x_gradient).cwiseAbs().maxCoeff(), 0.0) << what;
}

TEST(SnetUnitCache, ReusedValuesEqualAFreshEvaluation) {
  const std::size_t trajectories = 4;
  models::VehicleSurrogate field(16, 16, 16);
  field.initialize(3);
  if (!field.fused_kernel()) GTEST_SKIP() << "no instruction set for the fused kernel here";
  const DrivenTrajectories data = testing::snet_test_data(trajectories, 6, 3, 21, 4.0, true);
  const spectral::ElementChain chain(0.0, 4.0, 2, 6);
  parallel::ProcessGrid grid(MPI_COMM_SELF, 1);
  const parallel::ShardLayout layout(trajectories, 2, 0, 1);
  const double samples = static_cast<double>(trajectories) * 21;
  SnetProblem problem(field, chain, grid, data, layout, samples);
  fit_coefficients(problem, chain, data, 1e-6);

  // A problem built afresh on the same nodal values (nothing cached).
  const auto fresh = [&] {
    SnetProblem other(field, chain, grid, data, layout, samples);
    for (std::size_t i = 0; i < trajectories; ++i)
      other.coefficients().set_local(i, problem.coefficients().local(i));
    return evaluate(other);
  };

  const Result first = evaluate(problem);
  EXPECT_GT(first.values.residual, 0.0);
  expect_same_bits(evaluate(problem), first, "repeated");
  expect_same_bits(first, fresh(), "first vs fresh");

  // One value of one trajectory moves (α-SNet's x step): its units recompute.
  const Eigen::MatrixXd saved = problem.coefficients().local(2);
  Eigen::MatrixXd moved = saved;
  moved(3, 5) += 1e-3;
  problem.coefficients().set_local(2, moved);
  const Result after = evaluate(problem);
  expect_same_bits(after, fresh(), "after a change");
  EXPECT_NE(after.values.loss, first.values.loss);

  // Back to the original values: the first result again.
  problem.coefficients().set_local(2, saved);
  expect_same_bits(evaluate(problem), first, "changed back");

  // A θ step leaves the cached x-terms valid and matches a fresh problem.
  Eigen::VectorXd theta = field.parameters();
  theta.array() += 1e-3;
  field.set_parameters(theta);
  expect_same_bits(evaluate(problem), fresh(), "after a θ step");
}

// SampleWeights::on_demand (δ-SNet: no per-sample interpolation rows kept)
// forms the same rows when L is evaluated: the bits of the stored rows, for
// R, L, the θ-gradient and the nodal-value gradient (which uses the rows).
TEST(SnetUnitCache, OnDemandSampleWeightsGiveTheStoredBits) {
  const std::size_t trajectories = 4;
  models::VehicleSurrogate field(16, 16, 16);
  field.initialize(5);
  const DrivenTrajectories data = testing::snet_test_data(trajectories, 6, 3, 21, 4.0, true);
  const spectral::ElementChain chain(0.0, 4.0, 2, 6);
  parallel::ProcessGrid grid(MPI_COMM_SELF, 1);
  const parallel::ShardLayout layout(trajectories, 2, 0, 1);
  const double samples = static_cast<double>(trajectories) * 21;
  SnetProblem stored(field, chain, grid, data, layout, samples, SampleWeights::stored);
  SnetProblem on_demand(field, chain, grid, data, layout, samples, SampleWeights::on_demand);
  fit_coefficients(stored, chain, data, 1e-6);
  fit_coefficients(on_demand, chain, data, 1e-6);
  const Result a = evaluate(stored), b = evaluate(on_demand);
  EXPECT_GT(a.values.loss, 0.0);
  expect_same_bits(a, b, "on demand vs stored");
}

TEST(SnetUnitCache, DecreasingSampleTimesAreAnInputError) {
  models::VehicleSurrogate field(16, 16, 16);
  DrivenTrajectories data = testing::snet_test_data(2, 6, 3, 21, 4.0, true);
  std::swap(data.t[1](4), data.t[1](15));  // now in different elements, out of order
  const spectral::ElementChain chain(0.0, 4.0, 2, 6);
  parallel::ProcessGrid grid(MPI_COMM_SELF, 1);
  const parallel::ShardLayout layout(2, 1, 0, 1);
  try {
    SnetProblem problem(field, chain, grid, data, layout, 42.0);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("do not increase"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace dynlearn::train
