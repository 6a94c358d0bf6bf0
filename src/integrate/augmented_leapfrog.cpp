#include "dynlearn/integrate/augmented_leapfrog.hpp"

#include <string>

#include "dynlearn/core/error.hpp"

namespace dynlearn::integrate {

using Eigen::Index;
using Eigen::MatrixXd;

MatrixXd reflect(const Eigen::Ref<const MatrixXd>& p, const Eigen::Ref<const MatrixXd>& n) {
  const Eigen::RowVectorXd dot = (p.array() * n.array()).colwise().sum().matrix();
  MatrixXd out = p;
  out.array() -= 2.0 * (n.array().rowwise() * dot.array());
  return out;
}

/// One kick-drift-kick leapfrog step with a step size per column, recorded
/// for its adjoint (step sizes included, since α moves them).
struct AugmentedLeapfrog::Substep {
  std::unique_ptr<FieldTape> kick0, drift, kick1;
  MatrixXd q0, p0, rate0, p_half, drift_rate, q1, rate1, p1;
  Eigen::RowVectorXd h;

  void ensure_tapes(const VectorField& field, bool fresh) {
    if (fresh || !kick0) {
      kick0 = field.make_tape();
      drift = field.make_tape();
      kick1 = field.make_tape();
    }
  }

  void forward(const VectorField& field, const Eigen::Ref<const MatrixXd>& q,
               const Eigen::Ref<const MatrixXd>& p, const Eigen::RowVectorXd& step) {
    h = step;
    q0 = q;
    p0 = p;
    rate0.resize(q.rows(), q.cols());
    field.evaluate_dp(q0, p0, rate0, *kick0);
    p_half = p0;
    p_half.array() += rate0.array().rowwise() * (0.5 * h.array());
    drift_rate.resize(q.rows(), q.cols());
    field.evaluate_dq(q0, p_half, drift_rate, *drift);
    q1 = q0;
    q1.array() += drift_rate.array().rowwise() * h.array();
    rate1.resize(q.rows(), q.cols());
    field.evaluate_dp(q1, p_half, rate1, *kick1);
    p1 = p_half;
    p1.array() += rate1.array().rowwise() * (0.5 * h.array());
  }

  /// Given dL/dq1, dL/dp1: sets dL/dq0, dL/dp0, dL/dh and accumulates dL/dθ.
  void backward(const VectorField& field, const MatrixXd& q1_adjoint, const MatrixXd& p1_adjoint,
                MatrixXd& q0_adjoint, MatrixXd& p0_adjoint, Eigen::RowVectorXd& h_adjoint,
                Eigen::Ref<Eigen::VectorXd> parameter_gradient) const {
    const Index rows = q0.rows(), cols = q0.cols();
    MatrixXd tq(rows, cols), tp(rows, cols), scaled(rows, cols);
    // p1 = p½ + h/2 ṗ(q1, p½)
    MatrixXd p_half_adjoint = p1_adjoint;
    MatrixXd q_adjoint = q1_adjoint;
    h_adjoint = 0.5 * (p1_adjoint.array() * rate1.array()).colwise().sum().matrix();
    scaled = (p1_adjoint.array().rowwise() * (0.5 * h.array())).matrix();
    field.vjp_dp(scaled, tq, tp, parameter_gradient, *kick1);
    q_adjoint += tq;
    p_half_adjoint += tp;
    // q1 = q0 + h q̇(q0, p½)
    h_adjoint += (q_adjoint.array() * drift_rate.array()).colwise().sum().matrix();
    scaled = (q_adjoint.array().rowwise() * h.array()).matrix();
    field.vjp_dq(scaled, tq, tp, parameter_gradient, *drift);
    q_adjoint += tq;
    p_half_adjoint += tp;
    // p½ = p0 + h/2 ṗ(q0, p0)
    h_adjoint += 0.5 * (p_half_adjoint.array() * rate0.array()).colwise().sum().matrix();
    scaled = (p_half_adjoint.array().rowwise() * (0.5 * h.array())).matrix();
    field.vjp_dp(scaled, tq, tp, parameter_gradient, *kick0);
    q0_adjoint = q_adjoint + tq;
    p0_adjoint = p_half_adjoint + tp;
  }
};

/// Tentative step, rebound evaluation, and the split step around the rebound.
struct AugmentedLeapfrog::Step {
  Substep tentative, before, after;
  std::unique_ptr<ReboundTape> rebound_tape;
  MatrixXd n, alpha, penalty, p_pre, p_post;
};

AugmentedLeapfrog::AugmentedLeapfrog() = default;
AugmentedLeapfrog::~AugmentedLeapfrog() = default;

const MatrixXd& AugmentedLeapfrog::alpha(int step) const {
  if (step < 0 || step >= n_steps_)
    throw InputError("AugmentedLeapfrog::alpha: no step " + std::to_string(step));
  return steps_[step]->alpha;
}

const MatrixXd& AugmentedLeapfrog::normal(int step) const {
  if (step < 0 || step >= n_steps_)
    throw InputError("AugmentedLeapfrog::normal: no step " + std::to_string(step));
  return steps_[step]->n;
}

const std::vector<MatrixXd>& AugmentedLeapfrog::rollout(const VectorField& field,
                                                        const ReboundOperator& rebound,
                                                        const Eigen::Ref<const MatrixXd>& x0,
                                                        double dt, int n_steps) {
  if (n_steps < 0) throw InputError("AugmentedLeapfrog: negative number of steps");
  if (x0.rows() != field.state_dim())
    throw InputError("AugmentedLeapfrog: the state has " + std::to_string(x0.rows()) +
                     " rows, the field " + std::to_string(field.state_dim()));
  const Index half = field.half_dim();
  const Index batch = x0.cols();
  const bool fresh_field = field_ != &field;
  const bool fresh_rebound = rebound_ != &rebound;
  field_ = &field;
  rebound_ = &rebound;
  n_steps_ = n_steps;
  dt_ = dt;
  penalty_ = 0.0;
  while (static_cast<int>(steps_.size()) < n_steps) steps_.push_back(std::make_unique<Step>());
  states_.resize(n_steps + 1);
  states_[0] = x0;
  const Eigen::RowVectorXd full = Eigen::RowVectorXd::Constant(batch, dt);
  for (int s = 0; s < n_steps; ++s) {
    Step& st = *steps_[s];
    st.tentative.ensure_tapes(field, fresh_field);
    st.before.ensure_tapes(field, fresh_field);
    st.after.ensure_tapes(field, fresh_field);
    if (fresh_rebound || !st.rebound_tape) st.rebound_tape = rebound.make_tape();
    const MatrixXd& x = states_[s];
    st.tentative.forward(field, x.topRows(half), x.bottomRows(half), full);
    st.n.resize(half, batch);
    st.alpha.resize(1, batch);
    st.penalty.resize(1, batch);
    rebound.evaluate(x.topRows(half), st.tentative.q1, st.n, st.alpha, st.penalty,
                     *st.rebound_tape);
    penalty_ += st.penalty.sum();
    const Eigen::RowVectorXd h_before = dt * st.alpha.row(0);
    const Eigen::RowVectorXd h_after = dt * (1.0 - st.alpha.row(0).array()).matrix();
    st.before.forward(field, x.topRows(half), x.bottomRows(half), h_before);
    st.p_pre = st.before.p1;
    st.p_post = reflect(st.p_pre, st.n);
    st.after.forward(field, st.before.q1, st.p_post, h_after);
    MatrixXd& next = states_[s + 1];
    next.resize(2 * half, batch);
    next.topRows(half) = st.after.q1;
    next.bottomRows(half) = st.after.p1;
    if (!next.allFinite())
      throw NumericalError(
          "augmented leapfrog: non-finite state at t = " + std::to_string((s + 1) * dt) +
          ": lower the learning rate or the step size");
  }
  return states_;
}

const MatrixXd& AugmentedLeapfrog::rollout_vjp(const VectorField& field,
                                               const ReboundOperator& rebound,
                                               const std::vector<MatrixXd>& upstream,
                                               double penalty_adjoint,
                                               Eigen::Ref<Eigen::VectorXd> parameter_gradient) {
  if (field_ != &field || rebound_ != &rebound || n_steps_ < 0)
    throw InputError(
        "AugmentedLeapfrog::rollout_vjp: no rollout of this field and rebound operator to "
        "differentiate");
  if (static_cast<int>(upstream.size()) != n_steps_ + 1)
    throw InputError("AugmentedLeapfrog::rollout_vjp: expected " + std::to_string(n_steps_ + 1) +
                     " upstream matrices, got " + std::to_string(upstream.size()));
  const Index nf = field.num_parameters();
  if (parameter_gradient.size() != nf + rebound.num_parameters())
    throw InputError(
        "AugmentedLeapfrog::rollout_vjp: the parameter gradient must have the field's plus the "
        "rebound operator's parameters");
  Eigen::Ref<Eigen::VectorXd> field_gradient = parameter_gradient.head(nf);
  Eigen::Ref<Eigen::VectorXd> rebound_gradient = parameter_gradient.tail(rebound.num_parameters());
  const Index half = field.half_dim();
  const Index batch = states_[0].cols();
  adjoint_ = MatrixXd::Zero(2 * half, batch);
  const auto add_upstream = [&](int k) {
    if (upstream[k].size() != 0) adjoint_ += upstream[k];
  };
  add_upstream(n_steps_);
  MatrixXd qa(half, batch), pa(half, batch), q_adj(half, batch), p_adj(half, batch);
  MatrixXd rq(half, batch), rqt(half, batch);
  Eigen::RowVectorXd h_adj;
  const MatrixXd penalty_adj = MatrixXd::Constant(1, batch, penalty_adjoint);
  const MatrixXd zero_p = MatrixXd::Zero(half, batch);
  for (int s = n_steps_ - 1; s >= 0; --s) {
    const Step& st = *steps_[s];
    const MatrixXd q1_adj = adjoint_.topRows(half);
    const MatrixXd p1_adj = adjoint_.bottomRows(half);
    // After the rebound: step of (1 - α) Δt.
    st.after.backward(field, q1_adj, p1_adj, qa, pa, h_adj, field_gradient);
    MatrixXd alpha_adj = -dt_ * h_adj;
    // Reflection p_post = p_pre - 2 (p_pre·n) n: symmetric in p_pre.
    const Eigen::RowVectorXd pn = (st.p_pre.array() * st.n.array()).colwise().sum().matrix();
    const Eigen::RowVectorXd an = (pa.array() * st.n.array()).colwise().sum().matrix();
    MatrixXd n_adj =
        -2.0 *
        ((st.p_pre.array().rowwise() * an.array()) + (pa.array().rowwise() * pn.array())).matrix();
    const MatrixXd p_pre_adj = reflect(pa, st.n);
    // Before the rebound: step of α Δt.
    st.before.backward(field, qa, p_pre_adj, q_adj, p_adj, h_adj, field_gradient);
    alpha_adj += dt_ * h_adj;
    // The rebound operator, then the tentative step that fed it q̃.
    rebound.vjp(n_adj, alpha_adj, penalty_adj, rq, rqt, rebound_gradient, *st.rebound_tape);
    q_adj += rq;
    MatrixXd tq, tp;
    st.tentative.backward(field, rqt, zero_p, tq, tp, h_adj, field_gradient);
    adjoint_.topRows(half) = q_adj + tq;
    adjoint_.bottomRows(half) = p_adj + tp;
    add_upstream(s);
  }
  return adjoint_;
}

}  // namespace dynlearn::integrate
