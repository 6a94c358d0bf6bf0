// Isochronism loss (periodicity over one period T), its data-parallel sum,
// and the period measurement of trained fields.
#include "dynlearn/train/isochronism.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/rng.hpp"
#include "dynlearn/train/fused_periodicity.hpp"

namespace dynlearn::train {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

MatrixXd isochronism_points(Index dimension, std::size_t first, std::size_t count, double std,
                            std::uint64_t seed) {
  MatrixXd points(2 * dimension, static_cast<Index>(count));
  for (std::size_t j = 0; j < count; ++j) {
    core::Rng rng(seed, first + j, core::Purpose::initial_state);
    for (Index r = 0; r < 2 * dimension; ++r) points(r, static_cast<Index>(j)) = std * rng.normal();
  }
  return points;
}

std::unique_ptr<integrate::Stepper> make_periodicity_stepper(const PeriodicityOptions& options) {
  integrate::StepperOptions stepper;
  stepper.substeps = options.steps;
  stepper.rtol = options.rtol;
  stepper.atol = options.atol;
  return integrate::make_stepper(options.stepper, stepper);
}

double periodicity_loss(const integrate::VectorField& field, integrate::Stepper& stepper,
                        const Eigen::Ref<const MatrixXd>& x0, double period, double weight,
                        Eigen::Ref<VectorXd> gradient) {
  const auto& states = stepper.rollout(field, x0, period, 1);
  MatrixXd residual = states[1] - x0;
  const double loss = weight * residual.squaredNorm();
  // dL/dX(T) = 2 w (X(T) - X(0)); X(0) is data, so nothing flows into it.
  std::vector<MatrixXd> upstream(2);
  upstream[1] = (2.0 * weight) * residual;
  stepper.rollout_vjp(field, upstream, gradient);
  return loss;
}

PeriodicityObjective::PeriodicityObjective(const integrate::VectorField& field,
                                           const PeriodicityOptions& options, MatrixXd points,
                                           const parallel::ShardLayout& layout, MPI_Comm comm)
    : field_(field),
      options_(options),
      points_(std::move(points)),
      layout_(layout),
      sum_(comm, layout.n_shards()),
      stepper_(make_periodicity_stepper(options)) {
  if (FusedPeriodicity::applies(field_, options_))
    fused_ = std::make_unique<FusedPeriodicity>(field_, options_);
  require(points_.cols() == static_cast<Index>(layout_.owned_items().size()),
          "isochronism: " + std::to_string(points_.cols()) + " points given for " +
              std::to_string(layout_.owned_items().size()) + " owned");
  require(points_.rows() == field_.state_dim(),
          "isochronism: points of " + std::to_string(points_.rows()) + " rows for a state of " +
              std::to_string(field_.state_dim()));
}

PeriodicityObjective::~PeriodicityObjective() = default;

PeriodicityObjective::Value PeriodicityObjective::evaluate(bool stop) {
  const Index n_params = field_.num_parameters();
  const double weight = 1.0 / static_cast<double>(layout_.n_items());
  const auto shards = layout_.owned_shards();
  const std::size_t owned_begin = layout_.owned_items().begin;
  partials_.resize(shards.size());
  for (std::size_t s = shards.begin; s < shards.end; ++s) {
    VectorXd& partial = partials_[s - shards.begin];
    partial.setZero(n_params + 1);
    const auto items = layout_.shard_items(s);
    if (items.size() == 0) continue;
    const auto points = points_.middleCols(static_cast<Index>(items.begin - owned_begin),
                                           static_cast<Index>(items.size()));
    partial[0] = fused_ ? fused_->loss(points, weight, partial.tail(n_params))
                        : periodicity_loss(field_, *stepper_, points, options_.period, weight,
                                           partial.tail(n_params));
  }
  auto total = sum_.sum(partials_, n_params + 1, stop);
  Value value;
  value.loss = total.sum[0];
  value.gradient = total.sum.tail(n_params);
  value.stop = total.flag;
  return value;
}

namespace {

/// Root in (0, 1] of the cubic Hermite interpolant with values w0 < 0 <= w1
/// and slopes d0, d1 (per unit of s), by bisection to machine precision.
double hermite_root(double w0, double w1, double d0, double d1) {
  auto p = [&](double s) {
    const double s2 = s * s, s3 = s2 * s;
    return (2 * s3 - 3 * s2 + 1) * w0 + (s3 - 2 * s2 + s) * d0 + (-2 * s3 + 3 * s2) * w1 +
           (s3 - s2) * d1;
  };
  double lo = 0.0, hi = 1.0;
  for (int i = 0; i < 200 && hi - lo > 1e-16; ++i) {
    const double mid = 0.5 * (lo + hi);
    (p(mid) < 0.0 ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace

std::vector<double> measure_periods(const integrate::VectorField& field,
                                    const std::vector<double>& amplitudes,
                                    const PeriodOptions& options) {
  const Index dim = field.state_dim();
  require(dim % 2 == 0,
          "period measurement needs a state [x; v], got dimension " + std::to_string(dim));
  const Index d = dim / 2;
  const Index n = static_cast<Index>(amplitudes.size());
  std::vector<double> periods(amplitudes.size(), std::numeric_limits<double>::quiet_NaN());
  if (n == 0) return periods;
  MatrixXd x0 = MatrixXd::Zero(dim, n);
  for (Index j = 0; j < n; ++j) x0(0, j) = amplitudes[static_cast<std::size_t>(j)];

  integrate::StepperOptions stepper_options;
  stepper_options.rtol = options.rtol;
  stepper_options.atol = options.atol;
  stepper_options.max_steps = 10000000;
  auto stepper = integrate::make_stepper(integrate::StepperKind::dopri5, stepper_options);
  const double dt = options.reference_period / options.samples_per_period;
  const int n_steps = static_cast<int>(std::ceil(options.horizon * options.samples_per_period));
  const auto& states = stepper->rollout(field, x0, dt, n_steps);

  // The sign of the first motion: v_1 starts along f_1(x0).
  auto tape = field.make_tape();
  MatrixXd rate(dim, n);
  field.evaluate(x0, rate, *tape);
  for (Index j = 0; j < n; ++j) {
    const double sign = rate(d, j) > 0.0 ? 1.0 : rate(d, j) < 0.0 ? -1.0 : 0.0;
    if (sign == 0.0) continue;  // at rest at an equilibrium: no period
    // Back at the starting turning point when sign * v_1 rises through zero
    // (the turning point on the other side is a fall through zero).
    for (int k = 0; k < n_steps; ++k) {
      const double w0 = sign * states[static_cast<std::size_t>(k)](d, j);
      const double w1 = sign * states[static_cast<std::size_t>(k) + 1](d, j);
      if (!(w0 < 0.0 && w1 >= 0.0)) continue;
      Eigen::MatrixXd ends(dim, 2);
      ends.col(0) = states[static_cast<std::size_t>(k)].col(j);
      ends.col(1) = states[static_cast<std::size_t>(k) + 1].col(j);
      MatrixXd ends_rate(dim, 2);
      field.evaluate(ends, ends_rate, *tape);
      const double s =
          hermite_root(w0, w1, sign * ends_rate(d, 0) * dt, sign * ends_rate(d, 1) * dt);
      periods[static_cast<std::size_t>(j)] = (k + s) * dt;
      break;
    }
  }
  return periods;
}

}  // namespace dynlearn::train
