// Google Benchmark kernel of SRNN's training inner loop: one leapfrog rollout
// of an H-NET (state 40 = 20 masses, batch 100, 9 steps) and its discrete
// adjoint, at hidden widths 32 and 2048 (two hidden layers per network).
#include <benchmark/benchmark.h>

#include <vector>

#include "dynlearn/integrate/stepper.hpp"
#include "dynlearn/models/hnet.hpp"

namespace {

constexpr Eigen::Index kHalf = 20;
constexpr Eigen::Index kBatch = 100;
constexpr int kSteps = 9;

// Args: hidden width.
void BM_LeapfrogRolloutVjp(benchmark::State& state) {
  const Eigen::Index width = state.range(0);
  dynlearn::models::HNet net(kHalf, {width, width}, "tanh");
  net.initialize(1);
  auto stepper = dynlearn::integrate::make_stepper(dynlearn::integrate::StepperKind::leapfrog);
  const Eigen::MatrixXd x0 = Eigen::MatrixXd::Random(2 * kHalf, kBatch);
  std::vector<Eigen::MatrixXd> upstream(kSteps + 1, Eigen::MatrixXd::Random(2 * kHalf, kBatch));
  Eigen::VectorXd gradient = Eigen::VectorXd::Zero(net.num_parameters());
  for (auto _ : state) {
    benchmark::DoNotOptimize(stepper->rollout(net, x0, 0.1, kSteps).back().data());
    benchmark::DoNotOptimize(stepper->rollout_vjp(net, upstream, gradient).data());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_LeapfrogRolloutVjp)->Arg(32)->Arg(2048)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
