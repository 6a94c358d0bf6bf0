#include "dynlearn/models/driven_model_factory.hpp"

#include <string>

#include "dynlearn/core/error.hpp"
#include "dynlearn/models/multi_agent_surrogate.hpp"
#include "dynlearn/models/vehicle_surrogate.hpp"
#include "dynlearn/systems/multi_agent.hpp"
#include "dynlearn/systems/vehicle.hpp"

namespace dynlearn::models {

namespace {

std::string widths(const std::vector<int>& hidden) {
  std::string s = "[";
  for (std::size_t i = 0; i < hidden.size(); ++i) s += (i ? ", " : "") + std::to_string(hidden[i]);
  return s + "]";
}

}  // namespace

std::unique_ptr<integrate::DrivenField> make_driven_model(const systems::System& system,
                                                          const std::vector<int>& hidden,
                                                          std::uint64_t seed) {
  for (int h : hidden)
    require(h > 0, "hidden = " + widths(hidden) + ": every hidden width must be positive");
  if (const auto* vehicle = dynamic_cast<const systems::Vehicle*>(&system)) {
    require(hidden.size() == 1 || hidden.size() == 3,
            "hidden = " + widths(hidden) +
                ": the vehicle surrogate has one hidden layer per network (section 5); give one "
                "width for f_J, f_C and f_d, or three widths [h_J, h_C, h_d]");
    const int hj = hidden[0], hc = hidden.size() == 3 ? hidden[1] : hidden[0];
    const int hd = hidden.size() == 3 ? hidden[2] : hidden[0];
    auto model = std::make_unique<VehicleSurrogate>(hj, hc, hd, vehicle->m, vehicle->inertia);
    model->initialize(seed);
    return model;
  }
  if (const auto* agents = dynamic_cast<const systems::MultiAgent*>(&system)) {
    require(hidden.size() == 1, "hidden = " + widths(hidden) +
                                    ": the multi-agent kinematics network has one hidden layer "
                                    "(section 6); give one width, e.g. hidden = [16]");
    auto model = std::make_unique<MultiAgentSurrogate>(agents->n_agents, agents->gains(),
                                                       agents->wrap_heading_error, hidden[0]);
    model->initialize(seed);
    return model;
  }
  throw InputError("[system] type = \"" + system.type() +
                   "\": SNet has surrogate models for \"vehicle\" and \"multi_agent\" only");
}

}  // namespace dynlearn::models
