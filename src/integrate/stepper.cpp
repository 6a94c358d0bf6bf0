// Stepper names, the checks shared by every rollout and its adjoint, and the
// factory.
#include "dynlearn/integrate/stepper.hpp"

#include <array>
#include <cmath>
#include <string>
#include <utility>

#include "dynlearn/core/error.hpp"
#include "dynlearn/integrate/leapfrog.hpp"
#include "dynlearn/integrate/runge_kutta.hpp"

namespace dynlearn::integrate {

using Eigen::Index;
using Eigen::MatrixXd;

namespace {

constexpr std::array<std::pair<StepperKind, std::string_view>, 4> kNames = {{
    {StepperKind::euler, "euler"},
    {StepperKind::leapfrog, "leapfrog"},
    {StepperKind::rk4, "rk4"},
    {StepperKind::dopri5, "dopri5"},
}};

// Misuse by calling code, not a user's input.
[[noreturn]] void fail(const std::string& message) {
  throw Error(ExitCode::internal, "integrate::Stepper: " + message);
}

}  // namespace

std::string_view stepper_name(StepperKind kind) {
  for (const auto& [k, name] : kNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

StepperKind parse_stepper(std::string_view name) {
  std::string valid;
  for (const auto& [kind, known] : kNames) {
    if (known == name) return kind;
    valid += (valid.empty() ? "\"" : ", \"") + std::string(known) + "\"";
  }
  throw InputError("unknown stepper \"" + std::string(name) + "\"; valid steppers: " + valid);
}

Stepper::Stepper(StepperOptions options) : options_(options) {
  require(options_.substeps >= 1,
          "stepper substeps must be at least 1, got " + std::to_string(options_.substeps));
  require(options_.rtol >= 0.0 && options_.atol >= 0.0 && options_.rtol + options_.atol > 0.0,
          "stepper tolerances must be non-negative and not both zero");
  require(options_.max_steps >= 1,
          "stepper max_steps must be at least 1, got " + std::to_string(options_.max_steps));
}

const std::vector<MatrixXd>& Stepper::rollout(const VectorField& field,
                                              const Eigen::Ref<const MatrixXd>& x0, double dt,
                                              int n_steps) {
  if (x0.rows() != field.state_dim()) {
    fail("initial states have " + std::to_string(x0.rows()) + " rows, the field's state has " +
         std::to_string(field.state_dim()));
  }
  if (n_steps < 0) fail("negative number of steps " + std::to_string(n_steps));
  if (!(dt > 0.0) || !std::isfinite(dt)) fail("step dt must be positive and finite");
  states_.resize(static_cast<std::size_t>(n_steps) + 1);
  for (auto& state : states_) state.resize(x0.rows(), x0.cols());
  states_[0] = x0;
  field_ = nullptr;  // no valid tape if forward throws
  forward(field, dt, n_steps);
  field_ = &field;
  n_steps_ = n_steps;
  return states_;
}

const MatrixXd& Stepper::rollout_vjp(const VectorField& field,
                                     const std::vector<MatrixXd>& upstream,
                                     Eigen::Ref<Eigen::VectorXd> parameter_gradient) {
  if (field_ != &field) fail("rollout_vjp needs a rollout of the same field first");
  if (static_cast<int>(upstream.size()) != n_steps_ + 1) {
    fail("rollout_vjp needs " + std::to_string(n_steps_ + 1) + " upstream gradients, got " +
         std::to_string(upstream.size()));
  }
  for (const auto& g : upstream) {
    if (g.size() != 0 && (g.rows() != states_[0].rows() || g.cols() != states_[0].cols())) {
      fail("an upstream gradient is " + std::to_string(g.rows()) + " x " +
           std::to_string(g.cols()) + ", the states are " + std::to_string(states_[0].rows()) +
           " x " + std::to_string(states_[0].cols()));
    }
  }
  if (parameter_gradient.size() != field.num_parameters()) {
    fail("parameter gradient has " + std::to_string(parameter_gradient.size()) + " entries for " +
         std::to_string(field.num_parameters()) + " parameters");
  }
  backward(field, upstream, parameter_gradient);
  return adjoint_;
}

void Stepper::add_upstream(const std::vector<MatrixXd>& upstream, int k,
                           Eigen::Ref<MatrixXd> adjoint) {
  const MatrixXd& g = upstream[static_cast<std::size_t>(k)];
  if (g.size() != 0) adjoint += g;
}

void Stepper::require_finite(const MatrixXd& x, double time) {
  if (!x.allFinite()) {
    throw NumericalError("the integrated state became non-finite at t = " + std::to_string(time) +
                         " (diverging model or too large a step)");
  }
}

std::unique_ptr<Stepper> make_stepper(StepperKind kind, StepperOptions options) {
  if (kind == StepperKind::leapfrog) return std::make_unique<Leapfrog>(options);
  return std::make_unique<RungeKutta>(kind, options);
}

}  // namespace dynlearn::integrate
