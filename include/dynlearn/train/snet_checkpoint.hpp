// The nodal values of an SNet problem as checkpoint rows: one row per
// trajectory holding its whole chain (every node, state components
// fastest), whatever the grid that wrote it, so a restart may run on any
// rank count and grid shape.
#pragma once

#include <cstddef>

#include "dynlearn/io/checkpoint_file.hpp"
#include "dynlearn/spectral/element_chain.hpp"
#include "dynlearn/train/snet_residual.hpp"

namespace dynlearn::train {

/// The local trajectories' nodal values over the whole chain, gathered along
/// the time communicator: time block 0 holds the rows (global rows
/// [first_trajectory, first_trajectory + local trajectories) of
/// n_trajectories), the other blocks pass none. Collective over the grid.
io::DistributedRows gather_nodal_values(const SnetProblem& problem,
                                        const spectral::ElementChain& chain,
                                        std::size_t first_trajectory, std::size_t n_trajectories);

/// Sets problem.coefficients() from rows holding every local trajectory's
/// whole chain (as gather_nodal_values writes them): each rank keeps the
/// slice of its time block. InputError when the row size does not match the
/// chain and state (a checkpoint of another [snet] p or elements).
void scatter_nodal_values(SnetProblem& problem, const spectral::ElementChain& chain,
                          const io::DistributedRows& rows);

}  // namespace dynlearn::train
