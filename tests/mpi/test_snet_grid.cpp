// δ-SNet and α-SNet give the same bits on every process grid: each rank runs
// the 1x1 computation alone (MPI_COMM_SELF, all trajectories) as the
// reference, then the distributed one on every grid shape the rank count
// allows (1x1; 2x1 and 1x2; 3x1 and 1x3 — trajectory groups x time blocks).
#include <gtest/gtest.h>

#include "../same_bits.hpp"
#include "../unit/train/mlp_driven_field.hpp"
#include "../unit/train/snet_test_data.hpp"

#include <vector>

#include "dynlearn/parallel/process_grid.hpp"
#include "dynlearn/train/alpha_snet.hpp"
#include "dynlearn/train/delta_snet.hpp"

using namespace dynlearn;
using dynlearn::testing::same_bits;

namespace {

constexpr std::size_t trajectories = 5;
constexpr std::size_t shards = 3;
constexpr Eigen::Index state_dim = 3, input_dim = 2, samples = 31;
constexpr double horizon = 3.0;

struct History {
  std::vector<double> residual, loss;
  Eigen::VectorXd theta;
};

History run(MPI_Comm comm, int time_blocks, bool alpha) {
  parallel::ProcessGrid grid(comm, time_blocks);
  const parallel::ShardLayout layout(trajectories, shards, grid.trajectory_group(),
                                     grid.trajectory_groups());
  const parallel::IndexRange owned = layout.owned_items();
  const train::DrivenTrajectories data = dynlearn::testing::snet_test_data(
      owned.size(), state_dim, input_dim, samples, horizon, true, owned.begin);
  const spectral::ElementChain chain(0.0, horizon, 3, 5);
  dynlearn::testing::MlpDrivenField field(state_dim, input_dim, 8, 4);
  train::SnetProblem problem(field, chain, grid, data, layout,
                             static_cast<double>(trajectories * samples));
  History h;
  if (alpha) {
    train::AlphaSnetOptions options;
    options.x_steps = 3;
    options.theta_steps = 3;
    options.seed = 9;
    train::AlphaSnet solver(field, problem, chain, data, options);
    for (int k = 0; k < 3; ++k) {
      const train::AlphaSnetValues v = solver.step();
      h.residual.push_back(v.residual);
      h.loss.push_back(v.loss);
    }
  } else {
    train::DeltaSnet solver(field, problem, chain, data, {});
    for (int k = 0; k < 6; ++k) {
      const train::SnetValues v = solver.step();
      h.residual.push_back(v.residual);
      h.loss.push_back(v.loss);
    }
  }
  h.theta = field.parameters();
  return h;
}

void expect_same(const History& a, const History& b, const std::string& what) {
  ASSERT_EQ(a.residual.size(), b.residual.size());
  for (std::size_t k = 0; k < a.residual.size(); ++k) {
    EXPECT_TRUE(same_bits(a.residual[k], b.residual[k]))
        << what << " R at " << k << ": " << a.residual[k] << " vs " << b.residual[k];
    EXPECT_TRUE(same_bits(a.loss[k], b.loss[k])) << what << " L at " << k;
  }
  EXPECT_TRUE(same_bits(a.theta, b.theta)) << what << " θ";
}

class SnetGrid : public ::testing::TestWithParam<bool> {};

TEST_P(SnetGrid, SameBitsOnEveryGridShape) {
  const bool alpha = GetParam();
  const History reference = run(MPI_COMM_SELF, 1, alpha);
  // Training moves: the residual falls (or the test would compare constants).
  EXPECT_LT(reference.residual.back(), reference.residual.front());
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  for (int blocks = 1; blocks <= size; ++blocks) {
    if (size % blocks != 0) continue;
    const History h = run(MPI_COMM_WORLD, blocks, alpha);
    expect_same(h, reference, std::to_string(size / blocks) + "x" + std::to_string(blocks));
  }
}

INSTANTIATE_TEST_SUITE_P(Methods, SnetGrid, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "alpha" : "delta"; });

}  // namespace
