// Small dense networks (multi-layer perceptrons) on Eigen, with every
// derivative mode the learning methods need (DESIGN.md, Derivatives).
//
// A batch is the columns of a matrix (input_size x batch), so each layer is one
// matrix product. Layer l maps a_l to a_{l+1} = σ_l(W_l a_l + b_l); σ_l is the
// hidden activation except on the last layer, which uses the output activation.
//
// Parameter layout (one flat vector): for each layer in order, W_l in row-major
// order (row = output unit), then b_l if the layer has a bias. This is exactly
// torch.nn.utils.parameters_to_vector of the matching nn.Sequential of
// nn.Linear layers, so parameters can be exchanged with a PyTorch reference.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <vector>

#include "dynlearn/nn/activation.hpp"

namespace dynlearn::nn {

class Mlp;

/// Storage that an Mlp's modes reuse, so repeated calls with the same batch
/// size do not allocate. One workspace per concurrent evaluation (per thread).
///
/// The derivative modes use the forward pass last computed in the workspace:
/// call Mlp::forward first. Every returned matrix or view points into the
/// workspace and stays valid until the next call of the same mode on it
/// (results of different modes do not overwrite each other, except
/// input_gradient and vjp/input_vjp, which share storage).
class MlpWorkspace {
 public:
  MlpWorkspace() = default;

  /// Pre-activation W_l a_l + b_l of layer `layer` in the last forward pass.
  const Eigen::MatrixXd& pre_activation(Eigen::Index layer) const;
  /// Batch size of the last forward pass (0 before any).
  Eigen::Index batch_size() const { return batch_; }

 private:
  friend class Mlp;

  // Tangent streams stacked side by side (columns [u | v | w]) so that each
  // layer moves all of them with one matrix product, and their adjoints
  // stacked the same way ([ā | ū | v̄ | w̄]).
  struct TangentStorage {
    std::vector<Eigen::MatrixXd> tangent_a;  // per activation level, size x streams*batch
    std::vector<Eigen::MatrixXd> tangent_z;  // per layer, pre-activation level
    std::vector<Eigen::MatrixXd> adjoint_a;  // per activation level, size x (streams+1)*batch
    std::vector<Eigen::MatrixXd> adjoint_z;  // per layer
    bool forward_done = false;
  };

  const Mlp* owner_ = nullptr;
  Eigen::Index batch_ = 0;
  bool forward_done_ = false;
  Eigen::ArrayXXd third_array_;  // scratch for the third derivative before it is stored
  bool second_derivatives_done_ = false;
  bool third_derivatives_done_ = false;
  std::vector<Eigen::MatrixXd> pre_activation_;  // z_l per layer
  std::vector<Eigen::MatrixXd> activation_;      // a_l per level, a_0 = input
  std::vector<Eigen::MatrixXd> first_;           // σ'(z_l)
  std::vector<Eigen::MatrixXd> second_;          // σ''(z_l), on demand
  std::vector<Eigen::MatrixXd> third_;           // σ'''(z_l), on demand
  std::vector<Eigen::MatrixXd> adjoint_;         // reverse mode: dL/da_l per level
  std::vector<Eigen::MatrixXd> adjoint_pre_;     // reverse mode: dL/dz_l per layer
  Eigen::MatrixXd ones_;                         // upstream of a scalar net's gradient
  std::vector<Eigen::VectorXd> packed_weights_;  // small layers: W_l column-major, per forward
  Eigen::Index whole_batch_[2] = {0, 0};         // the one segment of unsegmented calls
  TangentStorage first_order_;                   // jvp, input_gradient_vjp
  // Fused {n, h, 1} tanh kernels (Mlp::fused_scalar): w2 ∘ σ'(z) from the
  // forward pass, the adjoint of z, a contiguous copy of an upstream with
  // another stride, and the Hessian-vector product.
  struct FusedStorage {
    Eigen::MatrixXd weighted_first;
    Eigen::MatrixXd adjoint_z;
    Eigen::MatrixXd upstream;
    Eigen::MatrixXd hessian_product;
    bool forward_done = false;  // the last forward pass was fused
  };
  FusedStorage fused_;
  TangentStorage second_order_;  // directional_derivatives(_vjp)
};

/// J·U and D²f[U,V] of a vector network, views into the workspace.
struct DirectionalDerivatives {
  Eigen::Ref<const Eigen::MatrixXd> jacobian_u;  // output_size x batch
  Eigen::Ref<const Eigen::MatrixXd> second_uv;   // output_size x batch
};

/// Gradients of <A, J·U> + <B, D²f[U,V]> with respect to x, U and V.
struct DirectionalGradients {
  Eigen::Ref<const Eigen::MatrixXd> x;  // input_size x batch
  Eigen::Ref<const Eigen::MatrixXd> u;
  Eigen::Ref<const Eigen::MatrixXd> v;
};

/// A dense network whose parameters live in one flat vector; layers view it
/// through Eigen::Map, so optimizers and checkpoints work on the vector alone.
class Mlp {
 public:
  using RowMajorMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

  /// `layer_sizes` = {input, hidden..., output} (at least two entries, all
  /// positive); `bias[l]` says whether layer l (of layer_sizes.size() - 1) has
  /// a bias; empty means every layer has one. Parameters start at zero: call
  /// initialize. Throws InputError on bad sizes.
  Mlp(std::vector<Eigen::Index> layer_sizes, Activation hidden,
      Activation output = Activation::identity, std::vector<bool> bias = {});

  Eigen::Index input_size() const { return layer_sizes_.front(); }
  Eigen::Index output_size() const { return layer_sizes_.back(); }
  /// Number of dense layers (weight matrices) = layer_sizes().size() - 1.
  Eigen::Index num_layers() const { return static_cast<Eigen::Index>(layer_sizes_.size()) - 1; }
  const std::vector<Eigen::Index>& layer_sizes() const { return layer_sizes_; }
  bool has_bias(Eigen::Index layer) const { return has_bias_[layer]; }
  /// The activation applied after layer `layer`.
  Activation activation(Eigen::Index layer) const {
    return layer + 1 == num_layers() ? output_activation_ : hidden_activation_;
  }
  Eigen::Index num_parameters() const { return parameters_.size(); }

  /// Offsets of W_l and b_l in the flat vector (b_l's is -1 without bias).
  Eigen::Index weight_offset(Eigen::Index layer) const { return weight_offset_[layer]; }
  Eigen::Index bias_offset(Eigen::Index layer) const { return bias_offset_[layer]; }

  Eigen::VectorXd& parameters() { return parameters_; }
  const Eigen::VectorXd& parameters() const { return parameters_; }
  /// Copies `values` (num_parameters() long) into the flat vector.
  void set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values);

  /// W_l (layer_sizes[l+1] x layer_sizes[l]) viewed in the flat vector.
  Eigen::Map<RowMajorMatrix> weight(Eigen::Index layer);
  Eigen::Map<const RowMajorMatrix> weight(Eigen::Index layer) const;
  /// b_l viewed in the flat vector; empty for a layer without bias.
  Eigen::Map<Eigen::VectorXd> bias(Eigen::Index layer);
  Eigen::Map<const Eigen::VectorXd> bias(Eigen::Index layer) const;

  /// PyTorch nn.Linear's default: every weight and bias of layer l drawn from
  /// U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = layer_sizes[l]. One stream
  /// core::Rng(seed, index, Purpose::init_weights) is drawn in flat-vector
  /// order (layer by layer: W_l row by row, then b_l). `index` tells apart
  /// networks initialised from the same seed.
  void initialize(std::uint64_t seed, std::uint64_t index = 0);

  // ---- 1. forward -------------------------------------------------------

  /// Y = f(X) for X input_size x batch; caches what the derivative modes need.
  const Eigen::MatrixXd& forward(const Eigen::Ref<const Eigen::MatrixXd>& x,
                                 MlpWorkspace& workspace) const;

  // ---- 2. reverse mode --------------------------------------------------

  /// Given G = dL/dY (output_size x batch), returns dL/dX and adds dL/dθ,
  /// summed over the batch, to `parameter_gradient` (num_parameters() long).
  const Eigen::MatrixXd& vjp(const Eigen::Ref<const Eigen::MatrixXd>& upstream,
                             Eigen::Ref<Eigen::VectorXd> parameter_gradient,
                             MlpWorkspace& workspace) const;
  /// dL/dX = Jᵀ G alone (adjoint method, α-SNet), without parameter gradient.
  const Eigen::MatrixXd& input_vjp(const Eigen::Ref<const Eigen::MatrixXd>& upstream,
                                   MlpWorkspace& workspace) const;

  // ---- 3. forward mode --------------------------------------------------

  /// J·V for directions V (input_size x batch), one per column.
  const Eigen::MatrixXd& jvp(const Eigen::Ref<const Eigen::MatrixXd>& direction,
                             MlpWorkspace& workspace) const;

  // ---- 4. scalar networks (output_size 1) --------------------------------

  /// ∇ₓs (input_size x batch) of a scalar network.
  const Eigen::MatrixXd& input_gradient(MlpWorkspace& workspace) const;
  /// Given G (input_size x batch) on ∇ₓs, adds d/dθ <G, ∇ₓs> to
  /// `parameter_gradient` and returns d/dx <G, ∇ₓs> = H·G (Hessian of s).
  /// Computed as reverse mode over the forward tangent along G, since
  /// <G, ∇ₓs> is the directional derivative of s along G.
  Eigen::Ref<const Eigen::MatrixXd> input_gradient_vjp(
      const Eigen::Ref<const Eigen::MatrixXd>& upstream,
      Eigen::Ref<Eigen::VectorXd> parameter_gradient, MlpWorkspace& workspace) const;

  /// The same with the parameter gradient split by columns: segment s is
  /// columns [bounds[s], bounds[s+1]) (bounds ascending from 0 to the batch
  /// size) and its gradient is added to column s of `parameter_gradients`
  /// (num_parameters() x segments). As if each segment had its own copy of
  /// θ; with columns_independent(), column s gets the same bits as a call on
  /// that segment's columns alone.
  Eigen::Ref<const Eigen::MatrixXd> input_gradient_vjp(
      const Eigen::Ref<const Eigen::MatrixXd>& upstream,
      Eigen::Ref<Eigen::MatrixXd> parameter_gradients, std::span<const Eigen::Index> bounds,
      MlpWorkspace& workspace) const;

  /// True when every mode computes each column with the same operations
  /// whatever the batch size and the column's place in it (small layers,
  /// and activations whose vectorised and scalar forms agree), so that a
  /// batch split into parts or joined from parts gives the same bits.
  bool columns_independent() const;

  /// Networks {n, h, 1} with a tanh hidden layer (h 16, 32, 48 or 64) and a
  /// linear output run forward, input_gradient and input_gradient_vjp
  /// through fused column-by-column kernels with the same bits as the
  /// layer-by-layer path (on by default); false forces the layer-by-layer
  /// path, which tests compare against.
  void set_fused_kernels(bool enabled) { fused_kernels_ = enabled; }
  /// True when this network's calls take the fused kernels.
  bool fused_scalar() const;

  // ---- 5. second-order directional derivatives ---------------------------

  /// J·U and D²f[U,V] = Σ_ij ∂²f/∂x_i∂x_j U_i V_j, per column.
  DirectionalDerivatives directional_derivatives(const Eigen::Ref<const Eigen::MatrixXd>& u,
                                                 const Eigen::Ref<const Eigen::MatrixXd>& v,
                                                 MlpWorkspace& workspace) const;
  /// After directional_derivatives: given A on J·U and B on D²f[U,V]
  /// (output_size x batch), adds d/dθ (<A, J·U> + <B, D²f[U,V]>) to
  /// `parameter_gradient` and returns the gradients of the same with respect
  /// to X, U and V. Needs σ''' of the activations.
  DirectionalGradients directional_derivatives_vjp(
      const Eigen::Ref<const Eigen::MatrixXd>& upstream_jacobian,
      const Eigen::Ref<const Eigen::MatrixXd>& upstream_second,
      Eigen::Ref<Eigen::VectorXd> parameter_gradient, MlpWorkspace& workspace) const;

 private:
  void prepare(MlpWorkspace& workspace, Eigen::Index batch) const;
  void require_forward(const MlpWorkspace& workspace, const char* mode) const;
  void require_shape(const Eigen::Ref<const Eigen::MatrixXd>& matrix, Eigen::Index rows,
                     Eigen::Index cols, const char* what) const;
  void require_gradient_size(const Eigen::Ref<Eigen::VectorXd>& gradient) const;
  /// Second derivatives of every layer, and third ones when `third` (only
  /// the second-order modes need those).
  void ensure_higher_derivatives(MlpWorkspace& workspace, bool third) const;
  void backward(const Eigen::Ref<const Eigen::MatrixXd>& upstream, double* parameter_gradient,
                MlpWorkspace& workspace) const;
  void tangent_forward(MlpWorkspace& workspace, MlpWorkspace::TangentStorage& storage,
                       int streams) const;
  /// `gradients` + s * `stride` receives segment s's parameter gradient
  /// (null: none); `bottom_tangent_adjoint` false skips the input adjoints of
  /// the tangent streams, which input_gradient_vjp does not return.
  void tangent_backward(MlpWorkspace& workspace, MlpWorkspace::TangentStorage& storage, int streams,
                        double* gradients, Eigen::Index stride,
                        std::span<const Eigen::Index> bounds, bool bottom_tangent_adjoint) const;
  Eigen::Ref<const Eigen::MatrixXd> input_gradient_vjp_impl(
      const Eigen::Ref<const Eigen::MatrixXd>& upstream, double* gradients, Eigen::Index stride,
      std::span<const Eigen::Index> bounds, MlpWorkspace& workspace) const;
  /// input_gradient_vjp after a fused forward pass (one_hidden_scalar.hpp).
  Eigen::Ref<const Eigen::MatrixXd> fused_input_gradient_vjp(
      const Eigen::Ref<const Eigen::MatrixXd>& upstream, double* gradients, Eigen::Index stride,
      std::span<const Eigen::Index> bounds, MlpWorkspace& workspace) const;
  bool small_layer(Eigen::Index layer) const;
  /// Z = W_l A (+ b_l when `bias`), A with layer_sizes[l] rows.
  void layer_product(Eigen::Index layer, const Eigen::MatrixXd& a, bool bias, Eigen::MatrixXd& z,
                     MlpWorkspace& workspace) const;
  /// X = W_lᵀ Y for the first `cols` columns of Y (X gets that many).
  void layer_transposed_product(Eigen::Index layer, const Eigen::MatrixXd& y, Eigen::Index cols,
                                Eigen::MatrixXd& x) const;
  /// One product Y Aᵀ of a weight gradient, over columns y_offset + j of Y
  /// and a_offset + j of A for the j of each segment.
  struct GradientTerm {
    const Eigen::MatrixXd& y;
    Eigen::Index y_offset;
    const Eigen::MatrixXd& a;
    Eigen::Index a_offset;
  };
  /// Adds, per segment s, Σ_terms Σ_j Y(:, j) A(:, j)ᵀ to dW_l and Σ_j of the
  /// first term's Y(:, j) to db_l, in gradients + s * stride.
  void accumulate_layer_gradient(Eigen::Index layer, std::span<const GradientTerm> terms,
                                 double* gradients, Eigen::Index stride,
                                 std::span<const Eigen::Index> bounds) const;

  std::vector<Eigen::Index> layer_sizes_;
  Activation hidden_activation_;
  Activation output_activation_;
  std::vector<bool> has_bias_;
  std::vector<Eigen::Index> weight_offset_;
  std::vector<Eigen::Index> bias_offset_;
  Eigen::VectorXd parameters_;
  bool fused_kernels_ = true;
};

}  // namespace dynlearn::nn
