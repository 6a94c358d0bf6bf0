// Google Benchmark kernels of the nn layer: forward + reverse mode (the
// training inner loop) and the second-order modes, at the widths of the papers.
#include <benchmark/benchmark.h>

#include "dynlearn/nn/mlp.hpp"

namespace {

using dynlearn::nn::Activation;
using dynlearn::nn::Mlp;
using dynlearn::nn::MlpWorkspace;

constexpr Eigen::Index kInput = 4;
constexpr Eigen::Index kOutput = 2;
constexpr Eigen::Index kBatch = 100;

Mlp make_network(Eigen::Index width, Eigen::Index output) {
  Mlp net({kInput, width, width, output}, Activation::tanh);
  net.initialize(1);
  return net;
}

// Args: hidden width. Two hidden layers, batch 100.
void BM_ForwardVjp(benchmark::State& state) {
  const Mlp net = make_network(state.range(0), kOutput);
  const Eigen::MatrixXd x = Eigen::MatrixXd::Random(kInput, kBatch);
  const Eigen::MatrixXd g = Eigen::MatrixXd::Random(kOutput, kBatch);
  Eigen::VectorXd gradient = Eigen::VectorXd::Zero(net.num_parameters());
  MlpWorkspace workspace;
  for (auto _ : state) {
    net.forward(x, workspace);
    benchmark::DoNotOptimize(net.vjp(g, gradient, workspace).data());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_ForwardVjp)->Arg(32)->Arg(2048)->Unit(benchmark::kMicrosecond);

// H-NET training step of one scalar net: ∇ₓs, then H·G and d/dθ <G, ∇ₓs>.
void BM_ScalarGradientAndVjp(benchmark::State& state) {
  const Mlp net = make_network(state.range(0), 1);
  const Eigen::MatrixXd x = Eigen::MatrixXd::Random(kInput, kBatch);
  const Eigen::MatrixXd g = Eigen::MatrixXd::Random(kInput, kBatch);
  Eigen::VectorXd gradient = Eigen::VectorXd::Zero(net.num_parameters());
  MlpWorkspace workspace;
  for (auto _ : state) {
    net.forward(x, workspace);
    benchmark::DoNotOptimize(net.input_gradient(workspace).data());
    benchmark::DoNotOptimize(net.input_gradient_vjp(g, gradient, workspace).data());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_ScalarGradientAndVjp)->Arg(32)->Arg(2048)->Unit(benchmark::kMicrosecond);

// Helmholtz-metric step: J·U, D²f[U,V] and the reverse pass over both.
void BM_SecondOrderAndVjp(benchmark::State& state) {
  const Mlp net = make_network(state.range(0), kOutput);
  const Eigen::MatrixXd x = Eigen::MatrixXd::Random(kInput, kBatch);
  const Eigen::MatrixXd u = Eigen::MatrixXd::Random(kInput, kBatch);
  const Eigen::MatrixXd v = Eigen::MatrixXd::Random(kInput, kBatch);
  const Eigen::MatrixXd a = Eigen::MatrixXd::Random(kOutput, kBatch);
  const Eigen::MatrixXd b = Eigen::MatrixXd::Random(kOutput, kBatch);
  Eigen::VectorXd gradient = Eigen::VectorXd::Zero(net.num_parameters());
  MlpWorkspace workspace;
  for (auto _ : state) {
    net.forward(x, workspace);
    net.directional_derivatives(u, v, workspace);
    benchmark::DoNotOptimize(net.directional_derivatives_vjp(a, b, gradient, workspace).x.data());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}
BENCHMARK(BM_SecondOrderAndVjp)->Arg(32)->Arg(2048)->Unit(benchmark::kMicrosecond);

// The core's practical FP64 rate: Eigen's DGEMM on 384 x 384 matrices
// (the roofline that bench/RESULTS.md holds the SNet kernel against).
void BM_EigenGemm(benchmark::State& state) {
  const Eigen::Index n = state.range(0);
  const Eigen::MatrixXd a = Eigen::MatrixXd::Random(n, n), b = Eigen::MatrixXd::Random(n, n);
  Eigen::MatrixXd c = Eigen::MatrixXd::Zero(n, n);
  for (auto _ : state) {
    c.noalias() += a * b;
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["flops"] = benchmark::Counter(2.0 * static_cast<double>(n * n * n),
                                               benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_EigenGemm)->Arg(384)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
