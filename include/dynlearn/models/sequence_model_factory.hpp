// Builds the sequence-model baselines of SRNN's tables (vanilla RNN, LSTM) as
// WindowModels, sized for the dataset's state and initialised from the seed.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <string>

#include "dynlearn/models/window_model.hpp"

namespace dynlearn::models {

/// A models::Rnn ("rnn") or models::Lstm ("lstm") with `hidden` units for a
/// state of `state_dim` components, initialised as PyTorch does from
/// core::Rng(seed, 0, init_weights). Throws InputError naming the valid
/// types on any other name, or on non-positive sizes.
std::unique_ptr<WindowModel> make_sequence_model(const std::string& type, Eigen::Index state_dim,
                                                 Eigen::Index hidden, std::uint64_t seed);

}  // namespace dynlearn::models
