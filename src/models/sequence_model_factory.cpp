#include "dynlearn/models/sequence_model_factory.hpp"

#include "dynlearn/core/error.hpp"
#include "dynlearn/models/lstm.hpp"
#include "dynlearn/models/rnn.hpp"

namespace dynlearn::models {

std::unique_ptr<WindowModel> make_sequence_model(const std::string& type, Eigen::Index state_dim,
                                                 Eigen::Index hidden, std::uint64_t seed) {
  if (type == "rnn") {
    auto model = std::make_unique<Rnn>(state_dim, hidden);
    model->initialize(seed);
    return model;
  }
  if (type == "lstm") {
    auto model = std::make_unique<Lstm>(state_dim, hidden);
    model->initialize(seed);
    return model;
  }
  throw InputError("unknown sequence model type '" + type + "'; expected \"rnn\" or \"lstm\"");
}

}  // namespace dynlearn::models
