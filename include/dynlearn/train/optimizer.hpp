// First-order optimizers over one flat parameter vector, with PyTorch's
// update rules (torch.optim.SGD, Adam, RAdam) so that results can be compared
// with the papers' PyTorch code, and with complete state export for
// checkpoints: a restored optimizer continues bit-for-bit.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace dynlearn::train {

/// The state of an optimizer or scheduler as named vectors and scalars, the
/// form a checkpoint stores. `kind` names the algorithm that wrote it.
struct NamedState {
  std::string kind;
  std::map<std::string, Eigen::VectorXd> vectors;
  std::map<std::string, double> scalars;
};

/// Hyper-parameters of all optimizers, with PyTorch's defaults. Each
/// optimizer reads the ones it knows.
struct OptimizerOptions {
  double lr = 1e-3;
  double weight_decay = 0.0;  // L2 penalty added to the gradient (not decoupled)
  // SGD
  double momentum = 0.0;
  double dampening = 0.0;
  bool nesterov = false;
  // Adam, RAdam
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
};

/// Minimises: step() moves the parameters against the gradient.
class Optimizer {
 public:
  explicit Optimizer(const OptimizerOptions& options);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;  // subclasses hold references into the base
  Optimizer& operator=(const Optimizer&) = delete;

  /// The registry name ("sgd", "adam", "radam").
  virtual std::string name() const = 0;

  /// One update of `params` given the loss gradient at `params`.
  void step(Eigen::VectorXd& params, const Eigen::VectorXd& grad);

  double learning_rate() const { return lr_; }
  void set_learning_rate(double lr);
  /// Number of step() calls so far (PyTorch's state["step"]).
  std::int64_t steps() const { return steps_; }
  const OptimizerOptions& options() const { return options_; }

  /// Everything that changes during training: step count, learning rate and
  /// the moment buffers (empty before the first step).
  NamedState state() const;
  /// Restores state(); throws InputError when it belongs to another
  /// optimizer or is incomplete.
  void load_state(const NamedState& state);

 protected:
  /// The update itself; steps() already counts this step and every buffer
  /// has the size of `params`.
  virtual void update(Eigen::VectorXd& params, const Eigen::VectorXd& grad) = 0;
  /// Declares a per-parameter buffer (zero-filled on the first step).
  Eigen::VectorXd& add_buffer(const std::string& name) { return buffers_[name]; }

  OptimizerOptions options_;
  double lr_;
  std::int64_t steps_ = 0;

 private:
  // std::map: references to its elements stay valid, so subclasses keep them.
  std::map<std::string, Eigen::VectorXd> buffers_;
};

/// torch.optim.SGD: momentum buffer b = momentum b + (1 - dampening) g
/// (b = g on the first step); Nesterov uses g + momentum b.
class Sgd : public Optimizer {
 public:
  explicit Sgd(const OptimizerOptions& options);
  std::string name() const override { return "sgd"; }

 protected:
  void update(Eigen::VectorXd& params, const Eigen::VectorXd& grad) override;

 private:
  Eigen::VectorXd* momentum_buffer_ = nullptr;  // only with momentum
};

/// torch.optim.Adam (amsgrad off): bias-corrected moments, eps added after
/// the square root of the bias-corrected second moment.
class Adam : public Optimizer {
 public:
  explicit Adam(const OptimizerOptions& options);
  std::string name() const override { return "adam"; }

 protected:
  void update(Eigen::VectorXd& params, const Eigen::VectorXd& grad) override;

 private:
  Eigen::VectorXd& exp_avg_;
  Eigen::VectorXd& exp_avg_sq_;
};

/// torch.optim.RAdam (weight decay not decoupled): Adam with the variance
/// rectification term; plain bias-corrected momentum while rho_t <= 5.
class RAdam : public Optimizer {
 public:
  explicit RAdam(const OptimizerOptions& options);
  std::string name() const override { return "radam"; }

 protected:
  void update(Eigen::VectorXd& params, const Eigen::VectorXd& grad) override;

 private:
  Eigen::VectorXd& exp_avg_;
  Eigen::VectorXd& exp_avg_sq_;
};

/// Names make_optimizer() accepts.
std::vector<std::string> optimizer_names();

/// The optimizer called `name`; InputError listing the valid names otherwise,
/// or naming the hyper-parameter that is out of range.
std::unique_ptr<Optimizer> make_optimizer(const std::string& name,
                                          const OptimizerOptions& options = {});

}  // namespace dynlearn::train
