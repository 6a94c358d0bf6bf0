// The vehicle kernel's core for AVX2 and FMA (four columns per packet).
// Built with -mavx2 -mfma whatever the library's flags (CMakeLists.txt) and
// run only where the CPU has them (vehicle_kernel.cpp asks at run time).
#include "vehicle_soa.hpp"

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>

#include "vehicle_soa_core.hpp"

namespace dynlearn::models::detail {
namespace {

struct Avx2Ops {
  using V = __m256d;
  static constexpr std::size_t kLanes = 4;
  static constexpr std::size_t kTile = 4;  // 3 x 4 accumulators, 16 registers
  static V load(const double* p) { return _mm256_load_pd(p); }
  static void store(double* p, V v) { _mm256_store_pd(p, v); }
  static V set1(double v) { return _mm256_set1_pd(v); }
  static V add(V a, V b) { return _mm256_add_pd(a, b); }
  static V sub(V a, V b) { return _mm256_sub_pd(a, b); }
  static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
  static V div(V a, V b) { return _mm256_div_pd(a, b); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
  static V fnma(V a, V b, V c) { return _mm256_fnmadd_pd(a, b, c); }
  static V min(V a, V b) { return _mm256_min_pd(a, b); }
  static V max(V a, V b) { return _mm256_max_pd(a, b); }
  static V floor(V a) { return _mm256_floor_pd(a); }
  static V scale(V a, V n) {
    // 2^n: n into the low mantissa bits (adding 1.5 2^52), then 1023 + n
    // into the exponent field.
    const __m256i bits =
        _mm256_add_epi64(_mm256_castpd_si256(_mm256_add_pd(n, _mm256_set1_pd(6755399441055744.0))),
                         _mm256_set1_epi64x(1023));
    return _mm256_mul_pd(a, _mm256_castsi256_pd(_mm256_slli_epi64(bits, 52)));
  }
  static double sum(V v) {
    const __m128d s = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
  }
};

}  // namespace

bool vehicle_soa_built_avx2() {
  return true;
}
void vehicle_soa_tanh_avx2(const double* twice_z, double* out, std::size_t n) {
  soa::tanh_array<Avx2Ops>(twice_z, out, n);
}
void vehicle_soa_forward_avx2(const VehicleSoaParams& params, const VehicleSoaBuffers& buffers,
                              const VehicleSoaColumns& columns) {
  soa::forward<Avx2Ops>(params, buffers, columns);
}
void vehicle_soa_backward_avx2(const VehicleSoaParams& params, const VehicleSoaBuffers& buffers,
                               const VehicleSoaColumns& columns) {
  soa::backward<Avx2Ops>(params, buffers, columns);
}
double vehicle_soa_residual_avx2(const VehicleSoaParams& params, const VehicleSoaBuffers& buffers,
                                 const VehicleSoaColumns& columns, double scale) {
  return soa::residual<Avx2Ops>(params, buffers, columns, scale);
}

}  // namespace dynlearn::models::detail

#else

namespace dynlearn::models::detail {
bool vehicle_soa_built_avx2() {
  return false;
}
void vehicle_soa_tanh_avx2(const double*, double*, std::size_t) {}
void vehicle_soa_forward_avx2(const VehicleSoaParams&, const VehicleSoaBuffers&,
                              const VehicleSoaColumns&) {}
void vehicle_soa_backward_avx2(const VehicleSoaParams&, const VehicleSoaBuffers&,
                               const VehicleSoaColumns&) {}
double vehicle_soa_residual_avx2(const VehicleSoaParams&, const VehicleSoaBuffers&,
                                 const VehicleSoaColumns&, double) {
  return 0.0;
}
}  // namespace dynlearn::models::detail

#endif
