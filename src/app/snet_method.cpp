// SNet (snet.txt): ODE-Net surrogates of input-driven systems trained by
// δ-SNet or α-SNet on a spectral-element representation of the
// trajectories, or by the paper's four baselines (backpropagation through /
// adjoint of an Euler or Dormand-Prince solver). One [snet] section chooses
// the method and its settings; `train` writes the parameters and the
// history, `evaluate` forecasts the test split (10x the training horizon in
// the decks) with adaptive Dormand-Prince and adds the test MSE. Output
// schema and deck keys: docs/snet.md.
#include <mpi.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "dynlearn/app/config.hpp"
#include "dynlearn/app/method.hpp"
#include "dynlearn/app/stages.hpp"
#include "dynlearn/core/error.hpp"
#include "dynlearn/core/format.hpp"
#include "dynlearn/core/log.hpp"
#include "dynlearn/core/signals.hpp"
#include "dynlearn/io/checkpoint_file.hpp"
#include "dynlearn/io/dataset_file.hpp"
#include "dynlearn/io/h5.hpp"
#include "dynlearn/io/provenance.hpp"
#include "dynlearn/models/driven_model_factory.hpp"
#include "dynlearn/parallel/environment.hpp"
#include "dynlearn/parallel/process_grid.hpp"
#include "dynlearn/parallel/reduction.hpp"
#include "dynlearn/spectral/element_chain.hpp"
#include "dynlearn/systems/multi_agent.hpp"
#include "dynlearn/systems/vehicle.hpp"
#include "dynlearn/train/alpha_snet.hpp"
#include "dynlearn/train/delta_snet.hpp"
#include "dynlearn/train/driven_forecast.hpp"
#include "dynlearn/train/driven_trajectories.hpp"
#include "dynlearn/train/optimizer.hpp"
#include "dynlearn/train/snet_checkpoint.hpp"
#include "dynlearn/train/snet_residual.hpp"
#include "dynlearn/train/trajectory_matching.hpp"

namespace dynlearn::app {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr const char* kOutputKind = "snet_output";
constexpr int kOutputSchema = 1;

/// [snet]: defaults are the paper's (sections 5 and 6).
struct SnetConfig {
  std::string method = "delta_snet";
  std::vector<int> hidden = {32};
  int p = 14;
  int elements = 1;
  int time_blocks = 1;
  int trajectory_shards = 0;
  int iterations = 1200;
  double learning_rate = 1e-2;
  double delta = 1e-3;
  double sgd_learning_rate = 1e-3;
  double gamma = 3.0;
  int x_steps = 10;
  int theta_steps = 10;
  double perturbation = 0.1;
  double loss_bar = 0.0;
  double residual_bar = 0.0;
  double fit_ridge = 0.0;
  double fit_smoothing = 0.0;
  double rtol = 1e-7;
  double atol = 1e-9;
  int log_every = 10;
  int checkpoint_every = 0;

  io::Section section{"snet",
                      "SNet (spectral-element training of ODE-Nets) and its baselines (snet.txt)"};

  SnetConfig() {
    section
        .add("method", method,
             "training method: delta_snet (Algorithm 1), alpha_snet (Algorithm 2), or a baseline: "
             "bkpr_euler, bkpr_dopri5 (backpropagation through the solver), adj_euler, adj_dopri5 "
             "(adjoint)",
             {"delta_snet", "alpha_snet", "bkpr_euler", "bkpr_dopri5", "adj_euler", "adj_dopri5"})
        .add("hidden", hidden,
             "hidden widths of the surrogate: vehicle {h} or {h_J, h_C, h_d}, multi_agent {h} "
             "(paper: not stated)",
             io::Range::at_least(1))
        .add("p", p, "polynomial order of each spectral element (paper: 14)",
             io::Range::at_least(1))
        .add("elements", elements, "spectral elements over the training horizon (paper: 1)",
             io::Range::at_least(1))
        .add("time_blocks", time_blocks,
             "time blocks of the process grid (ranks = trajectory groups x time_blocks); SNet "
             "methods only",
             io::Range::at_least(1))
        .add("trajectory_shards", trajectory_shards,
             "fixed trajectory shards: sums go per shard then in shard order, so results are the "
             "same bits on "
             "any grid; 0 = min(10, [data] n_train)",
             io::Range::at_least(0))
        .add("iterations", iterations,
             "maximum iterations (δ-SNet and baselines: Adam steps; α-SNet: x_steps SGD + "
             "theta_steps Adam steps)",
             io::Range::at_least(0))
        .add("learning_rate", learning_rate,
             "Adam learning rate on θ (paper: 1e-2 for all methods)", io::Range::positive())
        .add("delta", delta, "δ-SNet stops when the residual R < delta", io::Range::non_negative())
        .add("sgd_learning_rate", sgd_learning_rate,
             "α-SNet: SGD learning rate on the coefficients (paper: 1e-3)", io::Range::positive())
        .add("gamma", gamma, "α-SNet: weight γ of the data loss in γ L + R (paper: 3)",
             io::Range::positive())
        .add("x_steps", x_steps,
             "α-SNet: N_x SGD steps on the coefficients per iteration (paper: 10)",
             io::Range::at_least(0))
        .add("theta_steps", theta_steps, "α-SNet: N_t Adam steps on θ per iteration (paper: 10)",
             io::Range::at_least(0))
        .add("perturbation", perturbation,
             "α-SNet: initial coefficients = least-squares fit + U(-perturbation, perturbation) "
             "(paper: 0.1)",
             io::Range::non_negative())
        .add("loss_bar", loss_bar,
             "α-SNet stops when γ L + R < γ loss_bar + residual_bar (paper, sec. 6: 0.11)",
             io::Range::non_negative())
        .add("residual_bar", residual_bar, "see loss_bar (paper, sec. 6: 0.012)",
             io::Range::non_negative())
        .add("fit_ridge", fit_ridge,
             "ridge λ|x|² added to the least-squares fit of the coefficients (needed when samples "
             "are too few)",
             io::Range::non_negative())
        .add("fit_smoothing", fit_smoothing,
             "curvature penalty λ Σ_e ∫|x''|² dt added to the least-squares fit of the "
             "coefficients: the least curved fit between sparse samples (low data; 0 = none)",
             io::Range::non_negative())
        .add("rtol", rtol,
             "Dormand-Prince relative tolerance (dopri5 baselines and the test forecast; paper "
             "1e-7)",
             io::Range::positive())
        .add("atol", atol, "Dormand-Prince absolute tolerance (paper: 1e-9)", io::Range::positive())
        .add("log_every", log_every, "iterations between progress lines (0: only the last)",
             io::Range::at_least(0))
        .add("checkpoint_every", checkpoint_every,
             "iterations between checkpoints (0: only when stopped by a signal or [run] "
             "max_wall_seconds)",
             io::Range::at_least(0));
  }

  bool spectral() const { return method == "delta_snet" || method == "alpha_snet"; }
  /// trajectory_shards with 0 resolved against the number of trajectories.
  std::size_t shards(std::size_t trajectories) const {
    if (trajectory_shards > 0) return static_cast<std::size_t>(trajectory_shards);
    return std::max<std::size_t>(1, std::min<std::size_t>(10, trajectories));
  }
};

using core::format;

/// What training produces.
struct TrainedRun {
  VectorXd parameters;
  std::vector<double> iteration, loss, residual, seconds;
  bool converged = false;
  bool interrupted = false;
  /// Trajectory-matching loss (Dormand-Prince from each first sample, as the
  /// baselines' loss) of the final model: comparable across all six methods.
  double final_matching_loss = std::nan("");
  /// δ-SNet: R measured by the converging step (which moves nothing and is
  /// not an iteration of the history); NaN otherwise.
  double converged_residual = std::nan("");
};

/// Test evaluation: every rank holds all rows (small: n_test forecasts).
struct Evaluation {
  VectorXd t;
  std::vector<double> forecast, truth;  // [trajectory, sample, component]
  std::vector<double> mse;              // per trajectory
  double mean_mse = 0.0;
  Index state_dim = 0;
};

std::vector<double> to_std(const VectorXd& v) {
  return {v.data(), v.data() + v.size()};
}

double mean(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x;
  return v.empty() ? 0.0 : s / static_cast<double>(v.size());
}

void write_snet_output(const std::string& path, MPI_Comm comm, const Config& config,
                       const SnetConfig& c, const TrainedRun& run,
                       const std::optional<Evaluation>& evaluation) {
  io::write_file_atomically(
      path, comm, kOutputKind, kOutputSchema, config.resolved, [&](io::h5::File& f) {
        write_vector(f, "/model/parameters", to_std(run.parameters),
                     "surrogate parameters θ, flat (per network, PyTorch layout)");
        f.write_attribute("/model", "type", config.system->type());
        f.write_attribute("/model", "hidden",
                          std::vector<std::int64_t>(c.hidden.begin(), c.hidden.end()));
        write_vector(f, "/history/iteration", run.iteration, "iteration number (1-based)");
        write_vector(
            f, "/history/loss", run.loss,
            "SNet: data loss L of the spectral trajectories; baselines: trajectory-matching loss");
        write_vector(
            f, "/history/residual", run.residual,
            "SNet: collocation residual R (δ-SNet: before the iteration's step; α-SNet: after the "
            "iteration); baselines: NaN");
        write_vector(f, "/history/seconds", run.seconds, "wall time of the iteration [s]");
        // The group comes with its first dataset (h5::File creates groups only that way).
        const double final_loss = run.loss.empty() ? std::nan("") : run.loss.back();
        const double final_residual = !std::isnan(run.converged_residual) ? run.converged_residual
                                      : run.residual.empty()              ? std::nan("")
                                                                          : run.residual.back();
        write_vector(
            f, "/train/summary",
            std::vector<double>{static_cast<double>(run.iteration.size()), final_loss,
                                final_residual, 1e3 * mean(run.seconds), run.final_matching_loss},
            "[iterations, final loss, final residual, ms per iteration, final matching "
            "loss] (also as "
            "attributes)");
        f.write_attribute("/train", "method", c.method);
        f.write_attribute("/train", "iterations", static_cast<std::int64_t>(run.iteration.size()));
        f.write_attribute("/train", "converged", static_cast<std::int64_t>(run.converged));
        f.write_attribute("/train", "interrupted", static_cast<std::int64_t>(run.interrupted));
        f.write_attribute("/train", "final_loss", final_loss);
        f.write_attribute("/train", "final_residual", final_residual);
        f.write_attribute("/train", "ms_per_iteration", 1e3 * mean(run.seconds));
        f.write_attribute("/train", "final_matching_loss", run.final_matching_loss);
        if (evaluation) {
          const auto n = static_cast<hsize_t>(evaluation->mse.size());
          const auto s = static_cast<hsize_t>(evaluation->t.size());
          const auto d = static_cast<hsize_t>(evaluation->state_dim);
          write_vector(f, "/evaluate/t", to_std(evaluation->t), "test sample times");
          f.write_all("/evaluate/forecast", {n, s, d}, evaluation->forecast.data(),
                      "Dormand-Prince forecast of the trained surrogate from the first observed "
                      "test sample "
                      "[trajectory, sample, component]");
          f.write_all("/evaluate/truth", {n, s, d}, evaluation->truth.data(),
                      "noise-free test states [trajectory, sample, component]");
          write_vector(f, "/evaluate/mse", evaluation->mse,
                       "per test trajectory: mean over samples after the first and components of "
                       "(forecast - truth)²");
          f.write_attribute("/evaluate", "mse", evaluation->mean_mse);
        }
      });
}

TrainedRun read_snet_output(const std::string& path, MPI_Comm comm) {
  if (!std::filesystem::exists(path))
    throw InputError("'" + path +
                     "' does not exist: run the train stage first (add \"train\" to [run] stages)");
  auto f = io::h5::File::open(path, comm);
  io::check_provenance(f, kOutputKind, kOutputSchema);
  TrainedRun run;
  const std::vector<double> p = f.read_all("/model/parameters");
  run.parameters = Eigen::Map<const VectorXd>(p.data(), static_cast<Index>(p.size()));
  run.iteration = f.read_all("/history/iteration");
  run.loss = f.read_all("/history/loss");
  run.residual = f.read_all("/history/residual");
  run.seconds = f.read_all("/history/seconds");
  run.converged = f.read_int_attribute("/train", "converged") != 0;
  const std::vector<double> summary = f.read_all("/train/summary");
  run.final_matching_loss = summary.size() > 4 ? summary[4] : std::nan("");
  if (run.converged && summary.size() > 2) run.converged_residual = summary[2];
  run.interrupted = f.read_int_attribute("/train", "interrupted") != 0;
  return run;
}

// ---- checkpoints: everything to continue bit for bit ----------------------

/// A run's state after `iteration` iterations. The nodal values (SNet
/// methods) are added by the caller as distributed rows.
io::Checkpoint to_checkpoint(const SnetConfig& c, const TrainedRun& run, const VectorXd& theta,
                             const train::Optimizer& optimizer, int iteration) {
  io::Checkpoint ck;
  ck.iteration = iteration;
  ck.vectors["parameters"] = theta;
  const auto eigen = [](const std::vector<double>& v) {
    return Eigen::Map<const VectorXd>(v.data(), static_cast<Index>(v.size())).eval();
  };
  ck.vectors["history/iteration"] = eigen(run.iteration);
  ck.vectors["history/loss"] = eigen(run.loss);
  ck.vectors["history/residual"] = eigen(run.residual);
  ck.vectors["history/seconds"] = eigen(run.seconds);
  const train::NamedState state = optimizer.state();
  for (const auto& [name, v] : state.vectors) ck.vectors["optimizer/" + name] = v;
  for (const auto& [name, v] : state.scalars) ck.scalars["optimizer/" + name] = v;
  ck.strings["optimizer"] = state.kind;
  ck.strings["method"] = c.method;
  return ck;
}

/// What a restart continues from: the checkpoint's replicated part (θ,
/// history, optimizer) and its path (the SNet methods read their trajectories'
/// nodal values from it).
struct Resume {
  std::string path;
  io::Checkpoint state;
  int iteration() const { return static_cast<int>(state.iteration); }
};

/// Restores the history into `run` and checks the checkpoint is of this
/// method and model; returns θ.
VectorXd restore_run(const Resume& resume, const SnetConfig& c, Index parameters, TrainedRun& run) {
  const io::Checkpoint& ck = resume.state;
  const auto method = ck.strings.find("method");
  if (method == ck.strings.end())
    throw InputError("checkpoint '" + resume.path + "' is not of a [run] method = \"snet\" run");
  if (method->second != c.method)
    throw InputError("checkpoint '" + resume.path + "' is of [snet] method = \"" + method->second +
                     "\", the deck says \"" + c.method +
                     "\": restart with the deck that started the run");
  auto vector = [&](const std::string& name) {
    auto it = ck.vectors.find(name);
    if (it == ck.vectors.end())
      throw InputError("checkpoint '" + resume.path + "' lacks '" + name + "'");
    return it->second;
  };
  const VectorXd theta = vector("parameters");
  if (theta.size() != parameters)
    throw InputError("checkpoint '" + resume.path + "' holds " + std::to_string(theta.size()) +
                     " parameters, but [snet] hidden describes a surrogate of " +
                     std::to_string(parameters) + ": restart with the deck that started the run");
  run.iteration = to_std(vector("history/iteration"));
  run.loss = to_std(vector("history/loss"));
  run.residual = to_std(vector("history/residual"));
  run.seconds = to_std(vector("history/seconds"));
  return theta;
}

/// Loads the checkpoint's optimizer state (Adam moments and step count).
void restore_optimizer(const Resume& resume, train::Optimizer& optimizer) {
  const io::Checkpoint& ck = resume.state;
  train::NamedState state;
  const auto kind = ck.strings.find("optimizer");
  if (kind == ck.strings.end())
    throw InputError("checkpoint '" + resume.path + "' lacks the optimizer state");
  state.kind = kind->second;
  const std::string prefix = "optimizer/";
  for (const auto& [name, v] : ck.vectors)
    if (name.rfind(prefix, 0) == 0) state.vectors[name.substr(prefix.size())] = v;
  for (const auto& [name, v] : ck.scalars)
    if (name.rfind(prefix, 0) == 0) state.scalars[name.substr(prefix.size())] = v;
  optimizer.load_state(state);
}

/// Whether to stop before an iteration: a signal (SIGTERM, SIGUSR1) or the
/// [run] max_wall_seconds budget, decided alike on every rank.
class StopCheck {
 public:
  StopCheck(double max_wall_seconds, int first_iteration)
      : deadline_(max_wall_seconds), first_(first_iteration) {}
  /// Collective over comm. The budget check leaves room for this iteration
  /// and a checkpoint; each process does at least one iteration.
  bool operator()(int iteration, MPI_Comm comm) {
    out_of_time_ = deadline_.enabled() && iteration > first_ &&
                   deadline_.would_pass(2.0 * last_seconds_ + 1.0);
    const bool stop = core::stop_requested() || out_of_time_;
    return parallel::any_rank(stop, comm);
  }
  void record(double seconds) { last_seconds_ = seconds; }
  const char* reason() const {
    return core::stop_requested() ? "signal" : "[run] max_wall_seconds";
  }

 private:
  core::Deadline deadline_;
  int first_;
  double last_seconds_ = 0.0;
  bool out_of_time_ = false;
};

double input_period(const systems::System& system) {
  if (const auto* v = dynamic_cast<const systems::Vehicle*>(&system)) return v->input_period;
  if (const auto* m = dynamic_cast<const systems::MultiAgent*>(&system)) return m->input_period;
  throw InputError(
      "[run] method = \"snet\" learns input-driven systems: [system] type must be \"vehicle\" or "
      "\"multi_agent\", not \"" +
      system.type() + "\"");
}

/// Mean over the training trajectories of the BKPR-DoPr5 loss of `model`,
/// summed over the trajectory shards of `comm` (the same bits on any rank count).
double matching_loss(integrate::DrivenField& model, const train::DrivenTrajectories& data,
                     const parallel::ShardLayout& layout, MPI_Comm comm, const SnetConfig& c) {
  train::MatchingOptions mo;
  mo.rtol = c.rtol;
  mo.atol = c.atol;
  train::TrajectoryMatching matching(model, train::MatchingMethod::bkpr_dopri5, mo);
  parallel::DeterministicSum sum(comm, layout.n_shards());
  const parallel::IndexRange owned = layout.owned_items(), shards = layout.owned_shards();
  std::vector<VectorXd> partials;
  for (std::size_t s = shards.begin; s < shards.end; ++s) {
    const parallel::IndexRange r = layout.shard_items(s);
    VectorXd v(1);
    v(0) = std::nan("");
    if (core::stop_requested()) {  // a stopped run skips this diagnostic (a blown-up model takes
                                   // minutes)
      partials.push_back(v);
      continue;
    }
    try {
      v(0) = matching.loss(data, r.begin - owned.begin, r.end - owned.begin);
    } catch (const NumericalError&) {
      v(0) = std::nan("");  // the trained model cannot be integrated over the horizon
    }
    partials.push_back(v);
  }
  return sum.sum(partials, 1)(0) / static_cast<double>(layout.n_items());
}

class SnetMethod final : public Method {
 public:
  void read(io::Deck& deck) override { deck.read(config_.section); }

  void validate(const Config& config) const override {
    const SnetConfig& c = config_;
    if (config.system) input_period(*config.system);
    if (c.trajectory_shards > 0 && c.trajectory_shards > config.data.n_train)
      throw InputError("[snet] trajectory_shards = " + std::to_string(c.trajectory_shards) +
                       " exceeds [data] n_train = " + std::to_string(config.data.n_train) +
                       ": lower it");
    if (c.elements < c.time_blocks)
      throw InputError("[snet] elements = " + std::to_string(c.elements) +
                       " is fewer than [snet] time_blocks = " + std::to_string(c.time_blocks) +
                       ": every time block needs at least one element");
    if (!c.spectral() && c.time_blocks != 1)
      throw InputError("[snet] time_blocks = " + std::to_string(c.time_blocks) +
                       " needs an SNet method; the " + c.method +
                       " baseline is parallel over trajectories only: set time_blocks = 1");
  }

  bool train(const Config& config, MPI_Comm comm, bool restart) override;
  void evaluate(const Config& config, MPI_Comm comm) override;

 private:
  bool train_spectral(const Config& config, MPI_Comm comm, integrate::DrivenField& model,
                      TrainedRun& run, const Resume* resume);
  bool train_baseline(const Config& config, MPI_Comm comm, integrate::DrivenField& model,
                      TrainedRun& run, const Resume* resume);
  /// Writes `checkpoint` (collective) and says where.
  void write_checkpoint(const Config& config, MPI_Comm comm, const io::Checkpoint& checkpoint);
  /// The message of a stop before iteration `iteration`.
  static void report_stop(int iteration, const StopCheck& stop);

  SnetConfig config_;
};

/// One progress line every log_every iterations (and at the last).
struct ProgressLog {
  int every, total;
  double seconds = 0.0;
  int count = 0;
  void add(int iteration, double loss, double residual, double s, bool last) {
    seconds += s;
    ++count;
    if ((every > 0 && iteration % every == 0) || last || iteration == total) {
      core::info(format("iter %6d/%d  loss %.6e  R %.6e  %.3f ms/iter", iteration, total, loss,
                        residual, 1e3 * seconds / count));
      seconds = 0.0;
      count = 0;
    }
  }
};

void SnetMethod::write_checkpoint(const Config& config, MPI_Comm comm,
                                  const io::Checkpoint& checkpoint) {
  const std::string path = io::write_checkpoint(config.run.output_dir, config.run.name, checkpoint,
                                                config.resolved, comm);
  core::debug("train: checkpoint " + path);
}

void SnetMethod::report_stop(int iteration, const StopCheck& stop) {
  core::info(format(
      "training stopped at iteration %d (%s); checkpoint written, continue with: dynlearn run "
      "DECK --restart",
      iteration - 1, stop.reason()));
}

bool SnetMethod::train_spectral(const Config& config, MPI_Comm comm, integrate::DrivenField& model,
                                TrainedRun& run, const Resume* resume) {
  const SnetConfig& c = config_;
  const io::DatasetReader reader = open_dataset(config, comm);
  const io::SplitShape shape = reader.shape("train");
  parallel::ProcessGrid grid(comm, c.time_blocks);
  const parallel::ShardLayout layout(shape.trajectories, c.shards(shape.trajectories),
                                     grid.trajectory_group(), grid.trajectory_groups());
  const parallel::IndexRange owned = layout.owned_items();
  const train::DrivenTrajectories data = train::read_driven_trajectories(
      reader, "train", owned.begin, owned.size(), input_period(*config.system));
  const double t0 = config.data.t0;
  const double t1 = config.data.t0 + config.data.dt * config.data.train_steps;
  const spectral::ElementChain chain(t0, t1, c.elements, c.p);
  // δ-SNet evaluates L once (its nodal values are fixed): it forms the
  // samples' interpolation rows then instead of keeping them.
  train::SnetProblem problem(
      model, chain, grid, data, layout,
      static_cast<double>(shape.trajectories) * static_cast<double>(shape.samples),
      c.method == "delta_snet" ? train::SampleWeights::on_demand : train::SampleWeights::stored);
  core::info(
      format("train: %s, %llu trajectories x %llu samples, %d element(s) of order %d over [%g, "
             "%g]; grid %d "
             "trajectory group(s) x %d time block(s), %d shards; %ld parameters",
             c.method.c_str(), static_cast<unsigned long long>(shape.trajectories),
             static_cast<unsigned long long>(shape.samples), c.elements, c.p, t0, t1,
             grid.trajectory_groups(), grid.time_blocks(), static_cast<int>(layout.n_shards()),
             static_cast<long>(model.num_parameters())));
  ProgressLog log{c.log_every, c.iterations};
  const auto seconds_since = [](auto start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  // Collective: loss and residual are the grid's sums, the same bits on every rank.
  auto check_finite = [&](double loss, double residual, int it) {
    if (!std::isfinite(loss) || !std::isfinite(residual))
      throw NumericalError(
          format("%s: the residual became non-finite at iteration %d; lower [snet] learning_rate "
                 "(now %g). The checkpoints written so far are kept (the newest holds the last "
                 "finite state)",
                 c.method.c_str(), it, c.learning_rate),
          true);
  };
  const int first = resume ? resume->iteration() + 1 : 1;
  StopCheck stop(config.run.max_wall_seconds, first);
  auto checkpoint = [&](int iteration, const train::Optimizer& optimizer) {
    io::Checkpoint ck = to_checkpoint(c, run, model.parameters(), optimizer, iteration);
    ck.arrays["nodal_values"] =
        train::gather_nodal_values(problem, chain, owned.begin, shape.trajectories);
    write_checkpoint(config, comm, ck);
  };
  auto periodic = [&](int iteration) {
    return c.checkpoint_every > 0 && iteration % c.checkpoint_every == 0 &&
           iteration < c.iterations;
  };
  // A restart continues from the checkpoint's nodal values (the solvers
  // neither fit nor perturb them again) and optimizer state.
  auto restore = [&](train::Optimizer& optimizer) {
    if (!resume) return;
    restore_optimizer(*resume, optimizer);
    const io::CheckpointReader reader(resume->path, comm);
    train::scatter_nodal_values(problem, chain,
                                reader.read_rows("nodal_values", owned.begin, owned.size()));
  };
  // One loop for both solvers: stop and checkpoint, timing, the finite
  // check, history and progress. δ-SNet's converging step only measured R, so
  // it is not an iteration (`converging_step_counts` false); α-SNet's is.
  struct Outcome {
    double loss, residual;
    bool converged;
  };
  auto iterate = [&](const train::Optimizer& optimizer, bool converging_step_counts, auto&& step,
                     auto&& announce) {
    for (int it = first; it <= c.iterations; ++it) {
      if (stop(it, comm)) {
        checkpoint(it - 1, optimizer);
        report_stop(it, stop);
        return false;
      }
      const auto start = std::chrono::steady_clock::now();
      const Outcome v = step();
      const double s = seconds_since(start);
      stop.record(s);
      check_finite(v.loss, v.residual, it);
      if (v.converged && !converging_step_counts) {
        announce(it - 1);
        break;
      }
      run.iteration.push_back(it);
      run.loss.push_back(v.loss);
      run.residual.push_back(v.residual);
      run.seconds.push_back(s);
      log.add(it, v.loss, v.residual, s, v.converged);
      if (v.converged) {
        announce(it);
        break;
      }
      if (periodic(it)) checkpoint(it, optimizer);
    }
    return true;
  };
  if (c.method == "delta_snet") {
    train::DeltaSnetOptions o;
    o.learning_rate = c.learning_rate;
    o.delta = c.delta;
    o.fit_ridge = c.fit_ridge;
    o.fit_smoothing = c.fit_smoothing;
    o.initialize = resume == nullptr;
    train::DeltaSnet solver(model, problem, chain, data, o);
    restore(solver.optimizer());
    train::SnetValues last{};
    const auto step = [&] {
      last = solver.step();
      return Outcome{last.loss, last.residual, solver.converged()};
    };
    const auto announce = [&](int iterations) {
      run.converged = true;
      run.converged_residual = last.residual;
      core::info(format("train: δ-SNet converged, R = %.6e < δ = %g after %d iterations",
                        last.residual, c.delta, iterations));
    };
    if (!iterate(solver.optimizer(), false, step, announce)) return false;
  } else {
    train::AlphaSnetOptions o;
    o.learning_rate = c.learning_rate;
    o.sgd_learning_rate = c.sgd_learning_rate;
    o.gamma = c.gamma;
    o.x_steps = c.x_steps;
    o.theta_steps = c.theta_steps;
    o.perturbation = c.perturbation;
    o.stop = c.gamma * c.loss_bar + c.residual_bar;
    o.fit_ridge = c.fit_ridge;
    o.fit_smoothing = c.fit_smoothing;
    o.seed = static_cast<std::uint64_t>(config.run.seed);
    o.initialize = resume == nullptr;
    train::AlphaSnet solver(model, problem, chain, data, o);
    restore(solver.optimizer());
    train::AlphaSnetValues last{};
    const auto step = [&] {
      last = solver.step();
      return Outcome{last.loss, last.residual, solver.converged()};
    };
    const auto announce = [&](int iterations) {
      run.converged = true;
      core::info(format("train: α-SNet converged, γL + R = %.6e < %g after %d iterations",
                        last.objective, o.stop, iterations));
    };
    if (!iterate(solver.optimizer(), true, step, announce)) return false;
  }
  run.final_matching_loss = matching_loss(model, data, layout, grid.trajectory_comm(), c);
  return true;
}

bool SnetMethod::train_baseline(const Config& config, MPI_Comm comm, integrate::DrivenField& model,
                                TrainedRun& run, const Resume* resume) {
  const SnetConfig& c = config_;
  const io::DatasetReader reader = open_dataset(config, comm);
  const io::SplitShape shape = reader.shape("train");
  const parallel::ShardLayout layout(shape.trajectories, c.shards(shape.trajectories), comm);
  const parallel::IndexRange owned = layout.owned_items();
  const train::DrivenTrajectories data = train::read_driven_trajectories(
      reader, "train", owned.begin, owned.size(), input_period(*config.system));
  train::MatchingOptions mo;
  mo.rtol = c.rtol;
  mo.atol = c.atol;
  train::TrajectoryMatching matching(model, train::parse_matching_method(c.method), mo);
  parallel::DeterministicSum sum(comm, layout.n_shards());
  train::OptimizerOptions ao;
  ao.lr = c.learning_rate;
  auto adam = train::make_optimizer("adam", ao);
  if (resume) restore_optimizer(*resume, *adam);
  const Index m = model.num_parameters();
  core::info(
      format("train: %s, %llu trajectories x %llu samples on %d rank(s), %d shards; %ld parameters",
             c.method.c_str(), static_cast<unsigned long long>(shape.trajectories),
             static_cast<unsigned long long>(shape.samples), parallel::size(comm),
             static_cast<int>(layout.n_shards()), static_cast<long>(m)));
  ProgressLog log{c.log_every, c.iterations};
  VectorXd theta = model.parameters();
  const int first = resume ? resume->iteration() + 1 : 1;
  StopCheck stop(config.run.max_wall_seconds, first);
  auto checkpoint = [&](int iteration) {
    write_checkpoint(config, comm, to_checkpoint(c, run, theta, *adam, iteration));
  };
  for (int it = first; it <= c.iterations; ++it) {
    if (stop(it, comm)) {
      checkpoint(it - 1);
      report_stop(it, stop);
      return false;
    }
    const auto start = std::chrono::steady_clock::now();
    std::vector<VectorXd> partials;
    const parallel::IndexRange shards = layout.owned_shards();
    for (std::size_t s = shards.begin; s < shards.end; ++s) {
      const parallel::IndexRange r = layout.shard_items(s);
      VectorXd v = VectorXd::Zero(m + 1);
      v(m) =
          matching.loss_and_gradient(data, r.begin - owned.begin, r.end - owned.begin, v.head(m));
      partials.push_back(std::move(v));
    }
    const VectorXd total = sum.sum(partials, m + 1) / static_cast<double>(shape.trajectories);
    const double loss = total(m);
    if (!std::isfinite(loss) || !total.head(m).allFinite())
      throw NumericalError(
          format("%s: the loss became non-finite at iteration %d; lower [snet] learning_rate (now "
                 "%g). The checkpoints written so far are kept (the newest holds the last finite "
                 "state)",
                 c.method.c_str(), it, c.learning_rate),
          true);
    const VectorXd gradient = total.head(m);
    adam->step(theta, gradient);
    model.set_parameters(theta);
    const double s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    run.iteration.push_back(it);
    run.loss.push_back(loss);
    run.residual.push_back(std::nan(""));
    run.seconds.push_back(s);
    stop.record(s);
    log.add(it, loss, std::nan(""), s, false);
    if (c.checkpoint_every > 0 && it % c.checkpoint_every == 0 && it < c.iterations) checkpoint(it);
  }
  run.final_matching_loss = matching_loss(model, data, layout, comm, c);
  return true;
}

bool SnetMethod::train(const Config& config, MPI_Comm comm, bool restart) {
  const SnetConfig& c = config_;
  const auto seed = static_cast<std::uint64_t>(config.run.seed);
  std::unique_ptr<integrate::DrivenField> model =
      models::make_driven_model(*config.system, c.hidden, seed);
  TrainedRun run;
  std::optional<Resume> resume;
  if (restart) {
    Resume r;
    r.path = io::require_latest_checkpoint(config.run.output_dir, config.run.name, comm);
    r.state = io::CheckpointReader(r.path, comm).replicated();
    model->set_parameters(restore_run(r, c, model->num_parameters(), run));
    core::info("train: restarted from " + r.path + " at iteration " +
               std::to_string(r.iteration()));
    resume = std::move(r);
  }
  const Resume* from = resume ? &*resume : nullptr;
  core::install_stop_handlers();
  bool complete = false;
  try {
    complete = c.spectral() ? train_spectral(config, comm, *model, run, from)
                            : train_baseline(config, comm, *model, run, from);
  } catch (...) {
    core::uninstall_stop_handlers();
    throw;
  }
  core::uninstall_stop_handlers();
  run.interrupted = !complete;
  run.parameters = model->parameters();
  const std::string out = output_path(config);
  std::filesystem::create_directories(std::filesystem::path(out).parent_path().empty()
                                          ? std::filesystem::path(".")
                                          : std::filesystem::path(out).parent_path());
  write_snet_output(out, comm, config, c, run, std::nullopt);
  if (!complete) {
    core::info("train: wrote the model so far to " + out + " (/train interrupted = 1)");
    return false;
  }
  core::info(format(
      "train: %s, %zu iterations, final loss %.6e, final matching loss %.6e, %.3f ms/iteration; "
      "wrote %s",
      c.method.c_str(), run.iteration.size(), run.loss.empty() ? std::nan("") : run.loss.back(),
      run.final_matching_loss, 1e3 * mean(run.seconds), out.c_str()));
  return true;
}

void SnetMethod::evaluate(const Config& config, MPI_Comm comm) {
  const SnetConfig& c = config_;
  const std::string out = output_path(config);
  const TrainedRun run = read_snet_output(out, comm);
  std::unique_ptr<integrate::DrivenField> model = models::make_driven_model(
      *config.system, c.hidden, static_cast<std::uint64_t>(config.run.seed));
  if (run.parameters.size() != model->num_parameters())
    throw InputError("'" + out + "' holds " + std::to_string(run.parameters.size()) +
                     " parameters, but [snet] "
                     "hidden describes a surrogate of " +
                     std::to_string(model->num_parameters()) +
                     ": evaluate with the deck that trained it");
  model->set_parameters(run.parameters);
  const io::DatasetReader reader = open_dataset(config, comm);
  const io::SplitShape shape = reader.shape("test");
  const auto n = static_cast<std::size_t>(shape.trajectories);
  const Index samples = static_cast<Index>(shape.samples), d = static_cast<Index>(shape.state_dim);
  const parallel::IndexRange owned =
      parallel::block_range(n, parallel::rank(comm), parallel::size(comm));
  const io::SplitData split = reader.read("test", owned.begin, owned.size());
  const double period = input_period(*config.system);
  Evaluation e;
  e.state_dim = d;
  // Each rank fills its rows; the other entries stay 0, so the sum over ranks
  // is exact and every rank ends with all rows.
  std::vector<double> forecast(n * samples * d, 0.0), truth(n * samples * d, 0.0), mse(n, 0.0);
  VectorXd t = VectorXd::Zero(samples);
  for (std::size_t i = 0; i < owned.size(); ++i) {
    const io::TrajectoryRecord& r = split.trajectories[i];
    if (i == 0 && owned.begin == 0) t = r.t;
    const systems::FourierInput u(r.u_coeffs, period);
    MatrixXd f;
    try {
      f = train::forecast_driven(*model, r.y.col(0), u, r.t, c.rtol, c.atol);
    } catch (const NumericalError& error) {
      // A surrogate that blows up over the long horizon is a result (the paper's "Fail"), not a
      // crash.
      core::warn(format("evaluate: test trajectory %zu: %s", owned.begin + i, error.what()));
      f = MatrixXd::Constant(d, samples, std::nan(""));
    }
    const std::size_t g = owned.begin + i;
    std::copy(f.data(), f.data() + f.size(),
              forecast.begin() + static_cast<std::ptrdiff_t>(g * samples * d));
    std::copy(r.x.data(), r.x.data() + r.x.size(),
              truth.begin() + static_cast<std::ptrdiff_t>(g * samples * d));
    mse[g] = (f.rightCols(samples - 1) - r.x.rightCols(samples - 1)).squaredNorm() /
             static_cast<double>((samples - 1) * d);
  }
  MPI_Allreduce(MPI_IN_PLACE, forecast.data(), static_cast<int>(forecast.size()), MPI_DOUBLE,
                MPI_SUM, comm);
  MPI_Allreduce(MPI_IN_PLACE, truth.data(), static_cast<int>(truth.size()), MPI_DOUBLE, MPI_SUM,
                comm);
  MPI_Allreduce(MPI_IN_PLACE, mse.data(), static_cast<int>(mse.size()), MPI_DOUBLE, MPI_SUM, comm);
  MPI_Bcast(t.data(), static_cast<int>(t.size()), MPI_DOUBLE, 0, comm);
  e.t = t;
  e.forecast = std::move(forecast);
  e.truth = std::move(truth);
  e.mse = std::move(mse);
  e.mean_mse = mean(e.mse);
  core::info(
      format("evaluate: %s, test MSE %.6e over %zu trajectories of %lld samples (t up to %g)",
             c.method.c_str(), e.mean_mse, n, static_cast<long long>(samples), e.t(samples - 1)));
  write_snet_output(out, comm, config, c, run, e);
  core::info("evaluate: wrote " + out);
}

}  // namespace

std::unique_ptr<Method> make_snet_method() {
  return std::make_unique<SnetMethod>();
}

}  // namespace dynlearn::app
