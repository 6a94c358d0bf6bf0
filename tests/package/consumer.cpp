// Lists the ground-truth systems through the installed library.
#include <cstdio>

#include "dynlearn/core/version.hpp"
#include "dynlearn/systems/registry.hpp"

int main() {
  std::printf("dynlearn %s\n", dynlearn::version);
  for (const auto& name : dynlearn::systems::system_types()) std::printf("%s\n", name.c_str());
  return dynlearn::systems::system_types().empty() ? 1 : 0;
}
