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
// Parameter layout (one flat vector; D = state_dim, H = hidden), exactly
// torch.nn.utils.parameters_to_vector of (nn.LSTM(D, H), nn.Linear(H, D)):
//   W_ih (4H x D, row-major) | W_hh (4H x H, row-major) | b_ih (4H) | b_hh (4H)
//   | W_o (D x H, row-major) | b_o (D)
// with the 4H rows of W_ih, W_hh, b_ih, b_hh stacked in PyTorch's gate order
// i, f, g, o. Initialisation as torch.nn.LSTM: every entry, the readout's
// included, from U(-1/sqrt(H), 1/sqrt(H)), drawn in flat-vector order from
// core::Rng(seed, index, init_weights).
//
// Batch = columns. Exact gradients by backprop through time; all four gates
// of a step come from one product with W_ih and one with W_hh; the
// workspaces are members and keep their storage between calls.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "dynlearn/models/window_model.hpp"

namespace dynlearn::models {

class Lstm final : public WindowModel {
 public:
  using RowMajorMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

  /// Parameters start at zero (the no-motion model): call initialize.
  /// Throws InputError unless both sizes are positive.
  Lstm(Eigen::Index state_dim, Eigen::Index hidden);

  Eigen::Index state_dim() const { return state_dim_; }
  Eigen::Index hidden_size() const { return hidden_; }
  /// Offset of W_o in the flat vector; W_o and b_o fill the rest of it.
  Eigen::Index readout_offset() const { return w_out_; }

  /// PyTorch's init (see the file comment); `index` tells apart models
  /// initialised from the same seed.
  void initialize(std::uint64_t seed, std::uint64_t index = 0);

  Eigen::Index num_parameters() const override { return params_.size(); }
  Eigen::VectorXd parameters() const override { return params_; }
  void set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) override;

  /// Sum of squared errors of x̂_1..x̂_T against targets[0..T-1]; dt is ignored.
  WindowLoss loss(const Eigen::Ref<const Eigen::MatrixXd>& x0,
                  const std::vector<Eigen::MatrixXd>& targets, double dt,
                  Eigen::Ref<Eigen::VectorXd> parameter_gradient, bool want_x0_gradient) override;

  /// x̂_0..x̂_steps; dt is ignored.
  std::vector<Eigen::MatrixXd> predict(const Eigen::Ref<const Eigen::MatrixXd>& x0, double dt,
                                       int steps) override;

 private:
  void forward(const Eigen::Ref<const Eigen::MatrixXd>& x0, Eigen::Index steps);
  Eigen::Map<const RowMajorMatrix> matrix(Eigen::Index offset, Eigen::Index rows,
                                          Eigen::Index cols) const;

  Eigen::Index state_dim_;
  Eigen::Index hidden_;
  // Offsets in params_.
  Eigen::Index w_ih_, w_hh_, b_ih_, b_hh_, w_out_, b_out_;
  Eigen::VectorXd params_;

  // Workspace; step k of a batch of B is columns [k B, (k+1) B).
  Eigen::VectorXd bias_sum_;                // 4H: b_ih + b_hh
  Eigen::VectorXd bias_gradient_;           // 4H
  Eigen::MatrixXd states_;                  // D x (T+1)B: x̂_0..x̂_T
  Eigen::MatrixXd hidden_states_;           // H x (T+1)B: h_0 = 0, h_1..h_T
  Eigen::MatrixXd cells_;                   // H x (T+1)B: c_0 = 0, c_1..c_T
  Eigen::MatrixXd cell_tanh_;               // H x TB: tanh(c_{k+1})
  Eigen::MatrixXd gates_;                   // 4H x TB: i, f, g, o of step k
  Eigen::MatrixXd gate_derivative_;         // 4H x TB: σ' or tanh' at the pre-activations
  Eigen::MatrixXd pre_activation_;          // 4H x B
  Eigen::MatrixXd state_adjoint_;           // D x TB: dL/dx̂_{k+1} (total)
  Eigen::MatrixXd pre_adjoint_;             // 4H x TB: dL/da of step k
  Eigen::MatrixXd running_state_adjoint_;   // D x B
  Eigen::MatrixXd hidden_adjoint_;          // H x B
  Eigen::MatrixXd cell_adjoint_;            // H x B
  Eigen::MatrixXd carried_hidden_adjoint_;  // H x B: W_hhᵀ times the later step's
  Eigen::MatrixXd carried_cell_adjoint_;    // H x B: f ⊙ the later step's
};

}  // namespace dynlearn::models
