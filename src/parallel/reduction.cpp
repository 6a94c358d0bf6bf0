#include "dynlearn/parallel/reduction.hpp"

#include <deque>
#include <stdexcept>
#include <string>

#include "dynlearn/core/error.hpp"

namespace dynlearn::parallel {
namespace {

/// The split point of tree node [lo, hi): the left child gets the larger half.
std::size_t split(std::size_t lo, std::size_t hi) {
  return lo + (hi - lo + 1) / 2;
}

int owner_of(std::size_t shard, std::size_t n_shards, int nranks) {
  const std::size_t p = static_cast<std::size_t>(nranks);
  const std::size_t base = n_shards / p, extra = n_shards % p;
  const std::size_t big = extra * (base + 1);  // shards held by the ranks one larger
  if (shard < big) return static_cast<int>(shard / (base + 1));
  return static_cast<int>(extra + (shard - big) / base);
}

Eigen::VectorXd local_tree(const std::vector<Eigen::VectorXd>& partials, std::size_t lo,
                           std::size_t hi) {
  if (hi - lo == 1) return partials[lo];
  const std::size_t mid = split(lo, hi);
  Eigen::VectorXd sum = local_tree(partials, lo, mid);
  sum += local_tree(partials, mid, hi);
  return sum;
}

/// One rank's part of the distributed tree evaluation.
class TreeWalk {
 public:
  TreeWalk(MPI_Comm comm, std::size_t n_shards, int rank, int nranks,
           const std::vector<Eigen::VectorXd>& partials, Eigen::Index length,
           const double* flag_slot)
      : comm_(comm),
        n_shards_(n_shards),
        rank_(rank),
        nranks_(nranks),
        mine_(block_range(n_shards, rank, nranks)),
        partials_(partials),
        length_(length),
        flag_slot_(flag_slot),
        width_(length + (flag_slot ? 1 : 0)) {}

  /// Computes every node this rank is responsible for: sends right children
  /// whose parents live on lower ranks, and returns the root on rank 0.
  Eigen::VectorXd run() {
    Eigen::VectorXd root;
    if (!mine_.empty()) walk(0, n_shards_, root);
    if (!requests_.empty())
      MPI_Waitall(static_cast<int>(requests_.size()), requests_.data(), MPI_STATUSES_IGNORE);
    return root;
  }

 private:
  int owner(std::size_t shard) const { return owner_of(shard, n_shards_, nranks_); }

  bool intersects_mine(std::size_t lo, std::size_t hi) const {
    return lo < mine_.end && mine_.begin < hi;
  }

  // Descends from the root through nodes that start on a lower rank, down to
  // the nodes this rank owns whose parents it does not own.
  void walk(std::size_t lo, std::size_t hi, Eigen::VectorXd& root) {
    if (owner(lo) == rank_) {  // only the root can get here without a parent elsewhere
      root = node(lo, hi);
      return;
    }
    const std::size_t mid = split(lo, hi);
    if (intersects_mine(lo, mid)) walk(lo, mid, root);
    if (!intersects_mine(mid, hi)) return;
    if (owner(mid) == rank_) {
      outgoing_.push_back(node(mid, hi));
      requests_.emplace_back();
      MPI_Isend(outgoing_.back().data(), static_cast<int>(width_), MPI_DOUBLE, owner(lo),
                static_cast<int>(mid), comm_, &requests_.back());
    } else {
      walk(mid, hi, root);
    }
  }

  // Value of node [lo, hi), on the rank owning shard lo.
  Eigen::VectorXd node(std::size_t lo, std::size_t hi) {
    if (hi - lo == 1) return leaf(lo);
    const std::size_t mid = split(lo, hi);
    Eigen::VectorXd sum = node(lo, mid);
    if (owner(mid) == rank_) {
      sum += node(mid, hi);
    } else {
      Eigen::VectorXd right(width_);
      MPI_Recv(right.data(), static_cast<int>(width_), MPI_DOUBLE, owner(mid),
               static_cast<int>(mid), comm_, MPI_STATUS_IGNORE);
      sum += right;
    }
    return sum;
  }

  Eigen::VectorXd leaf(std::size_t shard) const {
    const Eigen::VectorXd& p = partials_[shard - mine_.begin];
    if (!flag_slot_) return p;
    Eigen::VectorXd v(width_);
    v.head(length_) = p;
    // The rank's flag rides in its first shard; other shards add zero.
    v[length_] = shard == mine_.begin ? *flag_slot_ : 0.0;
    return v;
  }

  MPI_Comm comm_;
  std::size_t n_shards_;
  int rank_, nranks_;
  IndexRange mine_;
  const std::vector<Eigen::VectorXd>& partials_;
  Eigen::Index length_;
  const double* flag_slot_;
  Eigen::Index width_;
  std::deque<Eigen::VectorXd> outgoing_;  // deque: buffers must not move while in flight
  std::vector<MPI_Request> requests_;
};

}  // namespace

ShardLayout::ShardLayout(std::size_t n_items, std::size_t n_shards, int rank, int nranks)
    : n_items_(n_items), n_shards_(n_shards), rank_(rank), nranks_(nranks) {
  if (n_shards == 0) throw InputError("the number of trajectory shards must be at least 1");
}

ShardLayout::ShardLayout(std::size_t n_items, std::size_t n_shards, MPI_Comm comm)
    : ShardLayout(n_items, n_shards, 0, 1) {
  MPI_Comm_rank(comm, &rank_);
  MPI_Comm_size(comm, &nranks_);
}

IndexRange ShardLayout::shard_items(std::size_t shard) const {
  return block_range(n_items_, static_cast<int>(shard), static_cast<int>(n_shards_));
}

IndexRange ShardLayout::owned_items() const {
  const IndexRange s = owned_shards();
  if (s.empty()) return {n_items_, n_items_};
  return {shard_items(s.begin).begin, shard_items(s.end - 1).end};
}

int ShardLayout::owner(std::size_t shard) const {
  return owner_of(shard, n_shards_, nranks_);
}

Eigen::VectorXd shard_tree_sum(const std::vector<Eigen::VectorXd>& partials) {
  if (partials.empty()) throw std::invalid_argument("shard_tree_sum: no partials");
  return local_tree(partials, 0, partials.size());
}

DeterministicSum::DeterministicSum(MPI_Comm comm, std::size_t n_shards) : n_shards_(n_shards) {
  if (n_shards == 0) throw InputError("the number of trajectory shards must be at least 1");
  // Messages are tagged by the split point of their parent node.
  int* tag_ub = nullptr;
  int found = 0;
  MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &tag_ub, &found);
  const std::size_t max_tag = found && tag_ub ? static_cast<std::size_t>(*tag_ub) : 32767;
  if (n_shards > max_tag)
    throw InputError("too many trajectory shards (" + std::to_string(n_shards) +
                     "); this MPI allows at most " + std::to_string(max_tag));
  MPI_Comm_dup(comm, &comm_);
  MPI_Comm_rank(comm_, &rank_);
  MPI_Comm_size(comm_, &nranks_);
}

DeterministicSum::~DeterministicSum() {
  if (comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
}

IndexRange DeterministicSum::owned_shards() const {
  return block_range(n_shards_, rank_, nranks_);
}

Eigen::VectorXd DeterministicSum::reduce(const std::vector<Eigen::VectorXd>& partials,
                                         Eigen::Index length, const double* flag_slot) const {
  if (partials.size() != owned_shards().size())
    throw std::invalid_argument("DeterministicSum: rank " + std::to_string(rank_) + " owns " +
                                std::to_string(owned_shards().size()) + " shards but passed " +
                                std::to_string(partials.size()) + " partials");
  for (const auto& p : partials)
    if (p.size() != length)
      throw std::invalid_argument("DeterministicSum: a partial has " + std::to_string(p.size()) +
                                  " entries, expected " + std::to_string(length));
  const Eigen::Index width = length + (flag_slot ? 1 : 0);
  Eigen::VectorXd result =
      TreeWalk(comm_, n_shards_, rank_, nranks_, partials, length, flag_slot).run();
  if (rank_ != 0) result.resize(width);
  if (nranks_ > 1) MPI_Bcast(result.data(), static_cast<int>(width), MPI_DOUBLE, 0, comm_);
  return result;
}

Eigen::VectorXd DeterministicSum::sum(const std::vector<Eigen::VectorXd>& partials,
                                      Eigen::Index length) const {
  return reduce(partials, length, nullptr);
}

SumWithFlag DeterministicSum::sum(const std::vector<Eigen::VectorXd>& partials, Eigen::Index length,
                                  bool flag) const {
  const double slot = flag ? 1.0 : 0.0;
  Eigen::VectorXd full = reduce(partials, length, &slot);
  SumWithFlag out;
  out.flag = full[length] > 0.0;
  out.sum = full.head(length);
  if (static_cast<std::size_t>(nranks_) > n_shards_) out.flag = any_rank(flag || out.flag, comm_);
  return out;
}

bool any_rank(bool flag, MPI_Comm comm) {
  int local = flag ? 1 : 0, global = 0;
  MPI_Allreduce(&local, &global, 1, MPI_INT, MPI_LOR, comm);
  return global != 0;
}

}  // namespace dynlearn::parallel
