// What every HDF5 file dynlearn writes carries at its root: its kind, the
// schema version, the dynlearn version and git revision, and the resolved
// deck that produced it. Readers check kind and version before anything else.
#pragma once

#include <string>

#include "dynlearn/io/h5.hpp"

namespace dynlearn::io {

void write_provenance(h5::File& file, const std::string& kind, int schema_version,
                      const std::string& resolved_deck);

/// Throws InputError unless `file` is a dynlearn file of this kind with a
/// schema version this build reads (1 .. max_version).
void check_provenance(const h5::File& file, const std::string& kind, int max_version);

}  // namespace dynlearn::io
