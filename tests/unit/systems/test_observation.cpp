#include <gtest/gtest.h>

#include <cmath>

#include "dynlearn/io/config.hpp"
#include "dynlearn/systems/observation.hpp"

using namespace dynlearn;

TEST(Observation, UniformGrid) {
  io::DataConfig data;
  data.t0 = 1.0;
  data.dt = 0.25;
  const auto t = systems::sample_times(data, 4, {1, 0});
  ASSERT_EQ(t.size(), 5);
  for (int k = 0; k <= 4; ++k) EXPECT_DOUBLE_EQ(t(k), 1.0 + 0.25 * k);
}

TEST(Observation, RandomGridIsASortedSubsetKeepingTheFirstSample) {
  io::DataConfig data;
  data.grid = "random";
  data.keep_fraction = 0.25;
  data.dt = 0.1;
  const auto a = systems::sample_times(data, 99, {3, 7});
  const auto b = systems::sample_times(data, 99, {3, 7});
  const auto c = systems::sample_times(data, 99, {3, 8});
  ASSERT_EQ(a.size(), 25);
  EXPECT_EQ(systems::sample_count(data, 99), 25);
  EXPECT_EQ(a, b);  // same key, same grid
  EXPECT_NE(a, c);  // another trajectory, another grid
  EXPECT_DOUBLE_EQ(a(0), 0.0);
  for (int k = 1; k < a.size(); ++k) {
    EXPECT_GT(a(k), a(k - 1));
    const double steps = a(k) / data.dt;
    EXPECT_NEAR(steps, std::round(steps), 1e-9);  // on the uniform grid
  }
}

TEST(Observation, GaussLobattoGridHasTheKnownNodes) {
  io::DataConfig data;
  data.grid = "gauss_lobatto";
  data.dt = 0.5;
  // 5 GLL points on [-1, 1]: 0, +-1, +-sqrt(3/7); mapped to [0, 2].
  const auto t = systems::sample_times(data, 4, {1, 0});
  ASSERT_EQ(t.size(), 5);
  const double r = std::sqrt(3.0 / 7.0);
  const double expected[5] = {0.0, 1.0 - r, 1.0, 1.0 + r, 2.0};
  for (int k = 0; k < 5; ++k) EXPECT_NEAR(t(k), expected[k], 1e-13);
}

TEST(Observation, NoiseHasTheRequestedScale) {
  io::DataConfig data;
  data.noise = 0.1;
  Eigen::MatrixXd x = Eigen::MatrixXd::Constant(2, 20000, 3.0);
  const std::vector<int> all = {0, 1};
  const Eigen::MatrixXd y = systems::observe(data, all, x, {1, 0});
  const Eigen::MatrixXd e = y - x;
  const double mean = e.mean();
  const double std = std::sqrt((e.array() - mean).square().mean());
  EXPECT_NEAR(mean, 0.0, 0.003);
  EXPECT_NEAR(std, 0.1, 0.002);
  data.noise_kind = "relative";
  const Eigen::MatrixXd z = systems::observe(data, all, x, {1, 0});
  EXPECT_NEAR(std::sqrt((z - x).array().square().mean()), 0.3, 0.005);  // 10 % of RMS 3
  data.noise = 0.0;
  EXPECT_EQ(systems::observe(data, all, x, {1, 0}), x);
}

TEST(Observation, PositionOnlyKeepsTheObservedRows) {
  io::DataConfig data;
  Eigen::MatrixXd x(4, 3);
  x << 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12;
  const Eigen::MatrixXd y = systems::observe(data, {0, 2}, x, {1, 0});
  ASSERT_EQ(y.rows(), 2);
  EXPECT_EQ(y.row(0), x.row(0));
  EXPECT_EQ(y.row(1), x.row(2));
}
