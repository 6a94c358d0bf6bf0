// The isochronism experiment (isochronism paper, section 3): a second-order
// neural ODE x'' = f(x) trained so that every trajectory from phase-space
// points X_i(0) ~ N(0, σ²) is T-periodic. `train` writes the learned force,
// its potential, the loss history and phase portraits at chosen epochs;
// `evaluate` measures the period of trajectories of several amplitudes and
// how far f is from -x. Output schema: docs/isochronism.md.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <numbers>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dynlearn/app/config.hpp"
#include "dynlearn/app/method.hpp"
#include "dynlearn/app/stages.hpp"
#include "dynlearn/core/error.hpp"
#include "dynlearn/core/format.hpp"
#include "dynlearn/core/log.hpp"
#include "dynlearn/core/signals.hpp"
#include "dynlearn/integrate/stepper.hpp"
#include "dynlearn/io/checkpoint_file.hpp"
#include "dynlearn/io/h5.hpp"
#include "dynlearn/io/provenance.hpp"
#include "dynlearn/models/second_order_net.hpp"
#include "dynlearn/parallel/environment.hpp"
#include "dynlearn/parallel/reduction.hpp"
#include "dynlearn/train/isochronism.hpp"
#include "dynlearn/train/optimizer.hpp"

namespace dynlearn::app {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr const char* kOutputKind = "isochronism_output";
constexpr int kOutputSchema = 1;
constexpr Index kDimension = 1;  // the paper's problem is one-dimensional

/// [isochronism]: defaults are the paper's setup (section 3, Experimental
/// setup); where it is silent (integrator, epochs, learning rate) they are
/// ours (inputs/isochronism/paper.toml, docs/isochronism.md).
struct IsochronismConfig {
  std::vector<int> hidden = {16};
  std::string activation = "tanh";
  std::vector<double> equilibrium = {};  // empty: f is the network as the paper has it
  std::string symmetry = "none";         // "odd": f(x) = (g(x) - g(-x)) / 2
  double period = 2.0 * std::numbers::pi;
  int points = 100;
  double init_std = 1.0;
  std::string stepper = "rk4";
  int steps = 100;
  double rtol = 1e-7;
  double atol = 1e-9;
  int epochs = 1000;
  std::string optimizer = "adam";
  double learning_rate = 0.03;
  int shards = 10;
  std::vector<int> snapshot_epochs = {0, 20, 60, 200, 1000};
  int portrait_points = 16;
  int portrait_samples = 200;
  double force_min = -3.0;
  double force_max = 3.0;
  int force_points = 601;
  double check_range = 2.0;
  std::vector<double> amplitudes = {0.25, 0.5, 1.0, 1.5, 2.0, 2.5};
  int period_samples = 400;
  double period_horizon = 3.0;
  double period_rtol = 1e-10;
  double period_atol = 1e-12;
  int log_every = 10;
  int checkpoint_every = 0;

  io::Section section{"isochronism",
                      "neural ODE x'' = f(x) trained so that every trajectory is T-periodic "
                      "(isochronism paper, section 3)"};

  IsochronismConfig() {
    section
        .add("hidden", hidden,
             "hidden widths of the force network f: R -> R (paper: one hidden layer of 16, "
             "i.e. two dense layers)",
             io::Range::at_least(1))
        .add("activation", activation, "hidden activation of f (paper: tanh)",
             {"tanh", "softplus", "relu", "sigmoid", "identity"})
        .add("equilibrium", equilibrium,
             "[] (default, the paper): f is the network g; [c]: f(x) = g(x) - g(c), so the "
             "force vanishes at c whatever θ is. The loss is the same for a harmonic oscillator "
             "about any point, so [0.0] fixes that freedom (docs/isochronism.md)")
        .add("symmetry", symmetry,
             "\"none\" (default, the paper's experiment): f is the network g; \"odd\": f(x) = "
             "(g(x) - g(-x)) / 2, odd for every θ, i.e. a potential symmetric about 0 (the paper's "
             "theorem: the only symmetric isochronous potential is harmonic; docs/isochronism.md)",
             {"none", "odd"})
        .add("period", period, "T: the loss is ||X(T) - X(0)||² (paper: 2π)", io::Range::positive())
        .add("points", points, "N phase-space points X_i(0) (paper: 100)", io::Range::at_least(1))
        .add("init_std", init_std, "standard deviation of the points' x and v (paper: N(0, 1))",
             io::Range::positive())
        .add("stepper", stepper, "integrator over [0, T] in training, backpropagated through",
             {"rk4", "dopri5", "leapfrog", "euler"})
        .add("steps", steps,
             "fixed steppers: steps over [0, T]; dopri5: first step at most T / steps",
             io::Range::at_least(1))
        .add("rtol", rtol, "dopri5 in training: relative tolerance", io::Range::positive())
        .add("atol", atol, "dopri5 in training: absolute tolerance", io::Range::positive())
        .add("epochs", epochs, "optimizer steps, each on the full set of points",
             io::Range::at_least(0))
        .add("optimizer", optimizer, "parameter optimizer (PyTorch's update rules)",
             {"adam", "sgd", "radam"})
        .add("learning_rate", learning_rate, "learning rate", io::Range::positive())
        .add("shards", shards,
             "fixed number of point shards: gradients are summed per shard then in shard order, so "
             "results are the same bits on any rank count",
             io::Range::at_least(1))
        .add("snapshot_epochs", snapshot_epochs,
             "epochs (optimizer steps done; 0 = initial) at which phase portraits are recorded "
             "(Figure 3)",
             io::Range::at_least(0))
        .add("portrait_points", portrait_points,
             "trajectories per phase portrait: the first training points", io::Range::at_least(1))
        .add("portrait_samples", portrait_samples,
             "RK4 steps (and samples) of a portrait over [0, T]", io::Range::at_least(1))
        .add("force_min", force_min, "left end of the grid on which f and V are written")
        .add("force_max", force_max, "right end of that grid")
        .add("force_points", force_points, "points of that grid", io::Range::at_least(2))
        .add("check_range", check_range,
             "evaluate: max |f(x) + x| is measured on [-check_range, check_range]",
             io::Range::positive())
        .add("amplitudes", amplitudes,
             "evaluate: trajectories start at rest at these x; their periods are measured")
        .add("period_samples", period_samples,
             "evaluate: output samples per T when measuring periods", io::Range::at_least(4))
        .add("period_horizon", period_horizon,
             "evaluate: trajectories are followed over period_horizon * T (a longer period is "
             "reported as NaN)",
             io::Range{1.0, 1000.0, true, false})
        .add("period_rtol", period_rtol, "evaluate: dopri5 relative tolerance",
             io::Range::positive())
        .add("period_atol", period_atol, "evaluate: dopri5 absolute tolerance",
             io::Range::positive())
        .add("log_every", log_every, "epochs between progress lines (0: only the last)",
             io::Range::at_least(0))
        .add("checkpoint_every", checkpoint_every,
             "epochs between checkpoints (0: only when stopped)", io::Range::at_least(0));
  }

  std::vector<Index> hidden_sizes() const { return {hidden.begin(), hidden.end()}; }

  /// The force network this section describes, with its pinned equilibrium
  /// or its symmetry.
  models::SecondOrderNet make_net() const {
    models::SecondOrderNet net(kDimension, hidden_sizes(), activation);
    if (symmetry == "odd") net.set_symmetry(models::ForceSymmetry::odd);
    if (!equilibrium.empty())
      net.set_equilibrium(Eigen::Map<const VectorXd>(equilibrium.data(), kDimension));
    return net;
  }

  train::PeriodicityOptions periodicity() const {
    train::PeriodicityOptions o;
    o.period = period;
    o.stepper = integrate::parse_stepper(stepper);
    o.steps = steps;
    o.rtol = rtol;
    o.atol = atol;
    return o;
  }
};

using core::format;

/// What training produces, as the output file and the checkpoints hold it.
struct TrainedRun {
  VectorXd parameters;
  std::vector<double> epoch, loss, learning_rate, seconds;
  std::vector<double> portrait_epochs;
  std::vector<double> portrait_states;  // [snapshot, point, sample, component], row-major
  std::string symmetry = "none";        // /model@symmetry of an output read back
};

/// The learned force on the grid, its potential V(x) = -∫_0^x f, and max
/// |f(x) + x| on [-check_range, check_range].
struct ForceReport {
  std::vector<double> x, f, potential;
  double max_error = 0.0;
  /// The zero of f nearest to 0 on the grid (NaN if f does not change sign
  /// there), and max |f(x) + (x - equilibrium)| on [equilibrium - check_range,
  /// equilibrium + check_range]: the loss is exactly zero for every
  /// f(x) = -(x - c), a harmonic oscillator about any c, so this measures
  /// "harmonic" without the offset that max_error also counts.
  double equilibrium = 0.0;
  double harmonic_error = 0.0;
};

/// Evaluate's results.
struct PeriodReport {
  std::vector<double> amplitudes, periods, relative_errors;
  double max_relative_error = 0.0;
  double max_force_error = 0.0;
  double equilibrium = 0.0;
  double max_harmonic_error = 0.0;
};

ForceReport force_report(const models::SecondOrderNet& net, const IsochronismConfig& c) {
  ForceReport r;
  const Index g = c.force_points;
  MatrixXd x(1, g);
  for (Index i = 0; i < g; ++i)
    x(0, i) = c.force_min + (c.force_max - c.force_min) * static_cast<double>(i) / (g - 1);
  nn::MlpWorkspace ws;
  MatrixXd f(1, g);
  net.force(x, f, ws);
  r.x.assign(x.data(), x.data() + g);
  r.f.assign(f.data(), f.data() + g);
  // V(x_i) = -∫_0^{x_i} f by 5-point Gauss-Legendre on cells no wider than
  // the grid spacing: exact to far below the network's own accuracy.
  static const double nodes[5] = {-0.9061798459386640, -0.5384693101056831, 0.0, 0.5384693101056831,
                                  0.9061798459386640};
  static const double weights[5] = {0.2369268850561891, 0.4786286704993665, 0.5688888888888889,
                                    0.4786286704993665, 0.2369268850561891};
  const double spacing = (c.force_max - c.force_min) / (g - 1);
  for (Index i = 0; i < g; ++i) {
    const double end = x(0, i);
    const int cells = std::max(1, static_cast<int>(std::ceil(std::abs(end) / spacing)));
    const double h = end / cells;
    MatrixXd q(1, 5 * cells);
    for (int k = 0; k < cells; ++k)
      for (int j = 0; j < 5; ++j) q(0, 5 * k + j) = h * (k + 0.5 + 0.5 * nodes[j]);
    MatrixXd fq(1, q.cols());
    net.force(q, fq, ws);
    double integral = 0.0;
    for (int k = 0; k < cells; ++k)
      for (int j = 0; j < 5; ++j) integral += 0.5 * h * weights[j] * fq(0, 5 * k + j);
    r.potential.push_back(-integral);
  }
  const Index n_check = 2001;
  MatrixXd xc(1, n_check), fc(1, n_check);
  for (Index i = 0; i < n_check; ++i)
    xc(0, i) = c.check_range * (2.0 * static_cast<double>(i) / (n_check - 1) - 1.0);
  net.force(xc, fc, ws);
  r.max_error = (fc + xc).cwiseAbs().maxCoeff();

  r.equilibrium = std::nan("");
  double best = std::numeric_limits<double>::infinity();
  for (Index i = 0; i + 1 < g; ++i) {
    if ((f(0, i) > 0.0) == (f(0, i + 1) > 0.0)) continue;
    double lo = x(0, i), hi = x(0, i + 1);
    const bool rising = f(0, i) <= 0.0;
    MatrixXd probe(1, 1), value(1, 1);
    for (int k = 0; k < 100 && hi - lo > 1e-14; ++k) {
      probe(0, 0) = 0.5 * (lo + hi);
      net.force(probe, value, ws);
      ((value(0, 0) <= 0.0) == rising ? lo : hi) = probe(0, 0);
    }
    const double root = 0.5 * (lo + hi);
    if (std::abs(root) < best) {
      best = std::abs(root);
      r.equilibrium = root;
    }
  }
  r.harmonic_error = std::nan("");
  if (!std::isnan(r.equilibrium)) {
    for (Index i = 0; i < n_check; ++i) xc(0, i) += r.equilibrium;
    net.force(xc, fc, ws);
    r.harmonic_error = (fc.array() + xc.array() - r.equilibrium).abs().maxCoeff();
  }
  return r;
}

/// The first portrait_points training points integrated over [0, T] by RK4,
/// appended to the run's portraits as snapshot `epoch`.
void take_portrait(const models::SecondOrderNet& net, const IsochronismConfig& c,
                   std::uint64_t seed, int epoch, TrainedRun& run) {
  const MatrixXd x0 = train::isochronism_points(
      kDimension, 0, static_cast<std::size_t>(c.portrait_points), c.init_std, seed);
  auto stepper = integrate::make_stepper(integrate::StepperKind::rk4);
  const auto& states = stepper->rollout(net, x0, c.period / c.portrait_samples, c.portrait_samples);
  for (Index m = 0; m < x0.cols(); ++m)
    for (const auto& s : states)
      for (Index r = 0; r < s.rows(); ++r) run.portrait_states.push_back(s(r, m));
  run.portrait_epochs.push_back(epoch);
}

std::vector<double> to_std(const VectorXd& v) {
  return {v.data(), v.data() + v.size()};
}
VectorXd to_eigen(const std::vector<double>& v) {
  return Eigen::Map<const VectorXd>(v.data(), static_cast<Index>(v.size()));
}

/// Writes the whole output file atomically (partial name, then rename).
void write_isochronism_output(const std::string& path, MPI_Comm comm, const Config& config,
                              const IsochronismConfig& c, const TrainedRun& run,
                              const std::optional<PeriodReport>& periods) {
  models::SecondOrderNet net = c.make_net();
  net.set_parameters(run.parameters);
  const ForceReport force = force_report(net, c);
  std::string dir_error;
  if (parallel::rank(comm) == 0) {
    std::error_code ec;
    const auto dir = std::filesystem::path(path).parent_path();
    if (!dir.empty()) std::filesystem::create_directories(dir, ec);
    if (ec) dir_error = "cannot create directory '" + dir.string() + "': " + ec.message();
  }
  parallel::broadcast(dir_error, comm);
  if (!dir_error.empty()) throw IOError(dir_error, true);
  io::write_file_atomically(
      path, comm, kOutputKind, kOutputSchema, config.resolved, [&](io::h5::File& f) {
        write_vector(
            f, "/model/parameters", to_std(run.parameters),
            "force network parameters, flat (PyTorch layout: per layer W row-major, then b)");
        f.write_attribute("/model", "type", std::string("second_order_net"));
        f.write_attribute("/model", "hidden",
                          std::vector<std::int64_t>(c.hidden.begin(), c.hidden.end()));
        f.write_attribute("/model", "activation", c.activation);
        f.write_attribute("/model", "dimension", static_cast<std::int64_t>(kDimension));
        if (!c.equilibrium.empty())
          f.write_attribute("/model", "equilibrium", c.equilibrium.front());
        f.write_attribute("/model", "symmetry", c.symmetry);
        const MatrixXd points =
            train::isochronism_points(kDimension, 0, static_cast<std::size_t>(c.points), c.init_std,
                                      static_cast<std::uint64_t>(config.run.seed));
        // Column-major (component x point) storage is the row-major [point, component] array.
        f.write_all("/train/points",
                    {static_cast<hsize_t>(points.cols()), static_cast<hsize_t>(points.rows())},
                    points.data(), "phase-space points X_i(0) = (x, v) [point, component]");
        f.write_attribute("/train", "period", c.period);
        f.write_attribute("/train", "stepper", c.stepper);
        f.write_attribute("/train", "steps", static_cast<std::int64_t>(c.steps));
        write_vector(f, "/history/epoch", run.epoch, "epoch number (1-based)");
        write_vector(
            f, "/history/loss", run.loss,
            "mean over points of ||X(T) - X(0)||² at the parameters before the epoch's step");
        write_vector(f, "/history/learning_rate", run.learning_rate,
                     "learning rate of the epoch's step");
        write_vector(f, "/history/seconds", run.seconds, "wall time of the epoch [s]");
        const hsize_t snapshots = run.portrait_epochs.size();
        write_vector(f, "/portraits/epochs", run.portrait_epochs,
                     "optimizer steps done when each portrait was drawn");
        std::vector<double> time;
        for (int k = 0; k <= c.portrait_samples; ++k)
          time.push_back(c.period * k / c.portrait_samples);
        write_vector(f, "/portraits/time", time, "sample times of the portraits");
        f.write_all(
            "/portraits/states",
            {snapshots, static_cast<hsize_t>(c.portrait_points),
             static_cast<hsize_t>(c.portrait_samples + 1), static_cast<hsize_t>(2 * kDimension)},
            run.portrait_states.data(), "trajectories (x, v) [snapshot, point, sample, component]");
        write_vector(f, "/force/x", force.x, "grid positions");
        write_vector(f, "/force/f", force.f, "learned force f(x) on the grid (harmonic: -x)");
        write_vector(f, "/force/potential", force.potential,
                     "V(x) = -integral of f from 0 to x (harmonic: x²/2)");
        f.write_attribute("/force", "max_error", force.max_error);
        f.write_attribute("/force", "equilibrium", force.equilibrium);
        f.write_attribute("/force", "harmonic_error", force.harmonic_error);
        f.write_attribute("/force", "check_range", c.check_range);
        if (periods) {
          write_vector(f, "/evaluate/amplitudes", periods->amplitudes,
                       "starting positions (at rest)");
          write_vector(f, "/evaluate/periods", periods->periods,
                       "measured periods (NaN: no return within the horizon)");
          write_vector(f, "/evaluate/relative_error", periods->relative_errors, "(period - T) / T");
          f.write_attribute("/evaluate", "max_period_error", periods->max_relative_error);
          f.write_attribute("/evaluate", "max_force_error", periods->max_force_error);
          f.write_attribute("/evaluate", "equilibrium", periods->equilibrium);
          f.write_attribute("/evaluate", "max_harmonic_error", periods->max_harmonic_error);
          f.write_attribute("/evaluate", "period", c.period);
        }
      });
}

TrainedRun read_isochronism_output(const std::string& path, MPI_Comm comm) {
  if (!std::filesystem::exists(path))
    throw InputError("'" + path +
                     "' does not exist: run the train stage first (add \"train\" to [run] stages)");
  auto f = io::h5::File::open(path, comm);
  io::check_provenance(f, kOutputKind, kOutputSchema);
  TrainedRun run;
  run.parameters = to_eigen(f.read_all("/model/parameters"));
  run.epoch = f.read_all("/history/epoch");
  run.loss = f.read_all("/history/loss");
  run.learning_rate = f.read_all("/history/learning_rate");
  run.seconds = f.read_all("/history/seconds");
  run.portrait_epochs = f.read_all("/portraits/epochs");
  run.portrait_states = f.read_all("/portraits/states");
  // Files written before the option existed are the unconstrained force.
  run.symmetry = f.has_attribute("/model", "symmetry")
                     ? f.read_string_attribute("/model", "symmetry")
                     : std::string("none");
  return run;
}

// ---- checkpoints: everything to continue bit for bit ----------------------

io::Checkpoint to_checkpoint(const TrainedRun& run, const train::Optimizer& optimizer, int epoch) {
  io::Checkpoint ck;
  ck.iteration = epoch;
  ck.vectors["parameters"] = run.parameters;
  ck.vectors["history/epoch"] = to_eigen(run.epoch);
  ck.vectors["history/loss"] = to_eigen(run.loss);
  ck.vectors["history/learning_rate"] = to_eigen(run.learning_rate);
  ck.vectors["history/seconds"] = to_eigen(run.seconds);
  ck.vectors["portraits/epochs"] = to_eigen(run.portrait_epochs);
  ck.vectors["portraits/states"] = to_eigen(run.portrait_states);
  const auto state = optimizer.state();
  for (const auto& [name, v] : state.vectors) ck.vectors["optimizer/" + name] = v;
  for (const auto& [name, v] : state.scalars) ck.scalars["optimizer/" + name] = v;
  ck.strings["optimizer"] = state.kind;
  return ck;
}

int from_checkpoint(const io::Checkpoint& ck, TrainedRun& run, train::Optimizer& optimizer) {
  auto vector = [&](const std::string& name) {
    auto it = ck.vectors.find(name);
    if (it == ck.vectors.end())
      throw InputError("the checkpoint lacks '" + name + "': not an isochronism run");
    return to_std(it->second);
  };
  run.parameters = to_eigen(vector("parameters"));
  run.epoch = vector("history/epoch");
  run.loss = vector("history/loss");
  run.learning_rate = vector("history/learning_rate");
  run.seconds = vector("history/seconds");
  run.portrait_epochs = vector("portraits/epochs");
  run.portrait_states = vector("portraits/states");
  train::NamedState state;
  auto kind = ck.strings.find("optimizer");
  if (kind == ck.strings.end())
    throw InputError("the checkpoint lacks the optimizer state: not an isochronism run");
  state.kind = kind->second;
  const std::string prefix = "optimizer/";
  for (const auto& [name, v] : ck.vectors)
    if (name.rfind(prefix, 0) == 0) state.vectors[name.substr(prefix.size())] = v;
  for (const auto& [name, v] : ck.scalars)
    if (name.rfind(prefix, 0) == 0) state.scalars[name.substr(prefix.size())] = v;
  optimizer.load_state(state);
  return static_cast<int>(ck.iteration);
}

class IsochronismMethod final : public Method {
 public:
  void read(io::Deck& deck) override { deck.read(config_.section); }
  bool needs_dataset() const override { return false; }

  void validate(const Config& config) const override {
    (void)config;
    const auto& c = config_;
    if (c.equilibrium.size() > static_cast<std::size_t>(kDimension))
      throw InputError("[isochronism] equilibrium: " + std::to_string(c.equilibrium.size()) +
                       " values for a force of dimension " + std::to_string(kDimension) +
                       ": give [] (no pin) or one position, e.g. [0.0]");
    if (c.symmetry == "odd" && !c.equilibrium.empty())
      throw InputError(
          "[isochronism] symmetry = \"odd\" with equilibrium = [...]: an odd force already "
          "vanishes at 0; remove equilibrium (or set symmetry = \"none\" to pin it instead)");
    if (!(c.force_min < c.force_max))
      throw InputError("[isochronism] force_min (" + io::format_real(c.force_min) +
                       ") must be below force_max (" + io::format_real(c.force_max) + ")");
    for (int e : c.snapshot_epochs)
      if (e > c.epochs)
        throw InputError("[isochronism] snapshot_epochs: epoch " + std::to_string(e) +
                         " is after the last epoch (" + std::to_string(c.epochs) +
                         "): lower it or raise epochs");
    if (c.portrait_points > c.points)
      throw InputError("[isochronism] portrait_points (" + std::to_string(c.portrait_points) +
                       ") exceeds points (" + std::to_string(c.points) +
                       "): portraits use training points");
    for (double a : c.amplitudes)
      if (a == 0.0)
        throw InputError(
            "[isochronism] amplitudes: 0 is the equilibrium and has no period; remove it");
  }

  bool train(const Config& config, MPI_Comm comm, bool restart) override;
  void evaluate(const Config& config, MPI_Comm comm) override;

 private:
  IsochronismConfig config_;
};

bool IsochronismMethod::train(const Config& config, MPI_Comm comm, bool restart) {
  const IsochronismConfig& c = config_;
  const auto seed = static_cast<std::uint64_t>(config.run.seed);
  models::SecondOrderNet net = c.make_net();
  net.initialize(seed);
  parallel::ShardLayout layout(static_cast<std::size_t>(c.points),
                               static_cast<std::size_t>(c.shards), comm);
  const auto owned = layout.owned_items();
  train::PeriodicityObjective objective(
      net, c.periodicity(),
      train::isochronism_points(kDimension, owned.begin, owned.size(), c.init_std, seed), layout,
      comm);
  train::OptimizerOptions options;
  options.lr = c.learning_rate;
  auto optimizer = train::make_optimizer(c.optimizer, options);

  TrainedRun run;
  run.parameters = net.parameters();
  int done = 0;
  if (restart) {
    const std::string path =
        io::require_latest_checkpoint(config.run.output_dir, config.run.name, comm);
    io::CheckpointReader reader(path, comm);
    done = from_checkpoint(reader.replicated(), run, *optimizer);
    if (run.parameters.size() != net.num_parameters())
      throw InputError("checkpoint '" + path + "' holds " + std::to_string(run.parameters.size()) +
                       " parameters, but [isochronism] describes " +
                       std::to_string(net.num_parameters()) +
                       ": restart with the deck that started the run");
    net.set_parameters(run.parameters);
    core::info("train: restarted from " + path + " at epoch " + std::to_string(done));
  }
  core::info(format(
      "train: isochronism, x'' = f(x) with f a {1, %s, 1} %s net (%ld parameters), %d points "
      "N(0, %g²), T = %.6g, %s with %d steps; %d rank(s), %zu shards",
      [&] {
        std::string s;
        for (std::size_t i = 0; i < c.hidden.size(); ++i)
          s += (i ? ", " : "") + std::to_string(c.hidden[i]);
        return s;
      }()
          .c_str(),
      c.activation.c_str(), static_cast<long>(net.num_parameters()), c.points, c.init_std, c.period,
      c.stepper.c_str(), c.steps, parallel::size(comm), layout.n_shards()));

  const std::set<int> snapshots(c.snapshot_epochs.begin(), c.snapshot_epochs.end());
  auto snapshot_due = [&](int epoch) {
    if (!snapshots.count(epoch)) return false;
    for (double e : run.portrait_epochs)
      if (static_cast<int>(e) == epoch) return false;
    return true;
  };
  auto checkpoint = [&](int epoch) {
    run.parameters = net.parameters();
    const std::string path =
        io::write_checkpoint(config.run.output_dir, config.run.name,
                             to_checkpoint(run, *optimizer, epoch), config.resolved, comm);
    core::info("train: checkpoint " + path);
  };

  core::Deadline deadline(config.run.max_wall_seconds);
  core::install_stop_handlers();
  double last_seconds = 0.0, interval_seconds = 0.0;
  int interval_epochs = 0;
  bool interrupted = false;
  for (int epoch = done + 1; epoch <= c.epochs; ++epoch) {
    if (snapshot_due(epoch - 1)) take_portrait(net, c, seed, epoch - 1, run);
    const auto start = std::chrono::steady_clock::now();
    // The budget check leaves room for this epoch and the checkpoint; each
    // process does at least one epoch, so a short budget still progresses.
    const bool out_of_time =
        deadline.enabled() && epoch > done + 1 && deadline.would_pass(2.0 * last_seconds + 1.0);
    const bool stop = core::stop_requested() || out_of_time;
    const auto value = objective.evaluate(stop);
    if (value.stop) {
      checkpoint(epoch - 1);
      interrupted = true;
      break;
    }
    if (!std::isfinite(value.loss) || !value.gradient.allFinite()) {
      core::uninstall_stop_handlers();
      throw NumericalError(
          format("isochronism: the loss became non-finite at epoch %d. Lower [isochronism] "
                 "learning_rate (now %g) or raise steps",
                 epoch, c.learning_rate),
          true);
    }
    const double lr = optimizer->learning_rate();
    VectorXd params = net.parameters();
    optimizer->step(params, value.gradient);
    net.set_parameters(params);
    last_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    run.epoch.push_back(epoch);
    run.loss.push_back(value.loss);
    run.learning_rate.push_back(lr);
    run.seconds.push_back(last_seconds);
    interval_seconds += last_seconds;
    ++interval_epochs;
    if ((c.log_every > 0 && epoch % c.log_every == 0) || epoch == c.epochs) {
      core::info(format("epoch %6d/%d  loss %.6e  lr %.3g  %.3f ms/epoch", epoch, c.epochs,
                        value.loss, lr, 1e3 * interval_seconds / interval_epochs));
      interval_seconds = 0.0;
      interval_epochs = 0;
    }
    if (c.checkpoint_every > 0 && epoch % c.checkpoint_every == 0 && epoch < c.epochs)
      checkpoint(epoch);
  }
  core::uninstall_stop_handlers();
  if (interrupted) return false;
  if (snapshot_due(c.epochs)) take_portrait(net, c, seed, c.epochs, run);
  run.parameters = net.parameters();
  const std::string out = output_path(config);
  write_isochronism_output(out, comm, config, c, run, std::nullopt);
  core::info("train: wrote " + out);
  return true;
}

void IsochronismMethod::evaluate(const Config& config, MPI_Comm comm) {
  const IsochronismConfig& c = config_;
  const std::string out = output_path(config);
  const TrainedRun run = read_isochronism_output(out, comm);
  models::SecondOrderNet net = c.make_net();
  if (run.parameters.size() != net.num_parameters())
    throw InputError(
        "'" + out + "' holds a force network of " + std::to_string(run.parameters.size()) +
        " parameters, but [isochronism] describes one of " + std::to_string(net.num_parameters()) +
        ": evaluate with the deck that trained it");
  // The same θ is another force under the other symmetry: refuse to mix them.
  if (run.symmetry != c.symmetry)
    throw InputError("'" + out + "' was trained with symmetry = \"" + run.symmetry +
                     "\", but [isochronism] has symmetry = \"" + c.symmetry +
                     "\": evaluate with the deck that trained it");
  net.set_parameters(run.parameters);

  train::PeriodOptions options;
  options.reference_period = c.period;
  options.samples_per_period = c.period_samples;
  options.horizon = c.period_horizon;
  options.rtol = c.period_rtol;
  options.atol = c.period_atol;
  PeriodReport report;
  report.amplitudes = c.amplitudes;
  report.periods = train::measure_periods(net, c.amplitudes, options);
  const ForceReport force = force_report(net, c);
  report.max_force_error = force.max_error;
  report.equilibrium = force.equilibrium;
  report.max_harmonic_error = force.harmonic_error;
  core::info("evaluate: amplitude   period          (period - T) / T");
  for (std::size_t i = 0; i < report.periods.size(); ++i) {
    const double e = (report.periods[i] - c.period) / c.period;
    report.relative_errors.push_back(e);
    // A trajectory that does not return (NaN) makes the worst error NaN.
    report.max_relative_error = std::isnan(e) || std::isnan(report.max_relative_error)
                                    ? std::nan("")
                                    : std::max(report.max_relative_error, std::abs(e));
    core::info(format("evaluate: %9.4g   %-14.10g  %+.3e", c.amplitudes[i], report.periods[i], e));
  }
  core::info(
      format("evaluate: max |period - T| / T = %.3e over %zu amplitudes; max |f(x) + x| on [-%g, "
             "%g] = %.3e",
             report.max_relative_error, report.periods.size(), c.check_range, c.check_range,
             report.max_force_error));
  core::info(format(
      "evaluate: equilibrium f(c) = 0 at c = %.4g; max |f(x) + (x - c)| on [c - %g, c + %g] = %.3e",
      report.equilibrium, c.check_range, c.check_range, report.max_harmonic_error));
  write_isochronism_output(out, comm, config, c, run, report);
  core::info("evaluate: wrote " + out);
}

}  // namespace

std::unique_ptr<Method> make_isochronism_method() {
  return std::make_unique<IsochronismMethod>();
}

}  // namespace dynlearn::app
