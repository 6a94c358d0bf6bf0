// Fused RK4 forward and backward of the isochronism loss for a 1 -> H -> 1
// tanh force network. Layout: per stage, the hidden units of a point are
// contiguous (H = 16 is four AVX packets), points follow each other.
#include "dynlearn/train/fused_periodicity.hpp"

#include <string>

#include "dynlearn/core/error.hpp"
#include "dynlearn/nn/activation.hpp"

namespace dynlearn::train {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

constexpr int kStages = 4;
constexpr Index kPacket = 8;  // the exp block is padded to whole packets (SSE to AVX-512)

const models::SecondOrderNet* as_net(const integrate::VectorField& field) {
  return dynamic_cast<const models::SecondOrderNet*>(&field);
}

bool fused_case(const integrate::VectorField& field, const PeriodicityOptions& options) {
  if (options.stepper != integrate::StepperKind::rk4) return false;
  const models::SecondOrderNet* net = as_net(field);
  if (net == nullptr || net->dimension() != 1) return false;
  const nn::Mlp& m = net->network();
  return m.num_layers() == 2 && m.activation(0) == nn::Activation::tanh &&
         m.activation(1) == nn::Activation::identity && m.has_bias(0) && m.has_bias(1);
}

const models::SecondOrderNet& checked_net(const integrate::VectorField& field,
                                          const PeriodicityOptions& options) {
  require(fused_case(field, options),
          "fused periodicity loss: needs RK4 and a 1 -> H -> 1 tanh second-order net");
  require(options.steps >= 1,
          "fused periodicity loss: steps must be positive, got " + std::to_string(options.steps));
  return *as_net(field);
}

/// Σ_j a[j] b[j] with four partial sums, so the compiler can use vector lanes
/// without reassociation flags; the same order for every point.
inline double dot(const double* __restrict a, const double* __restrict b, Index n) {
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  const Index full = n / 4 * 4;
  for (Index j = 0; j < full; j += 4) {
    s0 += a[j] * b[j];
    s1 += a[j + 1] * b[j + 1];
    s2 += a[j + 2] * b[j + 2];
    s3 += a[j + 3] * b[j + 3];
  }
  for (Index j = full; j < n; ++j) s0 += a[j] * b[j];
  return (s0 + s1) + (s2 + s3);
}

}  // namespace

bool FusedPeriodicity::applies(const integrate::VectorField& field,
                               const PeriodicityOptions& options) {
  return fused_case(field, options);
}

FusedPeriodicity::FusedPeriodicity(const integrate::VectorField& field,
                                   const PeriodicityOptions& options)
    : net_(checked_net(field, options)),
      period_(options.period),
      steps_(options.steps),
      hidden_(net_.network().layer_sizes()[1]) {}

namespace {

// The per-point loops, with the hidden width a compile-time constant kH when
// it is the paper's 16 (fully unrolled, accumulators in registers) and the
// runtime `width` otherwise (kH = 0).

/// z[p, j] = w[j] q[p] + b[j] for n points.
template <Index kH>
void affine(const double* __restrict q, const double* __restrict w, const double* __restrict b,
            double* __restrict z, Index n, Index width) {
  const Index H = kH > 0 ? kH : width;
  for (Index p = 0; p < n; ++p) {
    const double x = q[p];
    for (Index j = 0; j < H; ++j) z[p * H + j] = w[j] * x + b[j];
  }
}

/// f[p] = (w2 · a[p, :] + b2) - shift for n points.
template <Index kH>
void output(const double* __restrict a, const double* __restrict w2, double b2, double shift,
            double* __restrict f, Index n, Index width) {
  const Index H = kH > 0 ? kH : width;
  for (Index p = 0; p < n; ++p) f[p] = (dot(w2, a + p * H, H) + b2) - shift;
}

/// Backward of n points: dz = g w2 (1 - a²), θ-gradient terms added to the
/// accumulators, q_adjoint = W1 · dz (w1 holds 2 W1).
template <Index kH>
void backward(const double* __restrict gv, const double* __restrict q, const double* __restrict a,
              const double* __restrict w1, const double* __restrict w2, double* __restrict gw1,
              double* __restrict gb1, double* __restrict gw2, double& gb2, double* __restrict d,
              double* __restrict q_adjoint, Index n, Index width) {
  const Index H = kH > 0 ? kH : width;
  for (Index p = 0; p < n; ++p) {
    const double g = gv[p];
    const double x = q[p];
    const double* __restrict ap = a + p * H;
    gb2 += g;
    for (Index j = 0; j < H; ++j) {
      gw2[j] += g * ap[j];
      const double dz = g * w2[j] * (1.0 - ap[j] * ap[j]);
      d[j] = dz;
      gb1[j] += dz;
      gw1[j] += dz * x;
    }
    q_adjoint[p] = 0.5 * dot(w1, d, H);
  }
}

constexpr Index kPaperWidth = 16;

}  // namespace

void FusedPeriodicity::force(const double* q, double* f, double* a, Index n) {
  if (!odd_) {
    network(q, f, a, n);
    return;
  }
  // f(x) = (g(x) - g(-x)) / 2: one pass over [q, -q] (negation is exact).
  double* m = mirrored_.data();
  for (Index p = 0; p < n; ++p) {
    m[p] = q[p];
    m[n + p] = -q[p];
  }
  double* g = mirrored_values_.data();
  network(m, g, a, 2 * n);
  for (Index p = 0; p < n; ++p) f[p] = 0.5 * (g[p] - g[n + p]);
}

void FusedPeriodicity::network(const double* q, double* f, double* a, Index n) {
  const Index H = hidden_;
  const Index size = H * n;
  double* z = scratch_.data();
  // 2z = (2 W1) q + 2 b1: scaling by 2 is exact, so this is 2 (W1 q + b1).
  if (H == kPaperWidth)
    affine<kPaperWidth>(q, w1_.data(), b1_.data(), z, n, H);
  else
    affine<0>(q, w1_.data(), b1_.data(), z, n, H);
  // exp over the whole padded block (aligned, a multiple of the packet):
  // every unit goes through the same vectorised exp, wherever it sits.
  const Index padded = scratch_.size();
  for (Index k = size; k < padded; ++k) z[k] = 0.0;
  scratch_ = scratch_.exp();
  // tanh z = 1 - 2 / (exp(2z) + 1), as nn::Mlp computes it (exp's overflow
  // to inf gives exactly 1).
  for (Index k = 0; k < size; ++k) a[k] = 1.0 - 2.0 / (z[k] + 1.0);
  if (H == kPaperWidth)
    output<kPaperWidth>(a, w2_.data(), b2_, pinned_value_, f, n, H);
  else
    output<0>(a, w2_.data(), b2_, pinned_value_, f, n, H);
}

void FusedPeriodicity::force_vjp(const double* gv, const double* q, const double* a,
                                 double* q_adjoint, Index n) {
  if (odd_) {
    // g(q) takes gv/2, g(-q) takes -gv/2; the second adjoint flips sign once
    // more through -q. The output bias's ± terms are dropped at the end.
    double* m = mirrored_.data();
    double* u = mirrored_values_.data();
    for (Index p = 0; p < n; ++p) {
      m[p] = q[p];
      m[n + p] = -q[p];
      u[p] = 0.5 * gv[p];
      u[n + p] = -0.5 * gv[p];
    }
    double* adjoint = mirrored_adjoint_.data();
    network_vjp(u, m, a, adjoint, 2 * n);
    for (Index p = 0; p < n; ++p) q_adjoint[p] = adjoint[p] - adjoint[n + p];
    return;
  }
  network_vjp(gv, q, a, q_adjoint, n);
}

void FusedPeriodicity::network_vjp(const double* gv, const double* q, const double* a,
                                   double* q_adjoint, Index n) {
  const Index H = hidden_;
  if (H == kPaperWidth)
    backward<kPaperWidth>(gv, q, a, w1_.data(), w2_.data(), gw1_.data(), gb1_.data(), gw2_.data(),
                          gb2_, delta_.data(), q_adjoint, n, H);
  else
    backward<0>(gv, q, a, w1_.data(), w2_.data(), gw1_.data(), gb1_.data(), gw2_.data(), gb2_,
                delta_.data(), q_adjoint, n, H);
}

double FusedPeriodicity::loss(const Eigen::Ref<const MatrixXd>& x0, double weight,
                              Eigen::Ref<VectorXd> gradient) {
  const nn::Mlp& m = net_.network();
  const Index H = hidden_;
  const Index n = x0.cols();
  require(x0.rows() == 2,
          "fused periodicity loss: points need 2 rows (x, v), got " + std::to_string(x0.rows()));
  require(gradient.size() == m.num_parameters(),
          "fused periodicity loss: gradient of " + std::to_string(gradient.size()) +
              " entries for " + std::to_string(m.num_parameters()) + " parameters");
  const VectorXd& theta = m.parameters();
  const Index ow1 = m.weight_offset(0), ob1 = m.bias_offset(0);
  const Index ow2 = m.weight_offset(1), ob2 = m.bias_offset(1);
  w1_ = 2.0 * theta.segment(ow1, H);
  b1_ = 2.0 * theta.segment(ob1, H);
  w2_ = theta.segment(ow2, H);
  b2_ = theta[ob2];
  gw1_.setZero(H);
  gb1_.setZero(H);
  gw2_.setZero(H);
  gb2_ = 0.0;
  delta_.resize(H);

  // The pinned force f(x) = g(x) - g(x_eq): g(x_eq) once per call.
  const auto& equilibrium = net_.equilibrium();
  odd_ = net_.symmetry() == models::ForceSymmetry::odd;
  const double x_eq = equilibrium ? (*equilibrium)[0] : 0.0;
  std::vector<double> a_eq(static_cast<std::size_t>(H));
  pinned_value_ = 0.0;
  scratch_.resize((H + kPacket - 1) / kPacket * kPacket);
  if (equilibrium) {
    double g_eq = 0.0;
    network(&x_eq, &g_eq, a_eq.data(), 1);
    pinned_value_ = g_eq;
  }

  // The network sees n positions per stage, 2n for the odd force.
  const Index columns = odd_ ? 2 * n : n;
  scratch_.resize((H * columns + kPacket - 1) / kPacket * kPacket);
  mirrored_.resize(odd_ ? static_cast<std::size_t>(columns) : 0);
  mirrored_values_.resize(mirrored_.size());
  mirrored_adjoint_.resize(mirrored_.size());
  const std::size_t block = static_cast<std::size_t>(n);
  const std::size_t hblock = static_cast<std::size_t>(H * columns);
  positions_.resize(static_cast<std::size_t>(steps_) * kStages * block);
  activations_.resize(static_cast<std::size_t>(steps_) * kStages * hblock);

  // ---- forward: RungeKutta's classical RK4, stage by stage -------------
  const double h = period_ / steps_;
  const double ha = h * 0.5;                                  // h a_21, h a_32
  const double hb1 = h * (1.0 / 6.0), hb2 = h * (1.0 / 3.0);  // h b_i
  std::vector<double> q(block), v(block), buffer(7 * block);
  double* k1v = buffer.data();
  double* k2q = k1v + n;  // k_i's q part is the stage's velocity
  double* k2v = k2q + n;
  double* k3q = k2v + n;
  double* k3v = k3q + n;
  double* k4q = k3v + n;
  double* k4v = k4q + n;
  for (Index p = 0; p < n; ++p) {
    q[p] = x0(0, p);
    v[p] = x0(1, p);
  }
  for (int s = 0; s < steps_; ++s) {
    double* P = positions_.data() + static_cast<std::size_t>(s) * kStages * block;
    double* A = activations_.data() + static_cast<std::size_t>(s) * kStages * hblock;
    for (Index p = 0; p < n; ++p) P[p] = q[p];
    force(P, k1v, A, n);
    for (Index p = 0; p < n; ++p) {
      P[block + p] = q[p] + ha * v[p];
      k2q[p] = v[p] + ha * k1v[p];
    }
    force(P + block, k2v, A + hblock, n);
    for (Index p = 0; p < n; ++p) {
      P[2 * block + p] = q[p] + ha * k2q[p];
      k3q[p] = v[p] + ha * k2v[p];
    }
    force(P + 2 * block, k3v, A + 2 * hblock, n);
    for (Index p = 0; p < n; ++p) {
      P[3 * block + p] = q[p] + h * k3q[p];
      k4q[p] = v[p] + h * k3v[p];
    }
    force(P + 3 * block, k4v, A + 3 * hblock, n);
    for (Index p = 0; p < n; ++p) {
      const double v0 = v[p];
      q[p] = q[p] + hb1 * v0 + hb2 * k2q[p] + hb2 * k3q[p] + hb1 * k4q[p];
      v[p] = v0 + hb1 * k1v[p] + hb2 * k2v[p] + hb2 * k3v[p] + hb1 * k4v[p];
    }
  }

  // ---- loss and dL/dX(T) = 2 w (X(T) - X(0)) ----------------------------
  double sum = 0.0;
  std::vector<double> lq(block), lv(block);
  for (Index p = 0; p < n; ++p) {
    const double rq = q[p] - x0(0, p), rv = v[p] - x0(1, p);
    sum += rq * rq + rv * rv;
    lq[p] = 2.0 * weight * rq;
    lv[p] = 2.0 * weight * rv;
  }

  // ---- backward: RungeKutta::step_vjp, stages 4 to 1 --------------------
  // Stage i has k_i = (y_i,v, f(y_i,q)); given dk_i = (cq, cv) its state
  // adjoint is μ_i = (f'(y_i,q) cv, cq), which flows into λ and, through
  // y_i = x + h a_ij k_j, into dk_j.
  std::vector<double> cv(block), mq(block);
  double* dk3q = buffer.data();  // reuses the forward buffers
  double* dk3v = dk3q + n;
  double* dk2q = dk3v + n;
  double* dk2v = dk2q + n;
  double* dk1q = dk2v + n;
  double* dk1v = dk1q + n;
  for (int s = steps_ - 1; s >= 0; --s) {
    const double* P = positions_.data() + static_cast<std::size_t>(s) * kStages * block;
    const double* A = activations_.data() + static_cast<std::size_t>(s) * kStages * hblock;
    // Stage 4: dk4 = h b_4 λ.
    for (Index p = 0; p < n; ++p) cv[p] = hb1 * lv[p];
    force_vjp(cv.data(), P + 3 * block, A + 3 * hblock, mq.data(), n);
    for (Index p = 0; p < n; ++p) {
      const double m4q = mq[p], m4v = hb1 * lq[p];
      // dk_j for j < 4 start at h b_j λ (λ before any stage's μ is added).
      dk3q[p] = hb2 * lq[p] + h * m4q;
      dk3v[p] = hb2 * lv[p] + h * m4v;
      dk2q[p] = hb2 * lq[p];
      dk2v[p] = hb2 * lv[p];
      dk1q[p] = hb1 * lq[p];
      dk1v[p] = hb1 * lv[p];
      lq[p] += m4q;
      lv[p] += m4v;
    }
    force_vjp(dk3v, P + 2 * block, A + 2 * hblock, mq.data(), n);
    for (Index p = 0; p < n; ++p) {
      const double m3q = mq[p], m3v = dk3q[p];
      dk2q[p] += ha * m3q;
      dk2v[p] += ha * m3v;
      lq[p] += m3q;
      lv[p] += m3v;
    }
    force_vjp(dk2v, P + block, A + hblock, mq.data(), n);
    for (Index p = 0; p < n; ++p) {
      const double m2q = mq[p], m2v = dk2q[p];
      dk1q[p] += ha * m2q;
      dk1v[p] += ha * m2v;
      lq[p] += m2q;
      lv[p] += m2v;
    }
    force_vjp(dk1v, P, A, mq.data(), n);
    for (Index p = 0; p < n; ++p) {
      lq[p] += mq[p];
      lv[p] += dk1q[p];
    }
  }

  // ---- θ-gradient (w1_ holds 2 W1: undo for the W1 entries' chain rule) ----
  // Pinned: every upstream of f also flows, negated, into g(x_eq); their sum
  // is gb2_ (∂g/∂b2 = 1), so b2 drops out exactly.
  const double total = gb2_;
  for (Index j = 0; j < H; ++j) {
    double dw1 = gw1_[j], db1 = gb1_[j], dw2 = gw2_[j];
    if (equilibrium) {
      const double aj = a_eq[static_cast<std::size_t>(j)];
      const double dz = total * w2_[j] * (1.0 - aj * aj);
      dw2 -= total * aj;
      db1 -= dz;
      dw1 -= dz * x_eq;
    }
    gradient[ow1 + j] += dw1;
    gradient[ob1 + j] += db1;
    gradient[ow2 + j] += dw2;
  }
  // Odd: f does not depend on b2 (its ± halves cancel only to rounding in
  // gb2_), so nothing is added.
  gradient[ob2] += odd_ ? 0.0 : equilibrium ? gb2_ - total : gb2_;
  return weight * sum;
}

}  // namespace dynlearn::train
