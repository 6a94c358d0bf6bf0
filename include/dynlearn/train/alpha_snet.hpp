// α-SNet (Algorithm 2 of the SNet paper): start from the least-squares fit
// of the nodal values perturbed by U(-ξ, ξ) noise, then alternate N_x SGD
// steps on the nodal values for γ L + R (θ fixed) with N_t Adam steps on θ
// for R (nodal values fixed), until γ L + R falls below the stop threshold.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <memory>
#include <vector>

#include "dynlearn/integrate/driven_field.hpp"
#include "dynlearn/train/optimizer.hpp"
#include "dynlearn/train/snet_residual.hpp"

namespace dynlearn::train {

struct AlphaSnetOptions {
  double learning_rate = 1e-2;  // Adam on θ
  double sgd_learning_rate =
      1e-3;  // SGD on the nodal values (per-trajectory objective, see step())
  double gamma = 3.0;
  int x_steps = 10;           // N_x
  int theta_steps = 10;       // N_t
  double perturbation = 0.1;  // ξ of the initial U(-ξ, ξ) perturbation
  double stop = 0.0;          // stop when γ L + R < stop
  double fit_ridge = 0.0;
  double fit_smoothing = 0.0;  // curvature penalty of the fit (low data)
  std::uint64_t seed = 0;      // of the perturbation (stream per global trajectory)
  /// false: the caller has set problem.coefficients() (a restart restores
  /// them from a checkpoint), so the constructor neither fits nor perturbs.
  bool initialize = true;
};

/// Values at the end of one α-SNet iteration.
struct AlphaSnetValues {
  double residual = 0.0;
  double loss = 0.0;
  double objective = 0.0;  // γ L + R
};

class AlphaSnet {
 public:
  /// Fits and perturbs the coefficients unless options.initialize is false
  /// (collective over the grid); field's parameters are θ₀ (or a restart's θ).
  AlphaSnet(integrate::DrivenField& field, SnetProblem& problem,
            const spectral::ElementChain& chain, const DrivenTrajectories& data,
            AlphaSnetOptions options);

  /// One iteration: N_x coefficient steps, N_t θ steps, then R and L at the
  /// result. Given θ the coefficient problem splits into one problem per
  /// trajectory, so the SGD steps descend each trajectory's own γ L_i + R_i
  /// (means over its own entries): the batch-mean gradient times the number
  /// of trajectories. The step then does not shrink as the batch grows.
  AlphaSnetValues step();
  bool converged() const { return converged_; }
  Optimizer& optimizer() { return *adam_; }

 private:
  integrate::DrivenField& field_;
  SnetProblem& problem_;
  AlphaSnetOptions options_;
  std::unique_ptr<Optimizer> adam_;
  Eigen::VectorXd theta_, gradient_;
  spectral::BlockNodalValues x_gradient_;  // the coefficients' layout
  bool converged_ = false;
};

}  // namespace dynlearn::train
