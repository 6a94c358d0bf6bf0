// Ground-truth integration of general (non-Hamiltonian or input-driven)
// systems with PETSc TS: adaptive Dormand-Prince 5(4) at tight tolerances,
// stepping exactly onto every sample time. Options prefix "truth_" lets a
// deck's [petsc] table change the scheme (e.g. truth_ts_rk_type = "6vr").
#pragma once

#include <Eigen/Dense>
#include <functional>

namespace dynlearn::systems {

/// Right-hand side x' = f(t, x); writes f into `dxdt` (same size as x).
using OdeRhs = std::function<void(double t, const Eigen::Ref<const Eigen::VectorXd>& x,
                                  Eigen::Ref<Eigen::VectorXd> dxdt)>;

struct OdeTolerances {
  double rtol = 1e-10;
  double atol = 1e-12;
};

/// Integrates from t(0), x(t(0)) = x0, and returns the states at every t(k)
/// as the columns of a (dim × n_t) matrix. Throws NumericalError if PETSc
/// fails or the solution stops being finite.
Eigen::MatrixXd solve_ode(const OdeRhs& f, const Eigen::VectorXd& x0, const Eigen::VectorXd& t,
                          OdeTolerances tol = {});

}  // namespace dynlearn::systems
