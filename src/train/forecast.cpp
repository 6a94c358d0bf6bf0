#include "dynlearn/train/forecast.hpp"

#include <algorithm>

#include "dynlearn/core/error.hpp"
#include "dynlearn/train/initial_state_optimizer.hpp"

namespace dynlearn::train {

ForecastResult forecast(models::WindowModel& model, const io::EvaluateConfig& config,
                        const ForecastInput& input) {
  ForecastResult result;
  const std::size_t n = input.observed.size();
  if (n == 0) return result;
  const Eigen::Index dim = input.observed.front().rows();
  const int samples = static_cast<int>(input.truth.front().cols());
  result.steps = std::min(config.steps, samples - 1);
  if (result.steps < 1)
    throw InputError("the test trajectories have a single sample: nothing to forecast");

  Eigen::MatrixXd x0(dim, static_cast<Eigen::Index>(n));
  for (std::size_t i = 0; i < n; ++i) x0.col(i) = input.observed[i].col(0);
  if (config.iso) {
    // One problem per trajectory, so the result does not depend on which
    // trajectories share a rank.
    const int window = std::min(config.iso_window, samples - 1);
    for (std::size_t i = 0; i < n; ++i) {
      IsoProblem problem;
      problem.model = &model;
      problem.dt = input.dt;
      problem.iterations = config.iso_iterations;
      problem.radius = 1e3;  // test-time ISO is unconstrained in practice
      problem.observed = x0.col(static_cast<Eigen::Index>(i));
      problem.targets.resize(window);
      for (int k = 0; k < window; ++k) problem.targets[k] = input.observed[i].col(k + 1);
      x0.col(static_cast<Eigen::Index>(i)) = optimize_initial_states(problem, problem.observed).x0;
    }
  }

  // One rollout per trajectory: a batched one would let the batch shape
  // (which trajectories share a rank) change the last bits of the products
  // and dopri5's step sizes, so forecasts would depend on the rank count.
  result.predicted.assign(n, Eigen::MatrixXd(dim, result.steps + 1));
  result.error = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(n));
  for (std::size_t i = 0; i < n; ++i) {
    const auto& states =
        model.predict(x0.col(static_cast<Eigen::Index>(i)), input.dt, result.steps);
    for (int k = 0; k <= result.steps; ++k) {
      result.predicted[i].col(k) = states[k].col(0);
      if (k == 0) continue;
      double d2 = 0.0;
      for (int r : input.positions) {
        const double d = states[k](r, 0) - input.truth[i](r, k);
        d2 += d * d;
      }
      result.error(static_cast<Eigen::Index>(i)) += std::sqrt(d2) / result.steps;
    }
  }
  return result;
}

}  // namespace dynlearn::train
