// δ-SNet (Algorithm 1 of the SNet paper): fit the nodal values of every
// trajectory to its data once (spectral/least_squares_fit.hpp), then train
// θ with Adam on the collocation residual R alone until R < δ.
#pragma once

#include <Eigen/Dense>
#include <memory>
#include <vector>

#include "dynlearn/integrate/driven_field.hpp"
#include "dynlearn/train/optimizer.hpp"
#include "dynlearn/train/snet_residual.hpp"

namespace dynlearn::train {

/// Fills problem.coefficients() with the local slice of every local
/// trajectory's least-squares fit (spectral::least_squares_fit with this
/// ridge and curvature smoothing).
void fit_coefficients(SnetProblem& problem, const spectral::ElementChain& chain,
                      const DrivenTrajectories& data, double ridge, double smoothing = 0.0);

struct DeltaSnetOptions {
  double learning_rate = 1e-2;  // Adam on θ
  double delta = 1e-3;          // stop when R < δ
  double fit_ridge = 0.0;
  double fit_smoothing = 0.0;  // curvature penalty of the fit (low data)
  /// false: the caller has set problem.coefficients() (a restart restores
  /// them from a checkpoint), so the constructor does not fit them.
  bool initialize = true;
};

class DeltaSnet {
 public:
  /// Fits the coefficients unless options.initialize is false (collective
  /// over the grid); field's parameters are θ₀ (or a restart's θ).
  DeltaSnet(integrate::DrivenField& field, SnetProblem& problem,
            const spectral::ElementChain& chain, const DrivenTrajectories& data,
            DeltaSnetOptions options);

  /// One Adam step on θ. Returns R and L at θ before the step.
  SnetValues step();
  /// R < δ at the last step() (then that step did not move θ).
  bool converged() const { return converged_; }
  Optimizer& optimizer() { return *adam_; }

 private:
  integrate::DrivenField& field_;
  SnetProblem& problem_;
  DeltaSnetOptions options_;
  std::unique_ptr<Optimizer> adam_;
  Eigen::VectorXd theta_, gradient_;
  bool converged_ = false;
};

}  // namespace dynlearn::train
