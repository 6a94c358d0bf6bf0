#include <gtest/gtest.h>

#include <cmath>

#include "dynlearn/core/rng.hpp"

using dynlearn::core::Purpose;
using dynlearn::core::Rng;

TEST(Rng, SameKeySameStream) {
  Rng a(7, 3, Purpose::noise), b(7, 3, Purpose::noise);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.next_u64(), b.next_u64());
}

TEST(Rng, DifferentKeysDiffer) {
  Rng a(7, 3, Purpose::noise), b(7, 4, Purpose::noise), c(7, 3, Purpose::initial_state),
      d(8, 3, Purpose::noise);
  const auto va = a.next_u64();
  EXPECT_NE(va, b.next_u64());
  EXPECT_NE(va, c.next_u64());
  EXPECT_NE(va, d.next_u64());
}

TEST(Rng, UniformAndNormalMoments) {
  Rng rng(1, 0, Purpose::user);
  const int n = 200000;
  double su = 0, sn = 0, sn2 = 0;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    su += u;
    const double z = rng.normal();
    sn += z;
    sn2 += z * z;
  }
  EXPECT_NEAR(su / n, 0.5, 0.005);
  EXPECT_NEAR(sn / n, 0.0, 0.01);
  EXPECT_NEAR(sn2 / n, 1.0, 0.01);
}

TEST(Rng, BelowIsInRangeAndCoversIt) {
  Rng rng(2, 0, Purpose::user);
  int seen[5] = {0, 0, 0, 0, 0};
  for (int i = 0; i < 1000; ++i) {
    auto v = rng.below(5);
    ASSERT_LT(v, 5u);
    ++seen[v];
  }
  for (int s : seen) EXPECT_GT(s, 150);
}
