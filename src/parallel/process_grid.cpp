#include "dynlearn/parallel/process_grid.hpp"

#include <string>

#include "dynlearn/core/error.hpp"

namespace dynlearn::parallel {

ProcessGrid::ProcessGrid(MPI_Comm comm, int time_blocks) {
  int size = 1;
  MPI_Comm_size(comm, &size);
  if (time_blocks < 1 || size % time_blocks != 0)
    throw InputError("[snet] time_blocks = " + std::to_string(time_blocks) +
                     " must divide the number of MPI ranks (" + std::to_string(size) +
                     "); the other factor is the number of trajectory groups");
  dims_[0] = size / time_blocks;
  dims_[1] = time_blocks;
  const int periods[2] = {0, 0};
  MPI_Cart_create(comm, 2, dims_, periods, /*reorder=*/0, &grid_);
  int rank = 0;
  MPI_Comm_rank(grid_, &rank);
  MPI_Cart_coords(grid_, rank, 2, coords_);
  const int keep_time[2] = {0, 1};
  const int keep_trajectories[2] = {1, 0};
  MPI_Cart_sub(grid_, keep_time, &time_);
  MPI_Cart_sub(grid_, keep_trajectories, &trajectories_);
}

ProcessGrid::~ProcessGrid() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (finalized) return;
  if (trajectories_ != MPI_COMM_NULL) MPI_Comm_free(&trajectories_);
  if (time_ != MPI_COMM_NULL) MPI_Comm_free(&time_);
  if (grid_ != MPI_COMM_NULL) MPI_Comm_free(&grid_);
}

}  // namespace dynlearn::parallel
