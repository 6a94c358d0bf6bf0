// Checkpoint files: everything a run needs to continue bit-for-bit
// (parameters, optimizer and scheduler state, RNG counters, iteration, and
// per-trajectory arrays such as ISO initial states), written atomically so
// that a kill at any moment leaves the last good checkpoint intact.
//
// Layout (kind "checkpoint", schema_version 1), readable with h5py:
//   /@dynlearn_kind, @schema_version, @dynlearn_version, @git_revision, @deck
//   /@run_name, @iteration              the run and its iteration count
//   /vectors/<name>      float64 [n]    replicated vectors (parameters, ...)
//   /@vector_names                      their names
//   /scalars             float64 [k]    replicated scalars, named by /@scalar_names
//   /@integer_names, /@integer_values   replicated 64-bit integers (counters)
//   /@string_names, /@string_values     replicated strings (optimizer kind, ...)
//   /arrays/<name>       float64 [n_trajectories, row_size]  distributed rows
//   /@array_names                       their names
//   /@complete = 1                      written last: the file is whole
// Files are named <dir>/<run>_checkpoint_<iteration>.h5; the two newest are kept.
#pragma once

#include <mpi.h>

#include <Eigen/Dense>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "dynlearn/io/h5.hpp"
#include "dynlearn/parallel/partition.hpp"

namespace dynlearn::io {

inline constexpr int checkpoint_schema_version = 1;

/// One rank's share of a per-trajectory array of global shape
/// [global_rows, row_size]: column j of `local` (row_size × count) is global
/// row first_row + j. A rank owning no rows passes row_size × 0.
struct DistributedRows {
  std::size_t global_rows = 0;
  std::size_t first_row = 0;
  Eigen::MatrixXd local;
};

/// The contents of a checkpoint. All members but `arrays` are replicated:
/// every rank holds the same values (rank 0's are written). Names may use
/// '/' to group entries ("optimizer/exp_avg").
struct Checkpoint {
  std::int64_t iteration = 0;
  std::map<std::string, Eigen::VectorXd> vectors;
  std::map<std::string, double> scalars;
  std::map<std::string, std::int64_t> integers;
  std::map<std::string, std::string> strings;
  std::map<std::string, DistributedRows> arrays;
};

/// "<dir>/<run_name>_checkpoint_<iteration>.h5".
std::string checkpoint_path(const std::string& dir, const std::string& run_name,
                            std::int64_t iteration);

/// Writes `checkpoint` collectively over `comm` to "<final>.partial", sets
/// `complete`, closes, and after a barrier rank 0 renames it to the final
/// name and deletes the run's older checkpoints but the newest one before
/// it (newer files are left alone). Creates `dir` if needed. Returns the
/// final path. Throws IOError on write failures (the previous checkpoints
/// stay intact).
std::string write_checkpoint(const std::string& dir, const std::string& run_name,
                             const Checkpoint& checkpoint, const std::string& resolved_deck,
                             MPI_Comm comm);

/// The newest complete checkpoint of `run_name` in `dir`, or "" when there
/// is none. Collective: rank 0 looks, every rank gets the answer. Leftover
/// ".partial" files and files that are damaged, incomplete or not
/// checkpoints are skipped with a warning.
std::string find_latest_checkpoint(const std::string& dir, const std::string& run_name,
                                   MPI_Comm comm);

/// As find_latest_checkpoint(), but an InputError says how to proceed when
/// there is none (for --restart).
std::string require_latest_checkpoint(const std::string& dir, const std::string& run_name,
                                      MPI_Comm comm);

/// A checkpoint opened by every rank of `comm`: checks kind, schema version
/// and completeness (InputError naming the file otherwise).
class CheckpointReader {
 public:
  CheckpointReader(const std::string& path, MPI_Comm comm);

  const std::string& path() const { return path_; }
  const std::string& run_name() const { return run_name_; }
  /// The resolved deck of the run that wrote it.
  const std::string& deck() const { return deck_; }

  /// Everything replicated (iteration, vectors, scalars, integers, strings);
  /// `arrays` is left empty.
  Checkpoint replicated() const;
  std::vector<std::string> array_names() const;
  /// [global_rows, row_size] of an array.
  std::pair<std::size_t, std::size_t> array_shape(const std::string& name) const;
  /// Rows [first_row, first_row + rows) of an array (each rank its own;
  /// any rank count, not necessarily the writer's).
  DistributedRows read_rows(const std::string& name, std::size_t first_row, std::size_t rows) const;

  /// replicated() plus every array's rows in `rows` (the trajectories this
  /// rank owns).
  Checkpoint read(const parallel::IndexRange& rows) const;

 private:
  h5::File file_;
  std::string path_, run_name_, deck_;
};

}  // namespace dynlearn::io
