#include "dynlearn/io/dataset_file.hpp"

#include <algorithm>
#include <cstdio>

#include "dynlearn/core/error.hpp"
#include "dynlearn/io/provenance.hpp"
#include "dynlearn/parallel/environment.hpp"

namespace dynlearn::io {
namespace {

std::string group(const std::string& split) {
  return "/" + split;
}

/// Concatenates one field of every record into a row-major buffer.
template <class Get>
std::vector<double> gather(const std::vector<TrajectoryRecord>& records, std::size_t per_row,
                           Get get) {
  std::vector<double> buffer;
  buffer.reserve(records.size() * per_row);
  for (const auto& r : records) {
    const auto& m = get(r);
    if (static_cast<std::size_t>(m.size()) != per_row)
      throw std::logic_error("dataset record has " + std::to_string(m.size()) +
                             " values, expected " + std::to_string(per_row));
    buffer.insert(buffer.end(), m.data(), m.data() + m.size());
  }
  return buffer;
}

}  // namespace

DatasetWriter::DatasetWriter(const std::string& path, MPI_Comm comm, const DatasetMeta& meta,
                             const std::string& resolved_deck, const std::string& description)
    : path_(path),
      partial_(path + ".partial"),
      comm_(comm),
      file_(h5::File::create(partial_, comm)) {
  write_provenance(file_, "dataset", dataset_schema_version, resolved_deck);
  file_.write_attribute("/", "description", description);
  file_.write_attribute("/", "system_type", meta.system_type);
  H5Gclose(H5Gcreate2(file_.id(), "/system", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  file_.write_attribute("/system", "type", meta.system_type);
  file_.write_attribute("/system", "state_names", meta.state_names);
  file_.write_attribute("/system", "input_names", meta.input_names);
  file_.write_attribute("/system", "parameter_names", meta.parameter_names);
  file_.write_attribute("/system", "position_indices", meta.position_indices);
  file_.write_attribute("/system", "observed_indices", meta.observed_indices);
}

// An uncommitted writer leaves only "<path>.partial" behind: the file under
// the final name, if any, is the last complete one.
DatasetWriter::~DatasetWriter() = default;

void DatasetWriter::write_constant(const std::string& name, const Eigen::MatrixXd& value,
                                   const std::string& doc) {
  // The file is row-major: store the transpose's column-major data.
  const Eigen::MatrixXd row_major = value.transpose();
  file_.write_all("/system/" + name,
                  {static_cast<hsize_t>(value.rows()), static_cast<hsize_t>(value.cols())},
                  row_major.data(), doc);
}

void DatasetWriter::create_split(const std::string& split, const SplitShape& s,
                                 const std::string& grid) {
  const std::string g = group(split);
  file_.create_dataset(g + "/t", {s.trajectories, s.samples}, "sample times [trajectory, sample]");
  file_.create_dataset(g + "/x", {s.trajectories, s.samples, s.state_dim},
                       "noise-free state [trajectory, sample, component]");
  file_.create_dataset(g + "/y", {s.trajectories, s.samples, s.observed_dim},
                       "observation: noisy observed components [trajectory, sample, component]");
  if (s.input_dim > 0) {
    file_.create_dataset(g + "/u", {s.trajectories, s.samples, s.input_dim},
                         "input u(t) at the sample times [trajectory, sample, channel]");
    file_.create_dataset(
        g + "/u_coeffs", {s.trajectories, s.input_dim, s.input_coeffs},
        "Fourier coefficients of u [trajectory, channel, (a0, a1, b1, ..., aK, bK)]");
  }
  if (s.parameters > 0)
    file_.create_dataset(g + "/params", {s.trajectories, s.parameters},
                         "per-trajectory physical parameters [trajectory, parameter]");
  file_.write_attribute(g, "trajectories", static_cast<std::int64_t>(s.trajectories));
  file_.write_attribute(g, "samples", static_cast<std::int64_t>(s.samples));
  file_.write_attribute(g, "grid", grid);
  shapes_[split] = s;
}

void DatasetWriter::write_split(const std::string& split, hsize_t first,
                                const std::vector<TrajectoryRecord>& records) {
  const SplitShape& s = shapes_.at(split);
  const std::string g = group(split);
  const hsize_t n = records.size();
  file_.write_rows(g + "/t", first, n,
                   gather(
                       records, s.samples, [](auto& r) -> auto& { return r.t; })
                       .data());
  file_.write_rows(g + "/x", first, n,
                   gather(
                       records, s.samples * s.state_dim, [](auto& r) -> auto& { return r.x; })
                       .data());
  file_.write_rows(g + "/y", first, n,
                   gather(
                       records, s.samples * s.observed_dim, [](auto& r) -> auto& { return r.y; })
                       .data());
  if (s.input_dim > 0) {
    file_.write_rows(g + "/u", first, n,
                     gather(
                         records, s.samples * s.input_dim, [](auto& r) -> auto& { return r.u; })
                         .data());
    // u_coeffs is [channel, coeff] row-major per trajectory: the transpose's column-major data.
    std::vector<TrajectoryRecord> transposed(records.size());
    for (std::size_t i = 0; i < records.size(); ++i)
      transposed[i].u_coeffs = records[i].u_coeffs.transpose();
    file_.write_rows(
        g + "/u_coeffs", first, n,
        gather(
            transposed, s.input_dim * s.input_coeffs, [](auto& r) -> auto& { return r.u_coeffs; })
            .data());
  }
  if (s.parameters > 0)
    file_.write_rows(g + "/params", first, n,
                     gather(
                         records, s.parameters, [](auto& r) -> auto& { return r.params; })
                         .data());
}

void DatasetWriter::commit() {
  file_.write_attribute("/", "complete", static_cast<std::int64_t>(1));
  file_.close();
  MPI_Barrier(comm_);
  std::string error;
  if (parallel::rank(comm_) == 0 && std::rename(partial_.c_str(), path_.c_str()) != 0)
    error = "cannot rename '" + partial_ + "' to '" + path_ + "'";
  parallel::broadcast(error, comm_);
  if (!error.empty()) throw IOError(error, true);
  committed_ = true;
}

DatasetReader::DatasetReader(const std::string& path, MPI_Comm comm)
    : file_(h5::File::open(path, comm)) {
  check_provenance(file_, "dataset", dataset_schema_version);
  if (!file_.has_attribute("/", "complete"))
    throw InputError("'" + path + "' is incomplete (its writer was interrupted); regenerate it");
  deck_ = file_.read_string_attribute("/", "deck");
  meta_.system_type = file_.read_string_attribute("/system", "type");
  meta_.state_names = file_.read_string_array_attribute("/system", "state_names");
  meta_.input_names = file_.read_string_array_attribute("/system", "input_names");
  meta_.parameter_names = file_.read_string_array_attribute("/system", "parameter_names");
  meta_.position_indices = file_.read_int_array_attribute("/system", "position_indices");
  meta_.observed_indices = file_.read_int_array_attribute("/system", "observed_indices");
}

bool DatasetReader::has_split(const std::string& split) const {
  return file_.exists(group(split) + "/t");
}

SplitShape DatasetReader::shape(const std::string& split) const {
  const std::string g = group(split);
  SplitShape s;
  const auto x = file_.shape(g + "/x");
  const auto y = file_.shape(g + "/y");
  s.trajectories = x[0];
  s.samples = x[1];
  s.state_dim = x[2];
  s.observed_dim = y[2];
  if (file_.exists(g + "/u")) {
    const auto c = file_.shape(g + "/u_coeffs");
    s.input_dim = c[1];
    s.input_coeffs = c[2];
  }
  if (file_.exists(g + "/params")) s.parameters = file_.shape(g + "/params")[1];
  return s;
}

SplitData DatasetReader::read(const std::string& split, hsize_t first, hsize_t count,
                              ReadFields fields) const {
  const std::string g = group(split);
  SplitData out;
  out.shape = shape(split);
  const SplitShape& s = out.shape;
  const bool inputs = s.input_dim > 0, params = s.parameters > 0;
  using Mat = Eigen::Map<const Eigen::MatrixXd>;
  // Independent reads (no collective): ranks may take different block counts.
  constexpr hsize_t kBlock = 32;
  out.trajectories.reserve(count);
  for (hsize_t b0 = 0; b0 < count; b0 += kBlock) {
    const hsize_t n = std::min(kBlock, count - b0);
    const auto rows = [&](bool wanted, const char* name) {
      return wanted ? file_.read_rows(g + "/" + name, first + b0, n) : std::vector<double>{};
    };
    const auto t = rows(true, "t");
    const auto x = rows(fields.x, "x");
    const auto y = rows(fields.y, "y");
    const auto u = rows(inputs && fields.u, "u");
    const auto c = rows(inputs && fields.u_coeffs, "u_coeffs");
    const auto p = rows(params && fields.params, "params");
    for (hsize_t i = 0; i < n; ++i) {
      TrajectoryRecord r;
      r.t = Eigen::Map<const Eigen::VectorXd>(&t[i * s.samples], s.samples);
      if (!x.empty()) r.x = Mat(&x[i * s.samples * s.state_dim], s.state_dim, s.samples);
      if (!y.empty()) r.y = Mat(&y[i * s.samples * s.observed_dim], s.observed_dim, s.samples);
      if (!u.empty()) r.u = Mat(&u[i * s.samples * s.input_dim], s.input_dim, s.samples);
      if (!c.empty())
        r.u_coeffs =
            Mat(&c[i * s.input_dim * s.input_coeffs], s.input_coeffs, s.input_dim).transpose();
      if (!p.empty())
        r.params = Eigen::Map<const Eigen::VectorXd>(&p[i * s.parameters], s.parameters);
      out.trajectories.push_back(std::move(r));
    }
  }
  return out;
}

Eigen::MatrixXd DatasetReader::constant(const std::string& name) const {
  const std::string full = "/system/" + name;
  const auto dims = file_.shape(full);
  const auto v = file_.read_all(full);
  const Eigen::Index rows = dims.size() > 0 ? dims[0] : 1, cols = dims.size() > 1 ? dims[1] : 1;
  return Eigen::Map<const Eigen::MatrixXd>(v.data(), cols, rows).transpose();
}

}  // namespace dynlearn::io
