#include "dynlearn/systems/registry.hpp"

#include <functional>
#include <utility>

#include "dynlearn/core/error.hpp"
#include "dynlearn/systems/catalog.hpp"

namespace dynlearn::systems {
namespace {

using Factory = std::function<std::unique_ptr<System>()>;

// One line per system; the name is the deck's [system] type.
const std::vector<std::pair<std::string, Factory>>& table() {
  static const std::vector<std::pair<std::string, Factory>> entries = {
      // BEGIN SYSTEMS (one line each, keep sorted by paper)
      {"multi_agent", make_multi_agent},
      {"vehicle", make_vehicle},
      {"kepler", make_kepler},
      {"non_lagrangian", make_non_lagrangian},
      {"damped_oscillator_2d", make_damped_oscillator_2d},
      {"damped_oscillator", make_damped_oscillator},
      {"coupled_oscillators", make_coupled_oscillators},
      {"spring_chain", make_spring_chain},
      {"three_body", make_three_body},
      {"heavy_billiard", make_heavy_billiard},
      {"potential_1d", make_potential_1d},
      // END SYSTEMS
  };
  return entries;
}

}  // namespace

std::vector<std::string> system_types() {
  std::vector<std::string> names;
  for (const auto& [name, factory] : table()) names.push_back(name);
  return names;
}

std::unique_ptr<System> make_system(const std::string& type) {
  for (const auto& [name, factory] : table())
    if (name == type) return factory();
  std::string msg = "unknown system type \"" + type + "\"";
  if (auto s = io::did_you_mean(type, system_types())) msg += "; did you mean \"" + *s + "\"?";
  msg += " Known types:";
  for (const auto& n : system_types()) msg += " " + n;
  throw InputError(msg);
}

std::unique_ptr<System> read_system(io::Deck& deck, std::uint64_t seed) {
  const auto type = deck.peek_string("system.type");
  if (!type)
    throw InputError(deck.source() +
                     ": [system] type is missing: add a [system] table with type = one of the "
                     "systems listed by `dynlearn --help`");
  std::unique_ptr<System> system;
  try {
    system = make_system(*type);
  } catch (const InputError& e) {
    throw InputError(deck.source() + ": [system] type: " + e.what());
  }
  deck.read(system->section());
  system->prepare(seed);
  return system;
}

}  // namespace dynlearn::systems
