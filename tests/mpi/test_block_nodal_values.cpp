// SNet's nodal values as a ghosted PETSc Vec over the time communicator
// (here MPI_COMM_WORLD, one time block per rank): the interface node's ghost
// takes the next block's value, and sum_shared_nodes leaves the same sum
// a + b in both copies.
#include <gtest/gtest.h>

#include "dynlearn/spectral/block_nodal_values.hpp"

using dynlearn::spectral::BlockNodalValues;

namespace {

constexpr std::size_t trajectories = 2;
constexpr Eigen::Index state_dim = 3;
constexpr int nodes = 4;  // per block, the last shared with the next block

// A value that names (global node, trajectory, component).
double value(int global_node, std::size_t i, Eigen::Index c) {
  return 100.0 * global_node + 10.0 * static_cast<double>(i) + static_cast<double>(c) + 0.25;
}

struct Block {
  int rank = 0, size = 1;
  Block() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
  }
  bool shares_next() const { return rank + 1 < size; }
  int first_node() const { return rank * (nodes - 1); }
};

TEST(BlockNodalValues, GhostsTakeTheNextBlocksFirstNode) {
  const Block b;
  BlockNodalValues x(MPI_COMM_WORLD, trajectories, state_dim, nodes, b.shares_next());
  EXPECT_EQ(x.owned_nodes(), b.shares_next() ? nodes - 1 : nodes);
  PetscInt global = 0;
  VecGetSize(x.vec(), &global);
  EXPECT_EQ(global, static_cast<PetscInt>(trajectories * state_dim *
                                          static_cast<std::size_t>(b.size * (nodes - 1) + 1)));
  // Owned nodes only; the ghost is left at -1 until the update.
  for (std::size_t i = 0; i < trajectories; ++i)
    for (int k = 0; k < nodes; ++k)
      for (Eigen::Index c = 0; c < state_dim; ++c)
        x.node(i, k)[c] = k < x.owned_nodes() ? value(b.first_node() + k, i, c) : -1.0;
  x.update_ghosts();
  for (std::size_t i = 0; i < trajectories; ++i) {
    const Eigen::MatrixXd local = x.local(i);
    for (int k = 0; k < nodes; ++k)
      for (Eigen::Index c = 0; c < state_dim; ++c)
        EXPECT_EQ(local(c, k), value(b.first_node() + k, i, c)) << "node " << k;
  }
}

TEST(BlockNodalValues, SharedNodesHoldTheSumInBothCopies) {
  const Block b;
  BlockNodalValues g(MPI_COMM_WORLD, trajectories, state_dim, nodes, b.shares_next());
  BlockNodalValues like = g.like();
  EXPECT_EQ(like.owned_nodes(), g.owned_nodes());
  // Every block contributes (rank + 1) * value to each of its local nodes.
  for (std::size_t i = 0; i < trajectories; ++i) {
    Eigen::MatrixXd local(state_dim, nodes);
    for (int k = 0; k < nodes; ++k)
      for (Eigen::Index c = 0; c < state_dim; ++c)
        local(c, k) = (b.rank + 1) * value(b.first_node() + k, i, c);
    g.set_local(i, local);
  }
  g.sum_shared_nodes();
  for (std::size_t i = 0; i < trajectories; ++i) {
    const Eigen::MatrixXd local = g.local(i);
    for (int k = 0; k < nodes; ++k)
      for (Eigen::Index c = 0; c < state_dim; ++c) {
        const double v = value(b.first_node() + k, i, c);
        double expected = (b.rank + 1) * v;
        if (k == 0 && b.rank > 0) expected = b.rank * v + (b.rank + 1) * v;
        if (k == nodes - 1 && b.shares_next()) expected = (b.rank + 1) * v + (b.rank + 2) * v;
        EXPECT_EQ(local(c, k), expected) << "node " << k;
      }
  }
}

}  // namespace
