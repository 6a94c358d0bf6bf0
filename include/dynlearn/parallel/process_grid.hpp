// The 2-D Cartesian process grid of SNet: trajectories x time blocks. Rank
// (i, j) holds trajectory group i over time block j; the time communicator
// joins the blocks of one group (neighbour exchange of interface values, sums
// over elements), the trajectory communicator joins the groups of one block.
#pragma once

#include <mpi.h>

namespace dynlearn::parallel {

class ProcessGrid {
 public:
  /// Collective over comm. time_blocks must divide its size (InputError
  /// naming [snet] time_blocks otherwise). Ranks keep their order (no
  /// reordering): rank = i * time_blocks + j.
  ProcessGrid(MPI_Comm comm, int time_blocks);
  ~ProcessGrid();
  ProcessGrid(const ProcessGrid&) = delete;
  ProcessGrid& operator=(const ProcessGrid&) = delete;

  MPI_Comm grid() const { return grid_; }
  /// Ranks of the same trajectory group (varying time block), ordered by block.
  MPI_Comm time_comm() const { return time_; }
  /// Ranks of the same time block (varying trajectory group), ordered by group.
  MPI_Comm trajectory_comm() const { return trajectories_; }
  int trajectory_groups() const { return dims_[0]; }
  int time_blocks() const { return dims_[1]; }
  int trajectory_group() const { return coords_[0]; }
  int time_block() const { return coords_[1]; }
  /// Neighbouring time blocks as ranks of time_comm() (whose rank is the
  /// time coordinate), MPI_PROC_NULL at the ends.
  int previous_block() const { return time_block() > 0 ? time_block() - 1 : MPI_PROC_NULL; }
  int next_block() const {
    return time_block() + 1 < time_blocks() ? time_block() + 1 : MPI_PROC_NULL;
  }

 private:
  MPI_Comm grid_ = MPI_COMM_NULL, time_ = MPI_COMM_NULL, trajectories_ = MPI_COMM_NULL;
  int dims_[2] = {1, 1};
  int coords_[2] = {0, 0};
};

}  // namespace dynlearn::parallel
