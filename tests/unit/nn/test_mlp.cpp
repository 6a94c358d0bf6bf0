// Dense networks: flat-parameter layout, PyTorch-like initialisation, and every
// derivative mode against central finite differences, for every pair of
// hidden / output activations, with and without bias, multi-layer, batch > 1.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/rng.hpp"
#include "dynlearn/nn/mlp.hpp"

namespace dynlearn::nn {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

constexpr double kStep = 1e-5;
constexpr double kTolerance = 1e-6;
constexpr Index kBatch = 3;

// Worst error seen per check, printed once at the end so that the margin to
// the tolerance is visible, not just pass/fail.
std::map<std::string, double>& worst_errors() {
  static std::map<std::string, double> errors;
  return errors;
}

class ReportWorstErrors : public ::testing::Environment {
 public:
  void TearDown() override {
    if (worst_errors().empty()) return;
    std::printf("[ nn FD  ] worst relative error per check (tolerance %.0e):\n", kTolerance);
    for (const auto& [name, error] : worst_errors()) {
      std::printf("[ nn FD  ]   %-28s %.2e\n", name.c_str(), error);
    }
  }
};
[[maybe_unused]] const auto* const kReporter =
    ::testing::AddGlobalTestEnvironment(new ReportWorstErrors);

// Max-norm error relative to the reference's max norm, floored so that
// quantities that vanish identically (D²f of a relu net) are compared in
// absolute terms instead of amplifying rounding noise.
double relative_error(const MatrixXd& analytic, const MatrixXd& reference) {
  return (analytic - reference).cwiseAbs().maxCoeff() /
         std::max(reference.cwiseAbs().maxCoeff(), 1e-3);
}

void expect_close(const std::string& check, const MatrixXd& analytic, const MatrixXd& reference,
                  double tolerance = kTolerance) {
  ASSERT_EQ(analytic.rows(), reference.rows()) << check;
  ASSERT_EQ(analytic.cols(), reference.cols()) << check;
  const double error = relative_error(analytic, reference);
  double& worst = worst_errors()[check];
  worst = std::max(worst, error);
  EXPECT_LT(error, tolerance) << check << "\nanalytic:\n"
                              << analytic << "\nfinite difference:\n"
                              << reference;
}

MatrixXd random_matrix(Index rows, Index cols, core::Rng& rng, double lo = -1.0, double hi = 1.0) {
  MatrixXd m(rows, cols);
  for (Index j = 0; j < cols; ++j) {
    for (Index i = 0; i < rows; ++i) m(i, j) = rng.uniform(lo, hi);
  }
  return m;
}

double inner(const MatrixXd& a, const MatrixXd& b) {
  return a.cwiseProduct(b).sum();
}

// d/dm_ij loss(m) for every entry, by central differences.
MatrixXd fd_gradient(const std::function<double(const MatrixXd&)>& loss, const MatrixXd& at) {
  MatrixXd gradient(at.rows(), at.cols());
  MatrixXd shifted = at;
  for (Index j = 0; j < at.cols(); ++j) {
    for (Index i = 0; i < at.rows(); ++i) {
      shifted(i, j) = at(i, j) + kStep;
      const double plus = loss(shifted);
      shifted(i, j) = at(i, j) - kStep;
      const double minus = loss(shifted);
      shifted(i, j) = at(i, j);
      gradient(i, j) = (plus - minus) / (2.0 * kStep);
    }
  }
  return gradient;
}

// (f(at + h d) - f(at - h d)) / 2h.
MatrixXd fd_directional(const std::function<MatrixXd(const MatrixXd&)>& f, const MatrixXd& at,
                        const MatrixXd& direction) {
  return (f(at + kStep * direction) - f(at - kStep * direction)) / (2.0 * kStep);
}

// The network evaluated with loops straight from the documented layout: each
// layer W (row-major) then b, activation from the scalar reference.
MatrixXd naive_forward(const Mlp& net, const VectorXd& theta, const MatrixXd& x) {
  MatrixXd a = x;
  Index offset = 0;
  for (Index layer = 0; layer < net.num_layers(); ++layer) {
    const Index in = net.layer_sizes()[layer];
    const Index out = net.layer_sizes()[layer + 1];
    MatrixXd next(out, a.cols());
    for (Index b = 0; b < a.cols(); ++b) {
      for (Index i = 0; i < out; ++i) {
        double z = 0.0;
        for (Index j = 0; j < in; ++j) z += theta[offset + i * in + j] * a(j, b);
        if (net.has_bias(layer)) z += theta[offset + out * in + i];
        next(i, b) = activation_derivative(net.activation(layer), 0, z);
      }
    }
    offset += out * in + (net.has_bias(layer) ? out : 0);
    a = next;
  }
  EXPECT_EQ(offset, net.num_parameters());
  return a;
}

// ---- layout, initialisation, errors -------------------------------------------

TEST(Mlp, ParameterCountAndOffsets) {
  const Mlp with_bias({3, 5, 4, 2}, Activation::tanh);
  EXPECT_EQ(with_bias.num_layers(), 3);
  EXPECT_EQ(with_bias.input_size(), 3);
  EXPECT_EQ(with_bias.output_size(), 2);
  EXPECT_EQ(with_bias.num_parameters(), 3 * 5 + 5 + 5 * 4 + 4 + 4 * 2 + 2);
  EXPECT_EQ(with_bias.weight_offset(0), 0);
  EXPECT_EQ(with_bias.bias_offset(0), 15);
  EXPECT_EQ(with_bias.weight_offset(1), 20);
  EXPECT_EQ(with_bias.bias_offset(1), 40);
  EXPECT_EQ(with_bias.weight_offset(2), 44);
  EXPECT_EQ(with_bias.bias_offset(2), 52);

  const Mlp mixed({3, 5, 4, 2}, Activation::tanh, Activation::identity, {false, true, false});
  EXPECT_EQ(mixed.num_parameters(), 3 * 5 + 5 * 4 + 4 + 4 * 2);
  EXPECT_EQ(mixed.bias_offset(0), -1);
  EXPECT_EQ(mixed.weight_offset(1), 15);
  EXPECT_EQ(mixed.bias_offset(1), 35);
  EXPECT_EQ(mixed.weight_offset(2), 39);
  EXPECT_EQ(mixed.bias(0).size(), 0);
  EXPECT_EQ(mixed.activation(0), Activation::tanh);
  EXPECT_EQ(mixed.activation(2), Activation::identity);
}

TEST(Mlp, LayersViewTheFlatVectorInDocumentedOrder) {
  Mlp net({3, 5, 4, 2}, Activation::tanh, Activation::identity, {true, false, true});
  VectorXd theta =
      VectorXd::LinSpaced(net.num_parameters(), 1.0, static_cast<double>(net.num_parameters()));
  net.set_parameters(theta);
  EXPECT_EQ(net.parameters(), theta);
  for (Index layer = 0; layer < net.num_layers(); ++layer) {
    const Index in = net.layer_sizes()[layer];
    const Index out = net.layer_sizes()[layer + 1];
    const auto w = net.weight(layer);
    ASSERT_EQ(w.rows(), out);
    ASSERT_EQ(w.cols(), in);
    EXPECT_EQ(w.data(), net.parameters().data() + net.weight_offset(layer)) << "a view, not a copy";
    for (Index i = 0; i < out; ++i) {
      for (Index j = 0; j < in; ++j)
        EXPECT_EQ(w(i, j), theta[net.weight_offset(layer) + i * in + j]);
    }
    if (net.has_bias(layer)) {
      for (Index i = 0; i < out; ++i)
        EXPECT_EQ(net.bias(layer)[i], theta[net.bias_offset(layer) + i]);
    }
  }
  // Writes through a view land in the flat vector.
  net.weight(1)(2, 3) = -7.0;
  EXPECT_EQ(net.parameters()[net.weight_offset(1) + 2 * 5 + 3], -7.0);
  net.bias(2)[1] = -9.0;
  EXPECT_EQ(net.parameters()[net.bias_offset(2) + 1], -9.0);
  // And round trip: what comes out of parameters() goes back in unchanged.
  const VectorXd copy = net.parameters();
  Mlp other({3, 5, 4, 2}, Activation::tanh, Activation::identity, {true, false, true});
  other.set_parameters(copy);
  EXPECT_EQ(other.parameters(), copy);
  EXPECT_THROW(other.set_parameters(VectorXd::Zero(3)), Error);
}

TEST(Mlp, InitialisationIsPyTorchLikeAndDeterministic) {
  Mlp net({7, 64, 16, 1}, Activation::tanh);
  net.initialize(42, 3);
  core::Rng rng(42, 3, core::Purpose::init_weights);
  for (Index layer = 0; layer < net.num_layers(); ++layer) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(net.layer_sizes()[layer]));
    const Index end =
        layer + 1 < net.num_layers() ? net.weight_offset(layer + 1) : net.num_parameters();
    double largest = 0.0;
    for (Index i = net.weight_offset(layer); i < end; ++i) {
      // Documented draw order: one stream, flat-vector order.
      EXPECT_EQ(net.parameters()[i], rng.uniform(-bound, bound)) << "parameter " << i;
      EXPECT_LE(std::abs(net.parameters()[i]), bound);
      largest = std::max(largest, std::abs(net.parameters()[i]));
    }
    EXPECT_GT(largest, 0.5 * bound) << "layer " << layer << " uses its range";
  }
  Mlp same({7, 64, 16, 1}, Activation::tanh);
  same.initialize(42, 3);
  EXPECT_EQ(same.parameters(), net.parameters());
  Mlp other_seed({7, 64, 16, 1}, Activation::tanh);
  other_seed.initialize(43, 3);
  EXPECT_NE(other_seed.parameters(), net.parameters());
  Mlp other_index({7, 64, 16, 1}, Activation::tanh);
  other_index.initialize(42, 4);
  EXPECT_NE(other_index.parameters(), net.parameters());
}

TEST(Mlp, BadArchitectureIsInputError) {
  EXPECT_THROW(Mlp({3}, Activation::tanh), InputError);
  EXPECT_THROW(Mlp({3, 0, 1}, Activation::tanh), InputError);
  EXPECT_THROW(Mlp({3, 4, 1}, Activation::tanh, Activation::identity, {true}), InputError);
}

TEST(Mlp, MisuseIsReported) {
  Mlp net({2, 4, 1}, Activation::tanh);
  net.initialize(1);
  MlpWorkspace workspace;
  VectorXd gradient = VectorXd::Zero(net.num_parameters());
  EXPECT_THROW(net.vjp(MatrixXd::Ones(1, 2), gradient, workspace), Error) << "no forward yet";
  EXPECT_THROW(net.forward(MatrixXd::Ones(3, 2), workspace), Error) << "wrong input size";
  net.forward(MatrixXd::Ones(2, 2), workspace);
  EXPECT_THROW(net.vjp(MatrixXd::Ones(1, 3), gradient, workspace), Error) << "wrong batch";
  VectorXd short_gradient = VectorXd::Zero(2);
  EXPECT_THROW(net.vjp(MatrixXd::Ones(1, 2), short_gradient, workspace), Error);
  EXPECT_THROW(net.directional_derivatives_vjp(MatrixXd::Ones(1, 2), MatrixXd::Ones(1, 2), gradient,
                                               workspace),
               Error)
      << "no directional_derivatives yet";
  Mlp vector_net({2, 4, 2}, Activation::tanh);
  vector_net.forward(MatrixXd::Ones(2, 2), workspace);
  EXPECT_THROW(vector_net.input_gradient(workspace), Error) << "not a scalar net";
  EXPECT_THROW(net.input_gradient(workspace), Error) << "workspace holds another net's pass";
}

TEST(Mlp, WorkspaceIsReusedWithoutReallocation) {
  Mlp net({3, 16, 16, 2}, Activation::tanh);
  net.initialize(5);
  core::Rng rng(5, 0, core::Purpose::user);
  const MatrixXd x = random_matrix(3, kBatch, rng);
  const MatrixXd g = random_matrix(2, kBatch, rng);
  const MatrixXd u = random_matrix(3, kBatch, rng);
  MlpWorkspace workspace;
  VectorXd gradient = VectorXd::Zero(net.num_parameters());
  const MatrixXd y = net.forward(x, workspace);
  const double* y_data = workspace.pre_activation(2).data();
  const MatrixXd dx = net.vjp(g, gradient, workspace);
  const MatrixXd ju = net.directional_derivatives(u, u, workspace).second_uv;
  const double* dx_data = net.vjp(g, gradient, workspace).data();
  for (int repeat = 0; repeat < 3; ++repeat) {
    EXPECT_EQ(net.forward(x, workspace), y);
    EXPECT_EQ(workspace.pre_activation(2).data(), y_data);
    const MatrixXd& again = net.vjp(g, gradient, workspace);
    EXPECT_EQ(again, dx);
    EXPECT_EQ(again.data(), dx_data);
    EXPECT_EQ(MatrixXd(net.directional_derivatives(u, u, workspace).second_uv), ju);
  }
  // Gradients accumulate: 5 vjp calls above, each adding the same amount.
  VectorXd once = VectorXd::Zero(net.num_parameters());
  net.vjp(g, once, workspace);
  expect_close("vjp accumulates", gradient, 5.0 * once, 1e-14);
}

// ---- every mode against finite differences ---------------------------------------

enum class BiasPattern { all, none, mixed };

using Configuration = std::tuple<Activation, Activation, BiasPattern>;

std::vector<bool> bias_flags(BiasPattern pattern, Index layers) {
  std::vector<bool> flags(static_cast<std::size_t>(layers), pattern != BiasPattern::none);
  if (pattern == BiasPattern::mixed) {
    for (std::size_t l = 0; l < flags.size(); l += 2) flags[l] = false;
  }
  return flags;
}

class MlpDerivatives : public ::testing::TestWithParam<Configuration> {
 protected:
  // A 3-layer network with parameters scaled up from the PyTorch init so that
  // pre-activations reach the curved part of tanh / sigmoid, and inputs chosen
  // so that no relu pre-activation lies within `margin` of its kink (a step of
  // kStep times the directions cannot cross it).
  Mlp make_network(Index output_size, MatrixXd& x) const {
    const auto [hidden, output, pattern] = GetParam();
    Mlp net({3, 5, 4, output_size}, hidden, output, bias_flags(pattern, 3));
    constexpr double margin = 1e-2;
    for (std::uint64_t attempt = 0; attempt < 1000; ++attempt) {
      net.initialize(17, attempt);
      net.parameters() *= 2.0;
      core::Rng rng(17, attempt, core::Purpose::user);
      x = random_matrix(3, kBatch, rng, -1.5, 1.5);
      MlpWorkspace workspace;
      net.forward(x, workspace);
      bool clear_of_kinks = true;
      for (Index layer = 0; layer < net.num_layers(); ++layer) {
        if (net.activation(layer) != Activation::relu) continue;
        clear_of_kinks &= workspace.pre_activation(layer).cwiseAbs().minCoeff() > margin;
      }
      if (clear_of_kinks) return net;
    }
    ADD_FAILURE() << "no relu-safe inputs found";
    return net;
  }

  static MatrixXd evaluate(const Mlp& net, const MatrixXd& x) {
    MlpWorkspace workspace;
    return net.forward(x, workspace);
  }

  static Mlp with_parameters(const Mlp& net, const VectorXd& theta) {
    Mlp copy = net;
    copy.set_parameters(theta);
    return copy;
  }

  core::Rng rng_{99, 0, core::Purpose::user};
};

TEST_P(MlpDerivatives, ForwardMatchesLoopsOverDocumentedLayout) {
  MatrixXd x;
  const Mlp net = make_network(2, x);
  expect_close("forward vs naive loops", evaluate(net, x), naive_forward(net, net.parameters(), x),
               1e-12);
}

TEST_P(MlpDerivatives, ReverseModeInputAndParameters) {
  MatrixXd x;
  const Mlp net = make_network(2, x);
  const MatrixXd g = random_matrix(2, kBatch, rng_);
  MlpWorkspace workspace;
  net.forward(x, workspace);
  VectorXd gradient = VectorXd::Zero(net.num_parameters());
  const MatrixXd dx = net.vjp(g, gradient, workspace);
  const auto loss_of_x = [&](const MatrixXd& at) { return inner(g, evaluate(net, at)); };
  expect_close("vjp dL/dx", dx, fd_gradient(loss_of_x, x));
  const auto loss_of_theta = [&](const MatrixXd& theta) {
    return inner(g, evaluate(with_parameters(net, theta), x));
  };
  expect_close("vjp dL/dtheta", gradient, fd_gradient(loss_of_theta, net.parameters()));
  expect_close("input_vjp = vjp dL/dx", net.input_vjp(g, workspace), dx, 1e-14);
}

TEST_P(MlpDerivatives, ForwardModeJacobianVectorProduct) {
  MatrixXd x;
  const Mlp net = make_network(2, x);
  const MatrixXd v = random_matrix(3, kBatch, rng_);
  const MatrixXd g = random_matrix(2, kBatch, rng_);
  MlpWorkspace workspace;
  net.forward(x, workspace);
  const MatrixXd jv = net.jvp(v, workspace);
  expect_close("jvp J.V", jv,
               fd_directional([&](const MatrixXd& at) { return evaluate(net, at); }, x, v));
  // Forward and reverse mode are adjoint: <G, J V> = <J^T G, V>.
  const double forward_pairing = inner(g, jv);
  const double reverse_pairing = inner(net.input_vjp(g, workspace), v);
  EXPECT_NEAR(forward_pairing, reverse_pairing, 1e-13 * std::max(1.0, std::abs(forward_pairing)));
}

TEST_P(MlpDerivatives, ScalarNetworkInputGradientAndItsDerivatives) {
  MatrixXd x;
  const Mlp net = make_network(1, x);
  const MatrixXd g = random_matrix(3, kBatch, rng_);
  MlpWorkspace workspace;
  net.forward(x, workspace);
  const MatrixXd gradient_x = net.input_gradient(workspace);
  const auto sum_of_s = [&](const MatrixXd& at) { return evaluate(net, at).sum(); };
  expect_close("input_gradient grad_x s", gradient_x, fd_gradient(sum_of_s, x));

  VectorXd gradient = VectorXd::Zero(net.num_parameters());
  const MatrixXd hessian_g = net.input_gradient_vjp(g, gradient, workspace);

  // Reference built from the (just checked) analytic input gradient.
  const auto input_gradient_at = [](const Mlp& network, const MatrixXd& at) {
    MlpWorkspace scratch;
    network.forward(at, scratch);
    return MatrixXd(network.input_gradient(scratch));
  };
  const auto loss_of_theta = [&](const MatrixXd& theta) {
    return inner(g, input_gradient_at(with_parameters(net, theta), x));
  };
  expect_close("d/dtheta <G, grad_x s>", gradient, fd_gradient(loss_of_theta, net.parameters()));
  const auto loss_of_x = [&](const MatrixXd& at) { return inner(g, input_gradient_at(net, at)); };
  expect_close("H.G = d/dx <G, grad_x s>", hessian_g, fd_gradient(loss_of_x, x));
  expect_close(
      "H.G = grad_x s along G", hessian_g,
      fd_directional([&](const MatrixXd& at) { return input_gradient_at(net, at); }, x, g));
}

TEST_P(MlpDerivatives, SecondOrderDirectionalDerivatives) {
  MatrixXd x;
  const Mlp net = make_network(2, x);
  const MatrixXd u = random_matrix(3, kBatch, rng_);
  const MatrixXd v = random_matrix(3, kBatch, rng_);
  MlpWorkspace workspace;
  net.forward(x, workspace);
  const auto derivatives = net.directional_derivatives(u, v, workspace);
  const MatrixXd jacobian_u = derivatives.jacobian_u;
  const MatrixXd second_uv = derivatives.second_uv;
  expect_close("directional J.U", jacobian_u,
               fd_directional([&](const MatrixXd& at) { return evaluate(net, at); }, x, u));
  const auto jvp_at = [&](const MatrixXd& at) {
    MlpWorkspace scratch;
    net.forward(at, scratch);
    return MatrixXd(net.jvp(u, scratch));
  };
  expect_close("D2f[U,V] vs FD of J.U", second_uv, fd_directional(jvp_at, x, v));
  // Independent of jvp: the mixed second difference of f itself, whose
  // rounding error grows like eps / h^2, hence the larger step and tolerance
  // (truncation ~ h^2, rounding ~ 1e-16 / h^2).
  const double h = 5e-4;
  const MatrixXd mixed = (evaluate(net, x + h * u + h * v) - evaluate(net, x + h * u - h * v) -
                          evaluate(net, x - h * u + h * v) + evaluate(net, x - h * u - h * v)) /
                         (4.0 * h * h);
  expect_close("D2f[U,V] vs 2nd difference", second_uv, mixed, 1e-5);
  MlpWorkspace swapped;
  net.forward(x, swapped);
  expect_close("D2f[U,V] = D2f[V,U]", second_uv,
               MatrixXd(net.directional_derivatives(v, u, swapped).second_uv), 1e-13);
}

TEST_P(MlpDerivatives, SecondOrderDirectionalDerivativesReverseMode) {
  MatrixXd x;
  const Mlp net = make_network(2, x);
  const MatrixXd u = random_matrix(3, kBatch, rng_);
  const MatrixXd v = random_matrix(3, kBatch, rng_);
  const MatrixXd a = random_matrix(2, kBatch, rng_);
  const MatrixXd b = random_matrix(2, kBatch, rng_);
  MlpWorkspace workspace;
  net.forward(x, workspace);
  net.directional_derivatives(u, v, workspace);
  VectorXd gradient = VectorXd::Zero(net.num_parameters());
  const auto gradients = net.directional_derivatives_vjp(a, b, gradient, workspace);
  const MatrixXd gradient_x = gradients.x;
  const MatrixXd gradient_u = gradients.u;
  const MatrixXd gradient_v = gradients.v;

  const auto loss = [&](const Mlp& network, const MatrixXd& at, const MatrixXd& along_u,
                        const MatrixXd& along_v) {
    MlpWorkspace scratch;
    network.forward(at, scratch);
    const auto d = network.directional_derivatives(along_u, along_v, scratch);
    return inner(a, d.jacobian_u) + inner(b, d.second_uv);
  };
  expect_close(
      "d/dtheta <A,JU>+<B,D2f>", gradient,
      fd_gradient([&](const MatrixXd& theta) { return loss(with_parameters(net, theta), x, u, v); },
                  net.parameters()));
  expect_close("d/dx <A,JU>+<B,D2f>", gradient_x,
               fd_gradient([&](const MatrixXd& at) { return loss(net, at, u, v); }, x));
  expect_close("d/dU <A,JU>+<B,D2f>", gradient_u,
               fd_gradient([&](const MatrixXd& at) { return loss(net, x, at, v); }, u));
  expect_close("d/dV <A,JU>+<B,D2f>", gradient_v,
               fd_gradient([&](const MatrixXd& at) { return loss(net, x, u, at); }, v));
}

// The comparison used above resolves errors far below those of a wrong
// derivative: a gradient off by 1e-4 of its size in one entry is rejected.
TEST(MlpDerivativeCheck, RejectsSlightlyWrongGradient) {
  Mlp net({3, 5, 4, 2}, Activation::tanh);
  net.initialize(3);
  core::Rng rng(3, 1, core::Purpose::user);
  const MatrixXd x = random_matrix(3, kBatch, rng);
  const MatrixXd g = random_matrix(2, kBatch, rng);
  MlpWorkspace workspace;
  net.forward(x, workspace);
  VectorXd gradient = VectorXd::Zero(net.num_parameters());
  net.vjp(g, gradient, workspace);
  const auto loss_of_theta = [&](const MatrixXd& theta) {
    Mlp copy = net;
    copy.set_parameters(theta);
    MlpWorkspace scratch;
    return inner(g, copy.forward(x, scratch));
  };
  const MatrixXd reference = fd_gradient(loss_of_theta, net.parameters());
  EXPECT_LT(relative_error(gradient, reference), kTolerance);
  VectorXd wrong = gradient;
  wrong[7] += 1e-4 * gradient.cwiseAbs().maxCoeff();
  EXPECT_GT(relative_error(wrong, reference), 10.0 * kTolerance);
}

std::string configuration_name(const ::testing::TestParamInfo<Configuration>& info) {
  const auto [hidden, output, pattern] = info.param;
  const char* bias = pattern == BiasPattern::all    ? "bias"
                     : pattern == BiasPattern::none ? "nobias"
                                                    : "mixedbias";
  return std::string(activation_name(hidden)) + "_" + std::string(activation_name(output)) + "_" +
         bias;
}

const auto kActivations =
    ::testing::Values(Activation::identity, Activation::tanh, Activation::softplus,
                      Activation::relu, Activation::sigmoid);

INSTANTIATE_TEST_SUITE_P(AllActivations, MlpDerivatives,
                         ::testing::Combine(kActivations, kActivations,
                                            ::testing::Values(BiasPattern::all, BiasPattern::none,
                                                              BiasPattern::mixed)),
                         configuration_name);

}  // namespace
}  // namespace dynlearn::nn
