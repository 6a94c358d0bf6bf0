// Checkpoint files on one rank: every kind of content survives a round trip
// bit for bit, only the two newest checkpoints are kept, and restarts find
// the newest complete one past leftovers of interrupted writes.
#include <gtest/gtest.h>

#include "../../same_bits.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/log.hpp"
#include "dynlearn/io/checkpoint_file.hpp"
#include "dynlearn/io/provenance.hpp"

using namespace dynlearn;
namespace fs = std::filesystem;

using dynlearn::testing::same_bits;

namespace {

class CheckpointFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("dynlearn_checkpoint_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    core::set_log(core::LogLevel::quiet, true);  // the skip warnings are expected here
  }
  void TearDown() override {
    core::set_log(core::LogLevel::info, true);
    fs::remove_all(dir_);
  }
  std::string dir() const { return dir_.string(); }
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  fs::path dir_;
};

io::Checkpoint sample(std::int64_t iteration) {
  io::Checkpoint c;
  c.iteration = iteration;
  Eigen::VectorXd params = Eigen::VectorXd::Random(11);
  params[0] = -0.0;
  params[1] = std::numeric_limits<double>::denorm_min();
  params[2] = std::numeric_limits<double>::infinity();
  params[3] = 1.0 / 3.0;
  c.vectors["parameters"] = params;
  c.vectors["optimizer/exp_avg"] = Eigen::VectorXd::Random(11) * 1e-200;
  c.vectors["optimizer/empty"] = Eigen::VectorXd();  // a buffer before the first step
  c.scalars["best_loss"] = 0.1 + 0.2;
  c.scalars["scheduler/best"] = std::numeric_limits<double>::infinity();
  c.scalars["lr"] = 1e-3 * 0.99;
  c.integers["epoch"] = 17;
  c.integers["rng/counter"] = std::numeric_limits<std::int64_t>::max();
  c.integers["negative"] = -5;
  c.strings["optimizer/kind"] = "adam";
  c.strings["note"] = "with spaces, and \"quotes\"";
  c.strings["empty"] = "";
  io::DistributedRows iso;
  iso.global_rows = 5;
  iso.local = Eigen::MatrixXd::Random(3, 5);
  c.arrays["iso/initial_state"] = iso;
  return c;
}

}  // namespace

TEST_F(CheckpointFile, RoundTripIsBitwise) {
  const io::Checkpoint c = sample(42);
  const std::string path =
      io::write_checkpoint(dir(), "run", c, "[run]\nname = \"run\"\n", MPI_COMM_SELF);
  EXPECT_EQ(path, io::checkpoint_path(dir(), "run", 42));
  EXPECT_EQ(files(), (std::vector<std::string>{"run_checkpoint_42.h5"}));

  io::CheckpointReader reader(path, MPI_COMM_SELF);
  EXPECT_EQ(reader.run_name(), "run");
  EXPECT_EQ(reader.deck(), "[run]\nname = \"run\"\n");
  const io::Checkpoint back = reader.read({0, 5});
  EXPECT_EQ(back.iteration, 42);
  ASSERT_EQ(back.vectors.size(), c.vectors.size());
  for (const auto& [name, v] : c.vectors) EXPECT_TRUE(same_bits(back.vectors.at(name), v)) << name;
  ASSERT_EQ(back.scalars.size(), c.scalars.size());
  for (const auto& [name, v] : c.scalars) EXPECT_TRUE(same_bits(back.scalars.at(name), v)) << name;
  EXPECT_EQ(back.integers, c.integers);
  EXPECT_EQ(back.strings, c.strings);
  ASSERT_EQ(back.arrays.size(), 1u);
  const auto& iso = back.arrays.at("iso/initial_state");
  EXPECT_EQ(iso.global_rows, 5u);
  EXPECT_EQ(iso.first_row, 0u);
  EXPECT_TRUE(same_bits(iso.local, c.arrays.at("iso/initial_state").local));

  EXPECT_EQ(reader.array_shape("iso/initial_state"), (std::pair<std::size_t, std::size_t>{5, 3}));
  const auto middle = reader.read_rows("iso/initial_state", 1, 3);
  EXPECT_EQ(middle.first_row, 1u);
  EXPECT_TRUE(same_bits(middle.local, c.arrays.at("iso/initial_state").local.middleCols(1, 3)));
  EXPECT_THROW(reader.read_rows("iso/initial_state", 4, 2), InputError);
}

TEST_F(CheckpointFile, EmptyCheckpointRoundTrips) {
  io::Checkpoint c;
  c.iteration = 0;
  const std::string path = io::write_checkpoint(dir(), "run", c, "", MPI_COMM_SELF);
  const io::Checkpoint back = io::CheckpointReader(path, MPI_COMM_SELF).read({0, 0});
  EXPECT_EQ(back.iteration, 0);
  EXPECT_TRUE(back.vectors.empty() && back.scalars.empty() && back.integers.empty() &&
              back.strings.empty() && back.arrays.empty());
}

TEST_F(CheckpointFile, KeepsTheLastTwo) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "run_checkpoint_5.h5.partial") << "left by a killed writer";
  std::ofstream(dir_ / "other_checkpoint_1.h5") << "another run's file";
  for (std::int64_t it : {10, 20, 30, 40})
    io::write_checkpoint(dir(), "run", sample(it), "", MPI_COMM_SELF);
  EXPECT_EQ(files(), (std::vector<std::string>{"other_checkpoint_1.h5", "run_checkpoint_30.h5",
                                               "run_checkpoint_40.h5"}));
  EXPECT_EQ(io::find_latest_checkpoint(dir(), "run", MPI_COMM_SELF),
            io::checkpoint_path(dir(), "run", 40));
}

TEST_F(CheckpointFile, FindNewestSkipsPartialIncompleteAndDamagedFiles) {
  io::write_checkpoint(dir(), "run", sample(10), "", MPI_COMM_SELF);
  const std::string good = io::write_checkpoint(dir(), "run", sample(20), "", MPI_COMM_SELF);
  // An interrupted write: the same content, still under its temporary name.
  fs::copy_file(good, dir_ / "run_checkpoint_30.h5.partial");
  // A file under a final name without `complete` (e.g. copied mid-write).
  {
    auto f = io::h5::File::create((dir_ / "run_checkpoint_25.h5").string(), MPI_COMM_SELF);
    io::write_provenance(f, "checkpoint", io::checkpoint_schema_version, "");
    f.close();
  }
  std::ofstream(dir_ / "run_checkpoint_27.h5") << "truncated";
  {
    auto f = io::h5::File::create((dir_ / "run_checkpoint_28.h5").string(), MPI_COMM_SELF);
    io::write_provenance(f, "dataset", 1, "");
    f.write_attribute("/", "complete", std::int64_t{1});
    f.close();
  }
  EXPECT_EQ(io::find_latest_checkpoint(dir(), "run", MPI_COMM_SELF), good);

  try {
    io::CheckpointReader r((dir_ / "run_checkpoint_25.h5").string(), MPI_COMM_SELF);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("run_checkpoint_25.h5"), std::string::npos) << what;
    EXPECT_NE(what.find("incomplete"), std::string::npos) << what;
  }
  EXPECT_THROW(io::CheckpointReader((dir_ / "run_checkpoint_28.h5").string(), MPI_COMM_SELF),
               InputError);
  EXPECT_THROW(io::CheckpointReader((dir_ / "run_checkpoint_27.h5").string(), MPI_COMM_SELF),
               InputError);
}

TEST_F(CheckpointFile, NoCheckpointFound) {
  EXPECT_EQ(io::find_latest_checkpoint(dir(), "run", MPI_COMM_SELF), "");  // no directory
  fs::create_directories(dir_);
  EXPECT_EQ(io::find_latest_checkpoint(dir(), "run", MPI_COMM_SELF), "");
  try {
    io::require_latest_checkpoint(dir(), "run", MPI_COMM_SELF);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("without --restart"), std::string::npos) << e.what();
  }
}

TEST_F(CheckpointFile, UnwritableDirectoryIsAnIOError) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "file") << "not a directory";
  EXPECT_THROW(
      io::write_checkpoint((dir_ / "file" / "sub").string(), "run", sample(1), "", MPI_COMM_SELF),
      IOError);
}
