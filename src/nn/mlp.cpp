// Dense networks: layout of the flat parameter vector, initialisation, and the
// forward, reverse, tangent and second-order modes built from one dense-layer
// rule and the activation derivatives.
#include "dynlearn/nn/mlp.hpp"

#include <cmath>
#include <string>
#include <utility>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/rng.hpp"

namespace dynlearn::nn {

using Eigen::Index;
using Eigen::MatrixXd;

namespace {

// Misuse of the API by calling code (not a user's input), hence `internal`.
[[noreturn]] void fail(const std::string& message) {
  throw Error(ExitCode::internal, "nn::Mlp: " + message);
}

std::string shape(Index rows, Index cols) {
  return std::to_string(rows) + " x " + std::to_string(cols);
}

}  // namespace

const MatrixXd& MlpWorkspace::pre_activation(Index layer) const {
  if (layer < 0 || layer >= static_cast<Index>(pre_activation_.size())) {
    fail("pre_activation(" + std::to_string(layer) + ") of a workspace with " +
         std::to_string(pre_activation_.size()) + " layers");
  }
  return pre_activation_[layer];
}

Mlp::Mlp(std::vector<Index> layer_sizes, Activation hidden, Activation output,
         std::vector<bool> bias)
    : layer_sizes_(std::move(layer_sizes)),
      hidden_activation_(hidden),
      output_activation_(output),
      has_bias_(std::move(bias)) {
  require(layer_sizes_.size() >= 2, "a network needs at least an input and an output size, got " +
                                        std::to_string(layer_sizes_.size()) + " layer sizes");
  for (Index size : layer_sizes_) {
    require(size > 0, "network layer sizes must be positive, got " + std::to_string(size));
  }
  const Index layers = num_layers();
  if (has_bias_.empty()) has_bias_.assign(layers, true);
  require(static_cast<Index>(has_bias_.size()) == layers,
          "network bias flags: expected one per layer (" + std::to_string(layers) + "), got " +
              std::to_string(has_bias_.size()));
  Index offset = 0;
  for (Index layer = 0; layer < layers; ++layer) {
    weight_offset_.push_back(offset);
    offset += layer_sizes_[layer + 1] * layer_sizes_[layer];
    bias_offset_.push_back(has_bias_[layer] ? offset : -1);
    if (has_bias_[layer]) offset += layer_sizes_[layer + 1];
  }
  parameters_ = Eigen::VectorXd::Zero(offset);
}

void Mlp::set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) {
  if (values.size() != num_parameters()) {
    fail("set_parameters with " + std::to_string(values.size()) + " values for " +
         std::to_string(num_parameters()) + " parameters");
  }
  parameters_ = values;
}

Eigen::Map<Mlp::RowMajorMatrix> Mlp::weight(Index layer) {
  return {parameters_.data() + weight_offset_[layer], layer_sizes_[layer + 1], layer_sizes_[layer]};
}

Eigen::Map<const Mlp::RowMajorMatrix> Mlp::weight(Index layer) const {
  return {parameters_.data() + weight_offset_[layer], layer_sizes_[layer + 1], layer_sizes_[layer]};
}

Eigen::Map<Eigen::VectorXd> Mlp::bias(Index layer) {
  if (!has_bias_[layer]) return {parameters_.data(), 0};
  return {parameters_.data() + bias_offset_[layer], layer_sizes_[layer + 1]};
}

Eigen::Map<const Eigen::VectorXd> Mlp::bias(Index layer) const {
  if (!has_bias_[layer]) return {parameters_.data(), 0};
  return {parameters_.data() + bias_offset_[layer], layer_sizes_[layer + 1]};
}

void Mlp::initialize(std::uint64_t seed, std::uint64_t index) {
  core::Rng rng(seed, index, core::Purpose::init_weights);
  for (Index layer = 0; layer < num_layers(); ++layer) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(layer_sizes_[layer]));
    const Index begin = weight_offset_[layer];
    const Index end = layer + 1 < num_layers() ? weight_offset_[layer + 1] : parameters_.size();
    for (Index i = begin; i < end; ++i) parameters_[i] = rng.uniform(-bound, bound);
  }
}

// ---- checks and workspace ---------------------------------------------------

void Mlp::prepare(MlpWorkspace& workspace, Index batch) const {
  const auto layers = static_cast<std::size_t>(num_layers());
  workspace.pre_activation_.resize(layers);
  workspace.first_.resize(layers);
  workspace.second_.resize(layers);
  workspace.third_.resize(layers);
  workspace.adjoint_pre_.resize(layers);
  workspace.activation_.resize(layers + 1);
  workspace.adjoint_.resize(layers + 1);
  for (std::size_t layer = 0; layer < layers; ++layer) {
    const Index out = layer_sizes_[layer + 1];
    // resize() keeps the allocation when the shape is unchanged.
    workspace.pre_activation_[layer].resize(out, batch);
    workspace.first_[layer].resize(out, batch);
    workspace.activation_[layer + 1].resize(out, batch);
  }
  workspace.owner_ = this;
  workspace.batch_ = batch;
  workspace.forward_done_ = false;
  workspace.second_derivatives_done_ = false;
  workspace.third_derivatives_done_ = false;
  workspace.first_order_.forward_done = false;
  workspace.second_order_.forward_done = false;
}

void Mlp::require_forward(const MlpWorkspace& workspace, const char* mode) const {
  if (!workspace.forward_done_ || workspace.owner_ != this) {
    fail(std::string(mode) + " needs a forward pass of this network in the workspace");
  }
}

void Mlp::require_shape(const Eigen::Ref<const MatrixXd>& matrix, Index rows, Index cols,
                        const char* what) const {
  if (matrix.rows() != rows || matrix.cols() != cols) {
    fail(std::string(what) + " is " + shape(matrix.rows(), matrix.cols()) + ", expected " +
         shape(rows, cols));
  }
}

void Mlp::require_gradient_size(const Eigen::Ref<Eigen::VectorXd>& gradient) const {
  if (gradient.size() != num_parameters()) {
    fail("parameter gradient has " + std::to_string(gradient.size()) + " entries for " +
         std::to_string(num_parameters()) + " parameters");
  }
}

void Mlp::ensure_higher_derivatives(MlpWorkspace& workspace, bool third) const {
  if (workspace.second_derivatives_done_ && (!third || workspace.third_derivatives_done_)) return;
  for (Index layer = 0; layer < num_layers(); ++layer) {
    const MatrixXd& z = workspace.pre_activation_[layer];
    workspace.second_[layer].resize(z.rows(), z.cols());
    // The layer's output activation_[layer + 1] is the activation of z and
    // first_[layer] its derivative, both from the forward pass.
    activation_higher_from_first(activation(layer), workspace.activation_[layer + 1].array(),
                                 workspace.first_[layer].array(), workspace.second_[layer].array(),
                                 third ? &workspace.third_array_ : nullptr);
    if (third) workspace.third_[layer] = workspace.third_array_.matrix();
  }
  workspace.second_derivatives_done_ = true;
  workspace.third_derivatives_done_ = workspace.third_derivatives_done_ || third;
}

void Mlp::accumulate_bias_gradient(Index layer, const Eigen::Ref<const MatrixXd>& adjoint_pre,
                                   double* parameter_gradient) const {
  if (!has_bias_[layer]) return;
  Eigen::Map<Eigen::VectorXd>(parameter_gradient + bias_offset_[layer], layer_sizes_[layer + 1])
      .noalias() += adjoint_pre.rowwise().sum();
}

// ---- 1. forward ---------------------------------------------------------------

const MatrixXd& Mlp::forward(const Eigen::Ref<const MatrixXd>& x, MlpWorkspace& workspace) const {
  require_shape(x, input_size(), x.cols(), "forward input");
  prepare(workspace, x.cols());
  workspace.activation_[0] = x;
  for (Index layer = 0; layer < num_layers(); ++layer) {
    MatrixXd& z = workspace.pre_activation_[layer];
    z.noalias() = weight(layer) * workspace.activation_[layer];
    if (has_bias_[layer]) z.colwise() += bias(layer);
    activation_value_and_first(activation(layer), z.array(),
                               workspace.activation_[layer + 1].array(),
                               workspace.first_[layer].array());
  }
  workspace.forward_done_ = true;
  return workspace.activation_.back();
}

// ---- 2. reverse mode ----------------------------------------------------------

void Mlp::backward(const Eigen::Ref<const MatrixXd>& upstream, double* parameter_gradient,
                   MlpWorkspace& workspace) const {
  const Index batch = workspace.batch_;
  for (Index layer = num_layers() - 1; layer >= 0; --layer) {
    MatrixXd& adjoint_pre = workspace.adjoint_pre_[layer];
    if (layer + 1 == num_layers()) {
      adjoint_pre = upstream.array() * workspace.first_[layer].array();
    } else {
      adjoint_pre = workspace.adjoint_[layer + 1].array() * workspace.first_[layer].array();
    }
    if (parameter_gradient != nullptr) {
      Eigen::Map<RowMajorMatrix>(parameter_gradient + weight_offset_[layer],
                                 layer_sizes_[layer + 1], layer_sizes_[layer])
          .noalias() += adjoint_pre * workspace.activation_[layer].transpose();
      accumulate_bias_gradient(layer, adjoint_pre, parameter_gradient);
    }
    workspace.adjoint_[layer].resize(layer_sizes_[layer], batch);
    workspace.adjoint_[layer].noalias() = weight(layer).transpose() * adjoint_pre;
  }
}

const MatrixXd& Mlp::vjp(const Eigen::Ref<const MatrixXd>& upstream,
                         Eigen::Ref<Eigen::VectorXd> parameter_gradient,
                         MlpWorkspace& workspace) const {
  require_forward(workspace, "vjp");
  require_shape(upstream, output_size(), workspace.batch_, "vjp upstream");
  require_gradient_size(parameter_gradient);
  backward(upstream, parameter_gradient.data(), workspace);
  return workspace.adjoint_[0];
}

const MatrixXd& Mlp::input_vjp(const Eigen::Ref<const MatrixXd>& upstream,
                               MlpWorkspace& workspace) const {
  require_forward(workspace, "input_vjp");
  require_shape(upstream, output_size(), workspace.batch_, "input_vjp upstream");
  backward(upstream, nullptr, workspace);
  return workspace.adjoint_[0];
}

// ---- tangent streams ------------------------------------------------------------
//
// Streams: u (first-order tangent along U), and for second order also v (along
// V) and w (the second-order tangent along U and V). Through a layer,
//   z_u = W u, z_v = W v, z_w = W w (no bias: tangents of a constant),
//   u' = σ' z_u,  v' = σ' z_v,  w' = σ'' z_u z_v + σ' z_w.
// Reverse over these with adjoints ā, ū, v̄, w̄ of a', u', v', w':
//   z̄_w = σ' w̄,  z̄_u = σ' ū + σ'' z_v w̄,  z̄_v = σ' v̄ + σ'' z_u w̄,
//   z̄   = σ' ā + σ'' (z_u ū + z_v v̄ + z_w w̄) + σ''' z_u z_v w̄,
// then dW += z̄ aᵀ + z̄_u uᵀ + z̄_v vᵀ + z̄_w wᵀ, db += Σ z̄, and the adjoints of
// the layer below are Wᵀ times each z̄.

void Mlp::tangent_forward(MlpWorkspace& workspace, MlpWorkspace::TangentStorage& storage,
                          int streams) const {
  const Index batch = workspace.batch_;
  const auto layers = static_cast<std::size_t>(num_layers());
  storage.tangent_a.resize(layers + 1);
  storage.tangent_z.resize(layers);
  for (Index layer = 0; layer < num_layers(); ++layer) {
    const Index out = layer_sizes_[layer + 1];
    MatrixXd& tz = storage.tangent_z[layer];
    MatrixXd& ta = storage.tangent_a[layer + 1];
    tz.resize(out, streams * batch);
    ta.resize(out, streams * batch);
    tz.noalias() = weight(layer) * storage.tangent_a[layer];
    const auto first = workspace.first_[layer].array();
    ta.leftCols(batch).array() = first * tz.leftCols(batch).array();
    if (streams == 3) {
      const auto second = workspace.second_[layer].array();
      ta.middleCols(batch, batch).array() = first * tz.middleCols(batch, batch).array();
      ta.rightCols(batch).array() =
          second * tz.leftCols(batch).array() * tz.middleCols(batch, batch).array() +
          first * tz.rightCols(batch).array();
    }
  }
  storage.forward_done = true;
}

void Mlp::tangent_backward(MlpWorkspace& workspace, MlpWorkspace::TangentStorage& storage,
                           int streams, double* parameter_gradient) const {
  const Index batch = workspace.batch_;
  const auto layers = static_cast<std::size_t>(num_layers());
  storage.adjoint_a.resize(layers + 1);
  storage.adjoint_z.resize(layers);
  for (Index layer = num_layers() - 1; layer >= 0; --layer) {
    const Index out = layer_sizes_[layer + 1];
    const MatrixXd& above = storage.adjoint_a[layer + 1];
    const MatrixXd& tz = storage.tangent_z[layer];
    MatrixXd& adjoint_z = storage.adjoint_z[layer];
    adjoint_z.resize(out, (streams + 1) * batch);
    const auto first = workspace.first_[layer].array();
    const auto second = workspace.second_[layer].array();
    const auto block = [batch](const MatrixXd& m, Index k) {
      return m.middleCols(k * batch, batch).array();
    };
    auto adjoint_block = [batch, &adjoint_z](Index k) {
      return adjoint_z.middleCols(k * batch, batch).array();
    };
    if (streams == 1) {
      adjoint_block(1) = first * block(above, 1);
      adjoint_block(0) = first * block(above, 0) + second * block(tz, 0) * block(above, 1);
    } else {
      const auto third = workspace.third_[layer].array();
      const auto zu = block(tz, 0);
      const auto zv = block(tz, 1);
      const auto zw = block(tz, 2);
      const auto bar_w = block(above, 3);
      adjoint_block(3) = first * bar_w;
      adjoint_block(2) = first * block(above, 2) + second * zu * bar_w;
      adjoint_block(1) = first * block(above, 1) + second * zv * bar_w;
      adjoint_block(0) = first * block(above, 0) +
                         second * (zu * block(above, 1) + zv * block(above, 2) + zw * bar_w) +
                         third * zu * zv * bar_w;
    }
    if (parameter_gradient != nullptr) {
      auto weight_gradient = Eigen::Map<RowMajorMatrix>(parameter_gradient + weight_offset_[layer],
                                                        out, layer_sizes_[layer]);
      weight_gradient.noalias() +=
          adjoint_z.leftCols(batch) * workspace.activation_[layer].transpose();
      weight_gradient.noalias() +=
          adjoint_z.rightCols(streams * batch) * storage.tangent_a[layer].transpose();
      accumulate_bias_gradient(layer, adjoint_z.leftCols(batch), parameter_gradient);
    }
    storage.adjoint_a[layer].resize(layer_sizes_[layer], (streams + 1) * batch);
    storage.adjoint_a[layer].noalias() = weight(layer).transpose() * adjoint_z;
  }
}

// ---- 3. forward mode --------------------------------------------------------

const MatrixXd& Mlp::jvp(const Eigen::Ref<const MatrixXd>& direction,
                         MlpWorkspace& workspace) const {
  require_forward(workspace, "jvp");
  require_shape(direction, input_size(), workspace.batch_, "jvp direction");
  auto& storage = workspace.first_order_;
  storage.tangent_a.resize(static_cast<std::size_t>(num_layers()) + 1);
  storage.tangent_a[0] = direction;
  tangent_forward(workspace, storage, 1);
  return storage.tangent_a.back();
}

// ---- 4. scalar networks -----------------------------------------------------

const MatrixXd& Mlp::input_gradient(MlpWorkspace& workspace) const {
  require_forward(workspace, "input_gradient");
  if (output_size() != 1)
    fail("input_gradient of a network with output size " + std::to_string(output_size()) +
         " (needs 1)");
  workspace.ones_.setOnes(1, workspace.batch_);
  backward(workspace.ones_, nullptr, workspace);
  return workspace.adjoint_[0];
}

Eigen::Ref<const MatrixXd> Mlp::input_gradient_vjp(const Eigen::Ref<const MatrixXd>& upstream,
                                                   Eigen::Ref<Eigen::VectorXd> parameter_gradient,
                                                   MlpWorkspace& workspace) const {
  require_forward(workspace, "input_gradient_vjp");
  if (output_size() != 1)
    fail("input_gradient_vjp of a network with output size " + std::to_string(output_size()) +
         " (needs 1)");
  require_shape(upstream, input_size(), workspace.batch_, "input_gradient_vjp upstream");
  require_gradient_size(parameter_gradient);
  ensure_higher_derivatives(workspace, false);
  const Index batch = workspace.batch_;
  auto& storage = workspace.first_order_;
  storage.tangent_a.resize(static_cast<std::size_t>(num_layers()) + 1);
  storage.tangent_a[0] = upstream;
  tangent_forward(workspace, storage, 1);
  // <G, ∇ₓs> = J·G summed over the batch: upstream 0 on s, 1 on its tangent.
  storage.adjoint_a.resize(static_cast<std::size_t>(num_layers()) + 1);
  MatrixXd& top = storage.adjoint_a.back();
  top.resize(1, 2 * batch);
  top.leftCols(batch).setZero();
  top.rightCols(batch).setOnes();
  tangent_backward(workspace, storage, 1, parameter_gradient.data());
  // Left block: d/dx; the right block (d/dG) is ∇ₓs itself.
  return storage.adjoint_a[0].leftCols(batch);
}

// ---- 5. second-order directional derivatives ---------------------------------

DirectionalDerivatives Mlp::directional_derivatives(const Eigen::Ref<const MatrixXd>& u,
                                                    const Eigen::Ref<const MatrixXd>& v,
                                                    MlpWorkspace& workspace) const {
  require_forward(workspace, "directional_derivatives");
  const Index batch = workspace.batch_;
  require_shape(u, input_size(), batch, "directional_derivatives U");
  require_shape(v, input_size(), batch, "directional_derivatives V");
  ensure_higher_derivatives(workspace, true);
  auto& storage = workspace.second_order_;
  storage.tangent_a.resize(static_cast<std::size_t>(num_layers()) + 1);
  MatrixXd& bottom = storage.tangent_a[0];
  bottom.resize(input_size(), 3 * batch);
  bottom.leftCols(batch) = u;
  bottom.middleCols(batch, batch) = v;
  bottom.rightCols(batch).setZero();
  tangent_forward(workspace, storage, 3);
  const MatrixXd& top = storage.tangent_a.back();
  return {top.leftCols(batch), top.rightCols(batch)};
}

DirectionalGradients Mlp::directional_derivatives_vjp(
    const Eigen::Ref<const MatrixXd>& upstream_jacobian,
    const Eigen::Ref<const MatrixXd>& upstream_second,
    Eigen::Ref<Eigen::VectorXd> parameter_gradient, MlpWorkspace& workspace) const {
  require_forward(workspace, "directional_derivatives_vjp");
  auto& storage = workspace.second_order_;
  if (!storage.forward_done) {
    fail("directional_derivatives_vjp needs directional_derivatives first");
  }
  const Index batch = workspace.batch_;
  require_shape(upstream_jacobian, output_size(), batch, "upstream on J·U");
  require_shape(upstream_second, output_size(), batch, "upstream on D²f[U,V]");
  require_gradient_size(parameter_gradient);
  storage.adjoint_a.resize(static_cast<std::size_t>(num_layers()) + 1);
  MatrixXd& top = storage.adjoint_a.back();
  top.resize(output_size(), 4 * batch);
  top.leftCols(batch).setZero();
  top.middleCols(batch, batch) = upstream_jacobian;
  top.middleCols(2 * batch, batch).setZero();
  top.rightCols(batch) = upstream_second;
  tangent_backward(workspace, storage, 3, parameter_gradient.data());
  const MatrixXd& bottom = storage.adjoint_a[0];
  return {bottom.leftCols(batch), bottom.middleCols(batch, batch),
          bottom.middleCols(2 * batch, batch)};
}

}  // namespace dynlearn::nn
