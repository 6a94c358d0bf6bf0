// Thin RAII layer over the HDF5 C API for dynlearn's files: parallel
// (MPI-IO) files where all ranks write their own rows of each dataset
// collectively, attributes for provenance, and whole-dataset reads.
// HDF5's automatic error printing is switched off; failures throw IOError
// (writes) or InputError (unreadable input files) naming the file and object.
#pragma once

#include <hdf5.h>
#include <mpi.h>

#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

namespace dynlearn::io::h5 {

/// Owns one hid_t and closes it with the matching H5?close.
class Handle {
 public:
  Handle() = default;
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  ~Handle() { reset(); }
  Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& o) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void reset();
  /// Gives up ownership without closing.
  hid_t release() {
    hid_t id = id_;
    id_ = H5I_INVALID_HID;
    return id;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  herr_t (*close_)(hid_t) = nullptr;
};

/// An HDF5 file opened by every rank of `comm` (MPI-IO driver), or by one
/// process (comm = MPI_COMM_SELF).
class File {
 public:
  /// Creates (truncates) `path` collectively.
  static File create(const std::string& path, MPI_Comm comm);
  /// Opens an existing file collectively; read-only unless `writable`.
  static File open(const std::string& path, MPI_Comm comm, bool writable = false);

  const std::string& path() const { return path_; }
  hid_t id() const { return file_.get(); }
  MPI_Comm comm() const { return comm_; }
  /// Flushes and closes; errors surface here rather than in a destructor.
  void close();

  bool exists(const std::string& object) const;

  // Attributes on an object ("/" for the root). All ranks call with the same values.
  void write_attribute(const std::string& object, const std::string& name,
                       const std::string& value);
  void write_attribute(const std::string& object, const std::string& name, std::int64_t value);
  void write_attribute(const std::string& object, const std::string& name, double value);
  void write_attribute(const std::string& object, const std::string& name,
                       const std::vector<std::string>& values);
  void write_attribute(const std::string& object, const std::string& name,
                       const std::vector<std::int64_t>& values);
  bool has_attribute(const std::string& object, const std::string& name) const;
  std::string read_string_attribute(const std::string& object, const std::string& name) const;
  std::int64_t read_int_attribute(const std::string& object, const std::string& name) const;
  std::vector<std::string> read_string_array_attribute(const std::string& object,
                                                       const std::string& name) const;
  std::vector<std::int64_t> read_int_array_attribute(const std::string& object,
                                                     const std::string& name) const;

  /// Creates a float64 dataset of the given shape (intermediate groups too).
  void create_dataset(const std::string& name, const std::vector<hsize_t>& shape,
                      const std::string& doc = "");
  /// Collectively writes rows [row_begin, row_begin + rows) of dataset `name`;
  /// `data` holds rows × (product of the other dimensions) values, row-major.
  /// Every rank must call, with rows = 0 where it owns nothing.
  void write_rows(const std::string& name, hsize_t row_begin, hsize_t rows, const double* data);
  /// Writes a whole dataset from every rank's identical copy (rank 0's data is written).
  void write_all(const std::string& name, const std::vector<hsize_t>& shape, const double* data,
                 const std::string& doc = "");

  std::vector<hsize_t> shape(const std::string& name) const;
  /// Reads rows [row_begin, row_begin + rows) (every rank may read its own).
  std::vector<double> read_rows(const std::string& name, hsize_t row_begin, hsize_t rows) const;
  std::vector<double> read_all(const std::string& name) const;

 private:
  File() = default;
  std::string path_;
  MPI_Comm comm_ = MPI_COMM_SELF;
  Handle file_;
};

/// A 1-D dataset of doubles written whole (collective; every rank passes the same values).
void write_vector(File& f, const std::string& name, const double* data, std::size_t size,
                  const std::string& doc);
inline void write_vector(File& f, const std::string& name, const std::vector<double>& v,
                         const std::string& doc) {
  write_vector(f, name, v.data(), v.size(), doc);
}
inline void write_vector(File& f, const std::string& name, const Eigen::VectorXd& v,
                         const std::string& doc) {
  write_vector(f, name, v.data(), static_cast<std::size_t>(v.size()), doc);
}
/// Matrices laid end to end in their column-major storage: the rows of a
/// [record, column, row] dataset, one matrix per record.
std::vector<double> stack_rows(const std::vector<Eigen::MatrixXd>& records);

/// Turns HDF5's error printing off for this process (call once at start-up).
void silence_errors();

}  // namespace dynlearn::io::h5
