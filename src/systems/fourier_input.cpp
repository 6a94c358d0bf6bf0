#include "dynlearn/systems/fourier_input.hpp"

#include <cmath>
#include <numbers>

namespace dynlearn::systems {

FourierInput::FourierInput(Eigen::MatrixXd coeffs, double period)
    : coeffs_(std::move(coeffs)), period_(period) {}

FourierInput FourierInput::random(int channels, int harmonics, double amplitude, double period,
                                  core::Rng& rng) {
  Eigen::MatrixXd c = Eigen::MatrixXd::Zero(channels, 1 + 2 * harmonics);
  for (int i = 0; i < channels; ++i)
    for (int k = 1; k <= harmonics; ++k) {
      c(i, 2 * k - 1) = rng.normal(0.0, amplitude / k);
      c(i, 2 * k) = rng.normal(0.0, amplitude / k);
    }
  return FourierInput(std::move(c), period);
}

Eigen::VectorXd FourierInput::operator()(double t) const {
  const Eigen::Index harmonics = (coeffs_.cols() - 1) / 2;
  Eigen::VectorXd u = coeffs_.col(0);
  const double w = 2.0 * std::numbers::pi * t / period_;
  for (Eigen::Index k = 1; k <= harmonics; ++k)
    u += coeffs_.col(2 * k - 1) * std::cos(k * w) + coeffs_.col(2 * k) * std::sin(k * w);
  return u;
}

Eigen::MatrixXd FourierInput::sample(const Eigen::VectorXd& t) const {
  Eigen::MatrixXd u(coeffs_.rows(), t.size());
  for (Eigen::Index k = 0; k < t.size(); ++k) u.col(k) = (*this)(t(k));
  return u;
}

Eigen::MatrixXd solve_driven(const DrivenRhs& f, const FourierInput& u, const Eigen::VectorXd& x0,
                             const Eigen::VectorXd& t, OdeTolerances tol) {
  const OdeRhs rhs = [&f, &u](double time, const Eigen::Ref<const Eigen::VectorXd>& x,
                              Eigen::Ref<Eigen::VectorXd> dx) { f(u(time), x, dx); };
  return solve_ode(rhs, x0, t, tol);
}

Trajectory driven_trajectory(const DrivenRhs& f, const FourierInput& u, const Eigen::VectorXd& x0,
                             const Eigen::VectorXd& t, OdeTolerances tol) {
  Trajectory traj;
  traj.x = solve_driven(f, u, x0, t, tol);
  traj.u = u.sample(t);
  traj.u_coeffs = u.coeffs();
  return traj;
}

}  // namespace dynlearn::systems
