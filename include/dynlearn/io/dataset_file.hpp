// The dataset file (schema "dataset", version 1; documented in
// docs/file-formats.md): per split ("train", "test") the sample times, the
// noise-free states, the observations, and the inputs and parameters of each
// trajectory; /system holds what all trajectories share. Written collectively,
// each rank its own rows, to a temporary name that is renamed when complete,
// so an interrupted write never leaves a half file under the final name.
#pragma once

#include <mpi.h>

#include <Eigen/Dense>
#include <map>
#include <string>
#include <vector>

#include "dynlearn/io/h5.hpp"

namespace dynlearn::io {

inline constexpr int dataset_schema_version = 1;

/// What is known of the system when the file is written.
struct DatasetMeta {
  std::string system_type;
  std::vector<std::string> state_names;
  std::vector<std::string> input_names;
  std::vector<std::string> parameter_names;
  std::vector<std::int64_t> position_indices;
  std::vector<std::int64_t> observed_indices;
};

/// Sizes of one split.
struct SplitShape {
  hsize_t trajectories = 0;
  hsize_t samples = 0;
  hsize_t state_dim = 0;
  hsize_t observed_dim = 0;
  hsize_t input_dim = 0;
  hsize_t input_coeffs = 0;
  hsize_t parameters = 0;
};

/// One trajectory's arrays, columns are samples (Eigen's column-major layout
/// is the file's row-major [sample][component] layout).
struct TrajectoryRecord {
  Eigen::VectorXd t;
  Eigen::MatrixXd x;         // state_dim × samples
  Eigen::MatrixXd y;         // observed_dim × samples
  Eigen::MatrixXd u;         // input_dim × samples
  Eigen::MatrixXd u_coeffs;  // input_dim × input_coeffs
  Eigen::VectorXd params;
};

class DatasetWriter {
 public:
  /// Creates `<path>.partial` collectively and writes provenance and metadata.
  DatasetWriter(const std::string& path, MPI_Comm comm, const DatasetMeta& meta,
                const std::string& resolved_deck, const std::string& description);
  ~DatasetWriter();

  void write_constant(const std::string& name, const Eigen::MatrixXd& value,
                      const std::string& doc);
  /// Creates the split's datasets; collective.
  void create_split(const std::string& split, const SplitShape& shape, const std::string& grid);
  /// Writes this rank's trajectories [first, first + records.size()); collective.
  void write_split(const std::string& split, hsize_t first,
                   const std::vector<TrajectoryRecord>& records);
  /// Closes the file and renames it to its final name; collective.
  void commit();

 private:
  std::string path_;
  std::string partial_;
  MPI_Comm comm_;
  h5::File file_;
  std::map<std::string, SplitShape> shapes_;
  bool committed_ = false;
};

/// Which arrays DatasetReader::read loads besides t (a method that needs
/// few of them keeps its memory near the size of what it uses).
struct ReadFields {
  bool x = true;         // the true state
  bool y = true;         // the observations
  bool u = true;         // the sampled inputs
  bool u_coeffs = true;  // the inputs' Fourier coefficients
  bool params = true;    // per-trajectory parameters
};

/// A split read back from a dataset file.
struct SplitData {
  SplitShape shape;
  std::vector<TrajectoryRecord> trajectories;
};

class DatasetReader {
 public:
  /// Opens and checks the file (kind, schema version); collective over comm.
  DatasetReader(const std::string& path, MPI_Comm comm);
  const DatasetMeta& meta() const { return meta_; }
  const std::string& deck() const { return deck_; }
  bool has_split(const std::string& split) const;
  SplitShape shape(const std::string& split) const;
  /// Reads trajectories [first, first + count) of a split, `fields` of them
  /// (the others stay empty), a block of trajectories at a time so the
  /// transient buffers stay small.
  SplitData read(const std::string& split, hsize_t first, hsize_t count,
                 ReadFields fields = {}) const;
  Eigen::MatrixXd constant(const std::string& name) const;

 private:
  h5::File file_;
  DatasetMeta meta_;
  std::string deck_;
};

}  // namespace dynlearn::io
