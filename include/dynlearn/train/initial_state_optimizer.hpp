// Initial state optimisation (ISO, SRNN section 4.2): with the model fixed,
// find the initial states that best explain the observed windows, within a
// box around the observed (noisy) initial states. Solved by PETSc TAO's
// bound-constrained quasi-Newton method (BQNLS by default; the options
// prefix "iso_" lets a deck's [petsc] table pick another TAO type or
// tolerance, e.g. iso_tao_type = "blmvm").
#pragma once

#include <Eigen/Dense>
#include <vector>

#include "dynlearn/models/window_model.hpp"

namespace dynlearn::train {

struct IsoProblem {
  models::WindowModel* model = nullptr;
  Eigen::MatrixXd observed;               ///< observed initial states (dim × B): box centre
  std::vector<Eigen::MatrixXd> targets;   ///< observed states after 1..T steps
  double dt = 0.0;
  double radius = 1.0;                    ///< box half-width per component
  int iterations = 20;
};

struct IsoResult {
  Eigen::MatrixXd x0;
  double initial_loss = 0.0;  ///< sum of squares at the starting point
  double final_loss = 0.0;
  int iterations = 0;
};

/// Minimises the windows' sum of squared errors over x0, starting from `start`.
IsoResult optimize_initial_states(const IsoProblem& problem, const Eigen::MatrixXd& start);

}  // namespace dynlearn::train
