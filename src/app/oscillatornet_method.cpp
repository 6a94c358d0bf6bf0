// Placeholder until the oscillatornet method lands: a deck naming it is rejected.
#include "dynlearn/app/method.hpp"
#include "dynlearn/core/error.hpp"

namespace dynlearn::app {

std::unique_ptr<Method> make_oscillatornet_method() {
  throw InputError("[run] method = \"oscillatornet\" is not available in this build yet");
}

}  // namespace dynlearn::app
