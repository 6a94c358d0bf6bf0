#include "dynlearn/train/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/log.hpp"
#include "dynlearn/core/rng.hpp"
#include "dynlearn/core/signals.hpp"
#include "dynlearn/parallel/environment.hpp"
#include "dynlearn/train/initial_state_optimizer.hpp"

namespace dynlearn::train {

/// The windows of one owned shard, in a fixed order, and this epoch's permutation.
struct Trainer::ShardWindows {
  std::size_t shard = 0;
  std::vector<Window> windows;
  std::vector<std::size_t> order;
};

namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string format_duration(double seconds) {
  char buf[64];
  if (!std::isfinite(seconds)) return "?";
  if (seconds < 120)
    std::snprintf(buf, sizeof buf, "%.1f s", seconds);
  else if (seconds < 7200)
    std::snprintf(buf, sizeof buf, "%.1f min", seconds / 60);
  else
    std::snprintf(buf, sizeof buf, "%.1f h", seconds / 3600);
  return buf;
}

}  // namespace

Trainer::Trainer(models::WindowModel& model, const io::TrainConfig& config, Trajectories data,
                 const parallel::ShardLayout& layout, MPI_Comm comm, std::uint64_t seed)
    : model_(model),
      config_(config),
      data_(std::move(data)),
      layout_(layout),
      comm_(comm),
      seed_(seed) {
  OptimizerOptions opt;
  opt.lr = config.learning_rate;
  opt.momentum = config.momentum;
  optimizer_ = make_optimizer(config.optimizer, opt);
  SchedulerOptions sched;
  sched.factor = config.factor;
  sched.patience = config.patience;
  sched.min_lr = config.min_lr;
  sched.gamma = config.gamma;
  scheduler_ = make_scheduler(config.scheduler, sched);
  reducer_ = std::make_unique<parallel::DeterministicSum>(comm, layout.n_shards());

  // All trajectories have the same number of samples (one dataset split).
  const int samples = data_.y.empty() ? 0 : static_cast<int>(data_.y.front().cols());
  long long samples_all = samples;
  MPI_Allreduce(MPI_IN_PLACE, &samples_all, 1, MPI_LONG_LONG, MPI_MAX, comm);
  state_dim_ = static_cast<double>(data_.y.empty() ? 0 : data_.y.front().rows());
  MPI_Allreduce(MPI_IN_PLACE, &state_dim_, 1, MPI_DOUBLE, MPI_MAX, comm);
  windows_per_trajectory_ = windows_per_trajectory(static_cast<int>(samples_all), config.window);
  if (windows_per_trajectory_ == 0)
    throw InputError("[train] window = " + std::to_string(config.window) +
                     " needs trajectories of at least " + std::to_string(config.window + 1) +
                     " samples, but the training data have " + std::to_string(samples_all) +
                     "; lower window or raise [data] train_steps");
  for (std::size_t s = 0; s < layout.n_shards(); ++s)
    max_shard_windows_ =
        std::max(max_shard_windows_, layout.shard_items(s).size() * windows_per_trajectory_);

  const auto owned = layout.owned_shards();
  const std::size_t first_item = layout.owned_items().begin;
  for (std::size_t s = owned.begin; s < owned.end; ++s) {
    const auto items = layout.shard_items(s);
    ShardWindows sw;
    sw.shard = s;
    sw.windows = make_windows(data_, static_cast<int>(items.begin - first_item),
                              static_cast<int>(items.end - first_item), config.window);
    sw.order.resize(sw.windows.size());
    std::iota(sw.order.begin(), sw.order.end(), 0);
    shards_.push_back(std::move(sw));
  }
  state_.parameters = model_.parameters();
}

Trainer::~Trainer() = default;

void Trainer::restore(const TrainerState& state) {
  state_ = state;
  model_.set_parameters(state_.parameters);
  optimizer_->load_state(state_.optimizer);
  scheduler_->load_state(state_.scheduler);
}

double Trainer::batch_step(int batch, bool update, Eigen::VectorXd* gradient, bool* stop) {
  const Eigen::Index P = model_.num_parameters();
  const bool full = config_.batch_size == 0 || !update;
  const std::size_t chunk =
      full ? max_shard_windows_ : std::max<std::size_t>(1, config_.batch_size / layout_.n_shards());
  const bool iso_active = !state_.iso_states.empty();

  // Windows in this batch over all shards: known on every rank from the layout.
  std::size_t count = 0;
  for (std::size_t s = 0; s < layout_.n_shards(); ++s) {
    const std::size_t w = layout_.shard_items(s).size() * windows_per_trajectory_;
    const std::size_t lo = std::min(w, batch * chunk), hi = std::min(w, (batch + 1) * chunk);
    count += hi - lo;
  }

  // Buffers live in the trainer: this runs once per batch.
  auto& partials = partials_;
  auto& x0 = x0_;
  auto& targets = targets_;
  auto& selected = selected_;
  partials.resize(shards_.size());
  const bool joined = model_.joins_segments();
  if (joined) {
    // All owned shards in one rollout, each shard's gradient and loss kept
    // apart (same bits as one rollout per shard): small networks spend most
    // of their time in per-call overheads, which this divides by the shards.
    selected.clear();
    bounds_.assign(1, 0);
    for (const auto& sw : shards_) {
      const std::size_t lo = std::min(sw.windows.size(), batch * chunk);
      const std::size_t hi = std::min(sw.windows.size(), (batch + 1) * chunk);
      for (std::size_t i = lo; i < hi; ++i) selected.push_back(sw.windows[sw.order[i]]);
      bounds_.push_back(static_cast<Eigen::Index>(selected.size()));
    }
    joined_partials_.setZero(P + 1, static_cast<Eigen::Index>(shards_.size()));
    if (!selected.empty()) {
      gather(data_, selected, config_.window, x0, targets);
      if (iso_active)
        for (std::size_t b = 0; b < selected.size(); ++b)
          x0.col(b) = state_.iso_states[selected[b].trajectory].col(selected[b].start);
      model_.loss_segments(x0, targets, data_.dt, bounds_, joined_partials_);
    }
    for (std::size_t s = 0; s < shards_.size(); ++s)
      partials[s] = joined_partials_.col(static_cast<Eigen::Index>(s));
  }
  // Otherwise one rollout per shard.
  for (std::size_t s = 0; !joined && s < shards_.size(); ++s) {
    const auto& sw = shards_[s];
    Eigen::VectorXd& partial = partials[s];
    partial.setZero(P + 1);
    const std::size_t lo = std::min(sw.windows.size(), batch * chunk);
    const std::size_t hi = std::min(sw.windows.size(), (batch + 1) * chunk);
    selected.clear();
    for (std::size_t i = lo; i < hi; ++i) selected.push_back(sw.windows[sw.order[i]]);
    if (!selected.empty()) {
      gather(data_, selected, config_.window, x0, targets);
      if (iso_active)
        for (std::size_t b = 0; b < selected.size(); ++b)
          x0.col(b) = state_.iso_states[selected[b].trajectory].col(selected[b].start);
      auto grad = partial.head(P);
      partial(P) = model_.loss(x0, targets, data_.dt, grad, false).sum_squares;
    }
  }
  const auto reduced = reducer_->sum(partials, P + 1, core::stop_requested());
  if (stop) *stop = reduced.flag;
  const double scale = 1.0 / (static_cast<double>(count) * config_.window * state_dim_);
  const double loss = reduced.sum(P) * scale;
  Eigen::VectorXd grad = reduced.sum.head(P) * scale;
  if (gradient) *gradient = grad;
  if (update && std::isfinite(loss)) {
    optimizer_->step(state_.parameters, grad);
    model_.set_parameters(state_.parameters);
  }
  return loss;
}

double Trainer::full_loss(Eigen::VectorXd* gradient) {
  return batch_step(0, false, gradient, nullptr);
}

void Trainer::optimise_initial_states() {
  const bool first = state_.iso_states.empty();
  if (first) {
    state_.iso_states.resize(data_.y.size());
    for (std::size_t i = 0; i < data_.y.size(); ++i)
      state_.iso_states[i] = data_.y[i].leftCols(windows_per_trajectory_);
  }
  // One TAO problem per shard (windows of a shard together): the same
  // problems whatever the rank count.
  for (const auto& sw : shards_) {
    if (sw.windows.empty()) continue;
    IsoProblem problem;
    problem.model = &model_;
    problem.dt = data_.dt;
    problem.radius = config_.iso_radius;
    problem.iterations = config_.iso_iterations;
    gather(data_, sw.windows, config_.window, problem.observed, problem.targets);
    Eigen::MatrixXd start(problem.observed.rows(), problem.observed.cols());
    for (std::size_t b = 0; b < sw.windows.size(); ++b)
      start.col(b) = state_.iso_states[sw.windows[b].trajectory].col(sw.windows[b].start);
    const IsoResult result = optimize_initial_states(problem, start);
    for (std::size_t b = 0; b < sw.windows.size(); ++b)
      state_.iso_states[sw.windows[b].trajectory].col(sw.windows[b].start) = result.x0.col(b);
  }
}

void Trainer::log_epoch(const EpochRecord& r, double per_epoch, int remaining) const {
  char line[256];
  std::snprintf(line, sizeof line, "epoch %5d/%d  loss %.6e  lr %.3e  %8.2f ms/epoch  eta %s",
                r.epoch, config_.epochs, r.loss, r.learning_rate, 1e3 * per_epoch,
                format_duration(per_epoch * remaining).c_str());
  core::info(line);
}

StopReason Trainer::run() {
  const double start = now_seconds();
  const int first_epoch = state_.epoch;
  for (int epoch = state_.epoch; epoch < config_.epochs; ++epoch) {
    const double t0 = now_seconds();
    if (config_.iso && epoch >= config_.iso_start_epoch) optimise_initial_states();
    if (config_.batch_size > 0) {
      for (auto& sw : shards_) {
        // The permutation depends on the epoch alone, so a restart reproduces it.
        std::iota(sw.order.begin(), sw.order.end(), 0);
        core::Rng rng(seed_, static_cast<std::uint64_t>(epoch) * layout_.n_shards() + sw.shard,
                      core::Purpose::shuffle);
        for (std::size_t i = sw.order.size(); i > 1; --i)
          std::swap(sw.order[i - 1], sw.order[rng.below(i)]);
      }
    }
    const std::size_t chunk =
        config_.batch_size == 0 ? max_shard_windows_
                                : std::max<std::size_t>(1, config_.batch_size / layout_.n_shards());
    const int batches = static_cast<int>((max_shard_windows_ + chunk - 1) / chunk);
    const double lr = optimizer_->learning_rate();
    double loss_sum = 0.0;
    bool stop = false;
    for (int b = 0; b < batches; ++b) {
      bool flag = false;
      const double loss = batch_step(b, true, nullptr, &flag);
      stop = stop || flag;
      if (!std::isfinite(loss)) {
        if (checkpoint_) checkpoint_(state_, true);
        throw NumericalError("the training loss became non-finite at epoch " +
                                 std::to_string(epoch + 1) + ", batch " + std::to_string(b + 1) +
                                 "; the last good state is in the latest checkpoint. Lower [train] "
                                 "learning_rate, or use a smaller step ([train] substeps)",
                             true);
      }
      loss_sum += loss;
    }
    EpochRecord record{epoch + 1, loss_sum / batches, lr, now_seconds() - t0};
    double seconds = record.seconds;
    MPI_Bcast(&seconds, 1, MPI_DOUBLE, 0, comm_);
    record.seconds = seconds;
    state_.history.push_back(record);
    state_.epoch = epoch + 1;

    // The schedule sees the same epoch loss on every rank.
    scheduler_->step(*optimizer_, record.loss);
    state_.scheduler = scheduler_->state();
    state_.optimizer = optimizer_->state();

    const double per_epoch = (now_seconds() - start) / (epoch + 1 - first_epoch);
    int out_of_time = budget_ > 0 && (now_seconds() - start) + per_epoch > budget_;
    MPI_Bcast(&out_of_time, 1, MPI_INT, 0, comm_);
    const bool last = epoch + 1 == config_.epochs;
    core::progress(static_cast<double>(epoch + 1) / config_.epochs,
                   "epoch " + std::to_string(epoch + 1) + "/" + std::to_string(config_.epochs) +
                       "  loss " + std::to_string(record.loss) + "  eta " +
                       format_duration(per_epoch * (config_.epochs - epoch - 1)));
    if (last || (config_.log_every > 0 && (epoch + 1) % config_.log_every == 0) ||
        epoch == first_epoch)
      log_epoch(record, per_epoch, config_.epochs - epoch - 1);
    if (stop || out_of_time) {
      if (checkpoint_) checkpoint_(state_, true);
      core::info(std::string("training stopped at epoch ") + std::to_string(epoch + 1) + " (" +
                 (stop ? "signal" : "[run] max_wall_seconds") +
                 "); checkpoint written, continue with: dynlearn run DECK --restart");
      return StopReason::interrupted;
    }
    if (checkpoint_ &&
        (last || (config_.checkpoint_every > 0 && (epoch + 1) % config_.checkpoint_every == 0)))
      checkpoint_(state_, last);
  }
  return StopReason::finished;
}

}  // namespace dynlearn::train
