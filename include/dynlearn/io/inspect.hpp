// `dynlearn inspect`: a human-readable summary of any dynlearn HDF5 file
// (provenance, every group and dataset with its shape and doc).
#pragma once

#include <string>

namespace dynlearn::io {

/// Describes the file; with `with_deck`, appends the resolved deck it carries.
std::string describe_file(const std::string& path, bool with_deck);

}  // namespace dynlearn::io
