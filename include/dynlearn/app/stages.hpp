// The stages of a run — generate, train, evaluate — each reading what the
// previous one wrote, so each is also usable on its own (`dynlearn generate`,
// or `dynlearn run` with stages = ["evaluate"] on an earlier run's output).
#pragma once

#include <mpi.h>

#include <string>

#include "dynlearn/app/config.hpp"
#include "dynlearn/io/dataset_file.hpp"

namespace dynlearn::app {

/// Output file of a run: <output_dir>/<name>_output.h5.
std::string output_path(const Config& config);
/// Checkpoint prefix of a run: <output_dir>/<name>.
std::string checkpoint_prefix(const Config& config);

/// Opens the run's dataset ([data] file), saying how to make it when it is missing.
io::DatasetReader open_dataset(const Config& config, MPI_Comm comm);

void stage_generate(const Config& config, MPI_Comm comm);
/// Returns false when the run was interrupted (checkpoint written).
bool stage_train(const Config& config, MPI_Comm comm, bool restart);
void stage_evaluate(const Config& config, MPI_Comm comm);

}  // namespace dynlearn::app
