// The learned model of an input-driven system (SNet): the surrogate of
// section 5 or 6 matching the ground-truth system's type.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "dynlearn/integrate/driven_field.hpp"
#include "dynlearn/systems/system.hpp"

namespace dynlearn::models {

/// "vehicle": VehicleSurrogate with hidden = {h} (f_J, f_C, f_d all width h)
/// or {h_J, h_C, h_d}, the system's mass and inertia; "multi_agent":
/// MultiAgentSurrogate with hidden = {h}, the system's agents and gains (the
/// system must be prepared). Initialised from `seed`. Throws InputError for
/// another system type or a hidden list of the wrong length.
std::unique_ptr<integrate::DrivenField> make_driven_model(const systems::System& system,
                                                          const std::vector<int>& hidden,
                                                          std::uint64_t seed);

}  // namespace dynlearn::models
