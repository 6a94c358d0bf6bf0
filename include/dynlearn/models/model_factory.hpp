// Builds the learned model a deck's [model] section names, sized for the
// dataset's state, and initialises it from the run's seed.
#pragma once

#include <cstdint>
#include <memory>

#include "dynlearn/integrate/vector_field.hpp"
#include "dynlearn/io/learning_config.hpp"

namespace dynlearn::models {

/// An O-NET or H-NET for a state [q; p] of `state_dim` components (even).
std::unique_ptr<integrate::VectorField> make_model(const io::ModelConfig& config, Eigen::Index state_dim,
                                                   std::uint64_t seed);

}  // namespace dynlearn::models
