#include "dynlearn/io/inspect.hpp"

#include <sstream>

#include "dynlearn/core/error.hpp"
#include "dynlearn/io/h5.hpp"

namespace dynlearn::io {
namespace {

struct Visit {
  const h5::File* file;
  std::ostringstream* out;
};

herr_t visit(hid_t, const char* name, const H5O_info_t* info, void* data) {
  auto* v = static_cast<Visit*>(data);
  const std::string path = std::string("/") + name;
  if (std::string(name) == ".") return 0;
  if (info->type == H5O_TYPE_GROUP) {
    *v->out << "  " << path << "/\n";
  } else if (info->type == H5O_TYPE_DATASET) {
    const auto dims = v->file->shape(path);
    std::string shape = "[";
    for (std::size_t i = 0; i < dims.size(); ++i) shape += (i ? ", " : "") + std::to_string(dims[i]);
    shape += "]";
    *v->out << "  " << path << "  " << shape;
    if (v->file->has_attribute(path, "doc")) *v->out << "  " << v->file->read_string_attribute(path, "doc");
    *v->out << "\n";
  }
  return 0;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s;
}

}  // namespace

std::string describe_file(const std::string& path, bool with_deck) {
  h5::File file = h5::File::open(path, MPI_COMM_SELF);
  std::ostringstream out;
  out << path << "\n";
  if (!file.has_attribute("/", "dynlearn_kind")) {
    out << "  (not written by dynlearn: no provenance attributes)\n";
  } else {
    out << "  kind: " << file.read_string_attribute("/", "dynlearn_kind")
        << ", schema version " << file.read_int_attribute("/", "schema_version") << "\n";
    out << "  written by dynlearn " << file.read_string_attribute("/", "dynlearn_version") << " (git "
        << file.read_string_attribute("/", "git_revision") << ")\n";
    out << "  complete: " << (file.has_attribute("/", "complete") ? "yes" : "NO (interrupted writer)") << "\n";
  }
  if (file.has_attribute("/system", "type")) {
    out << "  system: " << file.read_string_attribute("/system", "type") << "\n";
    out << "  state: " << join(file.read_string_array_attribute("/system", "state_names")) << "\n";
    const auto inputs = file.read_string_array_attribute("/system", "input_names");
    if (!inputs.empty()) out << "  inputs: " << join(inputs) << "\n";
    const auto observed = file.read_int_array_attribute("/system", "observed_indices");
    out << "  observed components:";
    for (auto i : observed) out << " " << i;
    out << "\n";
  }
  out << "contents:\n";
  Visit v{&file, &out};
  H5Ovisit(file.id(), H5_INDEX_NAME, H5_ITER_INC, visit, &v);
  if (with_deck && file.has_attribute("/", "deck"))
    out << "deck:\n" << file.read_string_attribute("/", "deck");
  return out.str();
}

}  // namespace dynlearn::io
