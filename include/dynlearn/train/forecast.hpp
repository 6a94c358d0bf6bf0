// Test-time forecasts and their error as SRNN defines it (section 4): from
// each test trajectory's initial state (observed, or optimised on the first
// observed steps), integrate the learned field and measure the L2 distance
// of the predicted positions to the true positions, averaged over the steps.
#pragma once

#include <Eigen/Dense>
#include <vector>

#include "dynlearn/models/window_model.hpp"
#include "dynlearn/io/learning_config.hpp"

namespace dynlearn::train {

struct ForecastInput {
  std::vector<Eigen::MatrixXd> observed;  ///< per trajectory, dim × n (noisy)
  std::vector<Eigen::MatrixXd> truth;     ///< per trajectory, dim × n (noise-free)
  std::vector<int> positions;             ///< rows of the state that are positions
  double dt = 0.0;
};

struct ForecastResult {
  int steps = 0;                           ///< forecast steps scored
  std::vector<Eigen::MatrixXd> predicted;  ///< per trajectory, dim × (steps + 1)
  Eigen::VectorXd error;                   ///< per trajectory: mean over steps 1..K of |q̂ - q|
};

/// Forecasts every trajectory of `input` (one batch) and scores it.
ForecastResult forecast(models::WindowModel& model, const io::EvaluateConfig& config, const ForecastInput& input);

}  // namespace dynlearn::train
