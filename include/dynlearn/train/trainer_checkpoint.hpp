// A trainer's state as a checkpoint and back: parameters, optimizer and
// scheduler state, history, epoch, and the per-trajectory ISO initial states
// (distributed rows: each rank writes and reads the trajectories it owns).
#pragma once

#include "dynlearn/io/checkpoint_file.hpp"
#include "dynlearn/parallel/partition.hpp"
#include "dynlearn/train/trainer.hpp"

namespace dynlearn::train {

/// `owned` are the global trajectory rows of this rank, `n_trajectories` all.
io::Checkpoint to_checkpoint(const TrainerState& state, const parallel::IndexRange& owned,
                             std::size_t n_trajectories);

/// The inverse of to_checkpoint; `dim` and `windows` shape the ISO states.
TrainerState from_checkpoint(const io::Checkpoint& checkpoint, Eigen::Index dim, Eigen::Index windows);

}  // namespace dynlearn::train
