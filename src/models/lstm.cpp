#include "dynlearn/models/lstm.hpp"

#include <cmath>
#include <string>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/rng.hpp"
#include "dynlearn/nn/activation.hpp"

namespace dynlearn::models {

using Eigen::Index;
using Eigen::MatrixXd;

Lstm::Lstm(Index state_dim, Index hidden) : state_dim_(state_dim), hidden_(hidden) {
  require(state_dim > 0,
          "lstm: state dimension must be positive, got " + std::to_string(state_dim));
  require(hidden > 0, "lstm: hidden size must be positive, got " + std::to_string(hidden));
  const Index d = state_dim, h = hidden;
  w_ih_ = 0;
  w_hh_ = w_ih_ + 4 * h * d;
  b_ih_ = w_hh_ + 4 * h * h;
  b_hh_ = b_ih_ + 4 * h;
  w_out_ = b_hh_ + 4 * h;
  b_out_ = w_out_ + d * h;
  params_ = Eigen::VectorXd::Zero(b_out_ + d);
}

void Lstm::initialize(std::uint64_t seed, std::uint64_t index) {
  core::Rng rng(seed, index, core::Purpose::init_weights);
  const double bound = 1.0 / std::sqrt(static_cast<double>(hidden_));
  for (Index i = 0; i < params_.size(); ++i) params_[i] = rng.uniform(-bound, bound);
}

void Lstm::set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) {
  require(values.size() == params_.size(), "lstm: expected " + std::to_string(params_.size()) +
                                               " parameters, got " + std::to_string(values.size()));
  params_ = values;
}

Eigen::Map<const Lstm::RowMajorMatrix> Lstm::matrix(Index offset, Index rows, Index cols) const {
  return Eigen::Map<const RowMajorMatrix>(params_.data() + offset, rows, cols);
}

void Lstm::forward(const Eigen::Ref<const MatrixXd>& x0, Index steps) {
  require(x0.rows() == state_dim_, "lstm: initial states have " + std::to_string(x0.rows()) +
                                       " rows, the model's state has " +
                                       std::to_string(state_dim_));
  const Index b = x0.cols(), h = hidden_;
  // resize() keeps the storage when the shape is unchanged.
  states_.resize(state_dim_, (steps + 1) * b);
  hidden_states_.resize(h, (steps + 1) * b);
  cells_.resize(h, (steps + 1) * b);
  cell_tanh_.resize(h, steps * b);
  gates_.resize(4 * h, steps * b);
  gate_derivative_.resize(4 * h, steps * b);
  pre_activation_.resize(4 * h, b);
  bias_sum_ = params_.segment(b_ih_, 4 * h) + params_.segment(b_hh_, 4 * h);

  const auto w_ih = matrix(w_ih_, 4 * h, state_dim_);
  const auto w_hh = matrix(w_hh_, 4 * h, h);
  const auto w_out = matrix(w_out_, state_dim_, h);
  const auto b_out = params_.segment(b_out_, state_dim_);

  states_.leftCols(b) = x0;
  hidden_states_.leftCols(b).setZero();
  cells_.leftCols(b).setZero();
  for (Index k = 0; k < steps; ++k) {
    pre_activation_.noalias() = w_ih * states_.middleCols(k * b, b);
    // h_0 = 0: the first step has no recurrent product.
    if (k > 0) pre_activation_.noalias() += w_hh * hidden_states_.middleCols(k * b, b);
    pre_activation_.colwise() += bias_sum_;
    auto gates = gates_.middleCols(k * b, b);
    auto derivative = gate_derivative_.middleCols(k * b, b);
    // Rows i and f are adjacent: one sigmoid sweep for both.
    nn::activation_value_and_first(nn::Activation::sigmoid, pre_activation_.topRows(2 * h).array(),
                                   gates.topRows(2 * h).array(), derivative.topRows(2 * h).array());
    nn::activation_value_and_first(
        nn::Activation::tanh, pre_activation_.middleRows(2 * h, h).array(),
        gates.middleRows(2 * h, h).array(), derivative.middleRows(2 * h, h).array());
    nn::activation_value_and_first(nn::Activation::sigmoid, pre_activation_.bottomRows(h).array(),
                                   gates.bottomRows(h).array(), derivative.bottomRows(h).array());
    const auto input_gate = gates.topRows(h).array();
    const auto forget_gate = gates.middleRows(h, h).array();
    const auto candidate = gates.middleRows(2 * h, h).array();
    const auto output_gate = gates.bottomRows(h).array();
    auto cell = cells_.middleCols((k + 1) * b, b).array();
    cell = forget_gate * cells_.middleCols(k * b, b).array() + input_gate * candidate;
    auto cell_tanh = cell_tanh_.middleCols(k * b, b).array();
    cell_tanh = cell.tanh();
    hidden_states_.middleCols((k + 1) * b, b).array() = output_gate * cell_tanh;

    auto next = states_.middleCols((k + 1) * b, b);
    next.noalias() = w_out * hidden_states_.middleCols((k + 1) * b, b);
    next += states_.middleCols(k * b, b);
    next.colwise() += b_out;
  }
}

WindowLoss Lstm::loss(const Eigen::Ref<const MatrixXd>& x0, const std::vector<MatrixXd>& targets,
                      double /*dt: fixed-step model*/,
                      Eigen::Ref<Eigen::VectorXd> parameter_gradient, bool want_x0_gradient) {
  WindowLoss result;
  const Index steps = static_cast<Index>(targets.size());
  const Index b = x0.cols(), h = hidden_;
  const bool want_theta = parameter_gradient.size() > 0;
  require(!want_theta || parameter_gradient.size() == params_.size(),
          "lstm: the parameter gradient must have " + std::to_string(params_.size()) +
              " entries, got " + std::to_string(parameter_gradient.size()));
  for (Index k = 0; k < steps; ++k) {
    require(targets[k].rows() == state_dim_ && targets[k].cols() == b,
            "lstm: target " + std::to_string(k) + " is " + std::to_string(targets[k].rows()) + "x" +
                std::to_string(targets[k].cols()) + ", expected " + std::to_string(state_dim_) +
                "x" + std::to_string(b));
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

  const auto w_ih = matrix(w_ih_, 4 * h, state_dim_);
  const auto w_hh = matrix(w_hh_, 4 * h, h);
  const auto w_out = matrix(w_out_, state_dim_, h);
  pre_adjoint_.resize(4 * h, steps * b);
  running_state_adjoint_.setZero(state_dim_, b);
  hidden_adjoint_.resize(h, b);
  cell_adjoint_.resize(h, b);
  carried_hidden_adjoint_.resize(h, b);
  carried_cell_adjoint_.resize(h, b);
  for (Index k = steps - 1; k >= 0; --k) {
    running_state_adjoint_ += state_adjoint_.middleCols(k * b, b);
    state_adjoint_.middleCols(k * b, b) = running_state_adjoint_;
    hidden_adjoint_.noalias() = w_out.transpose() * running_state_adjoint_;
    if (k + 1 < steps) hidden_adjoint_ += carried_hidden_adjoint_;

    const auto gates = gates_.middleCols(k * b, b);
    const auto derivative = gate_derivative_.middleCols(k * b, b).array();
    const auto input_gate = gates.topRows(h).array();
    const auto forget_gate = gates.middleRows(h, h).array();
    const auto candidate = gates.middleRows(2 * h, h).array();
    const auto output_gate = gates.bottomRows(h).array();
    const auto cell_tanh = cell_tanh_.middleCols(k * b, b).array();

    cell_adjoint_.array() = hidden_adjoint_.array() * output_gate * (1.0 - cell_tanh.square());
    if (k + 1 < steps) cell_adjoint_ += carried_cell_adjoint_;

    auto pre = pre_adjoint_.middleCols(k * b, b);
    pre.topRows(h).array() = cell_adjoint_.array() * candidate * derivative.topRows(h);
    pre.middleRows(h, h).array() =
        cell_adjoint_.array() * cells_.middleCols(k * b, b).array() * derivative.middleRows(h, h);
    pre.middleRows(2 * h, h).array() =
        cell_adjoint_.array() * input_gate * derivative.middleRows(2 * h, h);
    pre.bottomRows(h).array() = hidden_adjoint_.array() * cell_tanh * derivative.bottomRows(h);

    carried_cell_adjoint_.array() = cell_adjoint_.array() * forget_gate;
    running_state_adjoint_.noalias() += w_ih.transpose() * pre;
    if (k > 0) carried_hidden_adjoint_.noalias() = w_hh.transpose() * pre;
  }
  if (want_x0_gradient) result.x0_gradient = running_state_adjoint_;

  if (want_theta) {
    // Summed over steps and batch at once: one product per weight matrix.
    double* g = parameter_gradient.data();
    Eigen::Map<RowMajorMatrix>(g + w_ih_, 4 * h, state_dim_).noalias() +=
        pre_adjoint_ * states_.leftCols(steps * b).transpose();
    Eigen::Map<RowMajorMatrix>(g + w_hh_, 4 * h, h).noalias() +=
        pre_adjoint_ * hidden_states_.leftCols(steps * b).transpose();
    bias_gradient_ = pre_adjoint_.rowwise().sum();
    parameter_gradient.segment(b_ih_, 4 * h) += bias_gradient_;
    parameter_gradient.segment(b_hh_, 4 * h) += bias_gradient_;
    Eigen::Map<RowMajorMatrix>(g + w_out_, state_dim_, h).noalias() +=
        state_adjoint_ * hidden_states_.rightCols(steps * b).transpose();
    parameter_gradient.segment(b_out_, state_dim_) += state_adjoint_.rowwise().sum();
  }
  return result;
}

std::vector<MatrixXd> Lstm::predict(const Eigen::Ref<const MatrixXd>& x0, double /*dt*/,
                                    int steps) {
  require(steps >= 0, "lstm: cannot predict " + std::to_string(steps) + " steps");
  forward(x0, steps);
  std::vector<MatrixXd> out(static_cast<std::size_t>(steps) + 1);
  for (Index k = 0; k <= steps; ++k) out[k] = states_.middleCols(k * x0.cols(), x0.cols());
  return out;
}

}  // namespace dynlearn::models
