// Checkpoints written by all ranks: each rank writes the per-trajectory rows
// it owns; the rows read back on any split, and the file holds the same
// content as one written by a single process.
#include <gtest/gtest.h>

#include "../same_bits.hpp"

#include <cstring>
#include <filesystem>

#include "dynlearn/core/log.hpp"
#include "dynlearn/io/checkpoint_file.hpp"
#include "dynlearn/parallel/environment.hpp"
#include "dynlearn/parallel/partition.hpp"

using namespace dynlearn;

using dynlearn::testing::same_bits;

namespace {

/// Row `row` of a per-trajectory array: distinct, non-trivial bits.
Eigen::VectorXd row_values(std::size_t row, Eigen::Index size) {
  Eigen::VectorXd v(size);
  for (Eigen::Index k = 0; k < size; ++k) v[k] = std::sin(1.0 + row * 7.0 + k) / (1.0 + k) * 1e3;
  return v;
}

io::DistributedRows rows(std::size_t global, Eigen::Index size, parallel::IndexRange mine) {
  io::DistributedRows r;
  r.global_rows = global;
  r.first_row = mine.begin;
  r.local.resize(size, static_cast<Eigen::Index>(mine.size()));
  for (std::size_t i = mine.begin; i < mine.end; ++i)
    r.local.col(static_cast<Eigen::Index>(i - mine.begin)) = row_values(i, size);
  return r;
}

/// The checkpoint as seen by `rank` of `nranks`: the arrays hold its rows.
io::Checkpoint checkpoint(int rank, int nranks) {
  io::Checkpoint c;
  c.iteration = 120;
  c.vectors["parameters"] = Eigen::VectorXd::LinSpaced(9, -1.0, 1.0) / 3.0;
  c.scalars["best_loss"] = 1.0 / 7.0;
  c.integers["rng/counter"] = 123456789012345;
  c.strings["optimizer/kind"] = "radam";
  c.arrays["iso/initial_state"] = rows(7, 4, parallel::block_range(7, rank, nranks));
  // Fewer rows than ranks at -n 3: a rank writes nothing.
  c.arrays["small"] = rows(2, 3, parallel::block_range(2, rank, nranks));
  return c;
}

void expect_same(const io::Checkpoint& a, const io::Checkpoint& b) {
  EXPECT_EQ(a.iteration, b.iteration);
  ASSERT_EQ(a.vectors.size(), b.vectors.size());
  for (const auto& [name, v] : a.vectors) EXPECT_TRUE(same_bits(v, b.vectors.at(name))) << name;
  EXPECT_EQ(a.scalars, b.scalars);
  EXPECT_EQ(a.integers, b.integers);
  EXPECT_EQ(a.strings, b.strings);
  ASSERT_EQ(a.arrays.size(), b.arrays.size());
  for (const auto& [name, r] : a.arrays) {
    EXPECT_EQ(r.global_rows, b.arrays.at(name).global_rows) << name;
    EXPECT_EQ(r.first_row, b.arrays.at(name).first_row) << name;
    EXPECT_TRUE(same_bits(r.local, b.arrays.at(name).local)) << name;
  }
}

}  // namespace

TEST(CheckpointMpi, DistributedRowsRoundTripOnAnySplit) {
  const int rank = parallel::rank(), nranks = parallel::size();
  const std::string dir = "mpi_checkpoint_np" + std::to_string(nranks);
  const io::Checkpoint mine = checkpoint(rank, nranks);
  const std::string path = io::write_checkpoint(dir, "run", mine, "deck", MPI_COMM_WORLD);
  EXPECT_EQ(io::find_latest_checkpoint(dir, "run", MPI_COMM_WORLD), path);

  io::CheckpointReader reader(path, MPI_COMM_WORLD);
  io::Checkpoint back = reader.replicated();
  for (const auto& [name, r] : mine.arrays)
    back.arrays[name] =
        reader.read_rows(name, r.first_row, static_cast<std::size_t>(r.local.cols()));
  expect_same(back, mine);
  // A restart on another split (ranks reversed) reads the rows it now owns.
  const auto other = parallel::block_range(7, nranks - 1 - rank, nranks);
  EXPECT_TRUE(same_bits(reader.read_rows("iso/initial_state", other.begin, other.size()).local,
                        rows(7, 4, other).local));
  EXPECT_TRUE(same_bits(reader.read_rows("small", 0, 2).local, rows(2, 3, {0, 2}).local));
}

TEST(CheckpointMpi, SameContentAsASerialWrite) {
  const int rank = parallel::rank(), nranks = parallel::size();
  const std::string dir = "mpi_checkpoint_cmp_np" + std::to_string(nranks);
  const std::string parallel_path =
      io::write_checkpoint(dir, "parallel", checkpoint(rank, nranks), "deck", MPI_COMM_WORLD);
  if (rank == 0) {
    const std::string serial_path =
        io::write_checkpoint(dir, "serial", checkpoint(0, 1), "deck", MPI_COMM_SELF);
    io::CheckpointReader a(parallel_path, MPI_COMM_SELF), b(serial_path, MPI_COMM_SELF);
    auto whole = [](const io::CheckpointReader& r) {
      io::Checkpoint c = r.replicated();
      for (const auto& name : r.array_names())
        c.arrays[name] = r.read_rows(name, 0, r.array_shape(name).first);
      return c;
    };
    expect_same(whole(a), whole(b));
    EXPECT_EQ(a.deck(), b.deck());
    EXPECT_EQ(a.array_names(), b.array_names());
  }
  MPI_Barrier(MPI_COMM_WORLD);
}
