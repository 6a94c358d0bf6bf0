// Default split view of a vector field: dq/dt and dp/dt as halves of the full
// field, for fields that have no cheaper way to evaluate one half.
#include "dynlearn/integrate/vector_field.hpp"

#include <string>

#include "dynlearn/core/error.hpp"

namespace dynlearn::integrate {

using Eigen::Index;
using Eigen::MatrixXd;

Index VectorField::half_dim() const {
  const Index dim = state_dim();
  if (dim % 2 != 0) {
    throw InputError("a split (q, p) view needs an even state dimension, got " +
                     std::to_string(dim));
  }
  return dim / 2;
}

void VectorField::split_evaluate(const Eigen::Ref<const MatrixXd>& q,
                                 const Eigen::Ref<const MatrixXd>& p, Eigen::Ref<MatrixXd> out,
                                 bool positions, FieldTape& tape) const {
  const Index half = half_dim();
  tape.split_state.resize(2 * half, q.cols());
  tape.split_state.topRows(half) = q;
  tape.split_state.bottomRows(half) = p;
  tape.split_rate.resize(2 * half, q.cols());
  evaluate(tape.split_state, tape.split_rate, tape);
  out = positions ? tape.split_rate.topRows(half) : tape.split_rate.bottomRows(half);
}

void VectorField::split_vjp(const Eigen::Ref<const MatrixXd>& upstream,
                            Eigen::Ref<MatrixXd> q_adjoint, Eigen::Ref<MatrixXd> p_adjoint,
                            Eigen::Ref<Eigen::VectorXd> parameter_gradient, bool positions,
                            FieldTape& tape) const {
  const Index half = half_dim();
  tape.split_upstream.resize(2 * half, upstream.cols());
  tape.split_upstream.setZero();
  if (positions) {
    tape.split_upstream.topRows(half) = upstream;
  } else {
    tape.split_upstream.bottomRows(half) = upstream;
  }
  tape.split_adjoint.resize(2 * half, upstream.cols());
  vjp(tape.split_upstream, tape.split_adjoint, parameter_gradient, tape);
  q_adjoint = tape.split_adjoint.topRows(half);
  p_adjoint = tape.split_adjoint.bottomRows(half);
}

void VectorField::evaluate_dq(const Eigen::Ref<const MatrixXd>& q,
                              const Eigen::Ref<const MatrixXd>& p, Eigen::Ref<MatrixXd> out,
                              FieldTape& tape) const {
  split_evaluate(q, p, out, true, tape);
}

void VectorField::evaluate_dp(const Eigen::Ref<const MatrixXd>& q,
                              const Eigen::Ref<const MatrixXd>& p, Eigen::Ref<MatrixXd> out,
                              FieldTape& tape) const {
  split_evaluate(q, p, out, false, tape);
}

void VectorField::vjp_dq(const Eigen::Ref<const MatrixXd>& upstream, Eigen::Ref<MatrixXd> q_adjoint,
                         Eigen::Ref<MatrixXd> p_adjoint,
                         Eigen::Ref<Eigen::VectorXd> parameter_gradient, FieldTape& tape) const {
  split_vjp(upstream, q_adjoint, p_adjoint, parameter_gradient, true, tape);
}

void VectorField::vjp_dp(const Eigen::Ref<const MatrixXd>& upstream, Eigen::Ref<MatrixXd> q_adjoint,
                         Eigen::Ref<MatrixXd> p_adjoint,
                         Eigen::Ref<Eigen::VectorXd> parameter_gradient, FieldTape& tape) const {
  split_vjp(upstream, q_adjoint, p_adjoint, parameter_gradient, false, tape);
}

}  // namespace dynlearn::integrate
