// Dense networks: layout of the flat parameter vector, initialisation, and the
// forward, reverse, tangent and second-order modes built from one dense-layer
// rule and the activation derivatives.
#include "dynlearn/nn/mlp.hpp"

#include <cmath>
#include <string>
#include <utility>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/rng.hpp"
#include "one_hidden_scalar.hpp"
#include "small_layer.hpp"

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

// The fused kernels' view of a {n, h, 1} network: W1 from the forward
// pass's column-major copy, the rest from the flat vector.
detail::OneHiddenScalar one_hidden_view(const Mlp& net, const double* packed_w1) {
  detail::OneHiddenScalar view;
  view.n = net.input_size();
  view.h = net.layer_sizes()[1];
  view.w1 = packed_w1;
  const double* theta = net.parameters().data();
  view.b1 = net.has_bias(0) ? theta + net.bias_offset(0) : nullptr;
  view.w2 = theta + net.weight_offset(1);
  view.b2 = net.has_bias(1) ? theta + net.bias_offset(1) : nullptr;
  return view;
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
  workspace.fused_.forward_done = false;
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

bool Mlp::small_layer(Index layer) const {
  return layer_sizes_[layer] * layer_sizes_[layer + 1] <= detail::kSmallLayerWeights;
}

bool Mlp::fused_scalar() const {
  return fused_kernels_ && num_layers() == 2 && output_size() == 1 &&
         hidden_activation_ == Activation::tanh && output_activation_ == Activation::identity &&
         detail::one_hidden_scalar_supported(input_size(), layer_sizes_[1]);
}

bool Mlp::columns_independent() const {
  for (Index layer = 0; layer < num_layers(); ++layer) {
    if (!small_layer(layer)) return false;
    // sigmoid and softplus go through Eigen's array functions, whose scalar
    // tail (libm) and vectorised body may differ in the last bit.
    const Activation a = activation(layer);
    if (a == Activation::sigmoid || a == Activation::softplus) return false;
  }
  return true;
}

void Mlp::layer_product(Index layer, const MatrixXd& a, bool bias, MatrixXd& z,
                        MlpWorkspace& workspace) const {
  const Index out = layer_sizes_[layer + 1];
  z.resize(out, a.cols());
  if (!small_layer(layer)) {
    z.noalias() = weight(layer) * a;
    if (bias && has_bias_[layer]) z.colwise() += this->bias(layer);
    return;
  }
  const double* packed = workspace.packed_weights_[static_cast<std::size_t>(layer)].data();
  const double* init =
      bias && has_bias_[layer] ? parameters_.data() + bias_offset_[layer] : nullptr;
  detail::multiply(packed, out, layer_sizes_[layer], a.data(), a.cols(), init, z.data());
}

void Mlp::layer_transposed_product(Index layer, const MatrixXd& y, Index cols, MatrixXd& x) const {
  const Index in = layer_sizes_[layer];
  x.resize(in, cols);
  if (!small_layer(layer)) {
    x.noalias() = weight(layer).transpose() * y.leftCols(cols);
    return;
  }
  // The row-major W_l is W_lᵀ in column-major order.
  detail::multiply(parameters_.data() + weight_offset_[layer], in, layer_sizes_[layer + 1],
                   y.data(), cols, nullptr, x.data());
}

void Mlp::accumulate_layer_gradient(Index layer, std::span<const GradientTerm> terms,
                                    double* gradients, Index stride,
                                    std::span<const Index> bounds) const {
  const Index out = layer_sizes_[layer + 1];
  const Index in = layer_sizes_[layer];
  const bool small = small_layer(layer);
  for (std::size_t s = 0; s + 1 < bounds.size(); ++s) {
    const Index begin = bounds[s];
    const Index cols = bounds[s + 1] - begin;
    if (cols == 0) continue;
    double* g = gradients + static_cast<Index>(s) * stride;
    const GradientTerm& first = terms.front();
    if (small) {
      // Each entry: one chain over the terms' columns, into the gradient.
      detail::OuterTerm outer[4];
      for (std::size_t k = 0; k < terms.size(); ++k)
        outer[k] = {terms[k].y.data() + (terms[k].y_offset + begin) * out,
                    terms[k].a.data() + (terms[k].a_offset + begin) * in};
      detail::accumulate_outer({outer, terms.size()}, out, in, cols, g + weight_offset_[layer]);
      if (has_bias_[layer]) {
        detail::accumulate_row_sums(first.y.data() + (first.y_offset + begin) * out, out, cols,
                                    g + bias_offset_[layer]);
      }
      continue;
    }
    auto weight_gradient = Eigen::Map<RowMajorMatrix>(g + weight_offset_[layer], out, in);
    for (const GradientTerm& t : terms) {
      weight_gradient.noalias() += t.y.middleCols(t.y_offset + begin, cols) *
                                   t.a.middleCols(t.a_offset + begin, cols).transpose();
    }
    if (has_bias_[layer]) {
      Eigen::Map<Eigen::VectorXd>(g + bias_offset_[layer], out).noalias() +=
          first.y.middleCols(first.y_offset + begin, cols).rowwise().sum();
    }
  }
}

// ---- 1. forward ---------------------------------------------------------------

const MatrixXd& Mlp::forward(const Eigen::Ref<const MatrixXd>& x, MlpWorkspace& workspace) const {
  require_shape(x, input_size(), x.cols(), "forward input");
  prepare(workspace, x.cols());
  if (x.outerStride() == x.rows()) {
    // Contiguous (nearly always): one flat copy instead of Eigen's column
    // by column copy of a run-time-strided view.
    workspace.activation_[0] = Eigen::Map<const MatrixXd>(x.data(), x.rows(), x.cols());
  } else {
    workspace.activation_[0] = x;
  }
  workspace.packed_weights_.resize(static_cast<std::size_t>(num_layers()));
  for (Index layer = 0; layer < num_layers(); ++layer) {
    if (small_layer(layer)) {
      // Column-major copy, so the small kernel reads W_l column by column.
      Eigen::VectorXd& packed = workspace.packed_weights_[static_cast<std::size_t>(layer)];
      packed.resize(layer_sizes_[layer] * layer_sizes_[layer + 1]);
      Eigen::Map<MatrixXd>(packed.data(), layer_sizes_[layer + 1], layer_sizes_[layer]) =
          weight(layer);
    }
  }
  if (fused_scalar()) {
    // The same bits as the layer loop below, in one pass over the columns.
    const Index batch = x.cols();
    auto& fused = workspace.fused_;
    fused.weighted_first.resize(layer_sizes_[1], batch);
    detail::one_hidden_forward(one_hidden_view(*this, workspace.packed_weights_[0].data()),
                               workspace.activation_[0].data(), batch,
                               workspace.pre_activation_[0].data(), workspace.activation_[1].data(),
                               workspace.first_[0].data(), fused.weighted_first.data(),
                               workspace.activation_[2].data());
    workspace.pre_activation_[1] = workspace.activation_[2];  // linear output
    workspace.first_[1].setOnes();
    fused.forward_done = true;
    workspace.forward_done_ = true;
    return workspace.activation_.back();
  }
  for (Index layer = 0; layer < num_layers(); ++layer) {
    MatrixXd& z = workspace.pre_activation_[layer];
    layer_product(layer, workspace.activation_[layer], true, z, workspace);
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
      workspace.whole_batch_[1] = batch;
      const GradientTerm term{adjoint_pre, 0, workspace.activation_[layer], 0};
      accumulate_layer_gradient(layer, {&term, 1}, parameter_gradient, 0, workspace.whole_batch_);
    }
    layer_transposed_product(layer, adjoint_pre, batch, workspace.adjoint_[layer]);
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
    ta.resize(out, streams * batch);
    layer_product(layer, storage.tangent_a[layer], false, tz, workspace);
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
                           int streams, double* gradients, Index stride,
                           std::span<const Index> bounds, bool bottom_tangent_adjoint) const {
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
    if (gradients != nullptr) {
      // dW += z̄ aᵀ + z̄_u uᵀ (+ z̄_v vᵀ + z̄_w wᵀ), db += Σ z̄.
      const MatrixXd& ta = storage.tangent_a[layer];
      const GradientTerm terms[4] = {{adjoint_z, 0, workspace.activation_[layer], 0},
                                     {adjoint_z, batch, ta, 0},
                                     {adjoint_z, 2 * batch, ta, batch},
                                     {adjoint_z, 3 * batch, ta, 2 * batch}};
      accumulate_layer_gradient(layer, {terms, static_cast<std::size_t>(streams) + 1}, gradients,
                                stride, bounds);
    }
    // The stream adjoints at the input are only wanted by the second-order
    // modes' callers; input_gradient_vjp returns the value stream's alone.
    const Index cols = layer == 0 && !bottom_tangent_adjoint ? batch : (streams + 1) * batch;
    layer_transposed_product(layer, adjoint_z, cols, storage.adjoint_a[layer]);
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
  if (workspace.fused_.forward_done) {
    MatrixXd& gradient = workspace.adjoint_[0];
    gradient.resize(input_size(), workspace.batch_);
    detail::one_hidden_input_gradient(one_hidden_view(*this, workspace.packed_weights_[0].data()),
                                      workspace.fused_.weighted_first.data(), workspace.batch_,
                                      gradient.data());
    return gradient;
  }
  workspace.ones_.setOnes(1, workspace.batch_);
  backward(workspace.ones_, nullptr, workspace);
  return workspace.adjoint_[0];
}

Eigen::Ref<const MatrixXd> Mlp::input_gradient_vjp(const Eigen::Ref<const MatrixXd>& upstream,
                                                   Eigen::Ref<Eigen::VectorXd> parameter_gradient,
                                                   MlpWorkspace& workspace) const {
  require_gradient_size(parameter_gradient);
  workspace.whole_batch_[1] = workspace.batch_;
  return input_gradient_vjp_impl(upstream, parameter_gradient.data(), 0, workspace.whole_batch_,
                                 workspace);
}

Eigen::Ref<const MatrixXd> Mlp::input_gradient_vjp(const Eigen::Ref<const MatrixXd>& upstream,
                                                   Eigen::Ref<MatrixXd> parameter_gradients,
                                                   std::span<const Index> bounds,
                                                   MlpWorkspace& workspace) const {
  const Index segments = static_cast<Index>(bounds.size()) - 1;
  if (segments < 1 || bounds.front() != 0 || bounds.back() != workspace.batch_)
    fail("input_gradient_vjp segments must run from column 0 to the batch size " +
         std::to_string(workspace.batch_));
  for (Index s = 0; s < segments; ++s) {
    if (bounds[s + 1] < bounds[s]) fail("input_gradient_vjp segment bounds must ascend");
  }
  require_shape(parameter_gradients, num_parameters(), segments, "segmented parameter gradient");
  return input_gradient_vjp_impl(upstream, parameter_gradients.data(),
                                 parameter_gradients.outerStride(), bounds, workspace);
}

Eigen::Ref<const MatrixXd> Mlp::input_gradient_vjp_impl(const Eigen::Ref<const MatrixXd>& upstream,
                                                        double* gradients, Index stride,
                                                        std::span<const Index> bounds,
                                                        MlpWorkspace& workspace) const {
  require_forward(workspace, "input_gradient_vjp");
  if (output_size() != 1)
    fail("input_gradient_vjp of a network with output size " + std::to_string(output_size()) +
         " (needs 1)");
  require_shape(upstream, input_size(), workspace.batch_, "input_gradient_vjp upstream");
  if (workspace.fused_.forward_done)
    return fused_input_gradient_vjp(upstream, gradients, stride, bounds, workspace);
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
  // d/dG (= ∇ₓs itself) is not returned: skip its input adjoint.
  tangent_backward(workspace, storage, 1, gradients, stride, bounds, false);
  return storage.adjoint_a[0].leftCols(batch);
}

Eigen::Ref<const MatrixXd> Mlp::fused_input_gradient_vjp(const Eigen::Ref<const MatrixXd>& upstream,
                                                         double* gradients, Index stride,
                                                         std::span<const Index> bounds,
                                                         MlpWorkspace& workspace) const {
  const Index n = input_size();
  const Index h = layer_sizes_[1];
  const Index batch = workspace.batch_;
  auto& fused = workspace.fused_;
  const double* g = upstream.data();
  if (upstream.outerStride() != n && batch > 1) {
    fused.upstream = upstream;
    g = fused.upstream.data();
  }
  fused.adjoint_z.resize(h, batch);
  fused.hessian_product.resize(n, batch);
  const detail::OneHiddenScalar view = one_hidden_view(*this, workspace.packed_weights_[0].data());
  for (std::size_t s = 0; s + 1 < bounds.size(); ++s) {
    const Index begin = bounds[s];
    const Index cols = bounds[s + 1] - begin;
    if (cols == 0) continue;
    detail::OneHiddenGradient gradient;
    if (gradients != nullptr) {
      double* base = gradients + static_cast<Index>(s) * stride;
      gradient.w1 = base + weight_offset_[0];
      gradient.b1 = has_bias_[0] ? base + bias_offset_[0] : nullptr;
      gradient.w2 = base + weight_offset_[1];
    }
    detail::one_hidden_input_gradient_vjp(
        view, workspace.activation_[0].data() + begin * n,
        workspace.activation_[1].data() + begin * h, workspace.first_[0].data() + begin * h,
        fused.weighted_first.data() + begin * h, g + begin * n, cols,
        fused.adjoint_z.data() + begin * h, fused.hessian_product.data() + begin * n, gradient);
  }
  return fused.hessian_product;
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
  workspace.whole_batch_[1] = batch;
  tangent_backward(workspace, storage, 3, parameter_gradient.data(), 0, workspace.whole_batch_,
                   true);
  const MatrixXd& bottom = storage.adjoint_a[0];
  return {bottom.leftCols(batch), bottom.middleCols(batch, batch),
          bottom.middleCols(2 * batch, batch)};
}

}  // namespace dynlearn::nn
