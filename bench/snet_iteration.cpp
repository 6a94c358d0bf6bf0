// One training iteration of each of the six methods of the SNet paper's
// Table 1a on its vehicle problem: 100 trajectories of 100 samples over
// 10 s, the section 5 surrogate with hidden width 16 (the decks'), p = 14 on
// one element for δ-/α-SNet; one rank (run under mpiexec -n 1 or directly).
//   δ-SNet:  one Adam step on θ for the collocation residual R (also timed
//            with the surrogate's generic path, BM_DeltaSnet/generic)
//   α-SNet:  10 SGD steps on the nodal values + 10 Adam steps on θ (the
//            paper's iteration)
//   BKPR-*, ADJ-*: the loss gradient over the 100 trajectories in the
//            decks' 10 trajectory shards, plus one Adam step, at θ after
//            500 δ-SNet iterations (see mid_training_theta)
// The dataset comes from `dynlearn run inputs/snet/vehicle_data.toml`; its
// path is SNET_DATASET (default out/snet/vehicle_data.h5).
//   SNET_DATASET=... build-snetb/bench/bench_snet_iteration --benchmark_min_time=2
#include <benchmark/benchmark.h>
#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "dynlearn/models/driven_model_factory.hpp"
#include "dynlearn/models/vehicle_surrogate.hpp"
#include "dynlearn/parallel/environment.hpp"
#include "dynlearn/parallel/process_grid.hpp"
#include "dynlearn/parallel/reduction.hpp"
#include "dynlearn/spectral/element_chain.hpp"
#include "dynlearn/systems/vehicle.hpp"
#include "dynlearn/train/alpha_snet.hpp"
#include "dynlearn/train/delta_snet.hpp"
#include "dynlearn/train/driven_trajectories.hpp"
#include "dynlearn/train/optimizer.hpp"
#include "dynlearn/train/snet_residual.hpp"
#include "dynlearn/train/trajectory_matching.hpp"

namespace {

using namespace dynlearn;

constexpr int kHidden = 16;
constexpr int kOrder = 14;
constexpr std::size_t kShards = 10;
constexpr std::uint64_t kSeed = 1;

std::string dataset_path() {
  const char* path = std::getenv("SNET_DATASET");
  return path ? path : "out/snet/vehicle_data.h5";
}

const train::DrivenTrajectories& vehicle_data() {
  static const train::DrivenTrajectories data = [] {
    const io::DatasetReader reader(dataset_path(), MPI_COMM_WORLD);
    const auto shape = reader.shape("train");
    return train::read_driven_trajectories(reader, "train", 0, shape.trajectories, 10.0);
  }();
  return data;
}

std::unique_ptr<integrate::DrivenField> vehicle_model() {
  systems::Vehicle vehicle;
  return models::make_driven_model(vehicle, {kHidden}, kSeed);
}

double total_samples(const train::DrivenTrajectories& data) {
  double n = 0;
  for (const auto& t : data.t) n += static_cast<double>(t.size());
  return n;
}

// The paper's vehicle problem on a (ranks x 1) grid over MPI_COMM_WORLD:
// the surrogate and its SNet problem on one element of order kOrder.
struct VehicleSnet {
  const train::DrivenTrajectories& data = vehicle_data();
  std::unique_ptr<integrate::DrivenField> model = vehicle_model();
  parallel::ProcessGrid grid{MPI_COMM_WORLD, 1};
  parallel::ShardLayout layout{data.size(), kShards, grid.trajectory_group(),
                               grid.trajectory_groups()};
  spectral::ElementChain chain{data.t[0](0), data.t[0](data.t[0].size() - 1), 1, kOrder};
  train::SnetProblem problem;

  explicit VehicleSnet(train::SampleWeights weights)
      : problem(*model, chain, grid, data, layout, total_samples(data), weights) {}
};

// δ-SNet on it as the δ-SNet decks run it (interpolation rows on demand),
// with δ = 0: it never converges, so every step is a full Adam step.
struct VehicleDeltaSnet : VehicleSnet {
  train::DeltaSnet solver;

  VehicleDeltaSnet()
      : VehicleSnet(train::SampleWeights::on_demand),
        solver(*model, problem, chain, data, never_converging()) {}

  static train::DeltaSnetOptions never_converging() {
    train::DeltaSnetOptions options;
    options.delta = 0.0;
    return options;
  }
};

// θ after 500 δ-SNet iterations from the initial θ: a mid-training model.
// The randomly initialised surrogate blows up over the 10 s horizon (loss
// ~1e9), where an adaptive solver takes ~1e5 steps; timing the baselines
// there would say nothing about their cost during training.
const Eigen::VectorXd& mid_training_theta() {
  static const Eigen::VectorXd theta = [] {
    VehicleDeltaSnet run;
    for (int i = 0; i < 500; ++i) run.solver.step();
    return run.model->parameters();
  }();
  return theta;
}

// fused: the vehicle surrogate's fused kernel (the default); false times
// the generic path through nn::Mlp, which agrees with it to rounding.
void BM_DeltaSnet(benchmark::State& state, bool fused) {
  VehicleDeltaSnet run;
  if (auto* vehicle = dynamic_cast<models::VehicleSurrogate*>(run.model.get()))
    vehicle->set_fused_kernel(fused);
  for (auto _ : state) benchmark::DoNotOptimize(run.solver.step());
  state.counters["parameters"] = static_cast<double>(run.model->num_parameters());
}

void BM_AlphaSnet(benchmark::State& state) {
  VehicleSnet run(train::SampleWeights::stored);
  train::AlphaSnetOptions options;
  options.seed = kSeed;
  train::AlphaSnet solver(*run.model, run.problem, run.chain, run.data, options);
  for (auto _ : state) benchmark::DoNotOptimize(solver.step());
}

void BM_Matching(benchmark::State& state, train::MatchingMethod method) {
  const auto& data = vehicle_data();
  auto model = vehicle_model();
  train::TrajectoryMatching matching(*model, method);
  train::OptimizerOptions ao;
  ao.lr = 1e-2;
  auto adam = train::make_optimizer("adam", ao);
  // Every iteration starts from the same mid-training θ: the cost of an
  // adaptive solve depends on θ, and a run of Adam steps at the benchmark's
  // own pace would wander off.
  const Eigen::VectorXd theta0 = mid_training_theta();
  model->set_parameters(theta0);
  Eigen::VectorXd theta = theta0;
  Eigen::VectorXd gradient(theta.size());
  const std::size_t per_shard = data.size() / kShards;
  double loss = 0;
  for (auto _ : state) {
    gradient.setZero();
    loss = 0;
    for (std::size_t s = 0; s < kShards; ++s)
      loss += matching.loss_and_gradient(data, s * per_shard, (s + 1) * per_shard, gradient);
    gradient /= static_cast<double>(data.size());
    adam->step(theta, gradient);
    benchmark::DoNotOptimize(theta.data());
    theta = theta0;
  }
  state.counters["loss"] = loss / static_cast<double>(data.size());
}

BENCHMARK_CAPTURE(BM_DeltaSnet, fused, true)->Name("BM_DeltaSnet")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_DeltaSnet, generic, false)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_AlphaSnet)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Matching, bkpr_euler, train::MatchingMethod::bkpr_euler)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Matching, bkpr_dopri5, train::MatchingMethod::bkpr_dopri5)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Matching, adj_euler, train::MatchingMethod::adj_euler)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Matching, adj_dopri5, train::MatchingMethod::adj_dopri5)
    ->Unit(benchmark::kMillisecond);

// δ-SNet wall time per iteration on every rank of MPI_COMM_WORLD (a
// trajectory-parallel grid, ranks x 1: the paper's problem has one element),
// outside Google Benchmark, whose per-process iteration counts would not
// match across ranks. Rank 0 prints one JSON line.
int time_delta_snet_across_ranks(int iterations) {
  VehicleDeltaSnet run;
  for (int i = 0; i < iterations / 10; ++i) run.solver.step();  // warm caches and pages
  MPI_Barrier(MPI_COMM_WORLD);
  const double start = MPI_Wtime();
  for (int i = 0; i < iterations; ++i) run.solver.step();
  MPI_Barrier(MPI_COMM_WORLD);
  const double ms = 1e3 * (MPI_Wtime() - start) / iterations;
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (rank == 0)
    std::printf("{\"ranks\": %d, \"iterations\": %d, \"delta_snet_ms\": %.5f}\n", size, iterations,
                ms);
  return 0;
}

}  // namespace

// --ranks-timing[=N]: only time_delta_snet_across_ranks (N iterations,
// default 4000), for mpiexec -n R; otherwise the Google Benchmark suite.
int main(int argc, char** argv) {
  dynlearn::parallel::Environment environment(&argc, &argv);
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--ranks-timing", 0) == 0)
      return time_delta_snet_across_ranks(
          arg.size() > 15 && arg[14] == '=' ? std::stoi(arg.substr(15)) : 4000);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
