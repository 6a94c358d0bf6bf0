#include "dynlearn/spectral/block_nodal_values.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "dynlearn/core/petsc_check.hpp"

namespace dynlearn::spectral {

namespace {

// Global indices of this block's ghosts: the next block's first node of each
// trajectory, in the next block's owned entries.
PetscErrorCode create(MPI_Comm comm, PetscInt owned, const std::vector<PetscInt>& ghosts,
                      Vec* vec) {
  PetscFunctionBeginUser;
  PetscCall(VecCreateGhost(comm, owned, PETSC_DECIDE, static_cast<PetscInt>(ghosts.size()),
                           ghosts.empty() ? nullptr : ghosts.data(), vec));
  PetscFunctionReturn(0);
}

PetscErrorCode scatter(Vec vec, InsertMode mode, ScatterMode direction) {
  PetscFunctionBeginUser;
  PetscCall(VecGhostUpdateBegin(vec, mode, direction));
  PetscCall(VecGhostUpdateEnd(vec, mode, direction));
  PetscFunctionReturn(0);
}

}  // namespace

BlockNodalValues::BlockNodalValues(MPI_Comm time_comm, std::size_t trajectories,
                                   Eigen::Index state_dim, int local_nodes, bool shares_next)
    : trajectories_(trajectories),
      state_dim_(state_dim),
      local_nodes_(local_nodes),
      owned_nodes_(std::max(0, local_nodes - (shares_next ? 1 : 0))) {
  // Where each block's owned entries start in the global Vec, and how many
  // nodes it owns per trajectory (to address the next block's first node).
  int blocks = 1, block = 0;
  MPI_Comm_size(time_comm, &blocks);
  MPI_Comm_rank(time_comm, &block);
  blocks_ = blocks;
  const long long mine[2] = {static_cast<long long>(owned_size()), owned_nodes_};
  std::vector<long long> all(2 * static_cast<std::size_t>(blocks));
  MPI_Allgather(mine, 2, MPI_LONG_LONG, all.data(), 2, MPI_LONG_LONG, time_comm);
  std::vector<PetscInt> ghosts;
  if (shares_next && local_nodes > 0 && block + 1 < blocks) {
    long long start = 0;
    for (int b = 0; b <= block; ++b) start += all[2 * static_cast<std::size_t>(b)];
    const long long next_owned = all[2 * static_cast<std::size_t>(block) + 3];
    for (std::size_t i = 0; i < trajectories; ++i)
      for (Eigen::Index c = 0; c < state_dim; ++c)
        ghosts.push_back(
            static_cast<PetscInt>(start + static_cast<long long>(i) * next_owned * state_dim + c));
  }
  core::check_petsc(create(time_comm, static_cast<PetscInt>(owned_size()), ghosts, &vec_),
                    "creating the SNet nodal-value Vec");
  acquire();
  set_zero();
}

BlockNodalValues BlockNodalValues::like() const {
  BlockNodalValues copy;
  copy.trajectories_ = trajectories_;
  copy.state_dim_ = state_dim_;
  copy.local_nodes_ = local_nodes_;
  copy.owned_nodes_ = owned_nodes_;
  copy.blocks_ = blocks_;
  core::check_petsc(VecDuplicate(vec_, &copy.vec_), "duplicating the SNet nodal-value Vec");
  copy.acquire();
  copy.set_zero();
  return copy;
}

BlockNodalValues::~BlockNodalValues() {
  if (!vec_) return;
  release();
  VecDestroy(&vec_);
}

BlockNodalValues::BlockNodalValues(BlockNodalValues&& other) noexcept
    : vec_(std::exchange(other.vec_, nullptr)),
      local_form_(std::exchange(other.local_form_, nullptr)),
      array_(std::exchange(other.array_, nullptr)),
      trajectories_(other.trajectories_),
      state_dim_(other.state_dim_),
      local_nodes_(other.local_nodes_),
      owned_nodes_(other.owned_nodes_),
      blocks_(other.blocks_) {}

BlockNodalValues& BlockNodalValues::operator=(BlockNodalValues&& other) noexcept {
  if (this != &other) {
    if (vec_) {
      release();
      VecDestroy(&vec_);
    }
    vec_ = std::exchange(other.vec_, nullptr);
    local_form_ = std::exchange(other.local_form_, nullptr);
    array_ = std::exchange(other.array_, nullptr);
    trajectories_ = other.trajectories_;
    state_dim_ = other.state_dim_;
    local_nodes_ = other.local_nodes_;
    owned_nodes_ = other.owned_nodes_;
    blocks_ = other.blocks_;
  }
  return *this;
}

void BlockNodalValues::acquire() {
  core::check_petsc(VecGhostGetLocalForm(vec_, &local_form_), "the SNet nodal values' local form");
  core::check_petsc(VecGetArray(local_form_, &array_), "the SNet nodal values' array");
}

void BlockNodalValues::release() {
  // Called from the destructor too: errors cannot be thrown from there, and
  // restoring what was checked out does not fail.
  VecRestoreArray(local_form_, &array_);
  VecGhostRestoreLocalForm(vec_, &local_form_);
  array_ = nullptr;
  local_form_ = nullptr;
}

Eigen::MatrixXd BlockNodalValues::local(std::size_t i) const {
  Eigen::MatrixXd x(state_dim_, local_nodes_);
  for (int k = 0; k < local_nodes_; ++k)
    x.col(k) = Eigen::Map<const Eigen::VectorXd>(node(i, k), state_dim_);
  return x;
}

void BlockNodalValues::set_local(std::size_t i, const Eigen::Ref<const Eigen::MatrixXd>& values) {
  for (int k = 0; k < local_nodes_; ++k)
    Eigen::Map<Eigen::VectorXd>(node(i, k), state_dim_) = values.col(k);
}

void BlockNodalValues::set_zero() {
  PetscInt size = 0;
  VecGetLocalSize(local_form_, &size);
  std::fill(array_, array_ + size, 0.0);
}

void BlockNodalValues::update_ghosts() {
  if (blocks_ == 1) return;  // one block: no ghosts anywhere
  release();
  const PetscErrorCode ierr = scatter(vec_, INSERT_VALUES, SCATTER_FORWARD);
  acquire();
  core::check_petsc(ierr, "updating the SNet interface nodes");
}

void BlockNodalValues::sum_shared_nodes() {
  if (blocks_ == 1) return;  // one block: no shared nodes
  release();
  PetscErrorCode ierr = scatter(vec_, ADD_VALUES, SCATTER_REVERSE);
  if (ierr == 0) ierr = scatter(vec_, INSERT_VALUES, SCATTER_FORWARD);
  acquire();
  core::check_petsc(ierr, "summing the SNet interface nodes");
}

}  // namespace dynlearn::spectral
