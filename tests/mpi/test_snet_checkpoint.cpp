// SNet nodal values as checkpoint rows: on every grid shape the rank count
// allows, the gathered rows (whole chains, on time block 0) have the bits of
// the 1x1 run's rows, and rows scattered into a fresh problem give every
// rank its time block's slice, interface ghost included.
#include <gtest/gtest.h>

#include "../same_bits.hpp"
#include "../unit/train/mlp_driven_field.hpp"
#include "../unit/train/snet_test_data.hpp"
#include "dynlearn/parallel/process_grid.hpp"
#include "dynlearn/train/alpha_snet.hpp"
#include "dynlearn/train/snet_checkpoint.hpp"

using namespace dynlearn;
using dynlearn::testing::same_bits;

namespace {

constexpr std::size_t trajectories = 5;
constexpr std::size_t shards = 3;
constexpr Eigen::Index state_dim = 3, input_dim = 2, samples = 31;
constexpr double horizon = 3.0;

struct GridRun {
  parallel::ProcessGrid grid;
  parallel::ShardLayout layout;
  parallel::IndexRange owned;
  train::DrivenTrajectories data;
  spectral::ElementChain chain{0.0, horizon, 3, 5};
  dynlearn::testing::MlpDrivenField field{state_dim, input_dim, 8, 4};
  train::SnetProblem problem;
  GridRun(MPI_Comm comm, int blocks)
      : grid(comm, blocks),
        layout(trajectories, shards, grid.trajectory_group(), grid.trajectory_groups()),
        owned(layout.owned_items()),
        data(dynlearn::testing::snet_test_data(owned.size(), state_dim, input_dim, samples, horizon,
                                               true, owned.begin)),
        problem(field, chain, grid, data, layout, static_cast<double>(trajectories * samples)) {}
};

// Two α-SNet iterations (they move the nodal values), then the rows.
io::DistributedRows trained_rows(GridRun& s) {
  train::AlphaSnetOptions options;
  options.x_steps = 2;
  options.theta_steps = 1;
  options.seed = 5;
  train::AlphaSnet solver(s.field, s.problem, s.chain, s.data, options);
  solver.step();
  solver.step();
  return train::gather_nodal_values(s.problem, s.chain, s.owned.begin, trajectories);
}

TEST(SnetCheckpointRows, WholeChainsWithTheSameBitsOnEveryGridShape) {
  GridRun reference(MPI_COMM_SELF, 1);
  const io::DistributedRows all = trained_rows(reference);
  ASSERT_EQ(all.local.cols(), static_cast<Eigen::Index>(trajectories));
  ASSERT_EQ(all.local.rows(), state_dim * reference.chain.node_count());
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  for (int blocks = 1; blocks <= size; ++blocks) {
    if (size % blocks != 0) continue;
    const std::string shape = std::to_string(size / blocks) + "x" + std::to_string(blocks);
    GridRun s(MPI_COMM_WORLD, blocks);
    const io::DistributedRows rows = trained_rows(s);
    const Eigen::MatrixXd mine = all.local.middleCols(static_cast<Eigen::Index>(s.owned.begin),
                                                      static_cast<Eigen::Index>(s.owned.size()));
    if (s.grid.time_block() == 0) {
      EXPECT_EQ(rows.first_row, s.owned.begin) << shape;
      EXPECT_TRUE(same_bits(rows.local, mine)) << shape;
    } else {
      EXPECT_EQ(rows.local.cols(), 0) << shape;
    }
    // Scatter the reference rows into a fresh problem on this grid.
    GridRun fresh(MPI_COMM_WORLD, blocks);
    io::DistributedRows slice = all;
    slice.first_row = s.owned.begin;
    slice.local = mine;
    train::scatter_nodal_values(fresh.problem, fresh.chain, slice);
    for (std::size_t i = 0; i < s.owned.size(); ++i)
      EXPECT_TRUE(
          same_bits(fresh.problem.coefficients().local(i), s.problem.coefficients().local(i)))
          << shape << " trajectory " << i;
  }
}

}  // namespace
