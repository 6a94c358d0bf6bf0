#include "dynlearn/train/driven_forecast.hpp"

#include "dynlearn/train/driven_rollout.hpp"

namespace dynlearn::train {

Eigen::MatrixXd forecast_driven(const integrate::DrivenField& field, const Eigen::VectorXd& x0,
                                const systems::FourierInput& u, const Eigen::VectorXd& t,
                                double rtol, double atol) {
  DrivenRolloutOptions options;
  options.rtol = rtol;
  options.atol = atol;
  DrivenRollout rollout(DrivenScheme::dopri5, options);
  const auto& states = rollout.run(field, x0, {&u}, t, false);
  Eigen::MatrixXd out(x0.size(), t.size());
  for (Eigen::Index k = 0; k < t.size(); ++k) out.col(k) = states[k].col(0);
  return out;
}

}  // namespace dynlearn::train
