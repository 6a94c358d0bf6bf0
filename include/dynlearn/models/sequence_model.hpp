// What the sequence-model baselines of SRNN's tables (models::Rnn,
// models::Lstm) have in common, so that each of them says only what its
// recurrent cell does: the flat parameter layout, PyTorch's initialisation,
// the autoregressive forecast with a residual readout, the squared-error loss
// and backprop through time around the cell.
//
// Every step, for a cell with G gates of H rows each (G = 1 for the RNN,
// 4 for the LSTM):
//       h_0 = 0,   x̂_0 = x0,
//       a_k = W_ih x̂_k + b_ih + W_hh h_k + b_hh        (GH rows)
//       h_{k+1} = the cell's function of a_k (and of its own state, if any)
//       x̂_{k+1} = x̂_k + W_o h_{k+1} + b_o
// Parameter layout (one flat vector; D = state_dim), as
// torch.nn.utils.parameters_to_vector of (nn.RNN or nn.LSTM(D, H), nn.Linear(H, D)):
//   W_ih (GH x D, row-major) | W_hh (GH x H, row-major) | b_ih (GH) | b_hh (GH)
//   | W_o (D x H, row-major) | b_o (D)
//
// Batch = columns (state_dim x batch); step k of a batch of B is columns
// [k B, (k+1) B) of every workspace. The workspaces are members and keep their
// storage between calls of the same shape, so training loops do not allocate.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <string>
#include <vector>

#include "dynlearn/models/window_model.hpp"

namespace dynlearn::models {

class SequenceModel : public WindowModel {
 public:
  using RowMajorMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

  Eigen::Index state_dim() const { return state_dim_; }
  Eigen::Index hidden_size() const { return hidden_; }
  /// Offset of W_o in the flat vector; W_o and b_o fill the rest of it.
  Eigen::Index readout_offset() const { return w_out_; }

  /// PyTorch's init: every entry, the readout's included, from
  /// U(-1/sqrt(H), 1/sqrt(H)) (nn.Linear(H, D) has the same bound, fan_in = H),
  /// drawn in flat-vector order from core::Rng(seed, index, init_weights);
  /// `index` tells apart models initialised from the same seed.
  void initialize(std::uint64_t seed, std::uint64_t index = 0);

  Eigen::Index num_parameters() const override { return params_.size(); }
  Eigen::VectorXd parameters() const override { return params_; }
  void set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) override;

  /// Sum of squared errors of x̂_1..x̂_T against targets[0..T-1]; dt is ignored
  /// (a sequence model has one fixed step, the spacing of its training data).
  WindowLoss loss(const Eigen::Ref<const Eigen::MatrixXd>& x0,
                  const std::vector<Eigen::MatrixXd>& targets, double dt,
                  Eigen::Ref<Eigen::VectorXd> parameter_gradient, bool want_x0_gradient) override;

  /// x̂_0..x̂_steps; dt is ignored.
  std::vector<Eigen::MatrixXd> predict(const Eigen::Ref<const Eigen::MatrixXd>& x0, double dt,
                                       int steps) override;

 protected:
  /// Parameters start at zero (the no-motion model). `name` starts every
  /// error message; `gates` is G. Throws InputError unless both sizes are
  /// positive.
  SequenceModel(std::string name, Eigen::Index state_dim, Eigen::Index hidden, Eigen::Index gates);

  /// Sizes the cell's own workspace for `steps` steps of `batch` columns and
  /// sets the cell's state before step 0.
  virtual void start_forward(Eigen::Index steps, Eigen::Index batch) = 0;
  /// h_{k+1} from the pre-activations a_k (GH x B), keeping what
  /// cell_backward needs of step k.
  virtual void cell_forward(Eigen::Index k, const Eigen::MatrixXd& pre_activation,
                            Eigen::Ref<Eigen::MatrixXd> next_hidden) = 0;
  /// Sizes the cell's own adjoint workspace for `batch` columns.
  virtual void start_backward(Eigen::Index batch) { (void)batch; }
  /// dL/da_k from dL/dh_{k+1} (all of it: readout and later steps). Called
  /// for k = T-1 down to 0; `has_later_step` is false on the first call, when
  /// nothing the cell carries between steps has arrived from step k+1 yet.
  virtual void cell_backward(Eigen::Index k, bool has_later_step,
                             const Eigen::MatrixXd& hidden_adjoint,
                             Eigen::Ref<Eigen::MatrixXd> pre_adjoint) = 0;

 private:
  /// Fills states_ and hidden_states_ (and the cell's workspace) for `steps`
  /// steps from x0.
  void forward(const Eigen::Ref<const Eigen::MatrixXd>& x0, Eigen::Index steps);
  Eigen::Map<const RowMajorMatrix> matrix(Eigen::Index offset, Eigen::Index rows,
                                          Eigen::Index cols) const;

  std::string name_;
  Eigen::Index state_dim_;
  Eigen::Index hidden_;
  Eigen::Index gate_rows_;  // GH
  // Offsets in params_.
  Eigen::Index w_ih_, w_hh_, b_ih_, b_hh_, w_out_, b_out_;
  Eigen::VectorXd params_;

  // Workspace.
  Eigen::VectorXd bias_sum_;                // GH: b_ih + b_hh
  Eigen::VectorXd bias_gradient_;           // GH
  Eigen::MatrixXd states_;                  // D x (T+1)B: x̂_0..x̂_T
  Eigen::MatrixXd hidden_states_;           // H x (T+1)B: h_0 = 0, h_1..h_T
  Eigen::MatrixXd pre_activation_;          // GH x B
  Eigen::MatrixXd state_adjoint_;           // D x TB: dL/dx̂_{k+1} (total)
  Eigen::MatrixXd pre_adjoint_;             // GH x TB: dL/da_k
  Eigen::MatrixXd running_state_adjoint_;   // D x B
  Eigen::MatrixXd hidden_adjoint_;          // H x B
  Eigen::MatrixXd carried_hidden_adjoint_;  // H x B: W_hhᵀ times the later step's
};

}  // namespace dynlearn::models
