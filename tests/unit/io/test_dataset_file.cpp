#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "dynlearn/core/error.hpp"
#include "dynlearn/io/dataset_file.hpp"

using namespace dynlearn;

namespace {

io::DatasetMeta meta() {
  io::DatasetMeta m;
  m.system_type = "toy";
  m.state_names = {"q", "p"};
  m.input_names = {"u"};
  m.parameter_names = {"a", "b", "c"};
  m.position_indices = {0};
  m.observed_indices = {0};
  return m;
}

io::TrajectoryRecord record(double base) {
  io::TrajectoryRecord r;
  r.t = Eigen::VectorXd::LinSpaced(4, 0.0, 0.3);
  r.x = Eigen::MatrixXd::Random(2, 4).array() + base;
  r.y = r.x.topRows(1);
  r.u = Eigen::MatrixXd::Random(1, 4);
  r.u_coeffs = Eigen::MatrixXd::Random(1, 5);
  r.params = Eigen::VectorXd::Random(3);
  return r;
}

void write(const std::string& path, const std::vector<io::TrajectoryRecord>& records, bool commit) {
  io::DatasetWriter w(path, MPI_COMM_SELF, meta(), "[run]\nname = \"toy\"\n", "test");
  Eigen::MatrixXd masses(1, 3);
  masses << 1.0, 2.0, 3.0;
  w.write_constant("masses", masses, "masses");
  io::SplitShape s{records.size(), 4, 2, 1, 1, 5, 3};
  w.create_split("train", s, "uniform");
  w.write_split("train", 0, records);
  if (commit) w.commit();
}

}  // namespace

TEST(DatasetFile, RoundTripsEveryArray) {
  const std::string path = "test_dataset_roundtrip.h5";
  std::vector<io::TrajectoryRecord> records = {record(0.0), record(10.0), record(20.0)};
  write(path, records, true);
  io::DatasetReader reader(path, MPI_COMM_SELF);
  EXPECT_EQ(reader.meta().system_type, "toy");
  EXPECT_EQ(reader.meta().parameter_names, meta().parameter_names);
  EXPECT_NE(reader.deck().find("name = \"toy\""), std::string::npos);
  EXPECT_FALSE(reader.has_split("test"));
  const auto data = reader.read("train", 1, 2);
  ASSERT_EQ(data.trajectories.size(), 2u);
  for (int i = 0; i < 2; ++i) {
    const auto &a = data.trajectories[i], &b = records[i + 1];
    EXPECT_EQ(a.t, b.t);
    EXPECT_EQ(a.x, b.x);
    EXPECT_EQ(a.y, b.y);
    EXPECT_EQ(a.u, b.u);
    EXPECT_EQ(a.u_coeffs, b.u_coeffs);
    EXPECT_EQ(a.params, b.params);
  }
  Eigen::MatrixXd masses(1, 3);
  masses << 1.0, 2.0, 3.0;
  EXPECT_EQ(reader.constant("masses"), masses);
  std::remove(path.c_str());
}

TEST(DatasetFile, InterruptedWriteKeepsThePreviousFile) {
  const std::string path = "test_dataset_interrupted.h5";
  std::vector<io::TrajectoryRecord> first = {record(1.0)};
  write(path, first, true);
  // A writer that never commits (killed, or failed) must not touch the file.
  write(path, {record(5.0), record(6.0)}, false);
  io::DatasetReader reader(path, MPI_COMM_SELF);
  const auto data = reader.read("train", 0, reader.shape("train").trajectories);
  ASSERT_EQ(data.trajectories.size(), 1u);
  EXPECT_EQ(data.trajectories[0].x, first[0].x);
  EXPECT_TRUE(std::filesystem::exists(path + ".partial"));
  std::remove(path.c_str());
  std::remove((path + ".partial").c_str());
}

TEST(DatasetFile, ReaderRejectsOtherFiles) {
  EXPECT_THROW(io::DatasetReader("no_such_file.h5", MPI_COMM_SELF), InputError);
  const std::string path = "test_dataset_incomplete.h5";
  write(path + ".tmp", {record(0.0)}, false);  // leaves test_dataset_incomplete.h5.tmp.partial
  std::filesystem::rename(path + ".tmp.partial", path);
  try {
    io::DatasetReader reader(path, MPI_COMM_SELF);
    FAIL() << "an incomplete file was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("incomplete"), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
}
