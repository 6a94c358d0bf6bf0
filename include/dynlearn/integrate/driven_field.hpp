// The batched vector field of an input-driven system, x' = f(x, u; θ), with a
// known input u(t) (SNet's vehicle and multi-agent surrogates). The spectral
// methods evaluate it at collocation nodes, the backprop and adjoint baselines
// through a stepper; both need the same VJP.
#pragma once

#include <Eigen/Core>
#include <memory>

#include "dynlearn/integrate/vector_field.hpp"

namespace dynlearn::integrate {

/// Columns are samples: x is state_dim x batch, u is input_dim x batch.
/// Same tape contract as VectorField: vjp uses the evaluation last recorded
/// in `tape`, may be called repeatedly, and adds to `parameter_gradient`.
class DrivenField {
 public:
  virtual ~DrivenField() = default;

  virtual Eigen::Index state_dim() const = 0;
  virtual Eigen::Index input_dim() const = 0;
  virtual Eigen::Index num_parameters() const = 0;
  virtual Eigen::VectorXd parameters() const = 0;
  virtual void set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) = 0;
  virtual std::unique_ptr<FieldTape> make_tape() const = 0;

  /// out = f(x, u); records in `tape` what vjp needs.
  virtual void evaluate(const Eigen::Ref<const Eigen::MatrixXd>& x,
                        const Eigen::Ref<const Eigen::MatrixXd>& u, Eigen::Ref<Eigen::MatrixXd> out,
                        FieldTape& tape) const = 0;
  /// x_adjoint = Gᵀ ∂f/∂x (overwritten); Gᵀ ∂f/∂θ summed over the batch is
  /// added to parameter_gradient. The input is data: it has no adjoint.
  virtual void vjp(const Eigen::Ref<const Eigen::MatrixXd>& upstream,
                   Eigen::Ref<Eigen::MatrixXd> x_adjoint,
                   Eigen::Ref<Eigen::VectorXd> parameter_gradient, FieldTape& tape) const = 0;
  /// Gᵀ ∂f/∂θ summed over the batch added to parameter_gradient, the same
  /// bits as vjp's, without the x adjoint: for callers that hold x fixed
  /// (δ-SNet). The default calls vjp with a scratch adjoint; fields override
  /// it to skip that work.
  virtual void parameter_vjp(const Eigen::Ref<const Eigen::MatrixXd>& upstream,
                             Eigen::Ref<Eigen::VectorXd> parameter_gradient,
                             FieldTape& tape) const {
    Eigen::MatrixXd x_adjoint(state_dim(), upstream.cols());
    vjp(upstream, x_adjoint, parameter_gradient, tape);
  }
  /// A fit's residual r = target - f(x, u) (δ-SNet's collocation residual,
  /// target = D x): returns |r|² summed over the batch and adds the
  /// parameter_vjp of the upstream -scale r to parameter_gradient, recording
  /// in `tape` as evaluate does. The default evaluates, then calls
  /// parameter_vjp (the same bits as doing so by hand); fields override it
  /// to do both in one pass over the columns.
  virtual double residual_parameter_gradient(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                             const Eigen::Ref<const Eigen::MatrixXd>& u,
                                             const Eigen::Ref<const Eigen::MatrixXd>& target,
                                             double scale,
                                             Eigen::Ref<Eigen::VectorXd> parameter_gradient,
                                             FieldTape& tape) const {
    Eigen::MatrixXd f(state_dim(), x.cols());
    evaluate(x, u, f, tape);
    const double squares = (target - f).squaredNorm();
    const Eigen::MatrixXd upstream = -scale * (target - f);
    parameter_vjp(upstream, parameter_gradient, tape);
    return squares;
  }
};

}  // namespace dynlearn::integrate
