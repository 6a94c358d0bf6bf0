// The `generate` stage: every rank simulates the trajectories it owns (a
// contiguous block of each split), observes them, and writes its rows of
// the dataset file collectively. Trajectory i of the training split has
// random streams keyed by index i, test trajectory i by test_index_offset + i,
// so the file is the same whatever the number of ranks.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <string>

#include "dynlearn/io/config.hpp"
#include "dynlearn/systems/system.hpp"

namespace dynlearn::systems {

inline constexpr std::uint64_t test_index_offset = std::uint64_t{1} << 32;

struct GenerateReport {
  std::string path;
  int train = 0;
  int test = 0;
  double seconds = 0.0;
};

/// Simulates and writes the dataset described by `run` and `data`.
GenerateReport generate_dataset(const System& system, const io::RunConfig& run,
                                const io::DataConfig& data, const std::string& resolved_deck,
                                MPI_Comm comm);

}  // namespace dynlearn::systems
