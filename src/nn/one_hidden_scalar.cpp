// Fused {n, h, 1} tanh kernels, column by column. Each step names the
// layer-by-layer operation (mlp.cpp, small_layer.cpp) whose bits it keeps.
#include "one_hidden_scalar.hpp"

#include <type_traits>

#include "small_layer.hpp"
#include "tanh_packet.hpp"

namespace dynlearn::nn::detail {

using Eigen::Index;

namespace {

namespace ei = Eigen::internal;
using Packet = ei::packet_traits<double>::type;
constexpr Index kLanes = ei::packet_traits<double>::size;

// A product the compiler must round before its next use: GCC contracts a
// product feeding a sum into one fused multiply-add in C++ (its default
// -ffp-contract=fast), which the layer-by-layer path, storing the product
// first, does not get.
inline Packet rounded(Packet p) {
#if defined(__GNUC__) && defined(__AVX512F__)
  asm("" : "+v"(p));
#elif defined(__GNUC__)
  asm("" : "+x"(p));
#endif
  return p;
}

// out[r] = 0 + W1[:, r] · y for r = 0..n-1 (W1 column-major h x n, y the
// column of P packets): small_layer's dot() per entry (one accumulator over
// the packets in order, Eigen's packet reduction, added to 0 as multiply()
// adds a dot to its missing init), four entries at a time sharing y.
template <int P>
inline void transposed_column(const double* w1, Index n, const Packet (&y)[P], double* out) {
  constexpr Index h = P * kLanes;
  Index r = 0;
  for (; r + 4 <= n; r += 4) {
    const double* c = w1 + r * h;
    Packet acc0 = ei::pset1<Packet>(0.0), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    for (int p = 0; p < P; ++p) {
      acc0 = ei::pmadd(ei::ploadu<Packet>(c + p * kLanes), y[p], acc0);
      acc1 = ei::pmadd(ei::ploadu<Packet>(c + h + p * kLanes), y[p], acc1);
      acc2 = ei::pmadd(ei::ploadu<Packet>(c + 2 * h + p * kLanes), y[p], acc2);
      acc3 = ei::pmadd(ei::ploadu<Packet>(c + 3 * h + p * kLanes), y[p], acc3);
    }
    out[r] = 0.0 + ei::predux(acc0);
    out[r + 1] = 0.0 + ei::predux(acc1);
    out[r + 2] = 0.0 + ei::predux(acc2);
    out[r + 3] = 0.0 + ei::predux(acc3);
  }
  for (; r < n; ++r) {
    const double* c = w1 + r * h;
    Packet acc = ei::pset1<Packet>(0.0);
    for (int p = 0; p < P; ++p) acc = ei::pmadd(ei::ploadu<Packet>(c + p * kLanes), y[p], acc);
    out[r] = 0.0 + ei::predux(acc);
  }
}

// y = W1 x (+ b1): small_layer's row_block per 16 rows, the init (bias or
// 0) first, then one multiply-add per input in order.
template <int P>
inline void hidden_product(const double* w1, const double* b1, Index n, const double* x,
                           Packet (&y)[P]) {
  constexpr Index h = P * kLanes;
  for (int p = 0; p < P; ++p)
    y[p] = b1 ? ei::ploadu<Packet>(b1 + p * kLanes) : ei::pset1<Packet>(0.0);
  for (Index l = 0; l < n; ++l) {
    const Packet xl = ei::pset1<Packet>(x[l]);
    for (int p = 0; p < P; ++p)
      y[p] = ei::pmadd(ei::ploadu<Packet>(w1 + l * h + p * kLanes), xl, y[p]);
  }
}

template <int P>
void forward(const OneHiddenScalar& net, const double* x, Index cols, double* z, double* a,
             double* d1, double* r, double* s) {
  constexpr Index h = P * kLanes;
  const Index n = net.n;
  for (Index j = 0; j < cols; ++j) {
    Packet zj[P];
    hidden_product<P>(net.w1, net.b1, n, x + j * n, zj);
    // The output layer's dot product (multiply()'s short path) over a.
    Packet out = ei::pset1<Packet>(0.0);
    for (int p = 0; p < P; ++p) {
      const Index at = j * h + p * kLanes;
      Packet value, first;
      tanh_packet(zj[p], value, first);
      const Packet w2 = ei::ploadu<Packet>(net.w2 + p * kLanes);
      ei::pstoreu(z + at, zj[p]);
      ei::pstoreu(a + at, value);
      ei::pstoreu(d1 + at, first);
      // backward(): the adjoint of a is w2 (W2ᵀ times the output's 1), times σ'.
      ei::pstoreu(r + at, ei::pmul(w2, first));
      out = ei::pmadd(w2, value, out);
    }
    s[j] = (net.b2 ? *net.b2 : 0.0) + ei::predux(out);
  }
}

template <int P>
void input_gradient(const OneHiddenScalar& net, const double* r, Index cols, double* g) {
  constexpr Index h = P * kLanes;
  for (Index j = 0; j < cols; ++j) {
    Packet rj[P];
    for (int p = 0; p < P; ++p) rj[p] = ei::ploadu<Packet>(r + j * h + p * kLanes);
    transposed_column<P>(net.w1, net.n, rj, g + j * net.n);
  }
}

template <int P>
void input_gradient_vjp(const OneHiddenScalar& net, const double* x, const double* a,
                        const double* d1, const double* r, const double* g, Index cols, double* t,
                        double* hg, const OneHiddenGradient& gradient) {
  constexpr Index h = P * kLanes;
  const Index n = net.n;
  const Packet minus_two = ei::pset1<Packet>(-2.0);
  const Packet zero = ei::pset1<Packet>(0.0);
  for (Index j = 0; j < cols; ++j) {
    // Tangent of z along G (tangent_forward: W1 G, no bias).
    Packet u[P];
    hidden_product<P>(net.w1, nullptr, n, g + j * n, u);
    Packet tj[P];
    for (int p = 0; p < P; ++p) {
      const Index at = j * h + p * kLanes;
      const Packet ap = ei::ploadu<Packet>(a + at);
      const Packet dp = ei::ploadu<Packet>(d1 + at);
      const Packet w2 = ei::ploadu<Packet>(net.w2 + p * kLanes);
      // tangent_backward's z̄ = σ' ā + (σ'' z_u) ū with ā = +0 and ū = w2,
      // σ'' = (-2 a) σ' (activation_higher_from_first); σ' ā is +0, so the
      // sum is +0 + the product (which turns a -0 product into +0).
      const Packet second = ei::pmul(ei::pmul(minus_two, ap), dp);
      tj[p] = ei::padd(zero, ei::pmul(ei::pmul(second, u[p]), w2));
      ei::pstoreu(t + at, tj[p]);
      // dw2 += the output layer's tangent σ' z_u (accumulate_outer's
      // multiply-add by the output's 1 is this sum).
      if (gradient.w2) {
        double* gw = gradient.w2 + p * kLanes;
        ei::pstoreu(gw, ei::padd(rounded(ei::pmul(dp, u[p])), ei::ploadu<Packet>(gw)));
      }
      // db1 += t (accumulate_row_sums: over the columns in order).
      if (gradient.b1) {
        double* gb = gradient.b1 + p * kLanes;
        ei::pstoreu(gb, ei::padd(ei::ploadu<Packet>(gb), tj[p]));
      }
    }
    transposed_column<P>(net.w1, n, tj, hg + j * n);
  }
  // The layer's weight gradient as accumulate_layer_gradient adds it: the
  // value stream's term, then the tangent stream's.
  if (gradient.w1) {
    const OuterTerm terms[2] = {{t, x}, {r, g}};
    accumulate_outer(terms, h, n, cols, gradient.w1);
  }
}

// Calls f with std::integral_constant<int, h / kLanes>: the packet count as a
// template argument, so the hidden vector stays in registers.
template <class F>
void dispatch(Index h, F&& f) {
  switch (h) {
    case 16:
      f(std::integral_constant<int, 16 / kLanes>{});
      return;
    case 32:
      f(std::integral_constant<int, 32 / kLanes>{});
      return;
    case 48:
      f(std::integral_constant<int, 48 / kLanes>{});
      return;
    default:
      f(std::integral_constant<int, 64 / kLanes>{});
      return;
  }
}

}  // namespace

bool one_hidden_scalar_supported(Index n, Index h) {
  return h % 16 == 0 && h >= 16 && h <= 64 && n >= 1 && n * h <= kSmallLayerWeights &&
         !(n >= 16 && n % 16 == 0);
}

void one_hidden_forward(const OneHiddenScalar& net, const double* x, Index cols, double* z,
                        double* a, double* d1, double* r, double* s) {
  dispatch(net.h,
           [&](auto packets) { forward<decltype(packets)::value>(net, x, cols, z, a, d1, r, s); });
}

void one_hidden_input_gradient(const OneHiddenScalar& net, const double* r, Index cols, double* g) {
  dispatch(net.h, [&](auto packets) { input_gradient<decltype(packets)::value>(net, r, cols, g); });
}

void one_hidden_input_gradient_vjp(const OneHiddenScalar& net, const double* x, const double* a,
                                   const double* d1, const double* r, const double* g, Index cols,
                                   double* t, double* hg, const OneHiddenGradient& gradient) {
  dispatch(net.h, [&](auto packets) {
    input_gradient_vjp<decltype(packets)::value>(net, x, a, d1, r, g, cols, t, hg, gradient);
  });
}

}  // namespace dynlearn::nn::detail
