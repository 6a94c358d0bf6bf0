#include "dynlearn/app/stages.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/format.hpp"
#include "dynlearn/core/log.hpp"
#include "dynlearn/core/signals.hpp"
#include "dynlearn/core/version.hpp"
#include "dynlearn/io/checkpoint_file.hpp"
#include "dynlearn/io/dataset_file.hpp"
#include "dynlearn/io/output_file.hpp"
#include "dynlearn/models/model_factory.hpp"
#include "dynlearn/models/rebound.hpp"
#include "dynlearn/models/sequence_model_factory.hpp"
#include "dynlearn/models/true_equations.hpp"
#include "dynlearn/models/window_model.hpp"
#include "dynlearn/parallel/environment.hpp"
#include "dynlearn/parallel/partition.hpp"
#include "dynlearn/parallel/reduction.hpp"
#include "dynlearn/systems/dataset_generator.hpp"
#include "dynlearn/train/forecast.hpp"
#include "dynlearn/train/trainer.hpp"
#include "dynlearn/train/trainer_checkpoint.hpp"

namespace dynlearn::app {
namespace {

using core::format;

/// Observed trajectories [first, first + count) of a split, as the trainer wants them.
train::Trajectories read_observed(const io::DatasetReader& reader, const std::string& split,
                                  std::size_t first, std::size_t count,
                                  std::vector<Eigen::MatrixXd>* truth) {
  const auto data = reader.read(split, first, count);
  train::Trajectories out;
  for (const auto& r : data.trajectories) {
    out.y.push_back(r.y);
    out.t.push_back(r.t);
    if (truth) truth->push_back(r.x);
  }
  return out;
}

void check_full_state(const io::DatasetReader& reader, const std::string& path) {
  if (reader.meta().observed_indices.size() != reader.meta().state_names.size())
    throw InputError(
        "'" + path +
        "' observes only some state components ([data] observe = \"position\"); "
        "O-NET and H-NET training needs the whole state: regenerate with observe = \"state\"");
}

io::OutputModel describe_model(const Config& config, const models::WindowModel& field) {
  io::OutputModel m;
  m.type = config.model.type;
  m.hidden.assign(config.model.hidden.begin(), config.model.hidden.end());
  m.activation = config.model.activation;
  m.parameters = field.parameters();
  return m;
}

/// The model a deck's [model] names, as the trainer and forecasts use it: an
/// O-NET or H-NET integrated by the named stepper, or a sequence model.
struct LearnedModel {
  std::unique_ptr<integrate::VectorField> field;  // empty for sequence models
  std::unique_ptr<models::WindowModel> model;
};

LearnedModel make_learned_model(const Config& config, Eigen::Index dim, std::uint64_t seed,
                                const std::string& integrator, int substeps) {
  LearnedModel m;
  const std::string& type = config.model.type;
  if (type == "true_equations") {
    m.field = std::make_unique<models::TrueEquations>(*config.system);
    if (m.field->state_dim() != dim)
      throw InputError(
          "[model] type = \"true_equations\" needs the whole state observed ([data] observe = "
          "\"state\")");
  } else if (type == "rnn" || type == "lstm") {
    if (config.model.hidden.size() != 1)
      throw InputError("[model] type = \"" + type +
                       "\" takes one hidden size, e.g. hidden = [2048]");
    m.model = models::make_sequence_model(type, dim, config.model.hidden.front(), seed);
    return m;
  } else {
    m.field = models::make_model(config.model, dim, seed);
  }
  if (config.model.rebound) {  // SRNN section 6: augmented leapfrog with a learned rebound
    if (!config.system || type == "true_equations")
      throw InputError(
          "[model] rebound = true needs type = \"hnet\" or \"onet\" and a [system] with walls");
    m.model = models::make_rebound_model(*m.field, config.model, config.system->constants(),
                                         integrator, substeps, seed);
    return m;
  }
  integrate::StepperOptions options;
  options.substeps = substeps;
  m.model = std::make_unique<models::IntegratedField>(
      *m.field, integrate::make_stepper(integrate::parse_stepper(integrator), options));
  return m;
}

}  // namespace

io::DatasetReader open_dataset(const Config& config, MPI_Comm comm) {
  const std::string path = config.data.path(config.run);
  if (!std::filesystem::exists(path))
    throw InputError("the dataset '" + path +
                     "' does not exist: generate it first (add \"generate\" to [run] "
                     "stages, or run `dynlearn generate` on the deck), or point [data] file at it");
  return io::DatasetReader(path, comm);
}

std::string output_path(const Config& config) {
  return config.run.output_dir + "/" + config.run.name + "_output.h5";
}

std::string checkpoint_prefix(const Config& config) {
  return config.run.output_dir + "/" + config.run.name;
}

void stage_generate(const Config& config, MPI_Comm comm) {
  if (!config.system)
    throw InputError("[run] method = \"" + config.run.method +
                     "\" learns without a dataset: remove \"generate\" "
                     "from [run] stages");
  core::info("dynlearn " + std::string(dynlearn::version) + ": generate on " +
             std::to_string(parallel::size(comm)) + " rank(s), system " + config.system->type());
  const auto report =
      systems::generate_dataset(*config.system, config.run, config.data, config.resolved, comm);
  char line[256];
  std::snprintf(line, sizeof line, "generate: wrote %s (%d train + %d test trajectories) in %.2f s",
                report.path.c_str(), report.train, report.test, report.seconds);
  core::info(line);
}

bool stage_train(const Config& config, MPI_Comm comm, bool restart) {
  if (config.method) return config.method->train(config, comm, restart);
  if (config.model.type == "true_equations")
    throw InputError(
        "[model] type = \"true_equations\" has nothing to train: use stages = [\"generate\", "
        "\"evaluate\"]");
  const std::string data_path = config.data.path(config.run);
  io::DatasetReader reader = open_dataset(config, comm);
  check_full_state(reader, data_path);
  const auto shape = reader.shape("train");
  parallel::ShardLayout layout(shape.trajectories, static_cast<std::size_t>(config.train.shards),
                               comm);
  const auto owned = layout.owned_items();
  train::Trajectories data = read_observed(reader, "train", owned.begin, owned.size(), nullptr);
  // Every rank needs dt, also one owning no trajectory.
  double dt = data.t.empty() ? 0.0 : train::uniform_spacing(data.t);
  MPI_Allreduce(MPI_IN_PLACE, &dt, 1, MPI_DOUBLE, MPI_MAX, comm);
  data.dt = dt;

  const auto seed = static_cast<std::uint64_t>(config.run.seed);
  auto learned = make_learned_model(config, static_cast<Eigen::Index>(shape.observed_dim), seed,
                                    config.train.integrator, config.train.substeps);
  models::WindowModel& model = *learned.model;
  core::info("train: " + config.model.type + " with " + std::to_string(model.num_parameters()) +
             " parameters on " + std::to_string(shape.trajectories) + " trajectories (" +
             std::to_string(parallel::size(comm)) + " rank(s), " +
             std::to_string(layout.n_shards()) + " shards), integrator " + config.train.integrator +
             ", window " + std::to_string(config.train.window));
  // Each batch takes the same number of windows from every shard (what keeps the bits
  // rank-count invariant), so a batch size that is not a multiple of the shards is rounded.
  const int n_shards = static_cast<int>(layout.n_shards());
  if (config.train.batch_size > 0 && config.train.batch_size % n_shards != 0)
    core::info("train: note: [train] batch_size = " + std::to_string(config.train.batch_size) +
               " runs as " +
               std::to_string(n_shards * std::max(1, config.train.batch_size / n_shards)) +
               " windows per step (the same number from each of the " + std::to_string(n_shards) +
               " shards); set batch_size to a multiple of [train] shards to silence this");
  train::Trainer trainer(model, config.train, std::move(data), layout, comm, seed);
  const Eigen::Index dim = static_cast<Eigen::Index>(shape.observed_dim);
  const Eigen::Index windows =
      train::windows_per_trajectory(static_cast<int>(shape.samples), config.train.window);
  if (restart) {
    const std::string path =
        io::require_latest_checkpoint(config.run.output_dir, config.run.name, comm);
    io::CheckpointReader reader_ckpt(path, comm);
    const auto checkpoint = reader_ckpt.read(owned);
    auto state = train::from_checkpoint(checkpoint, dim, windows);
    if (state.parameters.size() != model.num_parameters())
      throw InputError(
          "checkpoint '" + path + "' holds " + std::to_string(state.parameters.size()) +
          " parameters, but [model] describes " + std::to_string(model.num_parameters()) +
          ": restart with the deck that started the run");
    trainer.restore(state);
    core::info("train: restarted from " + path + " at epoch " + std::to_string(state.epoch));
  }
  trainer.set_checkpoint_hook([&](const train::TrainerState& state, bool) {
    const std::string path = io::write_checkpoint(
        config.run.output_dir, config.run.name,
        train::to_checkpoint(state, owned, shape.trajectories), config.resolved, comm);
    core::debug("train: checkpoint " + path);
  });
  trainer.set_time_budget(config.run.max_wall_seconds);
  core::install_stop_handlers();
  const auto reason = trainer.run();
  core::uninstall_stop_handlers();

  io::OutputHistory history;
  for (const auto& r : trainer.state().history) {
    history.epoch.push_back(r.epoch);
    history.loss.push_back(r.loss);
    history.learning_rate.push_back(r.learning_rate);
    history.seconds.push_back(r.seconds);
  }
  const std::string out = output_path(config);
  write_output(out, comm, config.resolved, describe_model(config, model), history, std::nullopt);
  core::info("train: wrote " + out);
  return reason == train::StopReason::finished;
}

void stage_evaluate(const Config& config, MPI_Comm comm) {
  if (config.method) return config.method->evaluate(config, comm);
  const std::string data_path = config.data.path(config.run);
  const std::string out = output_path(config);
  io::DatasetReader reader = open_dataset(config, comm);
  check_full_state(reader, data_path);
  if (!reader.has_split("test"))
    throw InputError("'" + data_path + "' has no test trajectories ([data] n_test = 0)");
  const bool trained = config.model.type != "true_equations";
  const io::OutputModel saved =
      trained ? io::read_output_model(out, comm) : io::OutputModel{config.model.type, {}, "", {}};
  const io::OutputHistory history =
      trained ? io::read_output_history(out, comm) : io::OutputHistory{};
  const auto shape = reader.shape("test");
  auto learned = make_learned_model(config, static_cast<Eigen::Index>(shape.observed_dim), 0,
                                    config.evaluate.integrator, config.evaluate.substeps);
  models::WindowModel& model = *learned.model;
  if (model.num_parameters() != saved.parameters.size())
    throw InputError("'" + out + "' holds a model of " + std::to_string(saved.parameters.size()) +
                     " parameters, but [model] describes one of " +
                     std::to_string(model.num_parameters()) +
                     ": evaluate with the deck that trained it");
  model.set_parameters(saved.parameters);

  const auto owned =
      parallel::block_range(shape.trajectories, parallel::rank(comm), parallel::size(comm));
  train::ForecastInput input;
  train::Trajectories observed =
      read_observed(reader, "test", owned.begin, owned.size(), &input.truth);
  double dt = observed.t.empty() ? 0.0 : train::uniform_spacing(observed.t);
  MPI_Allreduce(MPI_IN_PLACE, &dt, 1, MPI_DOUBLE, MPI_MAX, comm);
  input.observed = std::move(observed.y);
  input.dt = dt;
  // SRNN scores against the noisy ground truth; `truth` keeps what the file calls x.
  if (config.evaluate.against == "observed") input.truth = input.observed;
  for (auto i : reader.meta().position_indices) input.positions.push_back(static_cast<int>(i));
  const auto result = train::forecast(model, config.evaluate, input);

  io::OutputEvaluation e;
  e.integrator = config.evaluate.integrator;
  e.iso = config.evaluate.iso;
  e.steps = std::min<int>(config.evaluate.steps, static_cast<int>(shape.samples) - 1);
  e.trajectories = shape.trajectories;
  e.first = owned.begin;
  e.forecast = result.predicted;
  for (const auto& x : input.truth) e.truth.push_back(x.leftCols(e.steps + 1));
  e.error = result.error;
  // Mean and std over all test trajectories, summed in trajectory order on rank 0.
  std::vector<int> counts(parallel::size(comm)), displs(parallel::size(comm));
  int local = static_cast<int>(result.error.size());
  MPI_Gather(&local, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, comm);
  for (std::size_t r = 1; r < counts.size(); ++r) displs[r] = displs[r - 1] + counts[r - 1];
  std::vector<double> all(shape.trajectories);
  MPI_Gatherv(result.error.data(), local, MPI_DOUBLE, all.data(), counts.data(), displs.data(),
              MPI_DOUBLE, 0, comm);
  double stats[2] = {0.0, 0.0};
  if (parallel::rank(comm) == 0) {
    for (double v : all) stats[0] += v;
    stats[0] /= static_cast<double>(all.size());
    for (double v : all) stats[1] += (v - stats[0]) * (v - stats[0]);
    stats[1] = std::sqrt(stats[1] / static_cast<double>(all.size()));
  }
  MPI_Bcast(stats, 2, MPI_DOUBLE, 0, comm);
  e.error_mean = stats[0];
  e.error_std = stats[1];
  write_output(out, comm, config.resolved, saved, history, e);
  core::info(format("evaluate: error over %d steps: mean %.4g, std %.4g", e.steps, e.error_mean,
                    e.error_std) +
             " (" + std::to_string(shape.trajectories) + " test trajectories, integrator " +
             config.evaluate.integrator + (config.evaluate.iso ? ", test-time ISO" : "") + ")");
  core::info("evaluate: wrote " + out);
}

}  // namespace dynlearn::app
