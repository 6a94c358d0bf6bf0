// The same deck gives the same dataset, bit for bit, whatever the number of
// ranks: each registered system is generated on all ranks of MPI_COMM_WORLD
// and, for reference, on rank 0 alone, and the two files are compared.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "dynlearn/app/config.hpp"
#include "dynlearn/io/dataset_file.hpp"
#include "dynlearn/parallel/environment.hpp"
#include "dynlearn/systems/dataset_generator.hpp"
#include "dynlearn/systems/registry.hpp"

using namespace dynlearn;

namespace {

std::string write_deck(const std::string& type, const std::string& file, const std::string& data_extra,
                       MPI_Comm comm) {
  const std::string path = "mpi_deck_" + type + ".toml";
  if (parallel::rank(comm) == 0) {
    std::ofstream out(path);
    out << "[run]\nname = \"" << type << "\"\nseed = 5\n[system]\ntype = \"" << type
        << "\"\n[data]\nfile = \"" << file << "\"\nn_train = 5\nn_test = 2\ntrain_steps = 6\n"
        << "test_steps = 4\n" << data_extra;
  }
  MPI_Barrier(comm);
  return path;
}

void expect_same(const io::SplitData& a, const io::SplitData& b) {
  ASSERT_EQ(a.trajectories.size(), b.trajectories.size());
  for (std::size_t i = 0; i < a.trajectories.size(); ++i) {
    const auto &p = a.trajectories[i], &q = b.trajectories[i];
    EXPECT_EQ(p.t, q.t) << "trajectory " << i;
    EXPECT_EQ(p.x, q.x) << "trajectory " << i;
    EXPECT_EQ(p.y, q.y) << "trajectory " << i;
    EXPECT_EQ(p.u, q.u) << "trajectory " << i;
    EXPECT_EQ(p.u_coeffs, q.u_coeffs) << "trajectory " << i;
    EXPECT_EQ(p.params, q.params) << "trajectory " << i;
  }
}

class DatasetRanks : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST_P(DatasetRanks, SameBitsOnAnyRankCount) {
  const std::string type = GetParam();
  const std::string parallel_file = "mpi_" + type + "_np" + std::to_string(parallel::size()) + ".h5";
  const std::string serial_file = "mpi_" + type + "_serial.h5";
  const std::string extra = "grid = \"random\"\nkeep_fraction = 0.6\nnoise = 0.05\nnoise_kind = \"relative\"\n";
  auto config = app::load_config(write_deck(type, parallel_file, extra, MPI_COMM_WORLD), MPI_COMM_WORLD);
  systems::generate_dataset(*config->system, config->run, config->data, config->resolved, MPI_COMM_WORLD);

  if (parallel::rank() == 0) {
    auto serial = app::load_config(write_deck(type, serial_file, extra, MPI_COMM_SELF), MPI_COMM_SELF);
    systems::generate_dataset(*serial->system, serial->run, serial->data, serial->resolved, MPI_COMM_SELF);
    io::DatasetReader a(parallel_file, MPI_COMM_SELF), b(serial_file, MPI_COMM_SELF);
    for (const char* split : {"train", "test"}) {
      const auto shape = a.shape(split);
      expect_same(a.read(split, 0, shape.trajectories), b.read(split, 0, b.shape(split).trajectories));
    }
    std::remove(parallel_file.c_str());
    std::remove(serial_file.c_str());
  }
  MPI_Barrier(MPI_COMM_WORLD);
}

INSTANTIATE_TEST_SUITE_P(AllSystems, DatasetRanks, ::testing::ValuesIn(systems::system_types()),
                         [](const auto& info) { return info.param; });
