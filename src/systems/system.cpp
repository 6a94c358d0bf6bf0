#include "dynlearn/systems/system.hpp"

namespace dynlearn::systems {

System::System(std::string type, const std::string& doc)
    : section_("system", doc), type_(std::move(type)), type_key_(type_) {
  section_.add("type", type_key_, "which ground-truth system to simulate").required();
}

}  // namespace dynlearn::systems
