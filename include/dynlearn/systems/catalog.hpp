// Factories of every ground-truth system, one per concrete System, each
// defined in the system's own source file. registry.cpp maps deck names to them.
#pragma once

#include <memory>

#include "dynlearn/systems/system.hpp"

namespace dynlearn::systems {

// BEGIN FACTORIES (one declaration each)
std::unique_ptr<System> make_multi_agent();
std::unique_ptr<System> make_vehicle();
std::unique_ptr<System> make_kepler();
std::unique_ptr<System> make_non_lagrangian();
std::unique_ptr<System> make_damped_oscillator_2d();
std::unique_ptr<System> make_spring_chain();
std::unique_ptr<System> make_three_body();
std::unique_ptr<System> make_heavy_billiard();
std::unique_ptr<System> make_potential_1d();
std::unique_ptr<System> make_damped_oscillator();
std::unique_ptr<System> make_coupled_oscillators();
// END FACTORIES

}  // namespace dynlearn::systems
