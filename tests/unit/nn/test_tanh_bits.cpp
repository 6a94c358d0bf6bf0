// The batched tanh (activation_value_and_first) against its defining formula
// 1 - 2 / (exp(2z) + 1) on Eigen's own vectorised exp, bit for bit: the
// shortened exp of tanh_packet.hpp must not change a single result, from
// tiny and subnormal inputs through the saturated range to ±inf and NaN.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "dynlearn/core/rng.hpp"
#include "dynlearn/nn/activation.hpp"

namespace dynlearn::nn {
namespace {

namespace ei = Eigen::internal;
using Packet = ei::packet_traits<double>::type;
constexpr Eigen::Index kLanes = ei::packet_traits<double>::size;

// value and first derivative by the formula with Eigen's pexp.
void reference(const Eigen::ArrayXd& z, Eigen::ArrayXd& value, Eigen::ArrayXd& first) {
  value.resize(z.size());
  first.resize(z.size());
  const Packet one = ei::pset1<Packet>(1.0);
  const Packet two = ei::pset1<Packet>(2.0);
  for (Eigen::Index i = 0; i + kLanes <= z.size(); i += kLanes) {
    const Packet e = ei::pexp(ei::pmul(two, ei::ploadu<Packet>(z.data() + i)));
    const Packet v = ei::psub(one, ei::pdiv(two, ei::padd(e, one)));
    ei::pstoreu(value.data() + i, v);
    ei::pstoreu(first.data() + i, ei::psub(one, ei::pmul(v, v)));
  }
}

bool same(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b));
}

void expect_same_as_reference(const Eigen::ArrayXd& z) {
  ASSERT_EQ(z.size() % kLanes, 0);
  Eigen::ArrayXd value(z.size()), first(z.size()), ref_value, ref_first;
  activation_value_and_first(Activation::tanh, z, value, first);
  reference(z, ref_value, ref_first);
  int mismatches = 0;
  for (Eigen::Index i = 0; i < z.size(); ++i) {
    if (!same(value[i], ref_value[i]) || !same(first[i], ref_first[i])) {
      if (++mismatches <= 5)
        ADD_FAILURE() << "z = " << z[i] << ": " << value[i] << " / " << first[i] << " against "
                      << ref_value[i] << " / " << ref_first[i];
    }
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(TanhBits, DenseSweepOfTheCurvedAndSaturatedRange) {
  // Steps of 2^-12 over [-40, 40] (tanh saturates to ±1 near |z| = 19).
  const Eigen::Index n = 80 * 4096;
  Eigen::ArrayXd z(n);
  for (Eigen::Index i = 0; i < n; ++i) z[i] = -40.0 + static_cast<double>(i) / 4096.0;
  expect_same_as_reference(z);
}

TEST(TanhBits, RandomMagnitudesAndSpecialValues) {
  core::Rng rng(3, 0, core::Purpose::user);
  std::vector<double> values;
  for (int i = 0; i < 200000; ++i) {
    // |z| from 1e-320 (subnormal) to 1e300, both signs.
    const double magnitude = std::pow(10.0, rng.uniform(-320.0, 300.0));
    values.push_back(rng.uniform(-1.0, 1.0) < 0.0 ? -magnitude : magnitude);
  }
  const double inf = std::numeric_limits<double>::infinity();
  for (double v : {0.0,
                   -0.0,
                   inf,
                   -inf,
                   std::numeric_limits<double>::quiet_NaN(),
                   354.89,
                   354.892,
                   -354.89,
                   -354.892,
                   354.9,
                   -354.9,
                   355.0,
                   -355.0,
                   709.78,
                   -709.78,
                   1e-300,
                   -1e-300,
                   4.9e-324,
                   std::numeric_limits<double>::max(),
                   -std::numeric_limits<double>::max(),
                   19.06,
                   -19.06,
                   18.7,
                   -18.7})
    values.push_back(v);
  // Near the ends of exp's clamp, where n = ±1024 and the two exps differ.
  for (int i = -2000; i <= 2000; ++i) {
    values.push_back(354.892 + i * 1e-6);
    values.push_back(-354.892 - i * 1e-6);
    values.push_back(354.5 + i * 1e-4);
    values.push_back(-354.5 - i * 1e-4);
  }
  while (values.size() % kLanes != 0) values.push_back(0.5);
  expect_same_as_reference(Eigen::Map<Eigen::ArrayXd>(values.data(), values.size()));
}

}  // namespace
}  // namespace dynlearn::nn
