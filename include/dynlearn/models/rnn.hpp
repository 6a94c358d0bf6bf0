// The vanilla RNN baseline of SRNN's tables (Tables 1 and 2, "recurrent /
// Vanilla RNN / N/A"), as a WindowModel the trainer, ISO and forecasts use
// like the integrated fields.
//
// What the paper says: the baseline exists, is "trained like the others"
// (Adam, ReduceLROnPlateau, recurrent windows, ISO in Table 2) and has hidden
// states of 2048 (spring chain, A.1), 512 (three body, A.2; Table 3 has no
// RNN row) and 32 (heavy billiard, A.3). Everything else below is our choice,
// since the paper does not describe the architecture:
//
// - Like the ODE models, the model is given the initial state x0 only and
//   forecasts autoregressively, feeding back its own prediction:
//       h_0 = 0,   x̂_0 = x0,
//       h_{k+1} = tanh(W_ih x̂_k + b_ih + W_hh h_k + b_hh),
//       x̂_{k+1} = x̂_k + W_o h_{k+1} + b_o.
// - The readout is residual: the network predicts the increment, so a zero
//   readout (W_o = 0, b_o = 0) is the "no motion" model x̂_k = x0. An
//   untrained net is only near it: PyTorch's init gives increments of order
//   sqrt(E[h²]/3) per component and step, not zero.
// - dt is ignored: a sequence model has one fixed step, the spacing of the
//   data it was trained on. Forecasting at another spacing is meaningless.
// - Two biases (b_ih, b_hh) as torch.nn.RNN has, although only their sum
//   matters, so that the flat vector is exactly PyTorch's and a PyTorch
//   reference trains the same parameterisation (the redundant pair also
//   doubles the bias's effective Adam step there, and here alike).
//
// The authors' released code (github.com/zhengdao-chen/SRNN, src/model.py)
// differs: its readout is not residual (x̂_{k+1} = W_o h_{k+1} + b_o), its
// h_0 is torch.empty, and it clips the RNN's gradient norm to 0.25 in
// training; that clipping, if wanted, is the trainer's business.
//
// Parameter layout (D = state_dim, H = hidden), exactly
// torch.nn.utils.parameters_to_vector of (nn.RNN(D, H), nn.Linear(H, D)):
// sequence_model.hpp's with G = 1, so
//   W_ih (H x D, row-major) | W_hh (H x H, row-major) | b_ih (H) | b_hh (H)
//   | W_o (D x H, row-major) | b_o (D)
// Initialisation as torch.nn.RNN (SequenceModel::initialize).
//
// Gradients are exact, by backprop through time (SequenceModel::loss).
#pragma once

#include <Eigen/Dense>

#include "dynlearn/models/sequence_model.hpp"

namespace dynlearn::models {

class Rnn final : public SequenceModel {
 public:
  /// Parameters start at zero (the no-motion model): call initialize.
  /// Throws InputError unless both sizes are positive.
  Rnn(Eigen::Index state_dim, Eigen::Index hidden);

 private:
  void start_forward(Eigen::Index steps, Eigen::Index batch) override;
  void cell_forward(Eigen::Index k, const Eigen::MatrixXd& pre_activation,
                    Eigen::Ref<Eigen::MatrixXd> next_hidden) override;
  void cell_backward(Eigen::Index k, bool has_later_step, const Eigen::MatrixXd& hidden_adjoint,
                     Eigen::Ref<Eigen::MatrixXd> pre_adjoint) override;

  Eigen::MatrixXd tanh_derivative_;  // H x TB: 1 - h_{k+1}²
};

}  // namespace dynlearn::models
