#include "dynlearn/models/model_factory.hpp"

#include "dynlearn/core/error.hpp"
#include "dynlearn/models/hnet.hpp"
#include "dynlearn/models/onet.hpp"

namespace dynlearn::models {

std::unique_ptr<integrate::VectorField> make_model(const io::ModelConfig& config, Eigen::Index state_dim,
                                                   std::uint64_t seed) {
  if (state_dim % 2 != 0)
    throw InputError("[model] type = \"" + config.type + "\" needs a state [q; p] of even size, but the "
                     "dataset's observed state has " + std::to_string(state_dim) +
                     " components; observe the whole state ([data] observe = \"state\")");
  const std::vector<Eigen::Index> hidden(config.hidden.begin(), config.hidden.end());
  if (config.type == "hnet") {
    auto model = std::make_unique<HNet>(state_dim / 2, hidden, config.activation);
    model->initialize(seed);
    return model;
  }
  auto model = std::make_unique<ONet>(state_dim / 2, hidden, config.activation);
  model->initialize(seed);
  return model;
}

}  // namespace dynlearn::models
