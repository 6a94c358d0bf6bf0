// What every HDF5 file dynlearn writes carries at its root: its kind, the
// schema version, the dynlearn version and git revision, and the resolved
// deck that produced it. Readers check kind and version before anything else.
#pragma once

#include <mpi.h>

#include <functional>
#include <string>

#include "dynlearn/io/h5.hpp"

namespace dynlearn::io {

void write_provenance(h5::File& file, const std::string& kind, int schema_version,
                      const std::string& resolved_deck);

/// Throws InputError unless `file` is a dynlearn file of this kind with a
/// schema version this build reads (1 .. max_version).
void check_provenance(const h5::File& file, const std::string& kind, int max_version);

/// Writes a dynlearn file so that a kill at any moment leaves the previous
/// file at `path` intact: `<path>.partial` is created collectively with the
/// provenance, `body` writes the contents, the `complete` attribute goes last,
/// and rank 0 renames the closed file after a barrier. Throws a collective
/// IOError when the rename fails.
void write_file_atomically(const std::string& path, MPI_Comm comm, const std::string& kind,
                           int schema_version, const std::string& resolved_deck,
                           const std::function<void(h5::File&)>& body);

}  // namespace dynlearn::io
