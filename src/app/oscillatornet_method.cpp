// OscillatorNet (oscillatornet.txt): learns the constants of damped and
// coupled oscillators from their positions with a residual net whose
// connections are a central second-order difference step. One
// [oscillatornet] section selects the model (solver weights, partial
// observation with the mapping net, or the ResNet baseline); `train` fits
// the observed points, runs the free forecast with retraining and writes
// <output_dir>/<name>_output.h5; `evaluate` prints the paper-style table of
// constants (truth / initial / learned / error %) and the forecast error.
// Deck keys and output schema: docs/oscillatornet.md.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>

#include "dynlearn/app/config.hpp"
#include "dynlearn/app/method.hpp"
#include "dynlearn/app/stages.hpp"
#include "dynlearn/core/error.hpp"
#include "dynlearn/core/log.hpp"
#include "dynlearn/core/signals.hpp"
#include "dynlearn/io/dataset_file.hpp"
#include "dynlearn/io/h5.hpp"
#include "dynlearn/io/provenance.hpp"
#include "dynlearn/parallel/environment.hpp"
#include "dynlearn/parallel/reduction.hpp"
#include "dynlearn/train/oscillatornet_training.hpp"
#include "dynlearn/train/windows.hpp"

namespace dynlearn::app {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr const char* kOutputKind = "oscillatornet_output";
constexpr int kOutputSchema = 1;

/// [oscillatornet]: defaults are the paper's (sections 3 and 4).
struct OscillatorNetConfig {
  train::OscillatorNetSettings s;
  io::Section section{"oscillatornet",
                      "OscillatorNet and its one-layer ResNet baseline (oscillatornet.txt)"};

  OscillatorNetConfig() {
    section
        .add("model", s.model,
             "oscillatornet (the central-difference residual block) or resnet (the one-layer "
             "ResNet baseline)",
             {"oscillatornet", "resnet"})
        .add("weights", s.weights,
             "canonical: W = [m, b, k] per mass (eq. 12, 15); one_filter: [m, k], no dissipation "
             "(Fig. 3 top); "
             "combined: U = [a, b, c, d, e] of two masses (eq. 20-24)",
             {"canonical", "one_filter", "combined"})
        .add("initial_m", s.initial_m, "initial masses [kg], one value or one per mass (paper: 1)",
             io::Range::positive())
        .add("initial_b", s.initial_b,
             "initial damping coefficients [kg/s], one or one per mass (paper: 1)",
             io::Range::non_negative())
        .add("initial_k", s.initial_k,
             "initial spring constants [kg/s^2], one or one per mass (paper: 15)",
             io::Range::positive())
        .add("frozen", s.frozen,
             "parameters held at their initial value, by name (m1, b1, k2, a..e): e.g. [\"m1\"] "
             "fixes the "
             "scale that positions alone cannot (docs/oscillatornet.md)")
        .add("optimizer", s.optimizer, "gradient optimiser (PyTorch semantics)",
             {"adam", "sgd", "radam"})
        .add("learning_rate", s.learning_rate, "optimiser learning rate", io::Range::positive())
        .add("iterations", s.iterations, "full-batch steps on the observed points",
             io::Range::at_least(0))
        .add("retrain_iterations", s.retrain_iterations,
             "steps after each forecast point is fed back, before the next forecast",
             io::Range::at_least(0))
        .add("observed_points", s.observed_points,
             "points of each trajectory trained on (paper: 60)", io::Range::at_least(4))
        .add("forecast_points", s.forecast_points, "points of the free forecast (paper: 60)",
             io::Range::at_least(0))
        .add("observed_masses", s.observed_masses,
             "masses embedded in the network, 1-based; [] = all; [1] = partial observation with "
             "the mapping "
             "net (section 4, two masses)",
             io::Range::at_least(1))
        .add("stencil_order", s.stencil_order,
             "accuracy order of the mapping's backward stencils (paper: 5)",
             io::Range::between(1, 10))
        .add("mapping_kernel", s.mapping_kernel,
             "projection kernel size: 1 shares alpha, beta, gamma with the solver (eq. 19); wider "
             "is not shared "
             "(paper: 1 or 25)",
             io::Range::at_least(1))
        .add("padding", s.padding,
             "mapping padding: causal (zeros before the first point) or valid (truncated)",
             {"causal", "valid"})
        .add("inner_feedback", s.inner_feedback,
             "free forecast re-maps mass 2 from the forecast of mass 1 at every step (the paper's "
             "IFL)")
        .add("resnet_kernel", s.resnet_kernel, "ResNet baseline: samples in its causal window",
             io::Range::at_least(1))
        .add("resnet_hidden", s.resnet_hidden, "ResNet baseline: tanh filters",
             io::Range::at_least(1))
        .add("log_every", s.log_every, "log the loss every this many iterations (0: never)",
             io::Range::at_least(0));
  }
};

std::string format_row(const char* fmt, const std::string& name, double a, double b, double c,
                       double d) {
  char buf[256];
  std::snprintf(buf, sizeof buf, fmt, name.c_str(), a, b, c, d);
  return buf;
}

/// Rows of the dataset's observations that hold the positions of the chosen masses.
std::vector<Index> position_rows(const io::DatasetMeta& meta, const std::vector<int>& masses,
                                 int* n_masses, const std::string& path) {
  std::vector<Index> all;
  for (auto p : meta.position_indices) {
    const auto it = std::find(meta.observed_indices.begin(), meta.observed_indices.end(), p);
    if (it == meta.observed_indices.end())
      throw InputError("'" + path +
                       "' does not observe every position: regenerate with [data] observe = "
                       "\"state\" or \"position\"");
    all.push_back(it - meta.observed_indices.begin());
  }
  *n_masses = static_cast<int>(all.size());
  if (masses.empty()) return all;
  std::vector<Index> rows;
  for (int m : masses) {
    if (m < 1 || m > *n_masses)
      throw InputError("[oscillatornet] observed_masses names mass " + std::to_string(m) +
                       " but the system has " + std::to_string(*n_masses));
    rows.push_back(all[m - 1]);
  }
  return rows;
}

using io::h5::stack_rows;

class OscillatorNetMethod : public Method {
 public:
  void read(io::Deck& deck) override { deck.read(config_.section); }

  void validate(const Config& config) const override {
    const auto& s = config_.s;
    if (config.system && config.system->type() != "damped_oscillator" &&
        config.system->type() != "coupled_oscillators")
      throw InputError(
          "[run] method = \"oscillatornet\" learns damped_oscillator or coupled_oscillators, not "
          "[system] "
          "type = \"" +
          config.system->type() + "\"");
    const int samples = config.data.train_steps + 1;
    if (s.observed_points + s.forecast_points > samples)
      throw InputError("[oscillatornet] observed_points + forecast_points = " +
                       std::to_string(s.observed_points + s.forecast_points) +
                       " but [data] train_steps = " + std::to_string(config.data.train_steps) +
                       " gives " + std::to_string(samples) +
                       " samples per trajectory: raise [data] train_steps to " +
                       std::to_string(s.observed_points + s.forecast_points - 1) +
                       " (the points after the observed "
                       "ones are the truth the forecast is scored against)");
    if (s.model == "resnet" && !s.observed_masses.empty())
      throw InputError(
          "[oscillatornet] observed_masses: the ResNet baseline embeds every mass; use []");
    if (config.data.grid != "uniform" || config.data.keep_fraction != 1.0)
      throw InputError(
          "[oscillatornet] needs uniformly sampled trajectories: [data] grid = \"uniform\", "
          "keep_fraction = 1.0");
  }

  bool train(const Config& config, MPI_Comm comm, bool restart) override {
    if (restart)
      core::info("train: OscillatorNet trains in seconds and keeps no checkpoint; starting over");
    const auto& s = config_.s;
    const std::string path = config.data.path(config.run);
    io::DatasetReader reader = open_dataset(config, comm);
    int n_masses = 0;
    const auto rows = position_rows(reader.meta(), s.observed_masses, &n_masses, path);
    const auto all_rows = position_rows(reader.meta(), {}, &n_masses, path);
    const auto shape = reader.shape("train");
    const std::size_t n_traj = shape.trajectories;
    parallel::ShardLayout layout(n_traj, n_traj, comm);
    const auto owned = layout.owned_items();
    const auto data = reader.read("train", owned.begin, owned.size());
    const Index T = s.observed_points, F = s.forecast_points;
    if (static_cast<Index>(shape.samples) < T + F)
      throw InputError(
          "'" + path + "' holds " + std::to_string(shape.samples) +
          " samples per trajectory, fewer "
          "than observed_points + forecast_points: regenerate with a larger [data] train_steps");
    std::vector<VectorXd> times;
    std::vector<MatrixXd> series, future, positions;
    for (const auto& r : data.trajectories) {
      times.push_back(r.t);
      MatrixXd obs(static_cast<Index>(rows.size()), T + F),
          pos(static_cast<Index>(all_rows.size()), T + F);
      for (std::size_t i = 0; i < rows.size(); ++i) obs.row(i) = r.y.row(rows[i]).head(T + F);
      for (std::size_t i = 0; i < all_rows.size(); ++i)
        pos.row(i) = r.y.row(all_rows[i]).head(T + F);
      series.push_back(obs.leftCols(T));
      future.push_back(obs.rightCols(F));
      positions.push_back(pos);
    }
    double dt = times.empty() ? 0.0 : train::uniform_spacing(times);
    MPI_Allreduce(MPI_IN_PLACE, &dt, 1, MPI_DOUBLE, MPI_MAX, comm);
    // Every rank writes the sample times, also one owning no trajectory.
    const VectorXd t0 = reader.read("train", 0, 1).trajectories.front().t.head(T + F);

    train::OscillatorNetTrainer trainer(s, n_masses, dt, std::move(series), layout, comm,
                                        static_cast<std::uint64_t>(config.run.seed));
    core::info("train: OscillatorNet (" +
               (s.model == "resnet" ? std::string("resnet baseline") : s.weights) +
               (trainer.partial() ? ", partial observation, mapping kernel " +
                                        std::to_string(s.mapping_kernel) + ", padding " + s.padding
                                  : std::string()) +
               ") with " + std::to_string(trainer.num_parameters()) + " parameters on " +
               std::to_string(n_traj) + " trajectories of " + std::to_string(T) + " points, dt = " +
               io::format_real(dt) + ", " + std::to_string(parallel::size(comm)) + " rank(s)");
    const auto start = std::chrono::steady_clock::now();
    trainer.set_time_budget(config.run.max_wall_seconds);
    core::install_stop_handlers();
    trainer.train(s.iterations, 0);
    const VectorXd trained = trainer.parameters();
    const std::vector<MatrixXd> predicted = trainer.forecast();
    core::uninstall_stop_handlers();
    if (trainer.stopped())
      core::info(
          "train: stopped by a signal or [run] max_wall_seconds after " +
          std::to_string(trainer.history().size()) +
          " steps; the output holds the state reached (no checkpoint: --restart starts over)");
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    // Truth of the parameters from the dataset's constants.
    VectorXd truth =
        VectorXd::Constant(trainer.num_parameters(), std::numeric_limits<double>::quiet_NaN());
    if (trainer.solver()) {
      const VectorXd m = reader.constant("m").reshaped(), b = reader.constant("b").reshaped(),
                     k = reader.constant("k").reshaped();
      const VectorXd w = trainer.solver()->weights_from_constants(m, b, k);
      truth.head(w.size()) = w;
    }
    // Forecast error: RMS over steps and observed masses.
    VectorXd rmse(static_cast<Index>(predicted.size()));
    for (std::size_t i = 0; i < predicted.size(); ++i)
      rmse(static_cast<Index>(i)) = F > 0 ? std::sqrt((predicted[i] - future[i]).squaredNorm() /
                                                      static_cast<double>(predicted[i].size()))
                                          : 0.0;

    const std::string out = output_path(config);
    io::write_file_atomically(
        out, comm, kOutputKind, kOutputSchema, config.resolved, [&](io::h5::File& f) {
          f.write_attribute("/", "model", s.model);
          f.write_attribute("/", "weights", s.weights);
          f.write_attribute("/", "dt", dt);
          f.write_attribute("/", "train_seconds", seconds);
          f.write_attribute("/", "partial", static_cast<std::int64_t>(trainer.partial()));
          f.write_attribute("/", "interrupted", static_cast<std::int64_t>(trainer.stopped()));
          write_vector(f, "/constants/truth", truth,
                       "true value of each parameter (NaN: no physical counterpart)");
          write_vector(f, "/constants/initial", trainer.initial_parameters(),
                       "initial value of each parameter");
          write_vector(f, "/constants/trained", trained, "after training on the observed points");
          write_vector(f, "/constants/learned", trainer.parameters(),
                       "after the free forecast's retraining (final)");
          f.write_attribute("/constants", "names", trainer.parameter_names());
          const auto& h = trainer.history();
          VectorXd it(static_cast<Index>(h.size())), step(static_cast<Index>(h.size())),
              loss(static_cast<Index>(h.size()));
          for (std::size_t i = 0; i < h.size(); ++i) {
            it(static_cast<Index>(i)) = h[i].iteration;
            step(static_cast<Index>(i)) = h[i].forecast_step;
            loss(static_cast<Index>(i)) = h[i].loss;
          }
          write_vector(f, "/history/iteration", it, "gradient step (1-based)");
          write_vector(f, "/history/forecast_step", step,
                       "0: initial training; s: retraining after forecast point s");
          write_vector(f, "/history/loss", loss,
                       "mean squared one-step error over all trajectories");
          const hsize_t n = n_traj, nobs = rows.size();
          write_vector(f, "/forecast/time", t0,
                       "sample times: observed points, then forecast points [s]");
          f.create_dataset("/forecast/predicted", {n, static_cast<hsize_t>(F), nobs},
                           "free forecast [trajectory, step, observed mass]");
          f.create_dataset("/forecast/truth", {n, static_cast<hsize_t>(F), nobs},
                           "true positions over the forecast");
          f.create_dataset("/forecast/positions", {n, static_cast<hsize_t>(T + F), all_rows.size()},
                           "true positions of every mass over observed and forecast points");
          f.create_dataset("/forecast/rmse", {n}, "root mean square forecast error per trajectory");
          f.write_rows("/forecast/predicted", owned.begin, predicted.size(),
                       stack_rows(predicted).data());
          f.write_rows("/forecast/truth", owned.begin, future.size(), stack_rows(future).data());
          f.write_rows("/forecast/positions", owned.begin, positions.size(),
                       stack_rows(positions).data());
          f.write_rows("/forecast/rmse", owned.begin, static_cast<hsize_t>(rmse.size()),
                       rmse.data());
          if (trainer.partial()) {
            std::vector<MatrixXd> mapped;
            for (const auto& x2 : trainer.mapped()) mapped.push_back(x2.transpose());
            f.create_dataset("/mapping/x2", {n, static_cast<hsize_t>(T + F)},
                             "mass 2 mapped from mass 1's observed + forecast series (NaN before "
                             "the stencil fits)");
            f.write_rows("/mapping/x2", owned.begin, mapped.size(), stack_rows(mapped).data());
          }
        });
    char line[200];
    std::snprintf(line, sizeof line, "train: %.3f s, final loss %.6e; wrote %s", seconds,
                  trainer.history().empty() ? 0.0 : trainer.history().back().loss, out.c_str());
    core::info(line);
    return !trainer.stopped();
  }

  void evaluate(const Config& config, MPI_Comm comm) override {
    const std::string out = output_path(config);
    if (!std::filesystem::exists(out))
      throw InputError("'" + out + "' does not exist: run the train stage first");
    io::h5::File f = io::h5::File::open(out, comm);
    io::check_provenance(f, kOutputKind, kOutputSchema);
    const auto names = f.read_string_array_attribute("/constants", "names");
    const auto truth = f.read_all("/constants/truth"), initial = f.read_all("/constants/initial"),
               learned = f.read_all("/constants/learned");
    const auto rmse = f.read_all("/forecast/rmse");
    std::string table = "evaluate: learned constants (" + config.run.name + ", " +
                        f.read_string_attribute("/", "model") + ", " +
                        f.read_string_attribute("/", "weights") + ")\n";
    char head[160];
    std::snprintf(head, sizeof head, "  %-8s %12s %12s %12s %9s\n", "name", "truth", "initial",
                  "learned", "error %");
    const bool physical =
        std::any_of(truth.begin(), truth.end(), [](double v) { return std::isfinite(v); });
    if (physical) table += head;
    double worst = 0.0;
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (!std::isfinite(truth[i])) continue;  // network weights without a physical counterpart
      const double err = 100.0 * (learned[i] - truth[i]) / truth[i];
      if (std::isfinite(err)) worst = std::max(worst, std::abs(err));
      table += format_row("  %-8s %12.6g %12.6g %12.6g %+9.2f\n", names[i], truth[i], initial[i],
                          learned[i], err);
    }
    double mean_rmse = 0.0;
    for (double r : rmse) mean_rmse += r / static_cast<double>(rmse.size());
    char tail[200];
    if (!physical)
      std::snprintf(tail, sizeof tail,
                    "  (no physical constants: network weights only)\n"
                    "  free-forecast RMSE (mean over %zu trajectories): %.4e",
                    rmse.size(), mean_rmse);
    else
      std::snprintf(
          tail, sizeof tail,
          "  largest |error|: %.2f %%; free-forecast RMSE (mean over %zu trajectories): %.4e",
          worst, rmse.size(), mean_rmse);
    table += tail;
    core::info(table);
  }

 private:
  OscillatorNetConfig config_;
};

}  // namespace

std::unique_ptr<Method> make_oscillatornet_method() {
  return std::make_unique<OscillatorNetMethod>();
}

}  // namespace dynlearn::app
