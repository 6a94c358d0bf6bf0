// The nodal values of a time block's trajectories as a ghosted PETSc Vec
// over the time communicator (SNet's coefficient vectors). Along the chain
// every block owns its nodes but the last one, which it shares with the next
// block: that interface node is owned by the next block and is a ghost here.
// The local form (owned values, then the ghosts) is everything the block's
// elements touch, so residuals are evaluated locally; ghost updates carry
// interface values between neighbouring blocks.
//
// Layout: owned entries trajectory by trajectory, each owned_nodes() columns
// of state_dim values (column-major: state components fastest), then one
// ghost column per trajectory. The global Vec is the concatenation over the
// blocks (so the owned parts, in block order, are whole chains).
#pragma once

#include <mpi.h>
#include <petscvec.h>

#include <Eigen/Dense>
#include <cstddef>

namespace dynlearn::spectral {

class BlockNodalValues {
 public:
  /// Collective over time_comm (whose rank is the block's place along the
  /// chain). Each of `trajectories` local trajectories holds local_nodes
  /// nodes of state_dim values; shares_next: the last of them is the next
  /// block's first (all blocks but the last). Zero-filled.
  BlockNodalValues(MPI_Comm time_comm, std::size_t trajectories, Eigen::Index state_dim,
                   int local_nodes, bool shares_next);
  /// A zero-filled vector of the same layout (VecDuplicate).
  BlockNodalValues like() const;
  ~BlockNodalValues();
  BlockNodalValues(BlockNodalValues&& other) noexcept;
  BlockNodalValues& operator=(BlockNodalValues&& other) noexcept;
  BlockNodalValues(const BlockNodalValues&) = delete;
  BlockNodalValues& operator=(const BlockNodalValues&) = delete;

  std::size_t trajectories() const { return trajectories_; }
  Eigen::Index state_dim() const { return state_dim_; }
  int local_nodes() const { return local_nodes_; }
  /// local_nodes() less the shared interface node.
  int owned_nodes() const { return owned_nodes_; }
  /// The PETSc Vec (global form: this block's owned entries).
  Vec vec() const { return vec_; }

  /// The state_dim values of local node k (0 <= k < local_nodes()) of
  /// trajectory i, in the local form.
  double* node(std::size_t i, int k) { return array_ + offset(i, k); }
  const double* node(std::size_t i, int k) const { return array_ + offset(i, k); }
  /// Trajectory i over all local nodes (a copy, state_dim x local_nodes()).
  Eigen::MatrixXd local(std::size_t i) const;
  /// Sets trajectory i over all local nodes, ghost included (every block
  /// computes the same values for a shared node, so no update is needed).
  void set_local(std::size_t i, const Eigen::Ref<const Eigen::MatrixXd>& values);
  /// The owned entries, contiguous.
  Eigen::Map<Eigen::VectorXd> owned() { return {array_, static_cast<Eigen::Index>(owned_size())}; }
  Eigen::Map<const Eigen::VectorXd> owned() const {
    return {array_, static_cast<Eigen::Index>(owned_size())};
  }
  /// The whole local form (owned entries, then the ghosts), contiguous.
  Eigen::Map<Eigen::VectorXd> local_form() {
    return {array_, static_cast<Eigen::Index>(owned_size() + ghost_size())};
  }
  /// Zeroes the local form (owned and ghost entries).
  void set_zero();

  /// Ghosts take their owners' values (forward scatter, INSERT_VALUES).
  void update_ghosts();
  /// Both copies of each shared node hold the sum of the two: the ghost
  /// contributions are added to their owners (reverse scatter, ADD_VALUES,
  /// one addition owner + ghost, and a + b == b + a exactly), then the sums
  /// are sent back to the ghosts.
  void sum_shared_nodes();

 private:
  BlockNodalValues() = default;
  std::size_t owned_size() const {
    return trajectories_ * static_cast<std::size_t>(owned_nodes_ * state_dim_);
  }
  std::size_t ghost_size() const {
    return owned_nodes_ < local_nodes_ ? trajectories_ * static_cast<std::size_t>(state_dim_) : 0;
  }
  std::ptrdiff_t offset(std::size_t i, int k) const {
    const auto n = static_cast<std::ptrdiff_t>(state_dim_);
    if (k < owned_nodes_) return (static_cast<std::ptrdiff_t>(i) * owned_nodes_ + k) * n;
    return static_cast<std::ptrdiff_t>(owned_size()) + static_cast<std::ptrdiff_t>(i) * n;
  }
  /// Checks the local form's array out of PETSc (held between ghost updates).
  void acquire();
  void release();

  Vec vec_ = nullptr, local_form_ = nullptr;
  double* array_ = nullptr;
  std::size_t trajectories_ = 0;
  Eigen::Index state_dim_ = 0;
  int local_nodes_ = 0, owned_nodes_ = 0;
  int blocks_ = 1;  // size of the time communicator: 1 means nothing is shared
};

}  // namespace dynlearn::spectral
