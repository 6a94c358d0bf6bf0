// The training loop of integrator-based methods (SRNN and its baselines):
// epochs of mini-batches of windows, each rank computing the loss and
// gradient of its own shards, summed in a fixed shard order so the result is
// the same on any rank count; an optimizer and a learning-rate schedule;
// initial state optimisation from a given epoch; progress lines; stopping on
// a signal, a wall-clock budget or a non-finite loss.
#pragma once

#include <mpi.h>

#include <Eigen/Dense>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dynlearn/io/learning_config.hpp"
#include "dynlearn/models/window_model.hpp"
#include "dynlearn/parallel/reduction.hpp"
#include "dynlearn/train/optimizer.hpp"
#include "dynlearn/train/scheduler.hpp"
#include "dynlearn/train/windows.hpp"

namespace dynlearn::train {

/// One line of the training history, per epoch.
struct EpochRecord {
  int epoch = 0;
  double loss = 0.0;           ///< mean squared error over all windows of the epoch
  double learning_rate = 0.0;  ///< in force during the epoch
  double seconds = 0.0;        ///< wall time of the epoch (rank 0's clock)
};

/// Why run() returned.
enum class StopReason { finished, interrupted };

/// Everything needed to continue a run bit for bit.
struct TrainerState {
  int epoch = 0;  ///< epochs completed
  Eigen::VectorXd parameters;
  NamedState optimizer;
  NamedState scheduler;
  std::vector<EpochRecord> history;
  /// Per local trajectory: the optimised initial state of each window,
  /// (dim × windows) — empty until ISO starts.
  std::vector<Eigen::MatrixXd> iso_states;
};

class Trainer {
 public:
  /// `data` holds this rank's trajectories: global indices layout.owned_items().
  Trainer(models::WindowModel& model, const io::TrainConfig& config, Trajectories data,
          const parallel::ShardLayout& layout, MPI_Comm comm, std::uint64_t seed);
  ~Trainer();

  /// Called after each epoch with the state (for checkpoints); returns
  /// nothing. `force` marks the last epoch or a stop.
  using CheckpointHook = std::function<void(const TrainerState&, bool force)>;
  void set_checkpoint_hook(CheckpointHook hook) { checkpoint_ = std::move(hook); }
  /// Wall-clock budget in seconds (0: none).
  void set_time_budget(double seconds) { budget_ = seconds; }

  /// Continues from a saved state (restart).
  void restore(const TrainerState& state);
  const TrainerState& state() const { return state_; }

  /// Runs the remaining epochs. Throws NumericalError on a non-finite loss
  /// (after the hook has kept the last good state on disk).
  StopReason run();

  /// Mean squared error and its gradient over all windows (full batch), for tests.
  double full_loss(Eigen::VectorXd* gradient);

 private:
  struct ShardWindows;
  double batch_step(int batch, bool update, Eigen::VectorXd* gradient, bool* stop);
  void optimise_initial_states();
  void log_epoch(const EpochRecord& record, double per_epoch, int remaining) const;

  models::WindowModel& model_;
  const io::TrainConfig& config_;
  Trajectories data_;
  parallel::ShardLayout layout_;
  MPI_Comm comm_;
  std::uint64_t seed_;
  std::unique_ptr<Optimizer> optimizer_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<parallel::DeterministicSum> reducer_;
  std::vector<ShardWindows> shards_;
  std::size_t windows_per_trajectory_ = 0;
  std::size_t max_shard_windows_ = 0;
  double state_dim_ = 0.0;
  TrainerState state_;
  std::vector<Eigen::VectorXd> partials_;  // per owned shard: [gradient; loss]
  Eigen::MatrixXd x0_;
  std::vector<Eigen::MatrixXd> targets_;
  std::vector<Window> selected_;
  std::vector<Eigen::Index> bounds_;  // joined rollouts: each shard's first column
  Eigen::MatrixXd joined_partials_;   // joined rollouts: [gradient; loss] per owned shard
  CheckpointHook checkpoint_;
  double budget_ = 0.0;
};

}  // namespace dynlearn::train
