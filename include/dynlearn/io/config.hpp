// The deck sections every run has: [run] (names, seed, stages) and [data]
// (how many trajectories, on which time grid, with what noise and which
// components observed). Defaults are documented where each key is declared
// (config.cpp) and printed by `dynlearn check`.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "dynlearn/io/deck.hpp"

namespace dynlearn::io {

struct RunConfig {
  std::string name = "run";
  std::string output_dir = "out";
  std::int64_t seed = 1;
  std::vector<std::string> stages = {"generate"};
  std::string method = "srnn";
  double max_wall_seconds = 0.0;
  std::string log_level = "info";

  Section section{"run", "what this run is called, where it writes, and what it does"};
  RunConfig();
  RunConfig(const RunConfig&) = delete;
};

struct DataConfig {
  std::string file;  // empty: <output_dir>/<name>_data.h5
  int n_train = 64;
  int n_test = 16;
  double t0 = 0.0;
  double dt = 0.1;
  int train_steps = 10;
  int test_steps = 100;
  std::string grid = "uniform";
  double keep_fraction = 1.0;
  double noise = 0.0;
  std::string noise_kind = "absolute";
  std::string observe = "state";

  Section section{"data", "trajectories simulated by `generate` and read by `train`/`evaluate`"};
  DataConfig();
  DataConfig(const DataConfig&) = delete;

  /// The dataset path, resolved against the run's output directory.
  std::string path(const RunConfig& run) const;
  /// Cross-key checks that a Range cannot express.
  void validate() const;
};

/// Reads the deck file on rank 0 and broadcasts its text; every rank then
/// parses the same text, so a bad deck raises the same InputError on all
/// ranks and the run stops cleanly.
Deck read_deck(const std::string& path, MPI_Comm comm);

}  // namespace dynlearn::io
