#include "dynlearn/train/snet_checkpoint.hpp"

#include <mpi.h>

#include <string>
#include <vector>

#include "dynlearn/core/error.hpp"

namespace dynlearn::train {

io::DistributedRows gather_nodal_values(const SnetProblem& problem,
                                        const spectral::ElementChain& chain,
                                        std::size_t first_trajectory, std::size_t n_trajectories) {
  const parallel::ProcessGrid& grid = problem.grid();
  const spectral::BlockNodalValues& x = problem.coefficients();
  const Eigen::Index n = x.state_dim();
  const auto trajectories = static_cast<Eigen::Index>(x.trajectories());
  // A block sends its owned entries: its nodes but the interface one it
  // shares with the next block (which sends it), trajectory by trajectory.
  const int owned_nodes = x.owned_nodes();
  const Eigen::Map<const Eigen::VectorXd> send = x.owned();
  const MPI_Comm time = grid.time_comm();
  const int blocks = grid.time_blocks();
  const bool root = grid.time_block() == 0;
  int mine[2] = {problem.residual().first_node(), owned_nodes};
  std::vector<int> layout(root ? 2 * blocks : 0);
  MPI_Gather(mine, 2, MPI_INT, layout.data(), 2, MPI_INT, 0, time);
  std::vector<int> counts(root ? blocks : 0), displs(root ? blocks : 0);
  int total = 0;
  for (int b = 0; root && b < blocks; ++b) {
    counts[b] = static_cast<int>(trajectories * n) * layout[2 * b + 1];
    displs[b] = total;
    total += counts[b];
  }
  std::vector<double> all(root ? static_cast<std::size_t>(total) : 0);
  MPI_Gatherv(const_cast<double*>(send.data()), static_cast<int>(send.size()), MPI_DOUBLE,
              all.data(), counts.data(), displs.data(), MPI_DOUBLE, 0, time);
  io::DistributedRows rows;
  rows.global_rows = n_trajectories;
  rows.first_row = first_trajectory;
  const Eigen::Index row_size = n * chain.node_count();
  rows.local.resize(row_size, root ? trajectories : 0);
  for (int b = 0; root && b < blocks; ++b) {
    const int first = layout[2 * b], count = layout[2 * b + 1];
    for (Eigen::Index i = 0; i < trajectories; ++i)
      rows.local.col(i).segment(first * n, count * n) =
          Eigen::Map<const Eigen::VectorXd>(all.data() + displs[b] + i * n * count, n * count);
  }
  return rows;
}

void scatter_nodal_values(SnetProblem& problem, const spectral::ElementChain& chain,
                          const io::DistributedRows& rows) {
  spectral::BlockNodalValues& x = problem.coefficients();
  const Eigen::Index n = x.state_dim();
  const Eigen::Index nodes = chain.node_count();
  if (rows.local.rows() != n * nodes ||
      rows.local.cols() != static_cast<Eigen::Index>(x.trajectories()))
    throw InputError("the checkpoint's nodal values have " + std::to_string(rows.local.rows()) +
                     " values per trajectory, but [snet] p and elements make " +
                     std::to_string(nodes) + " nodes of " + std::to_string(n) +
                     " states: restart with the deck that started the run");
  const int first = problem.residual().first_node();
  const int count = problem.residual().local_nodes();
  for (std::size_t i = 0; i < x.trajectories(); ++i)
    x.set_local(i, Eigen::Map<const Eigen::MatrixXd>(
                       rows.local.col(static_cast<Eigen::Index>(i)).data(), n, nodes)
                       .middleCols(first, count));
}

}  // namespace dynlearn::train
