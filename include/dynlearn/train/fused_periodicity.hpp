// The isochronism loss of the paper's own model, fused into one kernel:
// x'' = f(x) with f a 1 -> H -> 1 tanh network g (optionally pinned,
// f(x) = g(x) - g(x_eq), or odd, f(x) = (g(x) - g(-x)) / 2), integrated over [0, T] by classical
// RK4 and backpropagated through it. The generic path (periodicity_loss through
// integrate::RungeKutta and nn::Mlp) pays Eigen's matrix-product set-up for
// 16 x 1 by 1 x n products and a tape per stage; here a stage is two short
// loops over the hidden units per point and one vectorised exp over the
// shard, and the backward pass reuses the stored tanh values.
#pragma once

#include <Eigen/Core>
#include <vector>

#include "dynlearn/integrate/vector_field.hpp"
#include "dynlearn/models/second_order_net.hpp"
#include "dynlearn/train/isochronism.hpp"

namespace dynlearn::train {

/// periodicity_loss for a SecondOrderNet of dimension 1 with one tanh hidden
/// layer (both layers with bias) and RK4 with fixed steps. Same operations
/// as RungeKutta's stages (y_i = x + Σ_j (h a_ij) k_j, x' = x + Σ_i (h b_i) k_i);
/// only the network's sums are in a different order, so values agree with
/// the generic path to rounding (~1e-15 relative). A point's values do not
/// depend on the other points of its batch (every unit takes the same
/// vectorised exp); its gradient terms are summed in column order.
class FusedPeriodicity {
 public:
  /// Whether `field` with `options` is the case this kernel computes.
  static bool applies(const integrate::VectorField& field, const PeriodicityOptions& options);

  /// `field` must satisfy applies(); it is read (parameters, equilibrium) at
  /// every loss() call, so it may change between calls. Throws InputError
  /// otherwise.
  FusedPeriodicity(const integrate::VectorField& field, const PeriodicityOptions& options);

  /// weight * Σ_i ||X_i(T) - X_i(0)||² over the columns of x0 (2 x n), and its
  /// θ-gradient added to `gradient` (summed over points in column order).
  double loss(const Eigen::Ref<const Eigen::MatrixXd>& x0, double weight,
              Eigen::Ref<Eigen::VectorXd> gradient);

 private:
  /// g(q) - shift at the m positions q into g, storing tanh of the hidden
  /// units in a (H x m, point-major).
  void network(const double* q, double* g, double* a, Eigen::Index m);
  /// f at the n positions q into f, storing the hidden tanh values in a
  /// (H x n; odd force: H x 2n, the points then their mirror images).
  void force(const double* q, double* f, double* a, Eigen::Index n);
  /// Backward of one stage: upstream gv (n) of f at positions q with stored
  /// a; writes Jᵀ gv into q_adjoint and adds the θ-gradient into the
  /// accumulators.
  void force_vjp(const double* gv, const double* q, const double* a, double* q_adjoint,
                 Eigen::Index n);
  /// network()'s backward: Jᵀ gv of g at the m positions q with stored a.
  void network_vjp(const double* gv, const double* q, const double* a, double* q_adjoint,
                   Eigen::Index m);

  const models::SecondOrderNet& net_;
  double period_;
  int steps_;
  Eigen::Index hidden_;
  // Parameters of the current loss() call (copied from the network; w1_ and
  // b1_ doubled, since tanh is computed from exp(2z)).
  Eigen::VectorXd w1_, b1_, w2_;
  double b2_ = 0.0, pinned_value_ = 0.0;
  bool odd_ = false;  // f(x) = (g(x) - g(-x)) / 2
  // Odd force: the positions [q, -q], their g or upstream, and adjoints (2n).
  std::vector<double> mirrored_, mirrored_values_, mirrored_adjoint_;
  // Gradient accumulators of one loss() call: W1, b1, W2 (H each), b2.
  Eigen::VectorXd gw1_, gb1_, gw2_;
  double gb2_ = 0.0;
  // Tape: per step and stage, the positions (n) and tanh values (H x n, or
  // H x 2n for the odd force).
  std::vector<double> positions_, activations_;
  Eigen::ArrayXd scratch_;  // 2z then exp(2z), H x n padded to whole packets
  Eigen::VectorXd delta_;   // H: dL/dz of one point
};

}  // namespace dynlearn::train
