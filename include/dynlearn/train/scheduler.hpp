// Learning-rate schedules with PyTorch's semantics (torch.optim.lr_scheduler
// ReduceLROnPlateau and ExponentialLR), stepped once per epoch, with their
// state exported for checkpoints.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dynlearn/train/optimizer.hpp"

namespace dynlearn::train {

/// Hyper-parameters of all schedulers, with PyTorch's defaults.
struct SchedulerOptions {
  // ReduceLROnPlateau (mode "min", threshold_mode "rel")
  double factor = 0.1;
  int patience = 10;
  double threshold = 1e-4;
  int cooldown = 0;
  double min_lr = 0.0;  // also ExponentialLR's floor
  double eps = 1e-8;    // smaller reductions are skipped
  // ExponentialLR
  double gamma = 0.99;
};

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  /// The registry name ("constant", "plateau", "exponential").
  virtual std::string name() const = 0;
  /// Ends an epoch whose monitored loss was `metric`: returns the learning
  /// rate for the next epoch given the current one.
  virtual double step(double lr, double metric) = 0;
  /// Steps and applies the new learning rate to `optimizer`.
  void step(Optimizer& optimizer, double metric) {
    optimizer.set_learning_rate(step(optimizer.learning_rate(), metric));
  }
  virtual NamedState state() const = 0;
  /// Restores state(); InputError when it belongs to another scheduler.
  virtual void load_state(const NamedState& state) = 0;
};

/// Keeps the learning rate.
class ConstantLR : public Scheduler {
 public:
  std::string name() const override { return "constant"; }
  double step(double lr, double metric) override;
  NamedState state() const override;
  void load_state(const NamedState& state) override;

 private:
  long long last_epoch_ = 0;
};

/// torch.optim.lr_scheduler.ReduceLROnPlateau, mode "min", threshold_mode
/// "rel": a metric below best * (1 - threshold) is an improvement; after
/// more than `patience` epochs without one, lr = max(lr * factor, min_lr)
/// (skipped when the change is at most eps), followed by `cooldown` epochs
/// in which bad epochs are not counted.
class ReduceLROnPlateau : public Scheduler {
 public:
  explicit ReduceLROnPlateau(const SchedulerOptions& options);
  std::string name() const override { return "plateau"; }
  double step(double lr, double metric) override;
  NamedState state() const override;
  void load_state(const NamedState& state) override;

  double best() const { return best_; }
  int bad_epochs() const { return num_bad_epochs_; }

 private:
  SchedulerOptions options_;
  double best_;
  int num_bad_epochs_ = 0;
  int cooldown_counter_ = 0;
  long long last_epoch_ = 0;
};

/// torch.optim.lr_scheduler.ExponentialLR with a floor: lr = max(lr * gamma,
/// min_lr), as in the SRNN billiard runs ("decay 0.99 until the learning
/// rate reaches 0.0001"). The metric is ignored.
class ExponentialLR : public Scheduler {
 public:
  explicit ExponentialLR(const SchedulerOptions& options);
  std::string name() const override { return "exponential"; }
  double step(double lr, double metric) override;
  NamedState state() const override;
  void load_state(const NamedState& state) override;

 private:
  SchedulerOptions options_;
  long long last_epoch_ = 0;
};

/// Names make_scheduler() accepts.
std::vector<std::string> scheduler_names();

/// The scheduler called `name`; InputError listing the valid names otherwise,
/// or naming the hyper-parameter that is out of range.
std::unique_ptr<Scheduler> make_scheduler(const std::string& name,
                                          const SchedulerOptions& options = {});

}  // namespace dynlearn::train
