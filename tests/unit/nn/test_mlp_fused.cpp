// The fused kernels of {n, h, 1} tanh networks (nn::Mlp::fused_scalar):
// which networks take them, the same bits as the layer-by-layer path for
// every mode they replace (also per column segment, with a strided
// upstream and saturated units), the other modes still working after a
// fused forward pass, and their derivatives against finite differences.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "../../same_bits.hpp"
#include "dynlearn/core/rng.hpp"
#include "dynlearn/nn/mlp.hpp"

namespace dynlearn::nn {
namespace {

using dynlearn::testing::same_bits;
using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

MatrixXd random_matrix(Index rows, Index cols, std::uint64_t stream, double scale = 1.0) {
  core::Rng rng(11, stream, core::Purpose::user);
  MatrixXd m(rows, cols);
  for (Index j = 0; j < cols; ++j)
    for (Index i = 0; i < rows; ++i) m(i, j) = scale * rng.uniform(-1.0, 1.0);
  return m;
}

// A network scaled up from the PyTorch init so that tanh is curved.
Mlp make_net(std::vector<Index> sizes, std::vector<bool> bias = {}) {
  Mlp net(std::move(sizes), Activation::tanh, Activation::identity, std::move(bias));
  net.initialize(23);
  net.parameters() *= 3.0;
  return net;
}

TEST(MlpFused, TakenByOneHiddenTanhScalarNetworksOnly) {
  EXPECT_TRUE(make_net({5, 32, 1}).fused_scalar());
  EXPECT_TRUE(make_net({1, 16, 1}).fused_scalar());
  EXPECT_TRUE(make_net({20, 64, 1}).fused_scalar());
  EXPECT_TRUE(make_net({5, 48, 1}, {false, false}).fused_scalar());
  EXPECT_FALSE(make_net({5, 24, 1}).fused_scalar()) << "h not a multiple of 16";
  EXPECT_FALSE(make_net({5, 128, 1}).fused_scalar()) << "h above 64";
  EXPECT_FALSE(make_net({16, 32, 1}).fused_scalar()) << "input side in row blocks";
  EXPECT_FALSE(make_net({5, 32, 2}).fused_scalar()) << "vector output";
  EXPECT_FALSE(make_net({5, 32, 32, 1}).fused_scalar()) << "two hidden layers";
  EXPECT_FALSE(Mlp({5, 32, 1}, Activation::softplus).fused_scalar());
  EXPECT_FALSE(Mlp({5, 32, 1}, Activation::tanh, Activation::tanh).fused_scalar());
  Mlp off = make_net({5, 32, 1});
  off.set_fused_kernels(false);
  EXPECT_FALSE(off.fused_scalar());
}

struct Results {
  MatrixXd output, gradient, hessian_g, hessian_g_segments;
  VectorXd theta_gradient;
  MatrixXd theta_gradients;
};

// Segments of 3, 0, 5, 2 and 3 columns (odd sizes, an empty one).
const std::vector<Index> kBounds{0, 3, 3, 8, 10, 13};

Results run(const Mlp& net, const MatrixXd& x, const MatrixXd& g_storage) {
  Results r;
  const Index n = net.input_size();
  // The upstream as a view with another stride (as H-NET passes halves).
  const Eigen::Ref<const MatrixXd> g = g_storage.topRows(n);
  MlpWorkspace workspace;
  r.output = net.forward(x, workspace);
  r.gradient = net.input_gradient(workspace);
  r.theta_gradient = VectorXd::Constant(net.num_parameters(), 0.25);
  r.hessian_g = net.input_gradient_vjp(g, r.theta_gradient, workspace);
  const Index segments = static_cast<Index>(kBounds.size()) - 1;
  r.theta_gradients = MatrixXd::Zero(net.num_parameters(), segments);
  MlpWorkspace other;
  net.forward(x, other);
  r.hessian_g_segments = net.input_gradient_vjp(g, r.theta_gradients, kBounds, other);
  return r;
}

TEST(MlpFused, SameBitsAsLayerByLayer) {
  const std::vector<std::vector<Index>> shapes{{5, 32, 1}, {3, 16, 1},  {7, 48, 1},
                                               {2, 64, 1}, {17, 32, 1}, {1, 16, 1}};
  const std::vector<std::vector<bool>> biases{{true, true}, {false, false}, {false, true}};
  for (const auto& shape : shapes) {
    for (const auto& bias : biases) {
      SCOPED_TRACE("n " + std::to_string(shape[0]) + " h " + std::to_string(shape[1]) + " bias " +
                   std::to_string(bias[0]) + std::to_string(bias[1]));
      Mlp fused = make_net(shape, bias);
      ASSERT_TRUE(fused.fused_scalar());
      Mlp layered = fused;
      layered.set_fused_kernels(false);
      const Index batch = kBounds.back();
      MatrixXd x = random_matrix(shape[0], batch, 1);
      // Saturated units (tanh = ±1 exactly, σ' = 0) in the last columns.
      x.col(batch - 1).setConstant(40.0);
      x.col(batch - 2).setConstant(-40.0);
      const MatrixXd g = random_matrix(shape[0] + 2, batch, 2);
      const Results a = run(fused, x, g);
      const Results b = run(layered, x, g);
      EXPECT_TRUE(same_bits(a.output, b.output));
      EXPECT_TRUE(same_bits(a.gradient, b.gradient));
      EXPECT_TRUE(same_bits(a.hessian_g, b.hessian_g));
      EXPECT_TRUE(same_bits(a.theta_gradient, b.theta_gradient));
      EXPECT_TRUE(same_bits(a.hessian_g_segments, b.hessian_g_segments));
      EXPECT_TRUE(same_bits(a.theta_gradients, b.theta_gradients));
    }
  }
}

TEST(MlpFused, OtherModesAfterAFusedForwardPass) {
  Mlp fused = make_net({5, 32, 1});
  Mlp layered = fused;
  layered.set_fused_kernels(false);
  const MatrixXd x = random_matrix(5, 7, 3);
  const MatrixXd u = random_matrix(5, 7, 4);
  const MatrixXd v = random_matrix(5, 7, 5);
  const MatrixXd up = random_matrix(1, 7, 6);
  MlpWorkspace wf, wl;
  fused.forward(x, wf);
  layered.forward(x, wl);
  for (Index layer = 0; layer < 2; ++layer)
    EXPECT_TRUE(same_bits(wf.pre_activation(layer), wl.pre_activation(layer)));
  VectorXd gf = VectorXd::Zero(fused.num_parameters()), gl = gf;
  EXPECT_TRUE(same_bits(fused.vjp(up, gf, wf), layered.vjp(up, gl, wl)));
  EXPECT_TRUE(same_bits(gf, gl));
  EXPECT_TRUE(same_bits(fused.jvp(u, wf), layered.jvp(u, wl)));
  const auto df = fused.directional_derivatives(u, v, wf);
  const auto dl = layered.directional_derivatives(u, v, wl);
  EXPECT_TRUE(same_bits(df.second_uv, dl.second_uv));
  // input_gradient after vjp (they share storage) still gives ∇ₓs.
  const MatrixXd gradient = fused.input_gradient(wf);
  EXPECT_TRUE(same_bits(gradient, layered.input_gradient(wl)));
}

// Central differences of the fused modes, with step kStep.
constexpr double kStep = 1e-5;

double relative_error(const MatrixXd& analytic, const MatrixXd& reference) {
  return (analytic - reference).cwiseAbs().maxCoeff() /
         std::max(reference.cwiseAbs().maxCoeff(), 1e-3);
}

MatrixXd fd_gradient(const std::function<double(const MatrixXd&)>& f, const MatrixXd& at) {
  MatrixXd result(at.rows(), at.cols());
  MatrixXd shifted = at;
  for (Index j = 0; j < at.cols(); ++j) {
    for (Index i = 0; i < at.rows(); ++i) {
      shifted(i, j) = at(i, j) + kStep;
      const double plus = f(shifted);
      shifted(i, j) = at(i, j) - kStep;
      const double minus = f(shifted);
      shifted(i, j) = at(i, j);
      result(i, j) = (plus - minus) / (2.0 * kStep);
    }
  }
  return result;
}

TEST(MlpFused, DerivativesMatchFiniteDifferences) {
  for (const std::vector<Index>& shape : {std::vector<Index>{5, 32, 1}, {3, 16, 1}}) {
    SCOPED_TRACE("n " + std::to_string(shape[0]) + " h " + std::to_string(shape[1]));
    const Mlp net = make_net(shape);
    ASSERT_TRUE(net.fused_scalar());
    const Index n = shape[0];
    const MatrixXd x = random_matrix(n, 4, 7);
    const MatrixXd g = random_matrix(n, 4, 8);
    const auto sum_of_s = [&](const MatrixXd& at) {
      MlpWorkspace w;
      return net.forward(at, w).sum();
    };
    const auto input_gradient_at = [](const Mlp& network, const MatrixXd& at) {
      MlpWorkspace w;
      network.forward(at, w);
      return MatrixXd(network.input_gradient(w));
    };
    MlpWorkspace workspace;
    net.forward(x, workspace);
    const MatrixXd gradient = net.input_gradient(workspace);
    EXPECT_LT(relative_error(gradient, fd_gradient(sum_of_s, x)), 1e-7);

    VectorXd theta_gradient = VectorXd::Zero(net.num_parameters());
    const MatrixXd hessian_g = net.input_gradient_vjp(g, theta_gradient, workspace);
    const auto loss_of_x = [&](const MatrixXd& at) {
      return input_gradient_at(net, at).cwiseProduct(g).sum();
    };
    EXPECT_LT(relative_error(hessian_g, fd_gradient(loss_of_x, x)), 1e-7);
    const auto loss_of_theta = [&](const MatrixXd& theta) {
      Mlp copy = net;
      copy.set_parameters(theta);
      return input_gradient_at(copy, x).cwiseProduct(g).sum();
    };
    EXPECT_LT(relative_error(theta_gradient, fd_gradient(loss_of_theta, net.parameters())), 1e-7);
  }
}

}  // namespace
}  // namespace dynlearn::nn
