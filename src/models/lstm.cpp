#include "dynlearn/models/lstm.hpp"

#include "dynlearn/nn/activation.hpp"

namespace dynlearn::models {

using Eigen::Index;
using Eigen::MatrixXd;

Lstm::Lstm(Index state_dim, Index hidden) : SequenceModel("lstm", state_dim, hidden, 4) {}

void Lstm::start_forward(Index steps, Index batch) {
  const Index b = batch, h = hidden_size();
  // resize() keeps the storage when the shape is unchanged.
  cells_.resize(h, (steps + 1) * b);
  cell_tanh_.resize(h, steps * b);
  gates_.resize(4 * h, steps * b);
  gate_derivative_.resize(4 * h, steps * b);
  cells_.leftCols(b).setZero();
}

void Lstm::cell_forward(Index k, const MatrixXd& pre_activation, Eigen::Ref<MatrixXd> next_hidden) {
  const Index b = pre_activation.cols(), h = hidden_size();
  auto gates = gates_.middleCols(k * b, b);
  auto derivative = gate_derivative_.middleCols(k * b, b);
  // Rows i and f are adjacent: one sigmoid sweep for both.
  nn::activation_value_and_first(nn::Activation::sigmoid, pre_activation.topRows(2 * h).array(),
                                 gates.topRows(2 * h).array(), derivative.topRows(2 * h).array());
  nn::activation_value_and_first(nn::Activation::tanh, pre_activation.middleRows(2 * h, h).array(),
                                 gates.middleRows(2 * h, h).array(),
                                 derivative.middleRows(2 * h, h).array());
  nn::activation_value_and_first(nn::Activation::sigmoid, pre_activation.bottomRows(h).array(),
                                 gates.bottomRows(h).array(), derivative.bottomRows(h).array());
  const auto input_gate = gates.topRows(h).array();
  const auto forget_gate = gates.middleRows(h, h).array();
  const auto candidate = gates.middleRows(2 * h, h).array();
  const auto output_gate = gates.bottomRows(h).array();
  auto cell = cells_.middleCols((k + 1) * b, b).array();
  cell = forget_gate * cells_.middleCols(k * b, b).array() + input_gate * candidate;
  auto cell_tanh = cell_tanh_.middleCols(k * b, b).array();
  cell_tanh = cell.tanh();
  next_hidden.array() = output_gate * cell_tanh;
}

void Lstm::start_backward(Index batch) {
  cell_adjoint_.resize(hidden_size(), batch);
  carried_cell_adjoint_.resize(hidden_size(), batch);
}

void Lstm::cell_backward(Index k, bool has_later_step, const MatrixXd& hidden_adjoint,
                         Eigen::Ref<MatrixXd> pre_adjoint) {
  const Index b = hidden_adjoint.cols(), h = hidden_size();
  const auto gates = gates_.middleCols(k * b, b);
  const auto derivative = gate_derivative_.middleCols(k * b, b).array();
  const auto input_gate = gates.topRows(h).array();
  const auto forget_gate = gates.middleRows(h, h).array();
  const auto candidate = gates.middleRows(2 * h, h).array();
  const auto output_gate = gates.bottomRows(h).array();
  const auto cell_tanh = cell_tanh_.middleCols(k * b, b).array();

  cell_adjoint_.array() = hidden_adjoint.array() * output_gate * (1.0 - cell_tanh.square());
  if (has_later_step) cell_adjoint_ += carried_cell_adjoint_;

  pre_adjoint.topRows(h).array() = cell_adjoint_.array() * candidate * derivative.topRows(h);
  pre_adjoint.middleRows(h, h).array() =
      cell_adjoint_.array() * cells_.middleCols(k * b, b).array() * derivative.middleRows(h, h);
  pre_adjoint.middleRows(2 * h, h).array() =
      cell_adjoint_.array() * input_gate * derivative.middleRows(2 * h, h);
  pre_adjoint.bottomRows(h).array() = hidden_adjoint.array() * cell_tanh * derivative.bottomRows(h);

  carried_cell_adjoint_.array() = cell_adjoint_.array() * forget_gate;
}

}  // namespace dynlearn::models
