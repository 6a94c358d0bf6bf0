// Explicit Runge-Kutta steps from a Butcher tableau, Dormand-Prince step-size
// control, and the reverse sweep through the recorded stages.
#include "dynlearn/integrate/runge_kutta.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "dynlearn/core/error.hpp"

namespace dynlearn::integrate {

using Eigen::Index;
using Eigen::MatrixXd;

namespace {

// Step-size controller constants of Hairer & Wanner's DOPRI5.
constexpr double kSafety = 0.9;
constexpr double kMinFactor = 0.2;
constexpr double kMaxFactor = 10.0;

[[noreturn]] void fail(const std::string& message) {
  throw Error(ExitCode::internal, "integrate::RungeKutta: " + message);
}

}  // namespace

RungeKutta::RungeKutta(StepperKind kind, StepperOptions options) : Stepper(options), kind_(kind) {
  Tableau& t = tableau_;
  switch (kind) {
    case StepperKind::euler:
      t.stages = 1;
      t.a = {{}};
      t.b = {1.0};
      break;
    case StepperKind::rk4:
      t.stages = 4;
      t.a = {{}, {0.5}, {0.0, 0.5}, {0.0, 0.0, 1.0}};
      t.b = {1.0 / 6.0, 1.0 / 3.0, 1.0 / 3.0, 1.0 / 6.0};
      break;
    case StepperKind::dopri5:
      t.stages = 7;
      t.a = {{},
             {1.0 / 5.0},
             {3.0 / 40.0, 9.0 / 40.0},
             {44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0},
             {19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0},
             {9017.0 / 3168.0, -355.0 / 33.0, 46732.0 / 5247.0, 49.0 / 176.0, -5103.0 / 18656.0},
             {35.0 / 384.0, 0.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0}};
      t.b = {35.0 / 384.0, 0.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0, 0.0};
      t.error = {71.0 / 57600.0,      0.0,          -71.0 / 16695.0, 71.0 / 1920.0,
                 -17253.0 / 339200.0, 22.0 / 525.0, -1.0 / 40.0};
      t.first_same_as_last = true;
      break;
    case StepperKind::leapfrog:
      fail("leapfrog is not a Runge-Kutta tableau (use Leapfrog)");
  }
  t.needed.assign(static_cast<std::size_t>(t.stages), false);
  for (int i = t.stages - 1; i >= 0; --i) {
    bool needed = t.b[i] != 0.0;
    for (int j = i + 1; j < t.stages; ++j) {
      if (t.needed[j] && t.a[j][i] != 0.0) needed = true;
    }
    t.needed[i] = needed;
  }
  k_.resize(static_cast<std::size_t>(t.stages));
  k_adjoint_.resize(static_cast<std::size_t>(t.stages));
}

RungeKutta::~RungeKutta() = default;

std::vector<double> RungeKutta::step_sizes() const {
  std::vector<double> sizes;
  sizes.reserve(used_steps_);
  for (std::size_t s = 0; s < used_steps_; ++s) sizes.push_back(tapes_[s].h);
  return sizes;
}

void RungeKutta::freeze_step_sizes(bool frozen) {
  if (frozen && kind_ == StepperKind::dopri5) {
    if (n_steps_ < 0) fail("freeze_step_sizes needs a rollout first");
    frozen_h_ = step_sizes();
    frozen_begin_ = interval_begin_;
  }
  frozen_ = frozen;
}

RungeKutta::StepTape& RungeKutta::step_tape(const VectorField& field, std::size_t index) {
  if (tape_field_ != &field) {
    // Tapes are typed by the field that made them.
    tapes_.clear();
    tape_field_ = &field;
  }
  if (index >= tapes_.size()) tapes_.resize(index + 1);
  StepTape& tape = tapes_[index];
  if (tape.stages.empty()) {
    tape.stages.resize(static_cast<std::size_t>(tableau_.stages));
    for (auto& stage : tape.stages) stage = field.make_tape();
  }
  return tape;
}

void RungeKutta::forward(const VectorField& field, double dt, int n_steps) {
  used_steps_ = 0;
  rejected_ = 0;
  evaluations_ = 0;
  interval_begin_.assign(1, 0);
  const Index rows = states_[0].rows();
  const Index cols = states_[0].cols();
  for (auto& k : k_) k.resize(rows, cols);
  x_ = states_[0];
  if (kind_ == StepperKind::dopri5) {
    forward_adaptive(field, dt, n_steps);
  } else {
    forward_fixed(field, dt, n_steps);
  }
}

void RungeKutta::attempt(const VectorField& field, const MatrixXd& x, double h, StepTape& tape,
                         bool first_known) {
  const Tableau& t = tableau_;
  tape.h = h;
  if (!first_known) {
    field.evaluate(x, k_[0], *tape.stages[0]);
    ++evaluations_;
  }
  const int last = t.stages - 1;
  const int solution_stages = t.first_same_as_last ? last : t.stages;
  for (int i = 1; i < solution_stages; ++i) {
    y_ = x;
    for (int j = 0; j < i; ++j) {
      if (t.a[i][j] != 0.0) y_.noalias() += (h * t.a[i][j]) * k_[j];
    }
    field.evaluate(y_, k_[i], *tape.stages[i]);
    ++evaluations_;
  }
  x_new_ = x;
  for (int i = 0; i < t.stages; ++i) {
    if (t.b[i] != 0.0) x_new_.noalias() += (h * t.b[i]) * k_[i];
  }
  if (t.first_same_as_last) {
    field.evaluate(x_new_, k_[last], *tape.stages[last]);
    ++evaluations_;
  }
}

double RungeKutta::error_norm(const MatrixXd& x, double h) {
  const Tableau& t = tableau_;
  MatrixXd& error = error_;
  error.setZero(x.rows(), x.cols());
  for (int i = 0; i < t.stages; ++i) {
    if (t.error[i] != 0.0) error.noalias() += (h * t.error[i]) * k_[i];
  }
  const double rtol = options_.rtol;
  const double atol = options_.atol;
  const auto scale = atol + rtol * x.array().abs().max(x_new_.array().abs());
  const double mean_square = (error.array() / scale).square().mean();
  return std::sqrt(mean_square);
}

double RungeKutta::initial_step(const VectorField& field, const MatrixXd& x0, FieldTape& scratch) {
  const auto scale = options_.atol + options_.rtol * x0.array().abs();
  const double d0 = std::sqrt((x0.array() / scale).square().mean());
  const double d1 = std::sqrt((k_[0].array() / scale).square().mean());
  const double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
  y_ = x0 + h0 * k_[0];
  field.evaluate(y_, k_[1], scratch);
  ++evaluations_;
  const double d2 = std::sqrt(((k_[1] - k_[0]).array() / scale).square().mean()) / h0;
  const double dmax = std::max(d1, d2);
  const double h1 = dmax <= 1e-15 ? std::max(1e-6, h0 * 1e-3) : std::pow(0.01 / dmax, 1.0 / 5.0);
  return std::min(100.0 * h0, h1);
}

void RungeKutta::forward_fixed(const VectorField& field, double dt, int n_steps) {
  const int substeps = options_.substeps;
  const double h = dt / substeps;
  for (int k = 0; k < n_steps; ++k) {
    for (int s = 0; s < substeps; ++s) {
      StepTape& tape = step_tape(field, used_steps_);
      attempt(field, x_, h, tape, false);
      ++used_steps_;
      std::swap(x_, x_new_);
    }
    require_finite(x_, (k + 1) * dt);
    states_[static_cast<std::size_t>(k) + 1] = x_;
    interval_begin_.push_back(used_steps_);
  }
}

void RungeKutta::forward_adaptive(const VectorField& field, double dt, int n_steps) {
  const int last = tableau_.stages - 1;
  if (frozen_ && (dt != frozen_dt_ || static_cast<int>(frozen_begin_.size()) != n_steps + 1)) {
    fail("a frozen dopri5 rollout must repeat the dt and n_steps of the rollout it froze");
  }
  if (n_steps == 0) return;
  // f(x0) is stage 0 of the first step; later steps take it from the last
  // stage of the step before (FSAL).
  field.evaluate(x_, k_[0], *step_tape(field, 0).stages[0]);
  ++evaluations_;
  double h = 0.0;
  if (!frozen_) {
    h = std::min(dt / options_.substeps, initial_step(field, x_, *step_tape(field, 0).stages[1]));
  }
  int attempts = 0;
  bool last_rejected = false;
  for (int k = 0; k < n_steps; ++k) {
    double time = 0.0;  // within the interval, so that it ends exactly at dt
    std::size_t replay = frozen_ ? frozen_begin_[k] : 0;
    bool done = false;
    while (!done) {
      double step = h;
      if (frozen_) {
        step = frozen_h_[replay++];
        done = replay == frozen_begin_[k + 1];
      } else if (time + 1.01 * step >= dt) {
        // Stretch rather than leave a sliver of a step before the output time.
        step = dt - time;
        done = true;
      }
      if (++attempts > options_.max_steps) {
        throw NumericalError("dopri5 needed more than " + std::to_string(options_.max_steps) +
                             " steps (stiff or diverging field; raise max_steps or loosen rtol)");
      }
      if (!(step > 1e-14 * dt)) {
        throw NumericalError("dopri5 step size underflow at t = " + std::to_string(k * dt + time));
      }
      StepTape& tape = step_tape(field, used_steps_);
      attempt(field, x_, step, tape, true);
      double factor = 1.0;
      if (!frozen_) {
        const double error = error_norm(x_, step);
        if (!std::isfinite(error) || error > 1.0) {
          // Rejected: retry the same start with a smaller step.
          ++rejected_;
          last_rejected = true;
          h = step * (std::isfinite(error)
                          ? std::max(kMinFactor, kSafety * std::pow(error, -1.0 / 5.0))
                          : kMinFactor);
          done = false;
          continue;
        }
        factor = error == 0.0
                     ? kMaxFactor
                     : std::clamp(kSafety * std::pow(error, -1.0 / 5.0), kMinFactor, kMaxFactor);
        if (last_rejected) factor = std::min(factor, 1.0);
        last_rejected = false;
        // A step shortened to hit the output time says little about the next.
        h = (done && step < h) ? h : step * factor;
      }
      time = done ? dt : time + step;
      std::swap(x_, x_new_);
      // FSAL: the last stage is f(x_new), the first stage of the next step.
      StepTape& next = step_tape(field, used_steps_ + 1);
      StepTape& current = tapes_[used_steps_];  // step_tape may have moved it
      std::swap(current.stages[last], next.stages[0]);
      std::swap(k_[last], k_[0]);
      ++used_steps_;
    }
    require_finite(x_, (k + 1) * dt);
    states_[static_cast<std::size_t>(k) + 1] = x_;
    interval_begin_.push_back(used_steps_);
  }
  if (!frozen_) frozen_dt_ = dt;
}

void RungeKutta::step_vjp(const VectorField& field, StepTape& tape, MatrixXd& adjoint,
                          Eigen::Ref<Eigen::VectorXd> parameter_gradient) {
  const Tableau& t = tableau_;
  const double h = tape.h;
  for (int i = 0; i < t.stages; ++i) {
    if (t.needed[i]) k_adjoint_[i] = (h * t.b[i]) * adjoint;
  }
  for (int i = t.stages - 1; i >= 0; --i) {
    if (!t.needed[i]) continue;
    y_adjoint_.resize(adjoint.rows(), adjoint.cols());
    field.vjp(k_adjoint_[i], y_adjoint_, parameter_gradient, *tape.stages[i]);
    adjoint += y_adjoint_;
    for (int j = 0; j < i; ++j) {
      if (t.a[i][j] != 0.0) k_adjoint_[j].noalias() += (h * t.a[i][j]) * y_adjoint_;
    }
  }
}

void RungeKutta::backward(const VectorField& field, const std::vector<MatrixXd>& upstream,
                          Eigen::Ref<Eigen::VectorXd> parameter_gradient) {
  adjoint_.setZero(states_[0].rows(), states_[0].cols());
  for (int k = n_steps_; k >= 1; --k) {
    add_upstream(upstream, k, adjoint_);
    for (std::size_t s = interval_begin_[k]; s > interval_begin_[k - 1]; --s) {
      step_vjp(field, tapes_[s - 1], adjoint_, parameter_gradient);
    }
  }
  add_upstream(upstream, 0, adjoint_);
}

}  // namespace dynlearn::integrate
