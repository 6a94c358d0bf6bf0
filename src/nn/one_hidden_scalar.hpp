// Fused kernels of a scalar network with one hidden tanh layer,
// s(x) = w2ᵀ tanh(W1 x + b1) + b2 (the H-NET's K and V at small widths).
//
// The layer-by-layer modes of nn::Mlp make one pass over the batch per
// product and per elementwise step, and the tangent modes carry streams
// that are zero or one for this shape. These kernels do the forward pass,
// ∇ₓs and the Hessian-vector product of ∇ₓs column by column with the
// hidden vector in registers, skipping the trivial streams. Every entry is
// computed with the operations the layer-by-layer path uses (the same
// multiply-add chains, products in the same order, the same tanh packets),
// so the results have the same bits and are as independent of the batch as
// the small-layer kernels (small_layer.hpp).
#pragma once

#include <Eigen/Core>

namespace dynlearn::nn::detail {

/// True when a {n, h, 1} network can use these kernels: h a multiple of 16
/// up to 64 (the layer-by-layer path multiplies by W1 in register blocks of
/// 16 rows, and the block is kept in registers here), and the input-side
/// products dot products (n below 16 or not a multiple of 16).
bool one_hidden_scalar_supported(Eigen::Index n, Eigen::Index h);

/// Views of the parameters of a {n, h, 1} network.
struct OneHiddenScalar {
  Eigen::Index n = 0;
  Eigen::Index h = 0;
  const double* w1 = nullptr;  // W1 column-major (h x n), the forward pass's packed copy
  const double* b1 = nullptr;  // h entries, or null without bias
  const double* w2 = nullptr;  // h entries (W2 is 1 x h)
  const double* b2 = nullptr;  // 1 entry, or null without bias
};

/// Per column j of X (n x cols): z = W1 x + b1, a = tanh z, d1 = 1 - a²,
/// r = w2 ∘ d1 (h x cols each) and s_j = b2 + w2·a.
void one_hidden_forward(const OneHiddenScalar& net, const double* x, Eigen::Index cols, double* z,
                        double* a, double* d1, double* r, double* s);

/// ∇ₓs = W1ᵀ r per column (g n x cols) from the forward pass's r.
void one_hidden_input_gradient(const OneHiddenScalar& net, const double* r, Eigen::Index cols,
                               double* g);

/// Parameter gradient of one column segment, in the flat layout of nn::Mlp
/// (W1 row-major, b1, w2, b2); null pointers skip it.
struct OneHiddenGradient {
  double* w1 = nullptr;
  double* b1 = nullptr;
  double* w2 = nullptr;
};

/// For `cols` columns of G (upstream on ∇ₓs, n x cols) with the forward
/// pass's X, a, d1 and r of the same columns: u = W1 G_j, the adjoint of z
/// t = σ''(z) ∘ u ∘ w2 (h x cols, kept in `t`), HG = W1ᵀ t (n x cols, the
/// returned input adjoint), and adds d/dθ Σ_j <G_j, ∇ₓs(x_j)> to `gradient`:
/// dW1 += Σ t xᵀ + Σ r Gᵀ, db1 += Σ t, dw2 += Σ d1 ∘ u (db2 gets 0).
void one_hidden_input_gradient_vjp(const OneHiddenScalar& net, const double* x, const double* a,
                                   const double* d1, const double* r, const double* g,
                                   Eigen::Index cols, double* t, double* hg,
                                   const OneHiddenGradient& gradient);

}  // namespace dynlearn::nn::detail
