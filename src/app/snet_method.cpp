// Placeholder until the snet method lands: a deck naming it is rejected.
#include "dynlearn/app/method.hpp"
#include "dynlearn/core/error.hpp"

namespace dynlearn::app {

std::unique_ptr<Method> make_snet_method() {
  throw InputError("[run] method = \"snet\" is not available in this build yet");
}

}  // namespace dynlearn::app
