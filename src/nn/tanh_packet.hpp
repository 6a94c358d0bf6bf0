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

/// 2^n for an integral-valued packet n with |n| < 1023 (no clamping): n is
/// moved into the low mantissa bits by adding 1.5 * 2^52, then 1023 + n is
/// shifted into the exponent field (the magic number's low 12 bits are 0).
inline TanhPacket exp2_integral(const TanhPacket& n) {
  const TanhPacket t = tanh_ei::padd(n, tanh_ei::pset1<TanhPacket>(6755399441055744.0));
#if defined(EIGEN_VECTORIZE_AVX512)
  const __m512i bits = _mm512_add_epi64(_mm512_castpd_si512(t), _mm512_set1_epi64(1023));
  return _mm512_castsi512_pd(_mm512_slli_epi64(bits, 52));
#elif defined(EIGEN_VECTORIZE_AVX)
  const __m256i bits = _mm256_add_epi64(_mm256_castpd_si256(t), _mm256_set1_epi64x(1023));
  return _mm256_castsi256_pd(_mm256_slli_epi64(bits, 52));
#else
  const __m128i bits = _mm_add_epi64(_mm_castpd_si128(t), _mm_set1_epi64x(1023));
  return _mm_castsi128_pd(_mm_slli_epi64(bits, 52));
#endif
}

/// tanh with one division instead of two, for kernels that need not share
/// bits with nn::Mlp (the fused vehicle kernel). With 2z = n ln 2 + r,
/// |r| <= ln 2 / 2, and exp's Padé form e^r = (q + p) / (q - p) (Eigen's
/// pexp coefficients), e^{2z} = s (q + p) / (q - p) with s = 2^n, so
///   tanh z = (q (s - 1) + p (s + 1)) / (q (s + 1) + p (s - 1)),
/// whose numerator is 2p + O(z s) without cancellation near 0: relative
/// error of a few ulp everywhere (unit-tested against std::tanh). 2z is
/// clamped to ±40, where tanh is ±1 in double. first = 1 - value² (one fma).
/// Every lane is computed on its own. This form takes twice the argument,
/// x = 2z, for callers that fold the factor 2 into their weights (exact: a
/// power of two); tanh_packet_fast below takes z.
inline void tanh_packet_fast_from_twice(const TanhPacket& twice_z, TanhPacket& value,
                                        TanhPacket& first) {
  using namespace tanh_ei;
  const TanhPacket one = pset1<TanhPacket>(1.0);
  TanhPacket x = twice_z;
  x = pmax(pmin(x, pset1<TanhPacket>(40.0)), pset1<TanhPacket>(-40.0));
  const TanhPacket n =
      pfloor(pmadd(pset1<TanhPacket>(1.4426950408889634073599), x, pset1<TanhPacket>(0.5)));
  // r = x - n ln 2 in two parts (the high part has few bits: n * it is exact).
  x = pmadd(pnegate(n), pset1<TanhPacket>(0.693145751953125), x);
  x = pmadd(pnegate(n), pset1<TanhPacket>(1.42860682030941723212e-6), x);
  TanhPacket p, q;
  exp_pade(x, p, q);
  const TanhPacket s = exp2_integral(n);
  const TanhPacket sm = psub(s, one), sp = padd(s, one);
  value = pdiv(pmadd(q, sm, pmul(p, sp)), pmadd(q, sp, pmul(p, sm)));
  first = pmadd(pnegate(value), value, one);
}

inline void tanh_packet_fast(const TanhPacket& z, TanhPacket& value, TanhPacket& first) {
  tanh_packet_fast_from_twice(tanh_ei::pmul(tanh_ei::pset1<TanhPacket>(2.0), z), value, first);
}

}  // namespace dynlearn::nn::detail
