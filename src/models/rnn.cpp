#include "dynlearn/models/rnn.hpp"

#include "dynlearn/nn/activation.hpp"

namespace dynlearn::models {

using Eigen::Index;
using Eigen::MatrixXd;

Rnn::Rnn(Index state_dim, Index hidden) : SequenceModel("rnn", state_dim, hidden, 1) {}

void Rnn::start_forward(Index steps, Index batch) {
  tanh_derivative_.resize(hidden_size(), steps * batch);
}

void Rnn::cell_forward(Index k, const MatrixXd& pre_activation, Eigen::Ref<MatrixXd> next_hidden) {
  const Index b = pre_activation.cols();
  nn::activation_value_and_first(nn::Activation::tanh, pre_activation.array(), next_hidden.array(),
                                 tanh_derivative_.middleCols(k * b, b).array());
}

void Rnn::cell_backward(Index k, bool /*has_later_step: the cell carries only h*/,
                        const MatrixXd& hidden_adjoint, Eigen::Ref<MatrixXd> pre_adjoint) {
  const Index b = hidden_adjoint.cols();
  pre_adjoint = hidden_adjoint.cwiseProduct(tanh_derivative_.middleCols(k * b, b));
}

}  // namespace dynlearn::models
