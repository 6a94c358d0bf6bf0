#include "dynlearn/app/method.hpp"

#include "dynlearn/core/error.hpp"

namespace dynlearn::app {

const std::vector<std::string>& method_names() {
  static const std::vector<std::string> names = {"srnn", "oscillatornet", "isochronism", "snet"};
  return names;
}

std::unique_ptr<Method> make_method(const std::string& name) {
  if (name == "srnn") return nullptr;
  if (name == "oscillatornet") return make_oscillatornet_method();
  if (name == "isochronism") return make_isochronism_method();
  if (name == "snet") return make_snet_method();
  throw InputError("[run] method: unknown method '" + name + "'");
}

}  // namespace dynlearn::app
