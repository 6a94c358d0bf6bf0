#include "dynlearn/train/scheduler.hpp"

#include <algorithm>
#include <limits>
#include <sstream>

#include "dynlearn/core/error.hpp"

namespace dynlearn::train {
namespace {

void check_kind(const NamedState& state, const std::string& expected) {
  if (state.kind != expected)
    throw InputError("the checkpoint holds the state of scheduler '" + state.kind +
                     "' but the deck asks for '" + expected +
                     "': use the scheduler of the checkpointed run, or start without --restart");
}

double scalar(const NamedState& state, const std::string& key) {
  auto it = state.scalars.find(key);
  if (it == state.scalars.end())
    throw InputError("the checkpoint's " + state.kind + " scheduler state lacks '" + key + "'");
  return it->second;
}

void require_range(bool ok, const std::string& what, double value, const std::string& expected) {
  if (ok) return;
  std::ostringstream s;
  s << "scheduler " << what << " = " << value << ": expected " << expected;
  throw InputError(s.str());
}

}  // namespace

double ConstantLR::step(double lr, double) {
  ++last_epoch_;
  return lr;
}

NamedState ConstantLR::state() const {
  return {name(), {}, {{"last_epoch", static_cast<double>(last_epoch_)}}};
}

void ConstantLR::load_state(const NamedState& state) {
  check_kind(state, name());
  last_epoch_ = static_cast<long long>(scalar(state, "last_epoch"));
}

ReduceLROnPlateau::ReduceLROnPlateau(const SchedulerOptions& options)
    : options_(options), best_(std::numeric_limits<double>::infinity()) {
  // PyTorch rejects factor >= 1; factor 0 would stop training.
  require_range(options.factor > 0.0 && options.factor < 1.0, "factor", options.factor,
                "0 < factor < 1");
  require_range(options.patience >= 0, "patience", options.patience, "patience >= 0");
  require_range(options.cooldown >= 0, "cooldown", options.cooldown, "cooldown >= 0");
  require_range(options.threshold >= 0.0, "threshold", options.threshold, "threshold >= 0");
  require_range(options.min_lr >= 0.0, "min_lr", options.min_lr, "min_lr >= 0");
}

double ReduceLROnPlateau::step(double lr, double metric) {
  ++last_epoch_;
  if (metric < best_ * (1.0 - options_.threshold)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    ++num_bad_epochs_;
  }
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    num_bad_epochs_ = 0;
  }
  if (num_bad_epochs_ > options_.patience) {
    const double reduced = std::max(lr * options_.factor, options_.min_lr);
    if (lr - reduced > options_.eps) lr = reduced;
    cooldown_counter_ = options_.cooldown;
    num_bad_epochs_ = 0;
  }
  return lr;
}

NamedState ReduceLROnPlateau::state() const {
  return {name(),
          {},
          {{"best", best_},
           {"num_bad_epochs", static_cast<double>(num_bad_epochs_)},
           {"cooldown_counter", static_cast<double>(cooldown_counter_)},
           {"last_epoch", static_cast<double>(last_epoch_)}}};
}

void ReduceLROnPlateau::load_state(const NamedState& state) {
  check_kind(state, name());
  const double best = scalar(state, "best");
  const int bad = static_cast<int>(scalar(state, "num_bad_epochs"));
  const int cooldown = static_cast<int>(scalar(state, "cooldown_counter"));
  const long long epoch = static_cast<long long>(scalar(state, "last_epoch"));
  best_ = best;
  num_bad_epochs_ = bad;
  cooldown_counter_ = cooldown;
  last_epoch_ = epoch;
}

ExponentialLR::ExponentialLR(const SchedulerOptions& options) : options_(options) {
  require_range(options.gamma > 0.0 && options.gamma <= 1.0, "gamma", options.gamma,
                "0 < gamma <= 1");
  require_range(options.min_lr >= 0.0, "min_lr", options.min_lr, "min_lr >= 0");
}

double ExponentialLR::step(double lr, double) {
  ++last_epoch_;
  // A rate already at or below the floor is left alone, never raised to it.
  if (lr <= options_.min_lr) return lr;
  return std::max(lr * options_.gamma, options_.min_lr);
}

NamedState ExponentialLR::state() const {
  return {name(), {}, {{"last_epoch", static_cast<double>(last_epoch_)}}};
}

void ExponentialLR::load_state(const NamedState& state) {
  check_kind(state, name());
  last_epoch_ = static_cast<long long>(scalar(state, "last_epoch"));
}

std::vector<std::string> scheduler_names() {
  return {"constant", "exponential", "plateau"};
}

std::unique_ptr<Scheduler> make_scheduler(const std::string& name,
                                          const SchedulerOptions& options) {
  if (name == "constant") return std::make_unique<ConstantLR>();
  if (name == "plateau") return std::make_unique<ReduceLROnPlateau>(options);
  if (name == "exponential") return std::make_unique<ExponentialLR>(options);
  std::string valid;
  for (const auto& n : scheduler_names()) valid += (valid.empty() ? "" : ", ") + n;
  throw InputError("unknown scheduler '" + name + "'; valid names: " + valid);
}

}  // namespace dynlearn::train
