#include "dynlearn/train/alpha_snet.hpp"

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/rng.hpp"
#include "dynlearn/train/delta_snet.hpp"

namespace dynlearn::train {

namespace {
// Rng purpose of the initial perturbation (after core::Purpose::user).
constexpr std::uint64_t perturbation_purpose = static_cast<std::uint64_t>(core::Purpose::user) + 11;
}  // namespace

AlphaSnet::AlphaSnet(integrate::DrivenField& field, SnetProblem& problem,
                     const spectral::ElementChain& chain, const DrivenTrajectories& data,
                     AlphaSnetOptions options)
    : field_(field),
      problem_(problem),
      options_(options),
      x_gradient_(problem.coefficients().like()) {
  if (!(options_.learning_rate > 0.0)) throw InputError("[snet] learning_rate must be > 0");
  if (!(options_.sgd_learning_rate > 0.0)) throw InputError("[snet] sgd_learning_rate must be > 0");
  OptimizerOptions adam;
  adam.lr = options_.learning_rate;
  adam_ = make_optimizer("adam", adam);
  theta_ = field_.parameters();
  if (!options_.initialize) return;
  fit_coefficients(problem_, chain, data, options_.fit_ridge, options_.fit_smoothing);
  // The perturbation of a trajectory is drawn over all its nodes in order
  // from its own stream, and each rank keeps its slice: the same values on
  // every grid (both owners of an interface node draw the same number).
  const int first = problem_.residual().first_node();
  const int count = problem_.residual().local_nodes();
  const Eigen::Index n = field_.state_dim();
  for (std::size_t i = 0; i < data.size(); ++i) {
    core::Rng rng(options_.seed, data.first + i, perturbation_purpose);
    Eigen::MatrixXd xi(n, chain.node_count());
    for (Eigen::Index k = 0; k < xi.cols(); ++k)
      for (Eigen::Index c = 0; c < n; ++c)
        xi(c, k) = rng.uniform(-options_.perturbation, options_.perturbation);
    spectral::BlockNodalValues& x = problem_.coefficients();
    x.set_local(i, x.local(i) + xi.middleCols(first, count));
  }
}

AlphaSnetValues AlphaSnet::step() {
  spectral::BlockNodalValues& x = problem_.coefficients();
  const double rate =
      options_.sgd_learning_rate * static_cast<double>(problem_.residual().share().trajectories);
  for (int k = 0; k < options_.x_steps; ++k) {
    problem_.evaluate_coefficients(options_.gamma, x_gradient_);
    // Over the whole local form: both copies of an interface node take the
    // same step from the same summed gradient, so they stay equal without
    // a ghost update.
    x.local_form() -= rate * x_gradient_.local_form();
  }
  for (int k = 0; k < options_.theta_steps; ++k) {
    problem_.evaluate(&gradient_);
    adam_->step(theta_, gradient_);
    field_.set_parameters(theta_);
  }
  const SnetValues values = problem_.evaluate(nullptr);
  AlphaSnetValues out{values.residual, values.loss, options_.gamma * values.loss + values.residual};
  converged_ = out.objective < options_.stop;
  return out;
}

}  // namespace dynlearn::train
