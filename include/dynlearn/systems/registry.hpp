// The table of ground-truth systems by deck name ([system] type).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dynlearn/io/deck.hpp"
#include "dynlearn/systems/system.hpp"

namespace dynlearn::systems {

/// The names accepted as [system] type.
std::vector<std::string> system_types();

/// A system of the named type with its default parameters (no deck read yet).
std::unique_ptr<System> make_system(const std::string& type);

/// Reads [system] from the deck: chooses the type, reads its keys into the
/// system, and prepares it with `seed`. Throws InputError naming the problem.
std::unique_ptr<System> read_system(io::Deck& deck, std::uint64_t seed);

}  // namespace dynlearn::systems
