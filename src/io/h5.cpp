#include "dynlearn/io/h5.hpp"

#include <cstdio>
#include <cstring>
#include <numeric>

#include "dynlearn/core/error.hpp"

namespace dynlearn::io::h5 {
namespace {

[[noreturn]] void fail_write(const std::string& path, const std::string& what) {
  throw IOError("cannot write HDF5 file '" + path + "': " + what +
                " (is the disk full, or the directory not writable?)");
}

hid_t check(hid_t id, const std::string& path, const std::string& what) {
  if (id < 0) fail_write(path, what);
  return id;
}

void check(herr_t status, const std::string& path, const std::string& what, int) {
  if (status < 0) fail_write(path, what);
}

Handle file_access(MPI_Comm comm) {
  Handle fapl(H5Pcreate(H5P_FILE_ACCESS), H5Pclose);
  int size = 1;
  MPI_Comm_size(comm, &size);
  if (size > 1) H5Pset_fapl_mpio(fapl.get(), comm, MPI_INFO_NULL);
  return fapl;
}

Handle transfer(MPI_Comm comm) {
  Handle dxpl(H5Pcreate(H5P_DATASET_XFER), H5Pclose);
  int size = 1;
  MPI_Comm_size(comm, &size);
  if (size > 1) H5Pset_dxpl_mpio(dxpl.get(), H5FD_MPIO_COLLECTIVE);
  return dxpl;
}

Handle string_type(std::size_t length) {
  Handle type(H5Tcopy(H5T_C_S1), H5Tclose);
  H5Tset_size(type.get(), length == 0 ? 1 : length);
  H5Tset_strpad(type.get(), H5T_STR_NULLTERM);
  H5Tset_cset(type.get(), H5T_CSET_UTF8);
  return type;
}

Handle open_object(const File& f, const std::string& object) {
  hid_t id = H5Oopen(f.id(), object.c_str(), H5P_DEFAULT);
  if (id < 0) throw InputError("HDF5 file '" + f.path() + "' has no object '" + object + "'");
  return Handle(id, H5Oclose);
}

Handle replace_attribute(const File& f, const std::string& object, const std::string& name,
                         hid_t type, hid_t space) {
  Handle obj = open_object(f, object);
  if (H5Aexists(obj.get(), name.c_str()) > 0) H5Adelete(obj.get(), name.c_str());
  return Handle(check(H5Acreate2(obj.get(), name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                      f.path(), "attribute " + object + "@" + name),
                H5Aclose);
}

Handle open_attribute(const File& f, const std::string& object, const std::string& name) {
  Handle obj = open_object(f, object);
  hid_t id = H5Aopen(obj.get(), name.c_str(), H5P_DEFAULT);
  if (id < 0)
    throw InputError("HDF5 file '" + f.path() + "' lacks attribute '" + name + "' on '" + object +
                     "': not a dynlearn file, or written by an incompatible version");
  return Handle(id, H5Aclose);
}

Handle open_dataset(const File& f, const std::string& name) {
  hid_t id = H5Dopen2(f.id(), name.c_str(), H5P_DEFAULT);
  if (id < 0) throw InputError("HDF5 file '" + f.path() + "' has no dataset '" + name + "'");
  return Handle(id, H5Dclose);
}

}  // namespace

Handle& Handle::operator=(Handle&& o) noexcept {
  if (this != &o) {
    reset();
    id_ = o.id_;
    close_ = o.close_;
    o.id_ = H5I_INVALID_HID;
  }
  return *this;
}

void Handle::reset() {
  if (id_ >= 0 && close_) close_(id_);
  id_ = H5I_INVALID_HID;
}

void write_vector(File& f, const std::string& name, const double* data, std::size_t size,
                  const std::string& doc) {
  f.write_all(name, {static_cast<hsize_t>(size)}, data, doc);
}

std::vector<double> stack_rows(const std::vector<Eigen::MatrixXd>& records) {
  std::vector<double> out;
  for (const auto& m : records) out.insert(out.end(), m.data(), m.data() + m.size());
  return out;
}

void silence_errors() {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

File File::create(const std::string& path, MPI_Comm comm) {
  silence_errors();
  File f;
  f.path_ = path;
  f.comm_ = comm;
  Handle fapl = file_access(comm);
  hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get());
  if (id < 0)
    throw IOError("cannot create HDF5 file '" + path +
                  "': check that its directory exists and is writable");
  f.file_ = Handle(id, H5Fclose);
  return f;
}

File File::open(const std::string& path, MPI_Comm comm, bool writable) {
  silence_errors();
  File f;
  f.path_ = path;
  f.comm_ = comm;
  Handle fapl = file_access(comm);
  hid_t id = H5Fopen(path.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, fapl.get());
  if (id < 0) {
    const bool is_hdf5 = H5Fis_hdf5(path.c_str()) > 0;
    FILE* probe = std::fopen(path.c_str(), "rb");
    const bool exists = probe != nullptr;
    if (probe) std::fclose(probe);
    if (!exists) throw InputError("cannot open '" + path + "': no such file");
    throw InputError("cannot open '" + path + "': " +
                     (is_hdf5 ? std::string("an HDF5 file, but damaged or truncated")
                              : std::string("not an HDF5 file, or truncated")) +
                     "; regenerate it (dynlearn generate) or restore it from a copy");
  }
  f.file_ = Handle(id, H5Fclose);
  return f;
}

void File::close() {
  if (!file_.valid()) return;
  if (H5Fflush(file_.get(), H5F_SCOPE_GLOBAL) < 0) fail_write(path_, "flush");
  const hid_t id = file_.release();
  if (H5Fclose(id) < 0) fail_write(path_, "close");
}

bool File::exists(const std::string& object) const {
  if (object == "/") return true;
  // Check each link along the path so a missing group is not an error.
  std::size_t pos = 0;
  while ((pos = object.find('/', pos + 1)) != std::string::npos) {
    if (H5Lexists(id(), object.substr(0, pos).c_str(), H5P_DEFAULT) <= 0) return false;
  }
  return H5Lexists(id(), object.c_str(), H5P_DEFAULT) > 0;
}

void File::write_attribute(const std::string& object, const std::string& name,
                           const std::string& value) {
  Handle type = string_type(value.size() + 1);
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attr = replace_attribute(*this, object, name, type.get(), space.get());
  check(H5Awrite(attr.get(), type.get(), value.c_str()), path_, "attribute " + name, 0);
}

void File::write_attribute(const std::string& object, const std::string& name, std::int64_t value) {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attr = replace_attribute(*this, object, name, H5T_NATIVE_INT64, space.get());
  check(H5Awrite(attr.get(), H5T_NATIVE_INT64, &value), path_, "attribute " + name, 0);
}

void File::write_attribute(const std::string& object, const std::string& name, double value) {
  Handle space(H5Screate(H5S_SCALAR), H5Sclose);
  Handle attr = replace_attribute(*this, object, name, H5T_NATIVE_DOUBLE, space.get());
  check(H5Awrite(attr.get(), H5T_NATIVE_DOUBLE, &value), path_, "attribute " + name, 0);
}

void File::write_attribute(const std::string& object, const std::string& name,
                           const std::vector<std::string>& values) {
  std::size_t width = 1;
  for (const auto& v : values) width = std::max(width, v.size() + 1);
  std::vector<char> buffer(width * std::max<std::size_t>(values.size(), 1), '\0');
  for (std::size_t i = 0; i < values.size(); ++i)
    values[i].copy(&buffer[i * width], values[i].size());
  Handle type = string_type(width);
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  Handle attr = replace_attribute(*this, object, name, type.get(), space.get());
  check(H5Awrite(attr.get(), type.get(), buffer.data()), path_, "attribute " + name, 0);
}

void File::write_attribute(const std::string& object, const std::string& name,
                           const std::vector<std::int64_t>& values) {
  const hsize_t n = values.size();
  Handle space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  Handle attr = replace_attribute(*this, object, name, H5T_NATIVE_INT64, space.get());
  const std::int64_t none = 0;  // HDF5 rejects a null buffer even for zero elements
  check(H5Awrite(attr.get(), H5T_NATIVE_INT64, values.empty() ? &none : values.data()), path_,
        "attribute " + name, 0);
}

bool File::has_attribute(const std::string& object, const std::string& name) const {
  if (!exists(object)) return false;
  Handle obj = open_object(*this, object);
  return H5Aexists(obj.get(), name.c_str()) > 0;
}

std::string File::read_string_attribute(const std::string& object, const std::string& name) const {
  Handle attr = open_attribute(*this, object, name);
  Handle type(H5Aget_type(attr.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_STRING)
    throw InputError("'" + path_ + "' attribute " + object + "@" + name + " is not a string");
  if (H5Tis_variable_str(type.get()) > 0) {
    char* value = nullptr;
    Handle mem = Handle(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Aread(attr.get(), mem.get(), &value);
    std::string out = value ? value : "";
    H5free_memory(value);
    return out;
  }
  const std::size_t size = H5Tget_size(type.get());
  std::string buffer(size, '\0');
  H5Aread(attr.get(), type.get(), buffer.data());
  buffer.resize(std::strlen(buffer.c_str()));
  return buffer;
}

std::int64_t File::read_int_attribute(const std::string& object, const std::string& name) const {
  Handle attr = open_attribute(*this, object, name);
  std::int64_t value = 0;
  if (H5Aread(attr.get(), H5T_NATIVE_INT64, &value) < 0)
    throw InputError("'" + path_ + "' attribute " + object + "@" + name + " is not an integer");
  return value;
}

std::vector<std::string> File::read_string_array_attribute(const std::string& object,
                                                           const std::string& name) const {
  Handle attr = open_attribute(*this, object, name);
  Handle type(H5Aget_type(attr.get()), H5Tclose);
  Handle space(H5Aget_space(attr.get()), H5Sclose);
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  const std::size_t width = H5Tget_size(type.get());
  if (H5Tget_class(type.get()) != H5T_STRING || H5Tis_variable_str(type.get()) > 0)
    throw InputError("'" + path_ + "' attribute " + object + "@" + name +
                     " is not a fixed-length string array");
  std::vector<char> buffer(width * std::max<hssize_t>(n, 1), '\0');
  H5Aread(attr.get(), type.get(), buffer.data());
  std::vector<std::string> out;
  for (hssize_t i = 0; i < n; ++i)
    out.emplace_back(&buffer[i * width], strnlen(&buffer[i * width], width));
  return out;
}

std::vector<std::int64_t> File::read_int_array_attribute(const std::string& object,
                                                         const std::string& name) const {
  Handle attr = open_attribute(*this, object, name);
  Handle space(H5Aget_space(attr.get()), H5Sclose);
  std::vector<std::int64_t> out(H5Sget_simple_extent_npoints(space.get()));
  if (!out.empty()) H5Aread(attr.get(), H5T_NATIVE_INT64, out.data());
  return out;
}

void File::create_dataset(const std::string& name, const std::vector<hsize_t>& shape,
                          const std::string& doc) {
  Handle lcpl(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
  H5Pset_create_intermediate_group(lcpl.get(), 1);
  Handle space(H5Screate_simple(static_cast<int>(shape.size()), shape.data(), nullptr), H5Sclose);
  Handle dset(check(H5Dcreate2(id(), name.c_str(), H5T_IEEE_F64LE, space.get(), lcpl.get(),
                               H5P_DEFAULT, H5P_DEFAULT),
                    path_, "dataset " + name),
              H5Dclose);
  dset.reset();
  if (!doc.empty()) write_attribute(name, "doc", doc);
}

void File::write_rows(const std::string& name, hsize_t row_begin, hsize_t rows,
                      const double* data) {
  Handle dset = open_dataset(*this, name);
  Handle file_space(H5Dget_space(dset.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(file_space.get());
  std::vector<hsize_t> dims(rank);
  H5Sget_simple_extent_dims(file_space.get(), dims.data(), nullptr);
  std::vector<hsize_t> start(rank, 0), count = dims;
  start[0] = row_begin;
  count[0] = rows;
  if (rows == 0) {
    H5Sselect_none(file_space.get());
  } else {
    check(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                              nullptr),
          path_, "select rows of " + name, 0);
  }
  const hsize_t n = std::accumulate(count.begin(), count.end(), hsize_t{1}, std::multiplies<>());
  Handle mem_space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  if (rows == 0) H5Sselect_none(mem_space.get());
  Handle dxpl = transfer(comm_);
  check(H5Dwrite(dset.get(), H5T_NATIVE_DOUBLE, mem_space.get(), file_space.get(), dxpl.get(),
                 rows == 0 ? nullptr : data),
        path_, "write " + name, 0);
}

void File::write_all(const std::string& name, const std::vector<hsize_t>& shape, const double* data,
                     const std::string& doc) {
  create_dataset(name, shape, doc);
  int rank = 0;
  MPI_Comm_rank(comm_, &rank);
  const hsize_t rows = shape.empty() ? 1 : shape[0];
  write_rows(name, 0, rank == 0 ? rows : 0, data);
}

std::vector<hsize_t> File::shape(const std::string& name) const {
  Handle dset = open_dataset(*this, name);
  Handle space(H5Dget_space(dset.get()), H5Sclose);
  std::vector<hsize_t> dims(H5Sget_simple_extent_ndims(space.get()));
  H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  return dims;
}

std::vector<double> File::read_rows(const std::string& name, hsize_t row_begin,
                                    hsize_t rows) const {
  Handle dset = open_dataset(*this, name);
  Handle file_space(H5Dget_space(dset.get()), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(file_space.get());
  std::vector<hsize_t> dims(rank);
  H5Sget_simple_extent_dims(file_space.get(), dims.data(), nullptr);
  if (rank == 0 || row_begin + rows > dims[0])
    throw InputError("'" + path_ + "' dataset " + name + " has fewer rows than expected");
  std::vector<hsize_t> start(rank, 0), count = dims;
  start[0] = row_begin;
  count[0] = rows;
  const hsize_t n = std::accumulate(count.begin(), count.end(), hsize_t{1}, std::multiplies<>());
  std::vector<double> out(n);
  if (n > 0) {
    H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, count.data(),
                        nullptr);
  } else {
    H5Sselect_none(file_space.get());
  }
  Handle mem_space(H5Screate_simple(1, &n, nullptr), H5Sclose);
  if (n == 0) H5Sselect_none(mem_space.get());
  if (H5Dread(dset.get(), H5T_NATIVE_DOUBLE, mem_space.get(), file_space.get(), H5P_DEFAULT,
              n ? out.data() : nullptr) < 0)
    throw InputError("cannot read dataset " + name + " of '" + path_ +
                     "': the file is damaged or truncated");
  return out;
}

std::vector<double> File::read_all(const std::string& name) const {
  const auto dims = shape(name);
  if (dims.empty()) {
    Handle dset = open_dataset(*this, name);
    double v = 0;
    if (H5Dread(dset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) < 0)
      throw InputError("cannot read dataset " + name + " of '" + path_ + "'");
    return {v};
  }
  return read_rows(name, 0, dims[0]);
}

}  // namespace dynlearn::io::h5
