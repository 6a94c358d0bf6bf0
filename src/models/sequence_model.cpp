#include "dynlearn/models/sequence_model.hpp"

#include <cmath>
#include <string>
#include <utility>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/rng.hpp"

namespace dynlearn::models {

using Eigen::Index;
using Eigen::MatrixXd;

SequenceModel::SequenceModel(std::string name, Index state_dim, Index hidden, Index gates)
    : name_(std::move(name)), state_dim_(state_dim), hidden_(hidden), gate_rows_(gates * hidden) {
  require(state_dim > 0,
          name_ + ": state dimension must be positive, got " + std::to_string(state_dim));
  require(hidden > 0, name_ + ": hidden size must be positive, got " + std::to_string(hidden));
  const Index d = state_dim, h = hidden, g = gate_rows_;
  w_ih_ = 0;
  w_hh_ = w_ih_ + g * d;
  b_ih_ = w_hh_ + g * h;
  b_hh_ = b_ih_ + g;
  w_out_ = b_hh_ + g;
  b_out_ = w_out_ + d * h;
  params_ = Eigen::VectorXd::Zero(b_out_ + d);
}

void SequenceModel::initialize(std::uint64_t seed, std::uint64_t index) {
  core::Rng rng(seed, index, core::Purpose::init_weights);
  const double bound = 1.0 / std::sqrt(static_cast<double>(hidden_));
  for (Index i = 0; i < params_.size(); ++i) params_[i] = rng.uniform(-bound, bound);
}

void SequenceModel::set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) {
  require(values.size() == params_.size(), name_ + ": expected " + std::to_string(params_.size()) +
                                               " parameters, got " + std::to_string(values.size()));
  params_ = values;
}

Eigen::Map<const SequenceModel::RowMajorMatrix> SequenceModel::matrix(Index offset, Index rows,
                                                                      Index cols) const {
  return Eigen::Map<const RowMajorMatrix>(params_.data() + offset, rows, cols);
}

void SequenceModel::forward(const Eigen::Ref<const MatrixXd>& x0, Index steps) {
  require(x0.rows() == state_dim_, name_ + ": initial states have " + std::to_string(x0.rows()) +
                                       " rows, the model's state has " +
                                       std::to_string(state_dim_));
  const Index b = x0.cols();
  // resize() keeps the storage when the shape is unchanged.
  states_.resize(state_dim_, (steps + 1) * b);
  hidden_states_.resize(hidden_, (steps + 1) * b);
  pre_activation_.resize(gate_rows_, b);
  start_forward(steps, b);
  bias_sum_ = params_.segment(b_ih_, gate_rows_) + params_.segment(b_hh_, gate_rows_);

  const auto w_ih = matrix(w_ih_, gate_rows_, state_dim_);
  const auto w_hh = matrix(w_hh_, gate_rows_, hidden_);
  const auto w_out = matrix(w_out_, state_dim_, hidden_);
  const auto b_out = params_.segment(b_out_, state_dim_);

  states_.leftCols(b) = x0;
  hidden_states_.leftCols(b).setZero();
  for (Index k = 0; k < steps; ++k) {
    pre_activation_.noalias() = w_ih * states_.middleCols(k * b, b);
    // h_0 = 0: the first step has no recurrent product.
    if (k > 0) pre_activation_.noalias() += w_hh * hidden_states_.middleCols(k * b, b);
    pre_activation_.colwise() += bias_sum_;
    cell_forward(k, pre_activation_, hidden_states_.middleCols((k + 1) * b, b));
    auto next = states_.middleCols((k + 1) * b, b);
    next.noalias() = w_out * hidden_states_.middleCols((k + 1) * b, b);
    next += states_.middleCols(k * b, b);
    next.colwise() += b_out;
  }
}

WindowLoss SequenceModel::loss(const Eigen::Ref<const MatrixXd>& x0,
                               const std::vector<MatrixXd>& targets,
                               double /*dt: fixed-step model*/,
                               Eigen::Ref<Eigen::VectorXd> parameter_gradient,
                               bool want_x0_gradient) {
  WindowLoss result;
  const Index steps = static_cast<Index>(targets.size());
  const Index b = x0.cols();
  const bool want_theta = parameter_gradient.size() > 0;
  require(!want_theta || parameter_gradient.size() == params_.size(),
          name_ + ": the parameter gradient must have " + std::to_string(params_.size()) +
              " entries, got " + std::to_string(parameter_gradient.size()));
  for (Index k = 0; k < steps; ++k) {
    require(targets[k].rows() == state_dim_ && targets[k].cols() == b,
            name_ + ": target " + std::to_string(k) + " is " + std::to_string(targets[k].rows()) +
                "x" + std::to_string(targets[k].cols()) + ", expected " +
                std::to_string(state_dim_) + "x" + std::to_string(b));
  }
  if (b == 0 || steps == 0) {
    if (want_x0_gradient) result.x0_gradient = MatrixXd::Zero(x0.rows(), b);
    return result;
  }
  forward(x0, steps);

  // state_adjoint_ first holds the direct terms 2 (x̂_{k+1} - y_{k+1}).
  state_adjoint_.resize(state_dim_, steps * b);
  for (Index k = 0; k < steps; ++k) {
    auto residual = state_adjoint_.middleCols(k * b, b);
    residual = states_.middleCols((k + 1) * b, b) - targets[k];
    result.sum_squares += residual.squaredNorm();
    residual *= 2.0;
  }
  if (!want_theta && !want_x0_gradient) return result;

  const auto w_ih = matrix(w_ih_, gate_rows_, state_dim_);
  const auto w_hh = matrix(w_hh_, gate_rows_, hidden_);
  const auto w_out = matrix(w_out_, state_dim_, hidden_);
  pre_adjoint_.resize(gate_rows_, steps * b);
  running_state_adjoint_.setZero(state_dim_, b);
  hidden_adjoint_.resize(hidden_, b);
  carried_hidden_adjoint_.resize(hidden_, b);
  start_backward(b);
  for (Index k = steps - 1; k >= 0; --k) {
    // Adjoint of x̂_{k+1}: its own error plus what flows back from later steps
    // through the residual connection and the input weights.
    running_state_adjoint_ += state_adjoint_.middleCols(k * b, b);
    state_adjoint_.middleCols(k * b, b) = running_state_adjoint_;
    hidden_adjoint_.noalias() = w_out.transpose() * running_state_adjoint_;
    if (k + 1 < steps) hidden_adjoint_ += carried_hidden_adjoint_;
    auto pre = pre_adjoint_.middleCols(k * b, b);
    cell_backward(k, k + 1 < steps, hidden_adjoint_, pre);
    running_state_adjoint_.noalias() += w_ih.transpose() * pre;
    if (k > 0) carried_hidden_adjoint_.noalias() = w_hh.transpose() * pre;
  }
  if (want_x0_gradient) result.x0_gradient = running_state_adjoint_;

  if (want_theta) {
    // Summed over steps and batch at once: one product per weight matrix.
    double* g = parameter_gradient.data();
    Eigen::Map<RowMajorMatrix>(g + w_ih_, gate_rows_, state_dim_).noalias() +=
        pre_adjoint_ * states_.leftCols(steps * b).transpose();
    Eigen::Map<RowMajorMatrix>(g + w_hh_, gate_rows_, hidden_).noalias() +=
        pre_adjoint_ * hidden_states_.leftCols(steps * b).transpose();
    bias_gradient_ = pre_adjoint_.rowwise().sum();
    parameter_gradient.segment(b_ih_, gate_rows_) += bias_gradient_;
    parameter_gradient.segment(b_hh_, gate_rows_) += bias_gradient_;
    Eigen::Map<RowMajorMatrix>(g + w_out_, state_dim_, hidden_).noalias() +=
        state_adjoint_ * hidden_states_.rightCols(steps * b).transpose();
    parameter_gradient.segment(b_out_, state_dim_) += state_adjoint_.rowwise().sum();
  }
  return result;
}

std::vector<MatrixXd> SequenceModel::predict(const Eigen::Ref<const MatrixXd>& x0, double /*dt*/,
                                             int steps) {
  require(steps >= 0, name_ + ": cannot predict " + std::to_string(steps) + " steps");
  forward(x0, steps);
  std::vector<MatrixXd> out(static_cast<std::size_t>(steps) + 1);
  for (Index k = 0; k <= steps; ++k) out[k] = states_.middleCols(k * x0.cols(), x0.cols());
  return out;
}

}  // namespace dynlearn::models
