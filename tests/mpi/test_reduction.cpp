// The deterministic reduction gives the same bits on any number of ranks:
// every rank recomputes all shard partials locally and adds them in the
// reference tree order; the distributed sum must match it exactly. Run under
// mpiexec -n 1, 2 and 3, with shard counts below and above the rank count.
#include <gtest/gtest.h>

#include "../same_bits.hpp"

#include <cmath>
#include <cstring>

#include "dynlearn/core/rng.hpp"
#include "dynlearn/parallel/environment.hpp"
#include "dynlearn/parallel/reduction.hpp"

using namespace dynlearn;

using dynlearn::testing::same_bits;

namespace {

constexpr Eigen::Index length = 37;

/// Trajectory i's contribution: entries spanning 40 orders of magnitude and
/// both signs, so that any change in the order of additions changes bits.
Eigen::VectorXd contribution(std::size_t i) {
  core::Rng rng(2024, i, core::Purpose::user);
  Eigen::VectorXd v(length);
  for (Eigen::Index k = 0; k < length; ++k)
    v[k] = rng.normal() * std::pow(10.0, rng.uniform(-20.0, 20.0));
  return v;
}

Eigen::VectorXd shard_partial(const parallel::ShardLayout& layout, std::size_t shard) {
  Eigen::VectorXd sum = Eigen::VectorXd::Zero(length);
  const auto items = layout.shard_items(shard);
  for (std::size_t i = items.begin; i < items.end; ++i) sum += contribution(i);
  return sum;
}

struct Case {
  std::size_t items, shards;
};

class ReductionRanks : public ::testing::TestWithParam<Case> {};

}  // namespace

TEST_P(ReductionRanks, SameBitsAsSerialShardTree) {
  const auto [n_items, n_shards] = GetParam();
  const parallel::ShardLayout layout(n_items, n_shards, MPI_COMM_WORLD);
  const parallel::DeterministicSum reducer(MPI_COMM_WORLD, n_shards);

  std::vector<Eigen::VectorXd> all;
  for (std::size_t s = 0; s < n_shards; ++s) all.push_back(shard_partial(layout, s));
  const Eigen::VectorXd expected = parallel::shard_tree_sum(all);
  if (n_shards >= 5) {
    // The data are sensitive to the order: a plain left fold gives other bits.
    Eigen::VectorXd fold = all[0];
    for (std::size_t s = 1; s < n_shards; ++s) fold += all[s];
    EXPECT_FALSE(same_bits(fold, expected));
  }

  std::vector<Eigen::VectorXd> mine;
  const auto owned = reducer.owned_shards();
  for (std::size_t s = owned.begin; s < owned.end; ++s) mine.push_back(all[s]);
  const Eigen::VectorXd got = reducer.sum(mine, length);
  EXPECT_TRUE(same_bits(got, expected))
      << "rank " << parallel::rank() << ", difference " << (got - expected).cwiseAbs().maxCoeff();

  const auto with_flag = reducer.sum(mine, length, false);
  EXPECT_TRUE(same_bits(with_flag.sum, expected));
  EXPECT_FALSE(with_flag.flag);
}

TEST_P(ReductionRanks, FlagIsOrOfAllRanks) {
  const auto [n_items, n_shards] = GetParam();
  const parallel::ShardLayout layout(n_items, n_shards, MPI_COMM_WORLD);
  const parallel::DeterministicSum reducer(MPI_COMM_WORLD, n_shards);
  std::vector<Eigen::VectorXd> mine;
  const auto owned = reducer.owned_shards();
  for (std::size_t s = owned.begin; s < owned.end; ++s) mine.push_back(shard_partial(layout, s));
  const int nranks = parallel::size();
  // raiser = -1: nobody; nranks: everybody; otherwise that one rank.
  for (int raiser = -1; raiser <= nranks; ++raiser) {
    const bool flag = raiser == nranks || raiser == parallel::rank();
    const auto result = reducer.sum(mine, length, flag);
    EXPECT_EQ(result.flag, raiser >= 0) << "raised by " << raiser;
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, ReductionRanks,
                         ::testing::Values(Case{1, 1}, Case{5, 2}, Case{23, 3}, Case{23, 5},
                                           Case{64, 7}, Case{100, 16}, Case{3, 4}),
                         [](const auto& info) {
                           std::string name = "n";
                           name += std::to_string(info.param.items);
                           name += "_shards";
                           name += std::to_string(info.param.shards);
                           return name;
                         });

TEST(ShardLayout, OwnersMatchBlockRanges) {
  for (int nranks = 1; nranks <= 9; ++nranks) {
    for (std::size_t shards = 1; shards <= 20; ++shards) {
      std::size_t covered = 0;
      for (int r = 0; r < nranks; ++r) {
        const parallel::ShardLayout layout(50, shards, r, nranks);
        const auto owned = layout.owned_shards();
        EXPECT_EQ(owned.begin, covered);
        for (std::size_t s = owned.begin; s < owned.end; ++s) EXPECT_EQ(layout.owner(s), r);
        covered = owned.end;
        const auto items = layout.owned_items();
        if (!owned.empty()) {
          EXPECT_EQ(items.begin, layout.shard_items(owned.begin).begin);
          EXPECT_EQ(items.end, layout.shard_items(owned.end - 1).end);
        } else {
          EXPECT_TRUE(items.empty());
        }
      }
      EXPECT_EQ(covered, shards);
    }
  }
}

TEST(AnyRank, OrOverRanks) {
  EXPECT_FALSE(parallel::any_rank(false, MPI_COMM_WORLD));
  EXPECT_TRUE(parallel::any_rank(parallel::rank() == parallel::size() - 1, MPI_COMM_WORLD));
}
