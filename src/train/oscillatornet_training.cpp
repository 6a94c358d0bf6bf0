#include "dynlearn/train/oscillatornet_training.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/log.hpp"
#include "dynlearn/core/signals.hpp"

namespace dynlearn::train {
namespace {

/// One value per mass: a single deck value is broadcast to every mass.
Eigen::VectorXd per_mass(const std::vector<double>& values, int n, const std::string& key) {
  if (values.size() == 1) return Eigen::VectorXd::Constant(n, values.front());
  if (static_cast<int>(values.size()) != n)
    throw InputError("[oscillatornet] " + key + " has " + std::to_string(values.size()) +
                     " values for " + std::to_string(n) +
                     " masses: give one value, or one per mass");
  return Eigen::Map<const Eigen::VectorXd>(values.data(), n);
}

}  // namespace

OscillatorNetTrainer::OscillatorNetTrainer(const OscillatorNetSettings& settings, int n_masses,
                                           double dt, std::vector<Eigen::MatrixXd> series,
                                           const parallel::ShardLayout& layout, MPI_Comm comm,
                                           std::uint64_t seed)
    : settings_(settings),
      n_masses_(n_masses),
      dt_(dt),
      series_(std::move(series)),
      layout_(layout),
      comm_(comm) {
  reduction_ = std::make_unique<parallel::DeterministicSum>(comm, layout.n_shards());
  if (settings_.model == "resnet") {
    resnet_ = std::make_unique<models::ResnetBaseline>(n_masses, settings_.resnet_kernel,
                                                       settings_.resnet_hidden);
    theta_ = resnet_->initial_parameters(seed);
  } else {
    solver_ = std::make_unique<models::OscillatorNet>(
        n_masses, models::parse_oscillator_weights(settings_.weights), dt);
    const Eigen::VectorXd w0 =
        solver_->weights_from_constants(per_mass(settings_.initial_m, n_masses, "initial_m"),
                                        per_mass(settings_.initial_b, n_masses, "initial_b"),
                                        per_mass(settings_.initial_k, n_masses, "initial_k"));
    partial_ = !settings_.observed_masses.empty() &&
               static_cast<int>(settings_.observed_masses.size()) < n_masses;
    if (partial_) {
      if (n_masses != 2 || settings_.observed_masses != std::vector<int>{1})
        throw InputError(
            "[oscillatornet] observed_masses: partial observation is implemented for two coupled "
            "masses with mass 1 observed (observed_masses = [1]); use [] to observe every mass");
      models::MappingOptions options;
      options.stencil_order = settings_.stencil_order;
      options.kernel = settings_.mapping_kernel;
      options.padding = models::parse_mapping_padding(settings_.padding);
      mapping_ = std::make_unique<models::OscillatorMapping>(*solver_, options);
      theta_ = mapping_->initial_parameters(w0);
      // Checked here, on every rank: a rank owning no trajectory would
      // otherwise wait in the reduction for ranks that stopped.
      const Eigen::Index needed = std::max<Eigen::Index>(mapping_->first_mapped(), 1) + 3;
      if (settings_.observed_points < needed)
        throw InputError(
            "[oscillatornet] observed_points = " + std::to_string(settings_.observed_points) +
            " is too short for the mapping's stencils (order " +
            std::to_string(options.stencil_order) + ") and kernel (" +
            std::to_string(options.kernel) + "): give at least " + std::to_string(needed));
    } else {
      theta_ = w0;
    }
  }
  initial_ = theta_;
  mask_ = Eigen::VectorXd::Ones(theta_.size());
  const auto names = parameter_names();
  for (const auto& f : settings_.frozen) {
    const auto it = std::find(names.begin(), names.end(), f);
    if (it == names.end()) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      throw InputError("[oscillatornet] frozen names '" + f +
                       "', which is not a parameter of this model (" + list + ")");
    }
    mask_(it - names.begin()) = 0.0;
  }
  OptimizerOptions options;
  options.lr = settings_.learning_rate;
  optimizer_ = make_optimizer(settings_.optimizer, options);
}

OscillatorNetTrainer::~OscillatorNetTrainer() = default;

std::vector<std::string> OscillatorNetTrainer::parameter_names() const {
  if (mapping_) return mapping_->parameter_names();
  if (solver_) return solver_->parameter_names();
  std::vector<std::string> names;
  for (Eigen::Index i = 0; i < theta_.size(); ++i) names.push_back("theta" + std::to_string(i));
  return names;
}

double OscillatorNetTrainer::loss(const Eigen::VectorXd& theta, Eigen::VectorXd* grad) const {
  const Eigen::Index P = theta.size();
  const double weight = 1.0 / static_cast<double>(layout_.n_items());
  const auto shards = layout_.owned_shards();
  const auto first = layout_.owned_items().begin;
  partials_.resize(shards.size());
  Eigen::VectorXd& g = item_gradient_;
  for (std::size_t s = shards.begin; s < shards.end; ++s) {
    Eigen::VectorXd& part = partials_[s - shards.begin];
    part.setZero(P + 1);
    const auto items = layout_.shard_items(s);
    for (std::size_t i = items.begin; i < items.end; ++i) {
      const Eigen::MatrixXd& X = series_[i - first];
      g.setZero(P);
      Eigen::VectorXd* gp = grad ? &g : nullptr;
      double l = 0.0;
      if (resnet_)
        l = resnet_->loss(theta, X, gp, weight);
      else if (mapping_)
        l = mapping_->loss(theta, X.row(0).transpose(), gp, weight);
      else
        l = solver_->loss(theta, X, gp, weight);
      part(0) += l;
      part.tail(P) += g;
    }
  }
  const auto total =
      reduction_->sum(partials_, P + 1, core::stop_requested() || deadline_.passed());
  if (total.flag) stopped_ = true;
  if (grad) *grad = total.sum.tail(P).cwiseProduct(mask_);
  return total.sum(0);
}

void OscillatorNetTrainer::train(int iterations, int forecast_step) {
  Eigen::VectorXd grad;
  for (int it = 0; it < iterations && !stopped_; ++it) {
    const double l = loss(theta_, &grad);
    if (stopped_) break;
    if (!std::isfinite(l) || !grad.allFinite())
      throw NumericalError(
          "OscillatorNet training: the loss became " + std::to_string(l) + " at iteration " +
          std::to_string(history_.size() + 1) +
          ": lower [oscillatornet] learning_rate or start from other initial weights");
    history_.push_back({static_cast<int>(history_.size()) + 1, forecast_step, l});
    optimizer_->step(theta_, grad);
    if (settings_.log_every > 0 && forecast_step == 0 && (it + 1) % settings_.log_every == 0) {
      char line[160];
      std::snprintf(line, sizeof line, "train: iteration %d/%d  loss %.6e", it + 1, iterations, l);
      core::info(line);
    }
  }
}

Eigen::VectorXd OscillatorNetTrainer::predict(std::size_t trajectory,
                                              Eigen::VectorXd* x2_state) const {
  const Eigen::MatrixXd& X = series_[trajectory];
  const Eigen::Index T = X.cols();
  if (resnet_) return resnet_->step(theta_, X.rightCols(resnet_->kernel()));
  const Eigen::VectorXd w = theta_.head(solver_->num_parameters());
  if (!mapping_) return solver_->step(w, X.col(T - 1), X.col(T - 2));
  // Partial observation: mass 2 comes from the mapping (inner feedback loop)
  // or from the solver's own previous prediction of it.
  if (settings_.inner_feedback) {
    const Eigen::VectorXd x2 = mapping_->map(theta_, X.row(0).transpose());
    (*x2_state)(0) = x2(T - 1);
    (*x2_state)(1) = x2(T - 2);
  }
  const Eigen::Vector2d x(X(0, T - 1), (*x2_state)(0));
  const Eigen::Vector2d xp(X(0, T - 2), (*x2_state)(1));
  const Eigen::VectorXd next = solver_->step(w, x, xp);
  (*x2_state)(1) = (*x2_state)(0);
  (*x2_state)(0) = next(1);
  return next.head(1);
}

std::vector<Eigen::MatrixXd> OscillatorNetTrainer::forecast() {
  const int F = settings_.forecast_points;
  std::vector<Eigen::MatrixXd> predicted;
  std::vector<Eigen::VectorXd> x2_state(series_.size(), Eigen::VectorXd::Zero(2));
  for (std::size_t i = 0; i < series_.size(); ++i) {
    // NaN marks the points an interrupted forecast did not reach.
    predicted.push_back(
        Eigen::MatrixXd::Constant(series_[i].rows(), F, std::numeric_limits<double>::quiet_NaN()));
    if (mapping_ && !settings_.inner_feedback) {
      const Eigen::VectorXd x2 = mapping_->map(theta_, series_[i].row(0).transpose());
      const Eigen::Index T = x2.size();
      x2_state[i] << x2(T - 1), x2(T - 2);
      if (!x2_state[i].allFinite())
        throw InputError(
            "[oscillatornet] observed_points is too short for the mapping's stencil and kernel");
    }
  }
  for (int s = 0; s < F && !stopped_; ++s) {
    for (std::size_t i = 0; i < series_.size(); ++i) {
      const Eigen::VectorXd next = predict(i, &x2_state[i]);
      predicted[i].col(s) = next;
      Eigen::MatrixXd& X = series_[i];
      X.conservativeResize(Eigen::NoChange, X.cols() + 1);
      X.col(X.cols() - 1) = next;
    }
    train(settings_.retrain_iterations, s + 1);
  }
  return predicted;
}

std::vector<Eigen::VectorXd> OscillatorNetTrainer::mapped() const {
  std::vector<Eigen::VectorXd> out;
  if (!mapping_) return out;
  for (const auto& X : series_) out.push_back(mapping_->map(theta_, X.row(0).transpose()));
  return out;
}

}  // namespace dynlearn::train
