// Euler and Dormand-Prince 5(4) for input-driven fields, with their discrete
// adjoints. Each stage evaluation gets its own tape, so the backward pass is
// the forward pass's stages replayed in reverse with the recorded step sizes.
#include "dynlearn/train/driven_rollout.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <string>

#include "dynlearn/core/error.hpp"

namespace dynlearn::train {

using Eigen::Index;
using Eigen::MatrixXd;

namespace {

// Dormand & Prince (1980), the coefficients of Hairer, Norsett & Wanner.
constexpr std::array<double, 7> kC = {0.0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1.0, 1.0};
constexpr double kA[7][6] = {
    {0, 0, 0, 0, 0, 0},
    {1.0 / 5, 0, 0, 0, 0, 0},
    {3.0 / 40, 9.0 / 40, 0, 0, 0, 0},
    {44.0 / 45, -56.0 / 15, 32.0 / 9, 0, 0, 0},
    {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729, 0, 0},
    {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656, 0},
    {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84},
};
// 5th-order weights (= the last row of A: first same as last) and the error
// weights b - b* of the embedded 4th-order solution.
constexpr std::array<double, 6> kB = {35.0 / 384,     0,        500.0 / 1113, 125.0 / 192,
                                      -2187.0 / 6784, 11.0 / 84};
constexpr std::array<double, 7> kE = {71.0 / 57600,      0,          -71.0 / 16695, 71.0 / 1920,
                                      -17253.0 / 339200, 22.0 / 525, -1.0 / 40};

double rms(const MatrixXd& m) {
  return m.size() == 0 ? 0.0 : std::sqrt(m.squaredNorm() / static_cast<double>(m.size()));
}

}  // namespace

void evaluate_inputs(const std::vector<const systems::FourierInput*>& inputs, double time,
                     Eigen::Ref<MatrixXd> out) {
  for (std::size_t b = 0; b < inputs.size(); ++b) {
    const Eigen::MatrixXd& c = inputs[b]->coeffs();
    const Index harmonics = (c.cols() - 1) / 2;
    const double w = 2.0 * std::numbers::pi * time / inputs[b]->period();
    auto col = out.col(static_cast<Index>(b));
    col = c.col(0);
    for (Index k = 1; k <= harmonics; ++k)
      col += c.col(2 * k - 1) * std::cos(k * w) + c.col(2 * k) * std::sin(k * w);
  }
}

struct DrivenRollout::Impl {
  struct Step {
    double time = 0, h = 0;
    std::array<std::size_t, 6> tape{};  // stage tapes (Euler: the first only)
  };

  DrivenScheme scheme;
  DrivenRolloutOptions options;
  std::vector<std::unique_ptr<integrate::FieldTape>> tapes;
  std::size_t next_tape = 0;
  std::vector<Step> steps;
  std::vector<std::size_t> sample_step;  // accepted steps done on reaching t(k)
  std::vector<MatrixXd> states;
  std::array<MatrixXd, 7> k;
  MatrixXd stage, input, error, scaled_error, x_new, adjoint, stage_adjoint;
  std::array<MatrixXd, 6> k_adjoint;
  std::vector<double> frozen;
  bool freeze = false;
  bool recorded = false;
  const integrate::DrivenField* field = nullptr;

  integrate::FieldTape& tape(const integrate::DrivenField& f, std::size_t index) {
    while (tapes.size() <= index) tapes.push_back(f.make_tape());
    return *tapes[index];
  }

  void eval(const integrate::DrivenField& f,
            const std::vector<const systems::FourierInput*>& inputs, const MatrixXd& x, double time,
            MatrixXd& out, std::size_t tape_index) {
    evaluate_inputs(inputs, time, input);
    out.resize(x.rows(), x.cols());
    f.evaluate(x, input, out, tape(f, tape_index));
  }

  static void require_finite(const MatrixXd& x, double time) {
    if (!x.allFinite())
      throw NumericalError("driven rollout: non-finite state at t = " + std::to_string(time));
  }

  double initial_step(const integrate::DrivenField& f,
                      const std::vector<const systems::FourierInput*>& inputs, const MatrixXd& x0,
                      double t0, double span, std::size_t scratch) {
    const Eigen::ArrayXXd scale = options.atol + options.rtol * x0.array().abs();
    MatrixXd f0, f1;
    eval(f, inputs, x0, t0, f0, scratch);
    const double d0 = rms((x0.array() / scale).matrix());
    const double d1 = rms((f0.array() / scale).matrix());
    double h0 = (d0 < 1e-5 || d1 < 1e-5) ? 1e-6 : 0.01 * d0 / d1;
    h0 = std::min(h0, span);
    const MatrixXd x1 = x0 + h0 * f0;
    eval(f, inputs, x1, t0 + h0, f1, scratch);
    const double d2 = rms(((f1 - f0).array() / scale).matrix()) / h0;
    const double dmax = std::max(d1, d2);
    const double h1 = dmax <= 1e-15 ? std::max(1e-6, h0 * 1e-3) : std::pow(0.01 / dmax, 0.2);
    return std::min({100.0 * h0, h1, span});
  }

  void run_euler(const integrate::DrivenField& f,
                 const std::vector<const systems::FourierInput*>& inputs, const Eigen::VectorXd& t,
                 bool record) {
    for (Index s = 0; s + 1 < t.size(); ++s) {
      const double h = t(s + 1) - t(s);
      const std::size_t index = record ? next_tape++ : 0;
      eval(f, inputs, states[s], t(s), k[0], index);
      states[s + 1] = states[s] + h * k[0];
      require_finite(states[s + 1], t(s + 1));
      if (record) steps.push_back({t(s), h, {index, 0, 0, 0, 0, 0}});
      sample_step[s + 1] = s + 1;
    }
  }

  void run_dopri5(const integrate::DrivenField& f,
                  const std::vector<const systems::FourierInput*>& inputs, const Eigen::VectorXd& t,
                  bool record) {
    const Index n = t.size();
    MatrixXd x = states[0];
    double time = t(0);
    std::size_t k1_tape = record ? next_tape++ : 0;
    eval(f, inputs, x, time, k[0], k1_tape);
    double h = freeze ? 0.0 : initial_step(f, inputs, x, time, t(n - 1) - t(0), 6);
    std::size_t accepted = 0;
    int attempts = 0;
    Index target = 1;
    while (target < n) {
      if (++attempts > options.max_steps)
        throw NumericalError("dopri5: more than " + std::to_string(options.max_steps) +
                             " step attempts before t = " + std::to_string(t(target)) +
                             " (stuck at t = " + std::to_string(time) + " with step " +
                             std::to_string(h) +
                             "): the learned field is too stiff, discontinuous or blows up");
      bool lands = false;
      if (freeze) {
        if (accepted >= frozen.size())
          throw NumericalError("dopri5: frozen step sizes do not cover the horizon");
        h = frozen[accepted];
        lands = std::abs(time + h - t(target)) <= 1e-12 * std::max(1.0, std::abs(t(target)));
      } else if (time + h >= t(target) - 1e-12 * std::max(1.0, std::abs(t(target)))) {
        h = t(target) - time;
        lands = true;
      }
      const std::size_t first = record ? next_tape : 1;
      for (int i = 1; i < 7; ++i) {
        stage = x;
        for (int j = 0; j < i; ++j)
          if (kA[i][j] != 0.0) stage.noalias() += (h * kA[i][j]) * k[j];
        if (i == 6) x_new = stage;
        eval(f, inputs, stage, time + kC[i] * h, k[i], first + i - 1);
      }
      error = (h * kE[0]) * k[0];
      for (int i = 2; i < 7; ++i) error.noalias() += (h * kE[i]) * k[i];
      scaled_error =
          (error.array() / (options.atol + options.rtol * x.array().abs().max(x_new.array().abs())))
              .matrix();
      const double norm = rms(scaled_error);
      const bool accept = freeze || (std::isfinite(norm) && norm <= 1.0);
      const double factor = !std::isfinite(norm) ? 0.2
                            : norm == 0.0        ? 10.0
                                          : std::clamp(0.9 * std::pow(norm, -0.2), 0.2, 10.0);
      if (!accept) {
        h *= std::min(1.0, factor);
        if (!(h > 1e-14 * std::max(1.0, std::abs(time))))
          throw NumericalError("dopri5: step size underflow at t = " + std::to_string(time));
        continue;
      }
      require_finite(x_new, time + h);
      if (record) {
        steps.push_back({time, h, {k1_tape, first, first + 1, first + 2, first + 3, first + 4}});
        k1_tape = first + 5;
        next_tape = first + 6;
      } else {
        std::swap(tapes[0], tapes[6]);
      }
      if (!freeze) frozen_candidate.push_back(h);
      ++accepted;
      time = lands ? t(target) : time + h;
      x.swap(x_new);  // x_new is rebuilt by the next attempt's last stage
      std::swap(k[0], k[6]);
      if (lands) {
        states[target] = x;
        sample_step[target] = accepted;
        ++target;
      }
      if (!freeze) h *= factor;
    }
    if (!freeze) frozen.swap(frozen_candidate);
    frozen_candidate.clear();
  }

  std::vector<double> frozen_candidate;

  void step_vjp(const integrate::DrivenField& f, const Step& step,
                Eigen::Ref<Eigen::VectorXd> gradient) {
    // adjoint holds dL/dx_{n+1}; on return dL/dx_n.
    const double h = step.h;
    if (scheme == DrivenScheme::euler) {
      stage_adjoint.resize(adjoint.rows(), adjoint.cols());
      f.vjp(h * adjoint, stage_adjoint, gradient, *tapes[step.tape[0]]);
      adjoint += stage_adjoint;
      return;
    }
    for (int i = 0; i < 6; ++i) k_adjoint[i] = (h * kB[i]) * adjoint;
    stage_adjoint.resize(adjoint.rows(), adjoint.cols());
    for (int i = 5; i >= 0; --i) {
      f.vjp(k_adjoint[i], stage_adjoint, gradient, *tapes[step.tape[i]]);
      adjoint += stage_adjoint;
      for (int j = 0; j < i; ++j)
        if (kA[i][j] != 0.0) k_adjoint[j].noalias() += (h * kA[i][j]) * stage_adjoint;
    }
  }
};

DrivenRollout::DrivenRollout(DrivenScheme scheme, DrivenRolloutOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->scheme = scheme;
  impl_->options = options;
}

DrivenRollout::~DrivenRollout() = default;

const std::vector<MatrixXd>& DrivenRollout::run(
    const integrate::DrivenField& field, const Eigen::Ref<const MatrixXd>& x0,
    const std::vector<const systems::FourierInput*>& inputs, const Eigen::VectorXd& t,
    bool record) {
  Impl& m = *impl_;
  require(x0.rows() == field.state_dim(), "driven rollout: x0 has " + std::to_string(x0.rows()) +
                                              " rows, the field's state has " +
                                              std::to_string(field.state_dim()));
  require(static_cast<Index>(inputs.size()) == x0.cols(),
          "driven rollout: one input per trajectory (column of x0) is needed");
  require(t.size() >= 1, "driven rollout: no sample times");
  for (Index k = 1; k < t.size(); ++k)
    require(t(k) > t(k - 1), "driven rollout: sample times must increase strictly");
  m.field = &field;
  m.recorded = record;
  m.steps.clear();
  m.next_tape = 0;
  m.states.assign(static_cast<std::size_t>(t.size()), MatrixXd());
  m.states[0] = x0;
  m.sample_step.assign(static_cast<std::size_t>(t.size()), 0);
  m.input.resize(field.input_dim(), x0.cols());
  if (t.size() == 1) return m.states;
  if (m.scheme == DrivenScheme::euler)
    m.run_euler(field, inputs, t, record);
  else
    m.run_dopri5(field, inputs, t, record);
  return m.states;
}

const MatrixXd& DrivenRollout::vjp(const integrate::DrivenField& field,
                                   const std::vector<MatrixXd>& upstream,
                                   Eigen::Ref<Eigen::VectorXd> parameter_gradient) {
  Impl& m = *impl_;
  if (!m.recorded || m.field != &field)
    throw InputError("driven rollout: vjp needs a recorded run of the same field");
  require(upstream.size() == m.states.size(), "driven rollout: one upstream per sample time");
  m.adjoint = MatrixXd::Zero(m.states[0].rows(), m.states[0].cols());
  // Samples are visited from the last; sample k is added once the backward
  // pass reaches the end of step sample_step[k] - 1.
  Index sample = static_cast<Index>(m.states.size()) - 1;
  const auto add_samples = [&](std::size_t done) {
    while (sample >= 0 && m.sample_step[sample] == done) {
      if (upstream[sample].size() > 0) m.adjoint += upstream[sample];
      --sample;
    }
  };
  add_samples(m.steps.size());
  for (std::size_t s = m.steps.size(); s-- > 0;) {
    m.step_vjp(field, m.steps[s], parameter_gradient);
    add_samples(s);
  }
  return m.adjoint;
}

std::size_t DrivenRollout::accepted_steps() const {
  return impl_->scheme == DrivenScheme::euler ? impl_->states.size() - 1 : impl_->frozen.size();
}

std::vector<double> DrivenRollout::step_sizes() const {
  if (impl_->scheme == DrivenScheme::dopri5) return impl_->frozen;
  std::vector<double> h;
  for (const auto& s : impl_->steps) h.push_back(s.h);
  return h;
}

void DrivenRollout::freeze_step_sizes(bool frozen) {
  impl_->freeze = frozen && impl_->scheme == DrivenScheme::dopri5;
}

}  // namespace dynlearn::train
