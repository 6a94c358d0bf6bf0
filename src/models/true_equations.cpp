#include "dynlearn/models/true_equations.hpp"

#include "dynlearn/core/error.hpp"

namespace dynlearn::models {

std::unique_ptr<integrate::FieldTape> TrueEquations::make_tape() const {
  return std::make_unique<integrate::FieldTape>();
}

void TrueEquations::evaluate(const Eigen::Ref<const Eigen::MatrixXd>& x, Eigen::Ref<Eigen::MatrixXd> out,
                             integrate::FieldTape&) const {
  for (Eigen::Index j = 0; j < x.cols(); ++j) out.col(j) = system_.true_rhs(x.col(j));
}

void TrueEquations::vjp(const Eigen::Ref<const Eigen::MatrixXd>&, Eigen::Ref<Eigen::MatrixXd>,
                        Eigen::Ref<Eigen::VectorXd>, integrate::FieldTape&) const {
  throw InputError("[model] type = \"true_equations\" cannot be differentiated: set [evaluate] iso = false "
                   "and do not train it (stages = [\"generate\", \"evaluate\"])");
}

}  // namespace dynlearn::models
