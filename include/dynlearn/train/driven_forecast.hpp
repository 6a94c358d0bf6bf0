// Test-time forecast of an input-driven model (SNet, Figures 2 and 4):
// adaptive Dormand-Prince from x0 under the exact input.
#pragma once

#include <Eigen/Core>

#include "dynlearn/integrate/driven_field.hpp"
#include "dynlearn/systems/fourier_input.hpp"

namespace dynlearn::train {

/// The states (state_dim x t.size()) at every t(k), t(0) the initial time,
/// integrated by adaptive Dormand-Prince 5(4) at (rtol, atol) with u(t)
/// evaluated at every stage. Throws NumericalError if the model blows up.
Eigen::MatrixXd forecast_driven(const integrate::DrivenField& field, const Eigen::VectorXd& x0,
                                const systems::FourierInput& u, const Eigen::VectorXd& t,
                                double rtol = 1e-7, double atol = 1e-9);

}  // namespace dynlearn::train
