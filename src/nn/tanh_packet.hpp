// tanh and its derivative on one packet of doubles, shared by the batched
// activation (activation.cpp) and the fused one-hidden-layer kernels
// (one_hidden_scalar.cpp), so that both give an entry the same bits.
#pragma once

#include <Eigen/Core>

namespace dynlearn::nn::detail {

namespace tanh_ei = Eigen::internal;
using TanhPacket = tanh_ei::packet_traits<double>::type;

/// Eigen's pexp Padé form on the reduced argument r (|r| <= ln 2 / 2):
/// e^r = (q + p) / (q - p), p odd and q even in r.
template <typename Packet>
inline void exp_pade(const Packet& r, Packet& p, Packet& q) {
  using namespace tanh_ei;
  const Packet r2 = pmul(r, r);
  p = pset1<Packet>(1.26177193074810590878e-4);
  p = pmadd(p, r2, pset1<Packet>(3.02994407707441961300e-2));
  p = pmadd(p, r2, pset1<Packet>(9.99999999999999999910e-1));
  p = pmul(p, r);
  q = pset1<Packet>(3.00198505138664455042e-6);
  q = pmadd(q, r2, pset1<Packet>(2.52448340349684104192e-3));
  q = pmadd(q, r2, pset1<Packet>(2.27265548208155028766e-1));
  q = pmadd(q, r2, pset1<Packet>(2.00000000000000000009e0));
}

#if defined(EIGEN_VECTORIZE_AVX2) && !defined(EIGEN_VECTORIZE_AVX512)
/// Eigen's pexp for four doubles (pexp_double, Eigen 3.4) step by step, with
/// its final x · 2^n (pldexp: four factors 2^(n/4) built through 32-bit
/// lanes, a third of the instructions of exp) replaced by one product with
/// 2^n built from the exponent bits. For |n| <= 1022 both products are the
/// exact x · 2^n rounded once, so the bits are the same; the clamp makes n
/// at most 1024 in size, where the two can differ (2^1024 is inf here,
/// 2^-1023 and 2^-1024 are 0 here, subnormal or finite huge in Eigen) but
/// 1 - 2 / (e + 1) is ±1 either way. So tanh_packet's value and first
/// derivative keep Eigen's bits for every input (unit-tested).
inline tanh_ei::Packet4d exp_for_tanh(const tanh_ei::Packet4d& input) {
  using namespace tanh_ei;
  const Packet4d one = pset1<Packet4d>(1.0);
  const Packet4d two = pset1<Packet4d>(2.0);
  const Packet4d half = pset1<Packet4d>(0.5);
  Packet4d x = pmax(pmin(input, pset1<Packet4d>(709.784)), pset1<Packet4d>(-709.784));
  Packet4d fx = pfloor(pmadd(pset1<Packet4d>(1.4426950408889634073599), x, half));
  const Packet4d tmp = pmul(fx, pset1<Packet4d>(0.693145751953125));
  const Packet4d z = pmul(fx, pset1<Packet4d>(1.42860682030941723212e-6));
  x = psub(x, tmp);
  x = psub(x, z);
  Packet4d px, qx;
  exp_pade(x, px, qx);
  x = pdiv(px, psub(qx, px));
  x = pmadd(two, x, one);
  // 2^n for n in [-1023, 1024]: biased exponent n + 1023 in bits 52..62
  // (0 gives +0, 2047 gives inf).
  __m128i n = _mm256_cvtpd_epi32(fx);
  n = _mm_add_epi32(_mm_max_epi32(n, _mm_set1_epi32(-1023)), _mm_set1_epi32(1023));
  const Packet4d scale = _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_cvtepi32_epi64(n), 52));
  return pmax(pmul(x, scale), input);
}
#else
inline TanhPacket exp_for_tanh(const TanhPacket& input) {
  return tanh_ei::pexp(input);
}
#endif

/// value = tanh z = 1 - 2 / (exp(2z) + 1) with Eigen's vectorised exp (Eigen
/// vectorises exp for double but not tanh), first = 1 - value². Absolute
/// error ~1e-16 (also near 0); exp's overflow to inf gives exactly 1. Every
/// lane is computed on its own, so an entry's bits do not depend on its lane.
inline void tanh_packet(const TanhPacket& z, TanhPacket& value, TanhPacket& first) {
  const TanhPacket one = tanh_ei::pset1<TanhPacket>(1.0);
  const TanhPacket two = tanh_ei::pset1<TanhPacket>(2.0);
  const TanhPacket e = exp_for_tanh(tanh_ei::pmul(two, z));
  value = tanh_ei::psub(one, tanh_ei::pdiv(two, tanh_ei::padd(e, one)));
  first = tanh_ei::psub(one, tanh_ei::pmul(value, value));
}

}  // namespace dynlearn::nn::detail
