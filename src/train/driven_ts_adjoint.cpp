// ADJ baselines through PETSc TS. The batch is one stacked state
// (entry i + n b is component i of trajectory b), so one TS integrates the
// whole batch with one step-size sequence, as the BKPR rollout does.
#include "dynlearn/train/driven_ts_adjoint.hpp"

#include <petscts.h>

#include <cmath>
#include <string>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/petsc_check.hpp"

namespace dynlearn::train {

using Eigen::Index;
using Eigen::MatrixXd;

namespace {

using ConstMap = Eigen::Map<const MatrixXd>;
using Map = Eigen::Map<MatrixXd>;

}  // namespace

struct DrivenTsAdjoint::Impl {
  DrivenScheme scheme;
  DrivenRolloutOptions options;
  const integrate::DrivenField* field = nullptr;
  std::vector<const systems::FourierInput*> inputs;
  Index n = 0, batch = 0, np = 0;
  Eigen::VectorXd t;
  std::vector<MatrixXd> states;
  std::vector<PetscInt> sample_step;
  Index next_sample = 1;
  PetscInt total_steps = 0;

  TS ts = nullptr;
  Vec x = nullptr, lambda = nullptr;
  Mat jac = nullptr;
  std::unique_ptr<integrate::FieldTape> rhs_tape, jac_tape;
  // The RK tableau's weights and the adjoint step in progress (see jac_transpose).
  std::vector<double> weights;
  PetscInt stages = 0;
  bool fsal = false;
  PetscReal adjoint_h = 0;
  PetscInt adjoint_stage = -1;
  Eigen::VectorXd mu_sum;
  MatrixXd input, adjoint;
  MatrixXd jac_values;  // f at the Jacobian's point (only its tape is used)
  Eigen::VectorXd scratch_p;

  ~Impl() { destroy(); }

  void destroy() {
    if (ts) TSDestroy(&ts);
    if (x) VecDestroy(&x);
    if (lambda) VecDestroy(&lambda);
    if (jac) MatDestroy(&jac);
  }

  void evaluate(PetscReal time, Vec state, integrate::FieldTape& tape, MatrixXd* out_matrix,
                PetscScalar* out) {
    const PetscScalar* xa;
    VecGetArrayRead(state, &xa);
    evaluate_inputs(inputs, time, input);
    if (out) {
      Map f(out, n, batch);
      field->evaluate(ConstMap(xa, n, batch), input, f, tape);
    } else {
      out_matrix->resize(n, batch);
      field->evaluate(ConstMap(xa, n, batch), input, *out_matrix, tape);
    }
    VecRestoreArrayRead(state, &xa);
  }

  static PetscErrorCode rhs(TS, PetscReal time, Vec state, Vec f, void* ctx) {
    auto* m = static_cast<Impl*>(ctx);
    PetscScalar* fa;
    PetscFunctionBeginUser;
    PetscCall(VecGetArray(f, &fa));
    m->evaluate(time, state, *m->rhs_tape, nullptr, fa);
    PetscCall(VecRestoreArray(f, &fa));
    PetscFunctionReturn(0);
  }

  // The Jacobian callbacks only record the evaluation point in a tape; the
  // shells' transpose products are the VJPs at that point.
  static PetscErrorCode jacobian(TS, PetscReal time, Vec state, Mat, Mat, void* ctx) {
    auto* m = static_cast<Impl*>(ctx);
    PetscFunctionBeginUser;
    m->evaluate(time, state, *m->jac_tape, &m->jac_values, nullptr);
    PetscFunctionReturn(0);
  }

  static PetscErrorCode jac_transpose(Mat a, Vec v, Vec y) {
    Impl* m;
    const PetscScalar* va;
    PetscScalar* ya;
    PetscFunctionBeginUser;
    PetscCall(MatShellGetContext(a, &m));
    PetscCall(VecGetArrayRead(v, &va));
    PetscCall(VecGetArray(y, &ya));
    Map out(ya, m->n, m->batch);
    m->scratch_p.setZero(m->np);
    m->field->vjp(ConstMap(va, m->n, m->batch), out, m->scratch_p, *m->jac_tape);
    if (m->adjoint_stage >= 0) {
      const double b = m->weights[static_cast<std::size_t>(m->adjoint_stage)];
      m->mu_sum += (-m->adjoint_h * (b != 0.0 ? b : 1.0)) * m->scratch_p;
      --m->adjoint_stage;
    }
    PetscCall(VecRestoreArray(y, &ya));
    PetscCall(VecRestoreArrayRead(v, &va));
    PetscFunctionReturn(0);
  }

  // PETSc 3.18's TSAdjointStep_RK skips Jpᵀ for stages with b_i = 0 (it
  // rescales the previous stage's Δμ instead), which DoPr5's second stage
  // has: its μ is wrong by a few percent. The θ-gradient is therefore
  // accumulated here, from the same VJP as λ's: PETSc forms Δλ_i =
  // -h w_i Jᵀ v_i (w_i = b_i, or 1 when b_i = 0), so Δμ_i = -h w_i J_θᵀ v_i.
  static PetscErrorCode adjoint_monitor(TS ts, PetscInt, PetscReal, Vec, PetscInt, Vec*, Vec*,
                                        void* ctx) {
    auto* m = static_cast<Impl*>(ctx);
    PetscFunctionBeginUser;
    PetscCall(TSGetTimeStep(ts, &m->adjoint_h));
    m->adjoint_stage = m->stages - 1 - (m->fsal ? 1 : 0);
    PetscFunctionReturn(0);
  }

  // Records the states at the sample times and the step count reaching them.
  static PetscErrorCode monitor(TS, PetscInt step, PetscReal time, Vec state, void* ctx) {
    auto* m = static_cast<Impl*>(ctx);
    PetscFunctionBeginUser;
    m->total_steps = step;
    if (m->next_sample < m->t.size()) {
      const double target = m->t(m->next_sample);
      if (std::abs(time - target) <= 1e-10 * std::max(1.0, std::abs(target))) {
        const PetscScalar* xa;
        PetscCall(VecGetArrayRead(state, &xa));
        m->states[m->next_sample] = ConstMap(xa, m->n, m->batch);
        PetscCall(VecRestoreArrayRead(state, &xa));
        m->sample_step[m->next_sample] = step;
        ++m->next_sample;
      }
    }
    PetscFunctionReturn(0);
  }

  // Euler: one step per sample interval whatever the spacing.
  static PetscErrorCode pre_step(TS ts) {
    Impl* m;
    PetscReal time;
    PetscFunctionBeginUser;
    PetscCall(TSGetApplicationContext(ts, &m));
    PetscCall(TSGetTime(ts, &time));
    if (m->next_sample < m->t.size()) PetscCall(TSSetTimeStep(ts, m->t(m->next_sample) - time));
    PetscFunctionReturn(0);
  }

  PetscErrorCode forward(const Eigen::Ref<const MatrixXd>& x0) {
    PetscFunctionBeginUser;
    destroy();
    const PetscInt size = static_cast<PetscInt>(n * batch);
    PetscCall(VecCreateSeq(PETSC_COMM_SELF, size, &x));
    PetscScalar* xa;
    PetscCall(VecGetArray(x, &xa));
    Map(xa, n, batch) = x0;
    PetscCall(VecRestoreArray(x, &xa));
    PetscCall(MatCreateShell(PETSC_COMM_SELF, size, size, size, size, this, &jac));
    PetscCall(MatShellSetOperation(jac, MATOP_MULT_TRANSPOSE, (void (*)(void))jac_transpose));

    PetscCall(TSCreate(PETSC_COMM_SELF, &ts));
    PetscCall(TSSetOptionsPrefix(ts, "snet_adj_"));
    PetscCall(TSSetApplicationContext(ts, this));
    PetscCall(TSSetProblemType(ts, TS_NONLINEAR));
    PetscCall(TSSetType(ts, TSRK));
    PetscCall(TSRKSetType(ts, scheme == DrivenScheme::euler ? TSRK1FE : TSRK5DP));
    PetscCall(TSSetRHSFunction(ts, nullptr, rhs, this));
    PetscCall(TSSetRHSJacobian(ts, jac, jac, jacobian, this));
    std::vector<PetscReal> span(t.data(), t.data() + t.size());
    PetscCall(TSSetTimeSpan(ts, static_cast<PetscInt>(span.size()), span.data()));
    PetscCall(TSSetExactFinalTime(ts, TS_EXACTFINALTIME_MATCHSTEP));
    PetscCall(TSSetMaxSteps(ts, options.max_steps));
    PetscCall(TSSetTimeStep(ts, t(1) - t(0)));
    TSAdapt adapt;
    PetscCall(TSGetAdapt(ts, &adapt));
    if (scheme == DrivenScheme::euler) {
      PetscCall(TSAdaptSetType(adapt, TSADAPTNONE));
      PetscCall(TSSetPreStep(ts, pre_step));
    } else {
      PetscCall(TSAdaptSetType(adapt, TSADAPTBASIC));
      PetscCall(TSSetTolerances(ts, options.atol, nullptr, options.rtol, nullptr));
    }
    PetscCall(TSMonitorSet(ts, monitor, this, nullptr));
    PetscCall(TSSetSaveTrajectory(ts));
    // In memory (not the basic type's files): every step's solution and stages.
    TSTrajectory trajectory;
    PetscCall(TSGetTrajectory(ts, &trajectory));
    PetscCall(TSTrajectorySetType(trajectory, ts, TSTRAJECTORYMEMORY));
    PetscCall(TSAdjointMonitorSet(ts, adjoint_monitor, this, nullptr));
    PetscCall(TSSetFromOptions(ts));
    const PetscReal* b;
    PetscBool first_same_as_last;
    PetscCall(TSRKGetTableau(ts, &stages, nullptr, &b, nullptr, nullptr, nullptr, nullptr,
                             &first_same_as_last));
    weights.assign(b, b + stages);
    fsal = first_same_as_last;
    PetscCall(TSSolve(ts, x));
    PetscFunctionReturn(0);
  }

  PetscErrorCode backward(const std::vector<MatrixXd>& upstream,
                          Eigen::Ref<Eigen::VectorXd> gradient) {
    PetscFunctionBeginUser;
    const PetscInt size = static_cast<PetscInt>(n * batch);
    PetscCall(VecCreateSeq(PETSC_COMM_SELF, size, &lambda));
    PetscCall(VecZeroEntries(lambda));
    PetscCall(TSSetCostGradients(ts, 1, &lambda, nullptr));
    mu_sum.setZero(np);
    const auto add_jump = [&](Index k) -> PetscErrorCode {
      PetscFunctionBeginUser;
      if (upstream[k].size() > 0) {
        PetscScalar* la;
        PetscCall(VecGetArray(lambda, &la));
        Map(la, n, batch) += upstream[k];
        PetscCall(VecRestoreArray(lambda, &la));
      }
      PetscFunctionReturn(0);
    };
    const Index last = t.size() - 1;
    PetscCall(add_jump(last));
    for (Index k = last; k >= 1; --k) {
      const PetscInt steps = sample_step[k] - sample_step[k - 1];
      if (steps > 0) {
        PetscCall(TSAdjointSetSteps(ts, steps));
        PetscCall(TSAdjointSolve(ts));
      }
      PetscCall(add_jump(k - 1));
    }
    const PetscScalar* la;
    PetscCall(VecGetArrayRead(lambda, &la));
    adjoint = ConstMap(la, n, batch);
    PetscCall(VecRestoreArrayRead(lambda, &la));
    gradient += mu_sum;
    PetscFunctionReturn(0);
  }
};

DrivenTsAdjoint::DrivenTsAdjoint(DrivenScheme scheme, DrivenRolloutOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->scheme = scheme;
  impl_->options = options;
}

DrivenTsAdjoint::~DrivenTsAdjoint() = default;

const std::vector<MatrixXd>& DrivenTsAdjoint::run(
    const integrate::DrivenField& field, const Eigen::Ref<const MatrixXd>& x0,
    const std::vector<const systems::FourierInput*>& inputs, const Eigen::VectorXd& t) {
  Impl& m = *impl_;
  require(x0.rows() == field.state_dim() && static_cast<Index>(inputs.size()) == x0.cols(),
          "ADJ solve: x0 must be state_dim x (one column per input)");
  require(t.size() >= 2, "ADJ solve: at least two sample times are needed");
  for (Index k = 1; k < t.size(); ++k)
    require(t(k) > t(k - 1), "ADJ solve: sample times must increase strictly");
  if (m.field != &field || !m.rhs_tape) {
    m.rhs_tape = field.make_tape();
    m.jac_tape = field.make_tape();
  }
  m.field = &field;
  m.inputs = inputs;
  m.n = field.state_dim();
  m.batch = x0.cols();
  m.np = field.num_parameters();
  m.t = t;
  m.input.resize(field.input_dim(), m.batch);
  m.states.assign(static_cast<std::size_t>(t.size()), MatrixXd());
  m.states[0] = x0;
  m.sample_step.assign(static_cast<std::size_t>(t.size()), 0);
  m.next_sample = 1;
  m.total_steps = 0;
  core::check_petsc(m.forward(x0), "ADJ forward solve (PETSc TS)");
  if (m.next_sample != t.size())
    throw NumericalError("ADJ forward solve stopped at sample " + std::to_string(m.next_sample) +
                         " of " + std::to_string(t.size()) +
                         " (step failure or non-finite state of the learned field)");
  for (const auto& s : m.states)
    if (!s.allFinite()) throw NumericalError("ADJ forward solve: non-finite state");
  return m.states;
}

const MatrixXd& DrivenTsAdjoint::vjp(const integrate::DrivenField& field,
                                     const std::vector<MatrixXd>& upstream,
                                     Eigen::Ref<Eigen::VectorXd> parameter_gradient) {
  Impl& m = *impl_;
  if (m.field != &field || !m.ts)
    throw InputError("ADJ adjoint: needs a forward run of the same field");
  require(upstream.size() == m.states.size(), "ADJ adjoint: one upstream per sample time");
  core::check_petsc(m.backward(upstream, parameter_gradient),
                    "ADJ adjoint solve (PETSc TSAdjoint)");
  return m.adjoint;
}

std::size_t DrivenTsAdjoint::steps() const {
  return static_cast<std::size_t>(impl_->total_steps);
}

}  // namespace dynlearn::train
