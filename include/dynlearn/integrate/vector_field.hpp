// The abstract batched vector field x' = f(x; θ) that the steppers integrate and
// backpropagate through; models (O-NET, H-NET, ...) implement it. It lives in
// integrate because integrate sits above models in the layer order.
#pragma once

#include <Eigen/Core>
#include <memory>

namespace dynlearn::integrate {

/// What one evaluation of a field records for its VJP. Steppers keep one tape
/// per evaluation (per stage per step), so several evaluations can be
/// backpropagated in any order after the forward pass. Fields derive from it to
/// store their own intermediates.
class FieldTape {
 public:
  virtual ~FieldTape() = default;

  // Buffers of the default split view (VectorField::evaluate_dq, ...), which
  // goes through the full field: kept here so it does not allocate per call.
  Eigen::MatrixXd split_state;     // [q; p]
  Eigen::MatrixXd split_rate;      // f([q; p])
  Eigen::MatrixXd split_upstream;  // upstream padded with zeros to state_dim rows
  Eigen::MatrixXd split_adjoint;   // adjoint of [q; p]
};

/// A batched vector field: states are the columns of a state_dim() x batch
/// matrix, θ is one flat vector of num_parameters() entries owned by the field.
///
/// Contract: vjp(tape) uses the evaluation last recorded in `tape` and may be
/// called any number of times after it (each call adds to the gradient).
/// Changing the parameters invalidates every tape.
class VectorField {
 public:
  virtual ~VectorField() = default;

  virtual Eigen::Index state_dim() const = 0;
  virtual Eigen::Index num_parameters() const = 0;
  /// θ as one flat vector (a copy).
  virtual Eigen::VectorXd parameters() const = 0;
  /// Sets θ from a num_parameters() long vector.
  virtual void set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) = 0;

  /// A fresh tape for this field's evaluations.
  virtual std::unique_ptr<FieldTape> make_tape() const = 0;

  /// out = f(x) (both state_dim x batch); records in `tape` what vjp needs.
  virtual void evaluate(const Eigen::Ref<const Eigen::MatrixXd>& x, Eigen::Ref<Eigen::MatrixXd> out,
                        FieldTape& tape) const = 0;
  /// After evaluate on `tape`: x_adjoint = Gᵀ ∂f/∂x (overwritten), and
  /// Gᵀ ∂f/∂θ summed over the batch is added to `parameter_gradient`.
  virtual void vjp(const Eigen::Ref<const Eigen::MatrixXd>& upstream,
                   Eigen::Ref<Eigen::MatrixXd> x_adjoint,
                   Eigen::Ref<Eigen::VectorXd> parameter_gradient, FieldTape& tape) const = 0;

  // ---- split view for leapfrog: x = [q; p], q the first half ----------------

  /// True when dq/dt depends on p only and dp/dt on q only (separable
  /// Hamiltonian): leapfrog is then symplectic, and may reuse the kick at the
  /// end of a step as the kick at the start of the next.
  virtual bool separable() const { return false; }

  /// out = dq/dt at (q, p) (half x batch). Default: the first half of f.
  virtual void evaluate_dq(const Eigen::Ref<const Eigen::MatrixXd>& q,
                           const Eigen::Ref<const Eigen::MatrixXd>& p,
                           Eigen::Ref<Eigen::MatrixXd> out, FieldTape& tape) const;
  /// out = dp/dt at (q, p). Default: the second half of f.
  virtual void evaluate_dp(const Eigen::Ref<const Eigen::MatrixXd>& q,
                           const Eigen::Ref<const Eigen::MatrixXd>& p,
                           Eigen::Ref<Eigen::MatrixXd> out, FieldTape& tape) const;
  /// After evaluate_dq: q_adjoint, p_adjoint = Gᵀ ∂(dq/dt)/∂(q, p) (overwritten),
  /// and the parameter gradient is accumulated.
  virtual void vjp_dq(const Eigen::Ref<const Eigen::MatrixXd>& upstream,
                      Eigen::Ref<Eigen::MatrixXd> q_adjoint, Eigen::Ref<Eigen::MatrixXd> p_adjoint,
                      Eigen::Ref<Eigen::VectorXd> parameter_gradient, FieldTape& tape) const;
  /// After evaluate_dp: the same for dp/dt.
  virtual void vjp_dp(const Eigen::Ref<const Eigen::MatrixXd>& upstream,
                      Eigen::Ref<Eigen::MatrixXd> q_adjoint, Eigen::Ref<Eigen::MatrixXd> p_adjoint,
                      Eigen::Ref<Eigen::VectorXd> parameter_gradient, FieldTape& tape) const;

  /// state_dim() / 2; throws if state_dim() is odd.
  Eigen::Index half_dim() const;

 private:
  void split_evaluate(const Eigen::Ref<const Eigen::MatrixXd>& q,
                      const Eigen::Ref<const Eigen::MatrixXd>& p, Eigen::Ref<Eigen::MatrixXd> out,
                      bool positions, FieldTape& tape) const;
  void split_vjp(const Eigen::Ref<const Eigen::MatrixXd>& upstream,
                 Eigen::Ref<Eigen::MatrixXd> q_adjoint, Eigen::Ref<Eigen::MatrixXd> p_adjoint,
                 Eigen::Ref<Eigen::VectorXd> parameter_gradient, bool positions,
                 FieldTape& tape) const;
};

}  // namespace dynlearn::integrate
