// The vehicle kernel's tanh (vehicle_soa_core.hpp, tanh_from_twice) on every
// instruction set this machine has: within a few ulp of std::tanh relative
// to the value away from 0 and within 2 eps absolute everywhere (the
// accuracy of nn's tanh_packet, 1 - 2 / (e + 1)), ±inf and large inputs
// exactly ±1, NaN propagated, and the same bits on every instruction set.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

#include "../../../src/models/vehicle_kernel.hpp"
#include "dynlearn/core/rng.hpp"

namespace dynlearn::models {
namespace {

using detail::VehicleIsa;
constexpr double kEps = std::numeric_limits<double>::epsilon();

std::vector<VehicleIsa> available() {
  std::vector<VehicleIsa> isas;
  for (VehicleIsa isa : {VehicleIsa::avx2, VehicleIsa::avx512})
    if (detail::vehicle_kernel_isa_available(isa)) isas.push_back(isa);
  return isas;
}

// tanh(z) for every z (the kernel takes 2z: exact).
std::vector<double> kernel_tanh(VehicleIsa isa, std::vector<double> z) {
  const std::size_t n = z.size();
  while (z.size() % 8 != 0) z.push_back(0.25);
  for (double& v : z) v *= 2.0;
  std::vector<double> out(z.size());
  if (isa == VehicleIsa::avx512)
    detail::vehicle_soa_tanh_avx512(z.data(), out.data(), z.size());
  else
    detail::vehicle_soa_tanh_avx2(z.data(), out.data(), z.size());
  out.resize(n);
  return out;
}

void expect_accurate(const std::vector<double>& z) {
  for (VehicleIsa isa : available()) {
    const std::vector<double> t = kernel_tanh(isa, z);
    double worst_relative = 0.0, worst_absolute = 0.0;
    for (std::size_t i = 0; i < z.size(); ++i) {
      const double exact = std::tanh(z[i]);
      const double error = std::abs(t[i] - exact);
      worst_absolute = std::max(worst_absolute, error / kEps);
      if (std::abs(z[i]) >= 0.5)
        worst_relative = std::max(worst_relative, error / (kEps * std::abs(exact)));
    }
    std::printf("[ tanh ] %s, %zu inputs: %.2f eps relative (|z| >= 0.5), %.2f eps absolute\n",
                isa == VehicleIsa::avx512 ? "avx512" : "avx2", z.size(), worst_relative,
                worst_absolute);
    EXPECT_LE(worst_relative, 4.0);
    EXPECT_LE(worst_absolute, 2.0);
  }
}

TEST(VehicleTanh, DenseSweepIsAccurate) {
  std::vector<double> z;
  for (int i = -40 * 4096; i <= 40 * 4096; ++i) z.push_back(i / 4096.0);
  expect_accurate(z);
}

TEST(VehicleTanh, TinyHugeAndSpecialInputs) {
  core::Rng rng(5, 0, core::Purpose::user);
  std::vector<double> z;
  for (int i = 0; i < 100000; ++i) {
    const double magnitude = std::pow(10.0, rng.uniform(-300.0, 300.0));
    z.push_back(rng.uniform(-1.0, 1.0) < 0.0 ? -magnitude : magnitude);
  }
  const double inf = std::numeric_limits<double>::infinity();
  for (double v : {0.0, -0.0, inf, -inf, 19.06, -19.06, 20.0, -20.0, 1e-310, -1e-310})
    z.push_back(v);
  expect_accurate(z);
  for (VehicleIsa isa : available()) {
    const std::vector<double> special =
        kernel_tanh(isa, {inf, -inf, 1e300, -1e300, std::numeric_limits<double>::quiet_NaN(), 0.0});
    EXPECT_EQ(special[0], 1.0);
    EXPECT_EQ(special[1], -1.0);
    EXPECT_EQ(special[2], 1.0);
    EXPECT_EQ(special[3], -1.0);
    EXPECT_TRUE(std::isnan(special[4])) << "a NaN state must not be hidden as ±1";
    EXPECT_EQ(special[5], 0.0);
  }
}

TEST(VehicleTanh, InstructionSetsGiveTheSameBits) {
  const std::vector<VehicleIsa> isas = available();
  if (isas.size() < 2) GTEST_SKIP() << "one instruction set here";
  std::vector<double> z;
  for (int i = 0; i < 4096; ++i) z.push_back(-30.0 + 60.0 * i / 4095.0 + 1e-3 * (i % 7));
  const std::vector<double> a = kernel_tanh(isas[0], z), b = kernel_tanh(isas[1], z);
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(double)), 0);
}

}  // namespace
}  // namespace dynlearn::models
