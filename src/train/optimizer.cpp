#include "dynlearn/train/optimizer.hpp"

#include <cmath>
#include <sstream>

#include "dynlearn/core/error.hpp"

namespace dynlearn::train {
namespace {

std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

void require_range(bool ok, const std::string& what, double value, const std::string& expected) {
  if (!ok) throw InputError("optimizer " + what + " = " + number(value) + ": expected " + expected);
}

void check_betas(const OptimizerOptions& o) {
  require_range(o.beta1 >= 0.0 && o.beta1 < 1.0, "beta1", o.beta1, "0 <= beta1 < 1");
  require_range(o.beta2 >= 0.0 && o.beta2 < 1.0, "beta2", o.beta2, "0 <= beta2 < 1");
  require_range(o.eps >= 0.0, "eps", o.eps, "eps >= 0");
}

/// torch.lerp(start, end, weight) for one element: the two formulas keep the
/// result exact at weight 0 and 1.
double lerp(double start, double end, double weight) {
  return std::abs(weight) < 0.5 ? start + weight * (end - start)
                                : end - (end - start) * (1.0 - weight);
}

/// The gradient with PyTorch's (coupled) weight decay: grad + wd * param.
double decayed(double g, double p, double weight_decay) {
  return weight_decay != 0.0 ? g + weight_decay * p : g;
}

}  // namespace

Optimizer::Optimizer(const OptimizerOptions& options) : options_(options), lr_(options.lr) {
  set_learning_rate(options.lr);
  require_range(options.weight_decay >= 0.0, "weight_decay", options.weight_decay,
                "weight_decay >= 0");
}

void Optimizer::set_learning_rate(double lr) {
  require_range(lr >= 0.0 && std::isfinite(lr), "learning rate", lr, "a finite value >= 0");
  lr_ = lr;
}

void Optimizer::step(Eigen::VectorXd& params, const Eigen::VectorXd& grad) {
  if (grad.size() != params.size())
    throw std::invalid_argument("optimizer step: gradient has " + std::to_string(grad.size()) +
                                " entries, parameters " + std::to_string(params.size()));
  for (auto& [key, b] : buffers_) {
    if (b.size() == 0) {
      b = Eigen::VectorXd::Zero(params.size());
    } else if (b.size() != params.size()) {
      throw InputError("optimizer state '" + key + "' has " + std::to_string(b.size()) +
                       " entries but the model has " + std::to_string(params.size()) +
                       " parameters: the checkpoint belongs to another model");
    }
  }
  ++steps_;
  update(params, grad);
}

NamedState Optimizer::state() const {
  NamedState s;
  s.kind = name();
  s.scalars["step"] = static_cast<double>(steps_);
  s.scalars["lr"] = lr_;
  s.vectors = buffers_;
  return s;
}

void Optimizer::load_state(const NamedState& state) {
  if (state.kind != name())
    throw InputError("the checkpoint holds the state of optimizer '" + state.kind +
                     "' but the deck asks for '" + name() +
                     "': use the optimizer of the checkpointed run, or start without --restart");
  auto scalar = [&](const std::string& key) {
    auto it = state.scalars.find(key);
    if (it == state.scalars.end())
      throw InputError("the checkpoint's " + name() + " optimizer state lacks '" + key + "'");
    return it->second;
  };
  const double step = scalar("step");
  const double lr = scalar("lr");
  Eigen::Index size = -1;
  std::vector<std::pair<Eigen::VectorXd*, const Eigen::VectorXd*>> assign;
  for (auto& [key, b] : buffers_) {
    auto it = state.vectors.find(key);
    if (it == state.vectors.end())
      throw InputError("the checkpoint's " + name() + " optimizer state lacks '" + key + "'");
    if (size >= 0 && it->second.size() != size)
      throw InputError("the checkpoint's " + name() + " optimizer buffers differ in size");
    size = it->second.size();
    assign.emplace_back(&b, &it->second);
  }
  set_learning_rate(lr);
  steps_ = static_cast<std::int64_t>(step);
  for (auto& [to, from] : assign) *to = *from;
}

Sgd::Sgd(const OptimizerOptions& options) : Optimizer(options) {
  require_range(options.momentum >= 0.0, "momentum", options.momentum, "momentum >= 0");
  if (options.nesterov && (options.momentum <= 0.0 || options.dampening != 0.0))
    throw InputError("optimizer nesterov = true needs momentum > 0 and dampening = 0");
  if (options.momentum != 0.0) momentum_buffer_ = &add_buffer("momentum_buffer");
}

void Sgd::update(Eigen::VectorXd& params, const Eigen::VectorXd& grad) {
  const double mu = options_.momentum, wd = options_.weight_decay;
  const double keep = 1.0 - options_.dampening;
  for (Eigen::Index i = 0; i < params.size(); ++i) {
    double d = decayed(grad[i], params[i], wd);
    if (mu != 0.0) {
      double& b = (*momentum_buffer_)[i];
      b = steps_ == 1 ? d : b * mu + keep * d;
      d = options_.nesterov ? d + mu * b : b;
    }
    params[i] = params[i] + (-lr_) * d;
  }
}

Adam::Adam(const OptimizerOptions& options)
    : Optimizer(options), exp_avg_(add_buffer("exp_avg")), exp_avg_sq_(add_buffer("exp_avg_sq")) {
  check_betas(options);
}

void Adam::update(Eigen::VectorXd& params, const Eigen::VectorXd& grad) {
  const double b1 = options_.beta1, b2 = options_.beta2, wd = options_.weight_decay;
  const double t = static_cast<double>(steps_);
  const double bias_correction1 = 1.0 - std::pow(b1, t);
  const double bias_correction2 = 1.0 - std::pow(b2, t);
  const double step_size = lr_ / bias_correction1;
  const double bias_correction2_sqrt = std::sqrt(bias_correction2);
  for (Eigen::Index i = 0; i < params.size(); ++i) {
    const double g = decayed(grad[i], params[i], wd);
    double& m = exp_avg_[i];
    double& v = exp_avg_sq_[i];
    m = lerp(m, g, 1.0 - b1);
    v = v * b2 + (1.0 - b2) * g * g;
    const double denom = std::sqrt(v) / bias_correction2_sqrt + options_.eps;
    params[i] = params[i] + (-step_size) * (m / denom);
  }
}

RAdam::RAdam(const OptimizerOptions& options)
    : Optimizer(options), exp_avg_(add_buffer("exp_avg")), exp_avg_sq_(add_buffer("exp_avg_sq")) {
  check_betas(options);
}

void RAdam::update(Eigen::VectorXd& params, const Eigen::VectorXd& grad) {
  const double b1 = options_.beta1, b2 = options_.beta2, wd = options_.weight_decay;
  const double t = static_cast<double>(steps_);
  const double bias_correction1 = 1.0 - std::pow(b1, t);
  const double bias_correction2 = 1.0 - std::pow(b2, t);
  // Length of the approximated simple moving average, and its limit.
  const double rho_inf = 2.0 / (1.0 - b2) - 1.0;
  const double rho_t = rho_inf - 2.0 * t * std::pow(b2, t) / bias_correction2;
  const bool rectified = rho_t > 5.0;
  const double rect = rectified ? std::pow((rho_t - 4.0) * (rho_t - 2.0) * rho_inf /
                                               ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t),
                                           0.5)
                                : 0.0;
  const double bias_correction2_root = std::pow(bias_correction2, 0.5);
  for (Eigen::Index i = 0; i < params.size(); ++i) {
    const double g = decayed(grad[i], params[i], wd);
    double& m = exp_avg_[i];
    double& v = exp_avg_sq_[i];
    m = lerp(m, g, 1.0 - b1);
    v = v * b2 + (1.0 - b2) * g * g;
    const double corrected = m / bias_correction1;
    if (rectified) {
      const double adaptive_lr = bias_correction2_root / (std::sqrt(v) + options_.eps);
      params[i] = params[i] - corrected * lr_ * adaptive_lr * rect;
    } else {
      params[i] = params[i] - corrected * lr_;
    }
  }
}

std::vector<std::string> optimizer_names() {
  return {"adam", "radam", "sgd"};
}

std::unique_ptr<Optimizer> make_optimizer(const std::string& name,
                                          const OptimizerOptions& options) {
  if (name == "sgd") return std::make_unique<Sgd>(options);
  if (name == "adam") return std::make_unique<Adam>(options);
  if (name == "radam") return std::make_unique<RAdam>(options);
  std::string valid;
  for (const auto& n : optimizer_names()) valid += (valid.empty() ? "" : ", ") + n;
  throw InputError("unknown optimizer '" + name + "'; valid names: " + valid);
}

}  // namespace dynlearn::train
