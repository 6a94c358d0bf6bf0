// The output file of a learning run (kind "output", schema version 1;
// docs/file-formats.md): the trained model's parameters, the training
// history and, after evaluation, the test forecasts and the error table.
// Written collectively under a temporary name, then renamed.
#pragma once

#include <mpi.h>

#include <Eigen/Dense>
#include <optional>
#include <string>
#include <vector>

namespace dynlearn::io {

inline constexpr int output_schema_version = 1;

struct OutputModel {
  std::string type;
  std::vector<std::int64_t> hidden;
  std::string activation;
  Eigen::VectorXd parameters;
};

struct OutputHistory {
  std::vector<double> epoch, loss, learning_rate, seconds;
};

/// This rank's rows of the test evaluation.
struct OutputEvaluation {
  std::string integrator;
  bool iso = false;
  int steps = 0;
  std::size_t trajectories = 0;    ///< global number of test trajectories
  std::size_t first = 0;           ///< global index of this rank's first row
  std::vector<Eigen::MatrixXd> forecast;  ///< per local trajectory, dim × (steps + 1)
  std::vector<Eigen::MatrixXd> truth;     ///< same shape, noise-free
  Eigen::VectorXd error;                  ///< per local trajectory
  double error_mean = 0.0;                ///< over all trajectories
  double error_std = 0.0;
};

void write_output(const std::string& path, MPI_Comm comm, const std::string& resolved_deck,
                  const OutputModel& model, const OutputHistory& history,
                  const std::optional<OutputEvaluation>& evaluation);

/// Reads the model back (to evaluate a model trained by an earlier run).
OutputModel read_output_model(const std::string& path, MPI_Comm comm);
OutputHistory read_output_history(const std::string& path, MPI_Comm comm);

}  // namespace dynlearn::io
