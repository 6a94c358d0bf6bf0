#include "dynlearn/train/initial_state_optimizer.hpp"

#include <petsctao.h>

#include "dynlearn/core/petsc_check.hpp"

namespace dynlearn::train {
namespace {

struct Context {
  const IsoProblem* problem;
  Eigen::Index rows, cols;
  Eigen::VectorXd no_theta;  // size 0: WindowModel::loss skips the θ gradient
};

PetscErrorCode objective_and_gradient(Tao, Vec x, PetscReal* f, Vec g, void* ctx) {
  auto* c = static_cast<Context*>(ctx);
  const PetscScalar* xa;
  PetscScalar* ga;
  PetscFunctionBeginUser;
  PetscCall(VecGetArrayRead(x, &xa));
  const Eigen::Map<const Eigen::MatrixXd> x0(xa, c->rows, c->cols);
  const IsoProblem& p = *c->problem;
  const auto result = p.model->loss(x0, p.targets, p.dt, c->no_theta, true);
  PetscCall(VecRestoreArrayRead(x, &xa));
  *f = result.sum_squares;
  PetscCall(VecGetArray(g, &ga));
  Eigen::Map<Eigen::MatrixXd>(ga, c->rows, c->cols) = result.x0_gradient;
  PetscCall(VecRestoreArray(g, &ga));
  PetscFunctionReturn(0);
}

PetscErrorCode fill(Vec v, const Eigen::MatrixXd& m) {
  PetscScalar* a;
  PetscFunctionBeginUser;
  PetscCall(VecGetArray(v, &a));
  Eigen::Map<Eigen::MatrixXd>(a, m.rows(), m.cols()) = m;
  PetscCall(VecRestoreArray(v, &a));
  PetscFunctionReturn(0);
}

PetscErrorCode solve(Context& ctx, const Eigen::MatrixXd& start, IsoResult& result) {
  const IsoProblem& p = *ctx.problem;
  const PetscInt n = static_cast<PetscInt>(start.size());
  Vec x, lower, upper;
  Tao tao;
  PetscFunctionBeginUser;
  PetscCall(VecCreateSeq(PETSC_COMM_SELF, n, &x));
  PetscCall(VecDuplicate(x, &lower));
  PetscCall(VecDuplicate(x, &upper));
  PetscCall(fill(x, start));
  PetscCall(fill(lower, p.observed.array() - p.radius));
  PetscCall(fill(upper, p.observed.array() + p.radius));

  PetscCall(TaoCreate(PETSC_COMM_SELF, &tao));
  PetscCall(TaoSetOptionsPrefix(tao, "iso_"));
  PetscCall(TaoSetType(tao, TAOBQNLS));
  PetscCall(TaoSetSolution(tao, x));
  PetscCall(TaoSetVariableBounds(tao, lower, upper));
  PetscCall(TaoSetObjectiveAndGradient(tao, nullptr, objective_and_gradient, &ctx));
  PetscCall(TaoSetMaximumIterations(tao, p.iterations));
  PetscCall(TaoSetTolerances(tao, 0.0, 0.0, 0.0));
  PetscCall(TaoSetFromOptions(tao));
  PetscCall(TaoSolve(tao));
  PetscInt its = 0;
  PetscCall(TaoGetIterationNumber(tao, &its));
  PetscReal f = 0;
  PetscCall(TaoGetSolutionStatus(tao, nullptr, &f, nullptr, nullptr, nullptr, nullptr));
  result.iterations = static_cast<int>(its);
  result.final_loss = f;
  const PetscScalar* xa;
  PetscCall(VecGetArrayRead(x, &xa));
  result.x0 = Eigen::Map<const Eigen::MatrixXd>(xa, start.rows(), start.cols());
  PetscCall(VecRestoreArrayRead(x, &xa));
  PetscCall(TaoDestroy(&tao));
  PetscCall(VecDestroy(&x));
  PetscCall(VecDestroy(&lower));
  PetscCall(VecDestroy(&upper));
  PetscFunctionReturn(0);
}

}  // namespace

IsoResult optimize_initial_states(const IsoProblem& problem, const Eigen::MatrixXd& start) {
  IsoResult result;
  if (start.size() == 0) {
    result.x0 = start;
    return result;
  }
  Context ctx{&problem, start.rows(), start.cols(), Eigen::VectorXd()};
  result.initial_loss =
      problem.model->loss(start, problem.targets, problem.dt, ctx.no_theta, false).sum_squares;
  core::check_petsc(solve(ctx, start, result), "initial state optimisation (PETSc TAO)");
  // TAO may stop on a line-search failure after worsening nothing; never
  // return a state worse than the start.
  if (!(result.final_loss <= result.initial_loss)) {
    result.x0 = start;
    result.final_loss = result.initial_loss;
  }
  return result;
}

}  // namespace dynlearn::train
