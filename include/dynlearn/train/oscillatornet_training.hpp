// Training of OscillatorNet as the paper does it (oscillatornet.txt, section
// 3.1.2): full-batch gradient steps on the teacher-forced one-step loss over
// the observed points, then a free forecast where each prediction is
// appended to the series and the network retrained before the next step.
// Models: the OscillatorNet solver on every mass, the solver with the
// mapping net on a partially observed pair (section 4), or the one-layer
// ResNet baseline. Several trajectories are data-parallel over ranks: one
// shard per trajectory, losses and gradients added by DeterministicSum, so
// the result has the same bits on any number of ranks.
#pragma once

#include <mpi.h>

#include <Eigen/Dense>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dynlearn/core/signals.hpp"
#include "dynlearn/models/oscillatornet.hpp"
#include "dynlearn/models/oscillatornet_mapping.hpp"
#include "dynlearn/models/resnet_baseline.hpp"
#include "dynlearn/parallel/reduction.hpp"
#include "dynlearn/train/optimizer.hpp"

namespace dynlearn::train {

/// Everything the [oscillatornet] deck section sets (defaults: the paper's).
struct OscillatorNetSettings {
  std::string model = "oscillatornet";  ///< or "resnet" (the baseline)
  std::string weights = "canonical";    ///< canonical | one_filter | combined
  std::vector<double> initial_m = {1.0};
  std::vector<double> initial_b = {1.0};
  std::vector<double> initial_k = {15.0};
  std::vector<std::string> frozen;  ///< parameter names held at their initial value
  std::string optimizer = "adam";
  double learning_rate = 0.01;
  int iterations = 5000;
  int retrain_iterations = 50;
  int observed_points = 60;
  int forecast_points = 60;
  std::vector<int> observed_masses;  ///< 1-based; empty: all (full observation)
  int stencil_order = 5;
  int mapping_kernel = 1;
  std::string padding = "valid";
  bool inner_feedback = false;
  int resnet_kernel = 1;
  int resnet_hidden = 8;
  int log_every = 1000;
};

/// One record per gradient step.
struct OscillatorNetHistoryRow {
  int iteration = 0;      ///< 1-based over the whole run
  int forecast_step = 0;  ///< 0 during the initial training, s while retraining after prediction s
  double loss = 0.0;
};

class OscillatorNetTrainer {
 public:
  /// `series`: this rank's trajectories (owned items of `layout`), each the
  /// observed positions (observed masses x observed_points). Collective.
  OscillatorNetTrainer(const OscillatorNetSettings& settings, int n_masses, double dt,
                       std::vector<Eigen::MatrixXd> series, const parallel::ShardLayout& layout,
                       MPI_Comm comm, std::uint64_t seed);
  ~OscillatorNetTrainer();

  bool partial() const { return partial_; }
  Eigen::Index num_parameters() const { return theta_.size(); }
  std::vector<std::string> parameter_names() const;
  const Eigen::VectorXd& initial_parameters() const { return initial_; }
  const Eigen::VectorXd& parameters() const { return theta_; }
  void set_parameters(const Eigen::VectorXd& theta) { theta_ = theta; }
  /// The solver (null for the ResNet baseline) and the mapping (partial only).
  const models::OscillatorNet* solver() const { return solver_.get(); }
  const models::OscillatorMapping* mapping() const { return mapping_.get(); }

  /// Mean loss over all trajectories and its gradient (frozen entries zeroed); collective.
  double loss(const Eigen::VectorXd& theta, Eigen::VectorXd* grad) const;
  /// `iterations` optimiser steps on the current series; collective.
  void train(int iterations, int forecast_step);
  /// The free forecast: forecast_points predictions per owned trajectory
  /// (observed masses x forecast_points), retraining after each; collective.
  std::vector<Eigen::MatrixXd> forecast();
  /// This rank's series (observed points, then the predictions so far).
  const std::vector<Eigen::MatrixXd>& series() const { return series_; }
  /// The mapped x2 over each owned series (partial observation only).
  std::vector<Eigen::VectorXd> mapped() const;
  const std::vector<OscillatorNetHistoryRow>& history() const { return history_; }
  /// Stops training and the forecast at the next step once the wall time
  /// since this call passes `seconds` (0: no limit); SIGTERM/SIGUSR1
  /// (core::stop_requested) do the same. The flag is OR-ed over ranks in the
  /// loss reduction, so every rank stops at the same step.
  void set_time_budget(double seconds) { deadline_ = core::Deadline(seconds); }
  /// True once a stop was requested: train() and forecast() return early.
  bool stopped() const { return stopped_; }

 private:
  Eigen::VectorXd predict(std::size_t trajectory, Eigen::VectorXd* x2_state) const;

  OscillatorNetSettings settings_;
  int n_masses_;
  double dt_;
  std::vector<Eigen::MatrixXd> series_;
  const parallel::ShardLayout& layout_;
  MPI_Comm comm_;
  std::unique_ptr<parallel::DeterministicSum> reduction_;
  std::unique_ptr<models::OscillatorNet> solver_;
  std::unique_ptr<models::OscillatorMapping> mapping_;
  std::unique_ptr<models::ResnetBaseline> resnet_;
  std::unique_ptr<Optimizer> optimizer_;
  bool partial_ = false;
  Eigen::VectorXd theta_, initial_, mask_;
  std::vector<OscillatorNetHistoryRow> history_;
  core::Deadline deadline_{0.0};
  // loss() workspaces: one partial per owned shard, one trajectory's gradient.
  mutable std::vector<Eigen::VectorXd> partials_;
  mutable Eigen::VectorXd item_gradient_;
  mutable bool stopped_ = false;
};

}  // namespace dynlearn::train
