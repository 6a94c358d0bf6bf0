// Sums over MPI ranks whose bits do not depend on the number of ranks
// (DESIGN.md, Parallelism): trajectories are split into a fixed number of
// shards, and shard partials are added along a fixed tree that depends only
// on the shard count.
#pragma once

#include <mpi.h>

#include <Eigen/Dense>
#include <cstddef>
#include <vector>

#include "dynlearn/parallel/partition.hpp"

namespace dynlearn::parallel {

/// Which trajectories make up each shard, and which shards a rank owns.
/// Shard s holds trajectories block_range(n_items, s, n_shards); rank r owns
/// shards block_range(n_shards, r, nranks). When there are more ranks than
/// shards, ranks n_shards.. own no shard (and no trajectory): they still take
/// part in every reduction and receive its result.
class ShardLayout {
 public:
  ShardLayout(std::size_t n_items, std::size_t n_shards, int rank, int nranks);
  ShardLayout(std::size_t n_items, std::size_t n_shards, MPI_Comm comm);

  std::size_t n_items() const { return n_items_; }
  std::size_t n_shards() const { return n_shards_; }
  int nranks() const { return nranks_; }
  /// Shards owned by this rank.
  IndexRange owned_shards() const { return block_range(n_shards_, rank_, nranks_); }
  /// Trajectories of one shard.
  IndexRange shard_items(std::size_t shard) const;
  /// Trajectories of all shards this rank owns (contiguous).
  IndexRange owned_items() const;
  /// The rank owning `shard`.
  int owner(std::size_t shard) const;

 private:
  std::size_t n_items_, n_shards_;
  int rank_, nranks_;
};

/// The reference order: partials[0..S) added along the fixed pairwise tree
/// (node [lo, hi) = [lo, mid) + [mid, hi), mid = lo + ceil((hi - lo) / 2)).
/// DeterministicSum returns exactly these bits on any number of ranks.
Eigen::VectorXd shard_tree_sum(const std::vector<Eigen::VectorXd>& partials);

/// Result of a reduction that carries an interrupt flag along.
struct SumWithFlag {
  Eigen::VectorXd sum;
  bool flag = false;
};

/// The tree of shard_tree_sum, evaluated across ranks. Each tree node is
/// computed by the rank owning its first shard: subtrees inside one rank are
/// added locally, and a right child owned by another rank is sent to the
/// owner of its parent (always a lower rank). Rank 0 ends with the root and
/// broadcasts it.
///
/// Cost per rank: at most ceil(log2 S) point-to-point messages of the
/// vector's length in each direction (usually a few: only tree nodes
/// straddling the rank's shard boundaries cross ranks), plus one broadcast.
/// With one rank there is no communication at all.
///
/// Construct collectively (it duplicates `comm` so its messages cannot match
/// anyone else's); sum() is collective over that communicator.
class DeterministicSum {
 public:
  DeterministicSum(MPI_Comm comm, std::size_t n_shards);
  ~DeterministicSum();
  DeterministicSum(const DeterministicSum&) = delete;
  DeterministicSum& operator=(const DeterministicSum&) = delete;

  std::size_t n_shards() const { return n_shards_; }
  /// Shards owned by this rank: sum() expects one partial for each, in order.
  IndexRange owned_shards() const;

  /// Returns on every rank the tree sum of all shard partials. `partials`
  /// holds this rank's owned shards in order, each of size `length` (every
  /// rank passes the same length, also ranks owning no shard).
  Eigen::VectorXd sum(const std::vector<Eigen::VectorXd>& partials, Eigen::Index length) const;

  /// As sum(), and ORs `flag` over all ranks in the same messages (one extra
  /// slot holding the number of raised flags, exact in any order). When
  /// ranks own no shard (more ranks than shards) their flags are OR-ed by an
  /// extra MPI_Allreduce of one int.
  SumWithFlag sum(const std::vector<Eigen::VectorXd>& partials, Eigen::Index length,
                  bool flag) const;

 private:
  Eigen::VectorXd reduce(const std::vector<Eigen::VectorXd>& partials, Eigen::Index length,
                         const double* flag_slot) const;

  MPI_Comm comm_ = MPI_COMM_NULL;
  std::size_t n_shards_;
  int rank_ = 0, nranks_ = 1;
};

/// True on every rank when `flag` is true on any rank of `comm`.
bool any_rank(bool flag, MPI_Comm comm);

}  // namespace dynlearn::parallel
