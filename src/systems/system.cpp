#include "dynlearn/systems/system.hpp"

#include "dynlearn/core/error.hpp"

namespace dynlearn::systems {

System::System(std::string type, const std::string& doc)
    : section_("system", doc), type_(std::move(type)), type_key_(type_) {
  section_.add("type", type_key_, "which ground-truth system to simulate").required();
}

Eigen::VectorXd System::true_rhs(const Eigen::VectorXd&) const {
  throw InputError("system \"" + type_ + "\" does not provide its equations of motion as x' = f(x); "
                   "the true-equations baseline ([model] type = \"true_equations\") needs one of: "
                   "spring_chain, three_body");
}

}  // namespace dynlearn::systems
