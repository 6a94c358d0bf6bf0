#include "dynlearn/io/provenance.hpp"

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/version.hpp"
#include "dynlearn/parallel/environment.hpp"

#include <cstdio>

namespace dynlearn::io {

void write_provenance(h5::File& file, const std::string& kind, int schema_version,
                      const std::string& resolved_deck) {
  file.write_attribute("/", "dynlearn_kind", kind);
  file.write_attribute("/", "schema_version", static_cast<std::int64_t>(schema_version));
  file.write_attribute("/", "dynlearn_version", std::string(dynlearn::version));
  file.write_attribute("/", "git_revision", std::string(dynlearn::git_revision));
  file.write_attribute("/", "deck", resolved_deck);
}

void check_provenance(const h5::File& file, const std::string& kind, int max_version) {
  if (!file.has_attribute("/", "dynlearn_kind"))
    throw InputError("'" + file.path() + "' is not a dynlearn file (no dynlearn_kind attribute)");
  const std::string found = file.read_string_attribute("/", "dynlearn_kind");
  if (found != kind)
    throw InputError("'" + file.path() + "' is a dynlearn " + found + " file, expected a " + kind);
  const auto v = file.read_int_attribute("/", "schema_version");
  if (v < 1 || v > max_version)
    throw InputError("'" + file.path() + "' has " + kind + " schema version " + std::to_string(v) +
                     "; this dynlearn (" + dynlearn::version + ") reads versions 1 to " +
                     std::to_string(max_version) + ": regenerate the file or upgrade dynlearn");
}

void write_file_atomically(const std::string& path, MPI_Comm comm, const std::string& kind,
                           int schema_version, const std::string& resolved_deck,
                           const std::function<void(h5::File&)>& body) {
  const std::string partial = path + ".partial";
  {
    h5::File f = h5::File::create(partial, comm);
    write_provenance(f, kind, schema_version, resolved_deck);
    body(f);
    f.write_attribute("/", "complete", static_cast<std::int64_t>(1));
    f.close();
  }
  MPI_Barrier(comm);
  std::string error;
  if (parallel::rank(comm) == 0 && std::rename(partial.c_str(), path.c_str()) != 0)
    error = "cannot rename '" + partial + "' to '" + path + "'";
  parallel::broadcast(error, comm);
  if (!error.empty()) throw IOError(error, true);
}

}  // namespace dynlearn::io
