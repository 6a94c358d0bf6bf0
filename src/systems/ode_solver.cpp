#include "dynlearn/systems/ode_solver.hpp"

#include <petscts.h>

#include <cmath>
#include <string>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/petsc_check.hpp"

namespace dynlearn::systems {
namespace {

struct Context {
  const OdeRhs* f;
  PetscInt n;
};

PetscErrorCode rhs_function(TS, PetscReal t, Vec x, Vec f, void* ctx) {
  auto* c = static_cast<Context*>(ctx);
  const PetscScalar* xa;
  PetscScalar* fa;
  PetscFunctionBeginUser;
  PetscCall(VecGetArrayRead(x, &xa));
  PetscCall(VecGetArray(f, &fa));
  (*c->f)(t, Eigen::Map<const Eigen::VectorXd>(xa, c->n), Eigen::Map<Eigen::VectorXd>(fa, c->n));
  PetscCall(VecRestoreArray(f, &fa));
  PetscCall(VecRestoreArrayRead(x, &xa));
  PetscFunctionReturn(0);
}

PetscErrorCode integrate(Context& ctx, const Eigen::VectorXd& x0, const Eigen::VectorXd& t,
                         OdeTolerances tol, Eigen::MatrixXd& out) {
  TS ts;
  Vec x;
  PetscFunctionBeginUser;
  PetscCall(VecCreateSeq(PETSC_COMM_SELF, ctx.n, &x));
  PetscScalar* xa;
  PetscCall(VecGetArray(x, &xa));
  Eigen::Map<Eigen::VectorXd>(xa, ctx.n) = x0;
  PetscCall(VecRestoreArray(x, &xa));

  PetscCall(TSCreate(PETSC_COMM_SELF, &ts));
  PetscCall(TSSetOptionsPrefix(ts, "truth_"));
  PetscCall(TSSetProblemType(ts, TS_NONLINEAR));
  PetscCall(TSSetType(ts, TSRK));
  PetscCall(TSRKSetType(ts, TSRK5DP));
  PetscCall(TSSetRHSFunction(ts, nullptr, rhs_function, &ctx));
  PetscCall(TSSetTolerances(ts, tol.atol, nullptr, tol.rtol, nullptr));
  PetscCall(TSSetExactFinalTime(ts, TS_EXACTFINALTIME_MATCHSTEP));
  PetscCall(TSSetMaxSteps(ts, PETSC_MAX_INT));
  PetscCall(TSSetTime(ts, t(0)));
  const double span = t(t.size() - 1) - t(0);
  PetscCall(TSSetTimeStep(ts, span > 0 ? std::min(1e-3 * span, t.size() > 1 ? t(1) - t(0) : span) : 1e-3));
  PetscCall(TSSetFromOptions(ts));
  PetscCall(TSSetSolution(ts, x));

  out.resize(ctx.n, t.size());
  out.col(0) = x0;
  for (Eigen::Index k = 1; k < t.size(); ++k) {
    PetscCall(TSSetMaxTime(ts, t(k)));
    PetscCall(TSSolve(ts, x));
    const PetscScalar* r;
    PetscCall(VecGetArrayRead(x, &r));
    out.col(k) = Eigen::Map<const Eigen::VectorXd>(r, ctx.n);
    PetscCall(VecRestoreArrayRead(x, &r));
  }
  PetscCall(TSDestroy(&ts));
  PetscCall(VecDestroy(&x));
  PetscFunctionReturn(0);
}

}  // namespace

Eigen::MatrixXd solve_ode(const OdeRhs& f, const Eigen::VectorXd& x0, const Eigen::VectorXd& t,
                          OdeTolerances tol) {
  if (t.size() < 1) throw InputError("solve_ode: no sample times");
  for (Eigen::Index k = 1; k < t.size(); ++k)
    if (!(t(k) > t(k - 1))) throw InputError("solve_ode: sample times must increase strictly");
  Context ctx{&f, static_cast<PetscInt>(x0.size())};
  Eigen::MatrixXd out;
  core::check_petsc(integrate(ctx, x0, t, tol, out), "ground-truth ODE solve (PETSc TS)");
  if (!out.allFinite())
    throw NumericalError("ground-truth ODE solve produced non-finite states: the system diverged; "
                         "check its parameters and the horizon");
  return out;
}

}  // namespace dynlearn::systems
