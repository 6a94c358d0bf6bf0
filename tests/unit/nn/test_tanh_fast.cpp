// tanh_packet_fast (nn/tanh_packet.hpp), the one-division tanh of the fused
// vehicle kernel: within a few ulp of std::tanh relative to the value (so
// also near 0, where 1 - 2 / (e + 1) only has absolute accuracy), its first
// derivative 1 - tanh² against central differences, NaN propagated, ±inf
// saturated, and an entry's bits independent of its lane.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "../../../src/nn/tanh_packet.hpp"
#include "dynlearn/core/rng.hpp"

namespace dynlearn::nn {
namespace {

namespace ei = Eigen::internal;
using Packet = ei::packet_traits<double>::type;
constexpr Eigen::Index kLanes = ei::packet_traits<double>::size;
constexpr double kEps = std::numeric_limits<double>::epsilon();

struct Values {
  std::vector<double> value, first;
};

Values evaluate(std::vector<double> z) {
  while (z.size() % kLanes != 0) z.push_back(0.25);
  Values out;
  out.value.resize(z.size());
  out.first.resize(z.size());
  for (std::size_t i = 0; i < z.size(); i += kLanes) {
    Packet v, f;
    detail::tanh_packet_fast(ei::ploadu<Packet>(z.data() + i), v, f);
    ei::pstoreu(out.value.data() + i, v);
    ei::pstoreu(out.first.data() + i, f);
  }
  return out;
}

// Largest error of the value in eps |tanh z| (relative) and in eps of the derivative
// (absolute: 1 - t² is formed from the value, as in every tanh layer).
void expect_accurate(const std::vector<double>& z, double ulps) {
  const Values out = evaluate(z);
  double worst = 0.0, worst_first = 0.0;
  for (std::size_t i = 0; i < z.size(); ++i) {
    const double t = std::tanh(z[i]);
    const double scale = std::max(std::abs(t), std::numeric_limits<double>::min());
    worst = std::max(worst, std::abs(out.value[i] - t) / (kEps * scale));
    worst_first = std::max(worst_first, std::abs(out.first[i] - (1.0 - t * t)) / kEps);
    if (std::abs(out.value[i] - t) > ulps * kEps * scale)
      ADD_FAILURE() << "z = " << z[i] << ": " << out.value[i] << " against " << t;
  }
  std::printf("[ tanh fast ] %zu inputs: value %.2f eps, first %.2f eps\n", z.size(), worst,
              worst_first);
  EXPECT_LE(worst_first, 4.0);
}

TEST(TanhFast, DenseSweepIsWithinFourEps) {
  std::vector<double> z;
  for (int i = -40 * 4096; i <= 40 * 4096; ++i) z.push_back(i / 4096.0);
  expect_accurate(z, 4.0);
}

TEST(TanhFast, TinyHugeAndSpecialInputs) {
  core::Rng rng(5, 0, core::Purpose::user);
  std::vector<double> z;
  for (int i = 0; i < 100000; ++i) {
    const double magnitude = std::pow(10.0, rng.uniform(-300.0, 300.0));
    z.push_back(rng.uniform(-1.0, 1.0) < 0.0 ? -magnitude : magnitude);
  }
  const double inf = std::numeric_limits<double>::infinity();
  for (double v : {0.0, -0.0, inf, -inf, 19.06, -19.06, 20.0, -20.0, 1e-310, -1e-310})
    z.push_back(v);
  expect_accurate(z, 4.0);
  const Values special = evaluate({inf, -inf, std::numeric_limits<double>::quiet_NaN(), -0.0});
  EXPECT_EQ(special.value[0], 1.0);
  EXPECT_EQ(special.value[1], -1.0);
  EXPECT_TRUE(std::isnan(special.value[2])) << "a NaN state must not be hidden as ±1";
  EXPECT_EQ(special.value[3], 0.0);
}

TEST(TanhFast, FirstDerivativeMatchesCentralDifferences) {
  const double h = 1e-6;
  std::vector<double> z, plus, minus;
  for (int i = -300; i <= 300; ++i) {
    z.push_back(i * 0.02 + 0.003);
    plus.push_back(z.back() + h);
    minus.push_back(z.back() - h);
  }
  const Values at = evaluate(z), up = evaluate(plus), down = evaluate(minus);
  double worst = 0.0;
  for (std::size_t i = 0; i < z.size(); ++i)
    worst = std::max(worst, std::abs((up.value[i] - down.value[i]) / (2 * h) - at.first[i]));
  std::printf("[ tanh fast ] derivative against central differences: %.1e\n", worst);
  EXPECT_LT(worst, 1e-9);
}

TEST(TanhFast, BitsDoNotDependOnTheLane) {
  std::vector<double> z;
  for (int i = 0; i < 64; ++i) z.push_back(-6.0 + 0.1937 * i);
  std::vector<double> shifted(z);
  shifted.insert(shifted.begin(), 0.7);  // every entry moves one lane
  const Values a = evaluate(z), b = evaluate(shifted);
  for (std::size_t i = 0; i < z.size(); ++i) {
    EXPECT_EQ(std::memcmp(&a.value[i], &b.value[i + 1], sizeof(double)), 0) << z[i];
    EXPECT_EQ(std::memcmp(&a.first[i], &b.first[i + 1], sizeof(double)), 0) << z[i];
  }
}

}  // namespace
}  // namespace dynlearn::nn
