// Leapfrog rollouts and their reverse sweep, kick by drift by kick.
#include "dynlearn/integrate/leapfrog.hpp"

#include <utility>

namespace dynlearn::integrate {

using Eigen::Index;
using Eigen::MatrixXd;

namespace {

// The q and p halves of a state's columns (2n x batch) against whole n x
// batch matrices. Plain loops: Eigen moves a block of a few rows column by
// column with set-up costs that exceed the copy at n = 5.
void store_halves(const MatrixXd& q, const MatrixXd& p, MatrixXd& state) {
  const Index half = q.rows();
  for (Index j = 0; j < q.cols(); ++j) {
    double* s = state.data() + j * 2 * half;
    const double* qj = q.data() + j * half;
    const double* pj = p.data() + j * half;
    for (Index i = 0; i < half; ++i) s[i] = qj[i];
    for (Index i = 0; i < half; ++i) s[half + i] = pj[i];
  }
}

void add_halves(const MatrixXd& state, MatrixXd& q, MatrixXd& p) {
  const Index half = q.rows();
  for (Index j = 0; j < q.cols(); ++j) {
    const double* s = state.data() + j * 2 * half;
    double* qj = q.data() + j * half;
    double* pj = p.data() + j * half;
    for (Index i = 0; i < half; ++i) qj[i] += s[i];
    for (Index i = 0; i < half; ++i) pj[i] += s[half + i];
  }
}

}  // namespace

Leapfrog::Leapfrog(StepperOptions options) : Stepper(options) {}

Leapfrog::~Leapfrog() = default;

std::vector<double> Leapfrog::step_sizes() const {
  return std::vector<double>(static_cast<std::size_t>(total_steps_), h_);
}

FieldTape& Leapfrog::tape(std::vector<std::unique_ptr<FieldTape>>& tapes, std::size_t index,
                          const VectorField& field) {
  if (index >= tapes.size()) tapes.resize(index + 1);
  if (!tapes[index]) tapes[index] = field.make_tape();
  return *tapes[index];
}

void Leapfrog::forward(const VectorField& field, double dt, int n_steps) {
  const Index half = field.half_dim();
  if (tape_field_ != &field) {
    // Tapes are typed by the field that made them.
    kick_tapes_.clear();
    drift_tapes_.clear();
    tape_field_ = &field;
  }
  const int substeps = options_.substeps;
  separable_ = field.separable();
  total_steps_ = n_steps * substeps;
  h_ = dt / substeps;
  evaluations_ = 0;
  const double h = h_;
  q_ = states_[0].topRows(half);
  p_ = states_[0].bottomRows(half);
  kick_rate_.resize(half, q_.cols());
  drift_rate_.resize(half, q_.cols());
  if (separable_ && total_steps_ > 0) {
    field.evaluate_dp(q_, p_, kick_rate_, tape(kick_tapes_, 0, field));
    ++evaluations_;
  }
  for (int s = 0; s < total_steps_; ++s) {
    const auto step = static_cast<std::size_t>(s);
    if (!separable_) {
      field.evaluate_dp(q_, p_, kick_rate_, tape(kick_tapes_, 2 * step, field));
      ++evaluations_;
    }
    p_.noalias() += (0.5 * h) * kick_rate_;
    field.evaluate_dq(q_, p_, drift_rate_, tape(drift_tapes_, step, field));
    q_.noalias() += h * drift_rate_;
    field.evaluate_dp(q_, p_, kick_rate_,
                      tape(kick_tapes_, separable_ ? step + 1 : 2 * step + 1, field));
    p_.noalias() += (0.5 * h) * kick_rate_;
    evaluations_ += 2;
    if ((s + 1) % substeps == 0) {
      MatrixXd& state = states_[static_cast<std::size_t>((s + 1) / substeps)];
      store_halves(q_, p_, state);
      require_finite(state, (s + 1) * h);
    }
  }
}

void Leapfrog::backward(const VectorField& field, const std::vector<MatrixXd>& upstream,
                        Eigen::Ref<Eigen::VectorXd> parameter_gradient) {
  const Index half = field.half_dim();
  const Index batch = states_[0].cols();
  const int substeps = options_.substeps;
  const double h = h_;
  q_adjoint_.setZero(half, batch);
  p_adjoint_.setZero(half, batch);
  q_part_.resize(half, batch);
  p_part_.resize(half, batch);
  const auto inject = [&](int output) {
    const MatrixXd& g = upstream[static_cast<std::size_t>(output)];
    if (g.size() == 0) return;
    add_halves(g, q_adjoint_, p_adjoint_);
  };
  // Separable: the opening kick of step s + 1 shares its tape with the closing
  // kick of step s, so its upstream waits here and both go through one VJP.
  pending_kick_.setZero(half, batch);
  for (int s = total_steps_ - 1; s >= 0; --s) {
    const auto step = static_cast<std::size_t>(s);
    if ((s + 1) % substeps == 0) inject((s + 1) / substeps);
    // Closing kick p' = p½ + h/2 ṗ(q', p½); p_adjoint_ becomes that of p½.
    if (separable_) {
      scaled_ = pending_kick_;
      scaled_.noalias() += (0.5 * h) * p_adjoint_;
      field.vjp_dp(scaled_, q_part_, p_part_, parameter_gradient, *kick_tapes_[step + 1]);
    } else {
      scaled_ = (0.5 * h) * p_adjoint_;
      field.vjp_dp(scaled_, q_part_, p_part_, parameter_gradient, *kick_tapes_[2 * step + 1]);
    }
    q_adjoint_ += q_part_;
    p_adjoint_ += p_part_;
    // Drift q' = q + h q̇(q, p½).
    scaled_ = h * q_adjoint_;
    field.vjp_dq(scaled_, q_part_, p_part_, parameter_gradient, *drift_tapes_[step]);
    q_adjoint_ += q_part_;
    p_adjoint_ += p_part_;
    // Opening kick p½ = p + h/2 ṗ(q, p).
    if (separable_) {
      pending_kick_ = (0.5 * h) * p_adjoint_;
    } else {
      scaled_ = (0.5 * h) * p_adjoint_;
      field.vjp_dp(scaled_, q_part_, p_part_, parameter_gradient, *kick_tapes_[2 * step]);
      q_adjoint_ += q_part_;
      p_adjoint_ += p_part_;
    }
  }
  if (separable_ && total_steps_ > 0) {
    field.vjp_dp(pending_kick_, q_part_, p_part_, parameter_gradient, *kick_tapes_[0]);
    q_adjoint_ += q_part_;
    p_adjoint_ += p_part_;
  }
  inject(0);
  adjoint_.resize(2 * half, batch);
  adjoint_.topRows(half) = q_adjoint_;
  adjoint_.bottomRows(half) = p_adjoint_;
}

}  // namespace dynlearn::integrate
