// The vehicle kernel's core for AVX-512 (eight columns per packet, 32
// registers). Built with -mavx512f whatever the library's flags
// (CMakeLists.txt) and run only where the CPU has it (vehicle_kernel.cpp
// asks at run time).
#include "vehicle_soa.hpp"

#if defined(__AVX512F__)
#include <immintrin.h>

#include "vehicle_soa_core.hpp"

namespace dynlearn::models::detail {
namespace {

struct Avx512Ops {
  using V = __m512d;
  static constexpr std::size_t kLanes = 8;
  static constexpr std::size_t kTile = 8;  // 3 x 8 accumulators of 32 registers
  static V load(const double* p) { return _mm512_load_pd(p); }
  static void store(double* p, V v) { _mm512_store_pd(p, v); }
  static V set1(double v) { return _mm512_set1_pd(v); }
  static V add(V a, V b) { return _mm512_add_pd(a, b); }
  static V sub(V a, V b) { return _mm512_sub_pd(a, b); }
  static V mul(V a, V b) { return _mm512_mul_pd(a, b); }
  static V div(V a, V b) { return _mm512_div_pd(a, b); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
  static V fnma(V a, V b, V c) { return _mm512_fnmadd_pd(a, b, c); }
  static V min(V a, V b) { return _mm512_min_pd(a, b); }
  static V max(V a, V b) { return _mm512_max_pd(a, b); }
  static V floor(V a) { return _mm512_roundscale_pd(a, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); }
  static V scale(V a, V n) { return _mm512_scalef_pd(a, n); }
  static double sum(V v) {
    const __m256d q = _mm256_add_pd(_mm512_castpd512_pd256(v), _mm512_extractf64x4_pd(v, 1));
    const __m128d s = _mm_add_pd(_mm256_castpd256_pd128(q), _mm256_extractf128_pd(q, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
  }
};

}  // namespace

bool vehicle_soa_built_avx512() {
  return true;
}
void vehicle_soa_tanh_avx512(const double* twice_z, double* out, std::size_t n) {
  soa::tanh_array<Avx512Ops>(twice_z, out, n);
}
void vehicle_soa_forward_avx512(const VehicleSoaParams& params, const VehicleSoaBuffers& buffers,
                                const VehicleSoaColumns& columns) {
  soa::forward<Avx512Ops>(params, buffers, columns);
}
void vehicle_soa_backward_avx512(const VehicleSoaParams& params, const VehicleSoaBuffers& buffers,
                                 const VehicleSoaColumns& columns) {
  soa::backward<Avx512Ops>(params, buffers, columns);
}
double vehicle_soa_residual_avx512(const VehicleSoaParams& params, const VehicleSoaBuffers& buffers,
                                   const VehicleSoaColumns& columns, double scale) {
  return soa::residual<Avx512Ops>(params, buffers, columns, scale);
}

}  // namespace dynlearn::models::detail

#else

namespace dynlearn::models::detail {
bool vehicle_soa_built_avx512() {
  return false;
}
void vehicle_soa_tanh_avx512(const double*, double*, std::size_t) {}
void vehicle_soa_forward_avx512(const VehicleSoaParams&, const VehicleSoaBuffers&,
                                const VehicleSoaColumns&) {}
void vehicle_soa_backward_avx512(const VehicleSoaParams&, const VehicleSoaBuffers&,
                                 const VehicleSoaColumns&) {}
double vehicle_soa_residual_avx512(const VehicleSoaParams&, const VehicleSoaBuffers&,
                                   const VehicleSoaColumns&, double) {
  return 0.0;
}
}  // namespace dynlearn::models::detail

#endif
