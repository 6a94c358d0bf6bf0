#include "dynlearn/io/checkpoint_file.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/log.hpp"
#include "dynlearn/io/provenance.hpp"
#include "dynlearn/parallel/environment.hpp"

namespace dynlearn::io {
namespace fs = std::filesystem;
namespace {

const std::string kind = "checkpoint";

/// Names become HDF5 paths: keep them to plain path segments.
void check_name(const std::string& name) {
  bool ok = !name.empty() && name.front() != '/' && name.back() != '/' &&
            name.find("//") == std::string::npos;
  for (char c : name)
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' ||
                c == '/');
  if (!ok)
    throw std::invalid_argument("checkpoint entry name '" + name +
                                "': use letters, digits, '_', '-', '.' and '/' between segments");
}

template <class Map>
std::vector<std::string> keys(const Map& map) {
  std::vector<std::string> out;
  for (const auto& [k, v] : map) {
    check_name(k);
    out.push_back(k);
  }
  return out;
}

/// The iteration of "<run>_checkpoint_<digits><suffix>", if `file` is one.
std::optional<std::int64_t> iteration_of(const std::string& file, const std::string& run_name,
                                         const std::string& suffix) {
  const std::string prefix = run_name + "_checkpoint_";
  if (file.size() <= prefix.size() + suffix.size() || file.compare(0, prefix.size(), prefix) != 0 ||
      file.compare(file.size() - suffix.size(), suffix.size(), suffix) != 0)
    return std::nullopt;
  const std::string digits =
      file.substr(prefix.size(), file.size() - prefix.size() - suffix.size());
  if (digits.empty() || digits.size() > 18 ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return std::stoll(digits);
}

struct Found {
  std::int64_t iteration;
  fs::path path;
};

/// The run's checkpoint files in `dir` with the given suffix, newest first.
std::vector<Found> list(const std::string& dir, const std::string& run_name,
                        const std::string& suffix) {
  std::vector<Found> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (auto it = iteration_of(entry.path().filename().string(), run_name, suffix))
      out.push_back({*it, entry.path()});
  }
  std::sort(out.begin(), out.end(),
            [](const Found& a, const Found& b) { return a.iteration > b.iteration; });
  return out;
}

/// Why `path` cannot be restarted from, or "" when it can.
std::string unusable(const std::string& path) {
  try {
    auto file = h5::File::open(path, MPI_COMM_SELF);
    check_provenance(file, kind, checkpoint_schema_version);
    if (!file.has_attribute("/", "complete")) return "incomplete (its writer was interrupted)";
    return "";
  } catch (const Error& e) {
    return e.what();
  }
}

/// Rank 0 deletes what is no longer needed once `iteration` is safely written.
void prune(const std::string& dir, const std::string& run_name, std::int64_t iteration) {
  std::vector<Found> doomed;
  bool kept_previous = false;
  for (const auto& f : list(dir, run_name, ".h5")) {
    if (f.iteration >= iteration) continue;
    if (!kept_previous) {
      kept_previous = true;
      continue;
    }
    doomed.push_back(f);
  }
  for (const auto& f : list(dir, run_name, ".h5.partial"))
    if (f.iteration < iteration) doomed.push_back(f);
  for (const auto& f : doomed) {
    std::error_code ec;
    if (!fs::remove(f.path, ec) && ec)
      core::warn("cannot delete old checkpoint '" + f.path.string() + "': " + ec.message());
  }
}

void check_arrays(const Checkpoint& c, MPI_Comm comm) {
  // A mismatch between ranks would hang HDF5's collective calls: compare
  // rank 0's description and the row counts first, on every rank.
  std::string signature;
  std::vector<unsigned long long> counts;
  for (const auto& [name, a] : c.arrays) {
    check_name(name);
    signature +=
        name + ":" + std::to_string(a.global_rows) + "x" + std::to_string(a.local.rows()) + ";";
    counts.push_back(a.local.cols());
    if (a.first_row + a.local.cols() > a.global_rows)
      throw std::logic_error("checkpoint array '" + name + "': rows beyond its global size");
  }
  std::string root = signature;
  parallel::broadcast(root, comm);
  int mismatch = root != signature, any = 0;
  MPI_Allreduce(&mismatch, &any, 1, MPI_INT, MPI_LOR, comm);
  if (any) throw std::logic_error("checkpoint arrays differ in names or shapes between ranks");
  std::vector<unsigned long long> totals(counts.size());
  MPI_Allreduce(counts.data(), totals.data(), static_cast<int>(counts.size()),
                MPI_UNSIGNED_LONG_LONG, MPI_SUM, comm);
  std::size_t k = 0;
  for (const auto& [name, a] : c.arrays)
    if (totals[k++] != a.global_rows)
      throw std::logic_error("checkpoint array '" + name + "': ranks hold " +
                             std::to_string(totals[k - 1]) + " rows of " +
                             std::to_string(a.global_rows));
}

void write_contents(h5::File& file, const std::string& run_name, const Checkpoint& c) {
  file.write_attribute("/", "run_name", run_name);
  file.write_attribute("/", "iteration", c.iteration);

  if (!c.vectors.empty()) file.write_attribute("/", "vector_names", keys(c.vectors));
  for (const auto& [name, v] : c.vectors)
    file.write_all("/vectors/" + name, {static_cast<hsize_t>(v.size())}, v.data());

  if (!c.scalars.empty()) {
    std::vector<double> values;
    for (const auto& [name, v] : c.scalars) values.push_back(v);
    file.write_attribute("/", "scalar_names", keys(c.scalars));
    file.write_all("/scalars", {values.size()}, values.data(), "values named by /@scalar_names");
  }
  if (!c.integers.empty()) {
    std::vector<std::int64_t> values;
    for (const auto& [name, v] : c.integers) values.push_back(v);
    file.write_attribute("/", "integer_names", keys(c.integers));
    file.write_attribute("/", "integer_values", values);
  }
  if (!c.strings.empty()) {
    std::vector<std::string> values;
    for (const auto& [name, v] : c.strings) values.push_back(v);
    file.write_attribute("/", "string_names", keys(c.strings));
    file.write_attribute("/", "string_values", values);
  }
  if (!c.arrays.empty()) file.write_attribute("/", "array_names", keys(c.arrays));
  for (const auto& [name, a] : c.arrays) {
    const std::string path = "/arrays/" + name;
    file.create_dataset(path, {a.global_rows, static_cast<hsize_t>(a.local.rows())},
                        "per-trajectory rows [trajectory, component]");
    file.write_rows(path, a.first_row, a.local.cols(), a.local.data());
  }
}

std::vector<std::string> names(const h5::File& file, const std::string& attribute) {
  if (!file.has_attribute("/", attribute)) return {};
  return file.read_string_array_attribute("/", attribute);
}

}  // namespace

std::string checkpoint_path(const std::string& dir, const std::string& run_name,
                            std::int64_t iteration) {
  return (fs::path(dir) / (run_name + "_checkpoint_" + std::to_string(iteration) + ".h5")).string();
}

std::string write_checkpoint(const std::string& dir, const std::string& run_name,
                             const Checkpoint& checkpoint, const std::string& resolved_deck,
                             MPI_Comm comm) {
  check_arrays(checkpoint, comm);
  const int rank = parallel::rank(comm);
  std::string error;
  if (rank == 0) {
    std::error_code ec;
    fs::create_directories(dir.empty() ? "." : dir, ec);
    if (ec)
      error = "cannot create checkpoint directory '" + dir + "': " + ec.message() +
              " (check run.output_dir)";
  }
  parallel::broadcast(error, comm);
  if (!error.empty()) throw IOError(error, true);

  const std::string final_path = checkpoint_path(dir, run_name, checkpoint.iteration);
  const std::string partial = final_path + ".partial";
  {
    auto file = h5::File::create(partial, comm);
    write_provenance(file, kind, checkpoint_schema_version, resolved_deck);
    write_contents(file, run_name, checkpoint);
    file.write_attribute("/", "complete", static_cast<std::int64_t>(1));
    file.close();
  }
  MPI_Barrier(comm);
  if (rank == 0 && std::rename(partial.c_str(), final_path.c_str()) != 0)
    error = "cannot rename '" + partial + "' to '" + final_path + "'";
  parallel::broadcast(error, comm);
  if (!error.empty()) throw IOError(error, true);
  if (rank == 0) prune(dir, run_name, checkpoint.iteration);
  return final_path;
}

std::string find_latest_checkpoint(const std::string& dir, const std::string& run_name,
                                   MPI_Comm comm) {
  std::string found;
  if (parallel::rank(comm) == 0) {
    for (const auto& f : list(dir, run_name, ".h5.partial"))
      core::warn("ignoring '" + f.path.string() +
                 "': an unfinished checkpoint (its writer was interrupted); it can be deleted");
    for (const auto& f : list(dir, run_name, ".h5")) {
      const std::string why = unusable(f.path.string());
      if (why.empty()) {
        found = f.path.string();
        break;
      }
      core::warn("skipping checkpoint '" + f.path.string() + "': " + why);
    }
  }
  parallel::broadcast(found, comm);
  return found;
}

std::string require_latest_checkpoint(const std::string& dir, const std::string& run_name,
                                      MPI_Comm comm) {
  std::string path = find_latest_checkpoint(dir, run_name, comm);
  if (path.empty())
    throw InputError("--restart: no complete checkpoint of run '" + run_name + "' in '" + dir +
                     "' (files " + run_name +
                     "_checkpoint_<iteration>.h5); check run.name and run.output_dir, or start "
                     "without --restart");
  return path;
}

CheckpointReader::CheckpointReader(const std::string& path, MPI_Comm comm)
    : file_(h5::File::open(path, comm)), path_(path) {
  check_provenance(file_, kind, checkpoint_schema_version);
  if (!file_.has_attribute("/", "complete"))
    throw InputError("checkpoint '" + path +
                     "' is incomplete (its writer was interrupted); restart from an older one "
                     "(--restart picks the newest complete checkpoint) or delete it");
  run_name_ = file_.read_string_attribute("/", "run_name");
  deck_ = file_.read_string_attribute("/", "deck");
}

Checkpoint CheckpointReader::replicated() const {
  Checkpoint c;
  c.iteration = file_.read_int_attribute("/", "iteration");
  for (const auto& name : names(file_, "vector_names")) {
    const auto v = file_.read_all("/vectors/" + name);
    c.vectors[name] =
        Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
  }
  if (const auto scalar_names = names(file_, "scalar_names"); !scalar_names.empty()) {
    const auto values = file_.read_all("/scalars");
    if (values.size() != scalar_names.size())
      throw InputError("checkpoint '" + path_ + "' is damaged: " + std::to_string(values.size()) +
                       " scalars for " + std::to_string(scalar_names.size()) + " names");
    for (std::size_t i = 0; i < values.size(); ++i) c.scalars[scalar_names[i]] = values[i];
  }
  if (const auto integer_names = names(file_, "integer_names"); !integer_names.empty()) {
    const auto values = file_.read_int_array_attribute("/", "integer_values");
    if (values.size() != integer_names.size())
      throw InputError("checkpoint '" + path_ + "' is damaged: integer names and values differ");
    for (std::size_t i = 0; i < values.size(); ++i) c.integers[integer_names[i]] = values[i];
  }
  if (const auto string_names = names(file_, "string_names"); !string_names.empty()) {
    const auto values = file_.read_string_array_attribute("/", "string_values");
    if (values.size() != string_names.size())
      throw InputError("checkpoint '" + path_ + "' is damaged: string names and values differ");
    for (std::size_t i = 0; i < values.size(); ++i) c.strings[string_names[i]] = values[i];
  }
  return c;
}

std::vector<std::string> CheckpointReader::array_names() const {
  return names(file_, "array_names");
}

std::pair<std::size_t, std::size_t> CheckpointReader::array_shape(const std::string& name) const {
  const auto dims = file_.shape("/arrays/" + name);
  if (dims.size() != 2)
    throw InputError("checkpoint '" + path_ + "': array '" + name + "' is not two-dimensional");
  return {dims[0], dims[1]};
}

DistributedRows CheckpointReader::read_rows(const std::string& name, std::size_t first_row,
                                            std::size_t rows) const {
  const auto [global_rows, row_size] = array_shape(name);
  if (first_row + rows > global_rows)
    throw InputError("checkpoint '" + path_ + "' holds " + std::to_string(global_rows) +
                     " rows of '" + name + "' but rows up to " + std::to_string(first_row + rows) +
                     " were asked for: it belongs to a run with another dataset");
  const auto values = file_.read_rows("/arrays/" + name, first_row, rows);
  DistributedRows out;
  out.global_rows = global_rows;
  out.first_row = first_row;
  out.local = Eigen::Map<const Eigen::MatrixXd>(values.data(), static_cast<Eigen::Index>(row_size),
                                                static_cast<Eigen::Index>(rows));
  return out;
}

Checkpoint CheckpointReader::read(const parallel::IndexRange& rows) const {
  Checkpoint c = replicated();
  for (const auto& name : array_names()) c.arrays[name] = read_rows(name, rows.begin, rows.size());
  return c;
}

}  // namespace dynlearn::io
