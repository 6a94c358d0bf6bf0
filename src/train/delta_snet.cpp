#include "dynlearn/train/delta_snet.hpp"

#include "dynlearn/core/error.hpp"
#include "dynlearn/spectral/least_squares_fit.hpp"

namespace dynlearn::train {

void fit_coefficients(SnetProblem& problem, const spectral::ElementChain& chain,
                      const DrivenTrajectories& data, double ridge, double smoothing) {
  const int first = problem.residual().first_node();
  const int count = problem.residual().local_nodes();
  for (std::size_t i = 0; i < data.size(); ++i) {
    const Eigen::MatrixXd fit =
        spectral::least_squares_fit(chain, data.t[i], data.y[i], ridge, smoothing);
    problem.coefficients().set_local(i, fit.middleCols(first, count));
  }
}

DeltaSnet::DeltaSnet(integrate::DrivenField& field, SnetProblem& problem,
                     const spectral::ElementChain& chain, const DrivenTrajectories& data,
                     DeltaSnetOptions options)
    : field_(field), problem_(problem), options_(options) {
  if (!(options_.learning_rate > 0.0)) throw InputError("[snet] learning_rate must be > 0");
  OptimizerOptions adam;
  adam.lr = options_.learning_rate;
  adam_ = make_optimizer("adam", adam);
  if (options_.initialize)
    fit_coefficients(problem_, chain, data, options_.fit_ridge, options_.fit_smoothing);
  theta_ = field_.parameters();
}

SnetValues DeltaSnet::step() {
  const SnetValues values = problem_.evaluate(&gradient_);
  converged_ = values.residual < options_.delta;
  if (!converged_) {
    adam_->step(theta_, gradient_);
    field_.set_parameters(theta_);
  }
  return values;
}

}  // namespace dynlearn::train
