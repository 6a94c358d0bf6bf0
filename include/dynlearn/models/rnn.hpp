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
// Parameter layout (one flat vector; D = state_dim, H = hidden), exactly
// torch.nn.utils.parameters_to_vector of (nn.RNN(D, H), nn.Linear(H, D)):
//   W_ih (H x D, row-major) | W_hh (H x H, row-major) | b_ih (H) | b_hh (H)
//   | W_o (D x H, row-major) | b_o (D)
// Initialisation as torch.nn.RNN: every entry, the readout's included, from
// U(-1/sqrt(H), 1/sqrt(H)) (nn.Linear(H, D) has the same bound, fan_in = H),
// drawn in flat-vector order from core::Rng(seed, index, init_weights).
//
// Batch = columns (state_dim x batch). Gradients are exact, by backprop
// through time; the workspaces are members and keep their storage between
// calls of the same shape, so training loops do not allocate.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

#include "dynlearn/models/window_model.hpp"

namespace dynlearn::models {

class Rnn final : public WindowModel {
 public:
  using RowMajorMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

  /// Parameters start at zero (the no-motion model): call initialize.
  /// Throws InputError unless both sizes are positive.
  Rnn(Eigen::Index state_dim, Eigen::Index hidden);

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
  /// Fills states_ and hidden_states_ for `steps` steps from x0.
  void forward(const Eigen::Ref<const Eigen::MatrixXd>& x0, Eigen::Index steps);
  Eigen::Map<const RowMajorMatrix> matrix(Eigen::Index offset, Eigen::Index rows,
                                          Eigen::Index cols) const;

  Eigen::Index state_dim_;
  Eigen::Index hidden_;
  // Offsets in params_.
  Eigen::Index w_ih_, w_hh_, b_ih_, b_hh_, w_out_, b_out_;
  Eigen::VectorXd params_;

  // Workspace; step k of a batch of B is columns [k B, (k+1) B).
  Eigen::VectorXd bias_sum_;                // b_ih + b_hh
  Eigen::VectorXd bias_gradient_;           // H
  Eigen::MatrixXd states_;                  // D x (T+1)B: x̂_0..x̂_T
  Eigen::MatrixXd hidden_states_;           // H x (T+1)B: h_0 = 0, h_1..h_T
  Eigen::MatrixXd tanh_derivative_;         // H x TB: 1 - h_{k+1}²
  Eigen::MatrixXd pre_activation_;          // H x B
  Eigen::MatrixXd state_adjoint_;           // D x TB: dL/dx̂_{k+1} (total)
  Eigen::MatrixXd pre_adjoint_;             // H x TB: dL/d(pre-activation of h_{k+1})
  Eigen::MatrixXd running_state_adjoint_;   // D x B
  Eigen::MatrixXd hidden_adjoint_;          // H x B
  Eigen::MatrixXd carried_hidden_adjoint_;  // H x B: W_hhᵀ times the later step's
};

}  // namespace dynlearn::models
