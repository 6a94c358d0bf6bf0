// The LSTM baseline of SRNN's tables (Tables 1 and 2, "recurrent / LSTM /
// N/A"), as a WindowModel the trainer, ISO and forecasts use like the
// integrated fields.
//
// What the paper says: the baseline exists, is "trained like the others" and
// has hidden states of 2048 (spring chain, A.1) and 512 (three body, A.2;
// Table 3 has no LSTM row); the billiard (A.3) has no LSTM. The architecture
// is ours, the same as models::Rnn's (see rnn.hpp) with torch.nn.LSTM's cell:
//
//       h_0 = c_0 = 0,   x̂_0 = x0,
//       a = W_ih x̂_k + b_ih + W_hh h_k + b_hh        (4H rows: gates i, f, g, o)
//       i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o)
//       c_{k+1} = f ⊙ c_k + i ⊙ g,   h_{k+1} = o ⊙ tanh(c_{k+1})
//       x̂_{k+1} = x̂_k + W_o h_{k+1} + b_o
//
// - Input at step k is the model's own previous prediction (autoregressive
//   forecast from x0 alone, as the ODE models get).
// - Residual readout: a zero readout (W_o = 0, b_o = 0) predicts no motion; an
//   untrained net is only near that, since PyTorch's init leaves W_o random.
// - dt is ignored: a sequence model has one fixed step, the data's spacing.
//
// The authors' released code (github.com/zhengdao-chen/SRNN, src/model.py)
// differs: its LSTM has hidden size = state size (40 on the spring chain, not
// the 2048 of A.1), no readout (the prediction is h itself, so bounded in
// (-1, 1)) and gates built from separate nn.Linear layers.
//
// Parameter layout (D = state_dim, H = hidden), exactly
// torch.nn.utils.parameters_to_vector of (nn.LSTM(D, H), nn.Linear(H, D)):
// sequence_model.hpp's with G = 4, so
//   W_ih (4H x D, row-major) | W_hh (4H x H, row-major) | b_ih (4H) | b_hh (4H)
//   | W_o (D x H, row-major) | b_o (D)
// with the 4H rows of W_ih, W_hh, b_ih, b_hh stacked in PyTorch's gate order
// i, f, g, o. Initialisation as torch.nn.LSTM (SequenceModel::initialize).
//
// Exact gradients by backprop through time (SequenceModel::loss); all four
// gates of a step come from one product with W_ih and one with W_hh.
#pragma once

#include <Eigen/Dense>

#include "dynlearn/models/sequence_model.hpp"

namespace dynlearn::models {

class Lstm final : public SequenceModel {
 public:
  /// Parameters start at zero (the no-motion model): call initialize.
  /// Throws InputError unless both sizes are positive.
  Lstm(Eigen::Index state_dim, Eigen::Index hidden);

 private:
  void start_forward(Eigen::Index steps, Eigen::Index batch) override;
  void cell_forward(Eigen::Index k, const Eigen::MatrixXd& pre_activation,
                    Eigen::Ref<Eigen::MatrixXd> next_hidden) override;
  void start_backward(Eigen::Index batch) override;
  void cell_backward(Eigen::Index k, bool has_later_step, const Eigen::MatrixXd& hidden_adjoint,
                     Eigen::Ref<Eigen::MatrixXd> pre_adjoint) override;

  Eigen::MatrixXd cells_;                 // H x (T+1)B: c_0 = 0, c_1..c_T
  Eigen::MatrixXd cell_tanh_;             // H x TB: tanh(c_{k+1})
  Eigen::MatrixXd gates_;                 // 4H x TB: i, f, g, o of step k
  Eigen::MatrixXd gate_derivative_;       // 4H x TB: σ' or tanh' at the pre-activations
  Eigen::MatrixXd cell_adjoint_;          // H x B
  Eigen::MatrixXd carried_cell_adjoint_;  // H x B: f ⊙ the later step's
};

}  // namespace dynlearn::models
