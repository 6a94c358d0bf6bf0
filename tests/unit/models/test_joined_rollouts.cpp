// One rollout of several shards' windows with per-shard gradients
// (IntegratedField::loss_segments through a SegmentedField view) against one
// rollout per shard (loss()): the same bits per shard, which is what keeps
// the trainer's results independent of how shards are grouped on ranks.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "../../same_bits.hpp"
#include "../integrate/rollout_fd.hpp"
#include "dynlearn/core/error.hpp"
#include "dynlearn/integrate/stepper.hpp"
#include "dynlearn/models/hnet.hpp"
#include "dynlearn/models/onet.hpp"
#include "dynlearn/models/segmented_field.hpp"
#include "dynlearn/models/window_model.hpp"

namespace dynlearn::models {
namespace {

using dynlearn::testing::same_bits;
using Eigen::Index;
using Eigen::MatrixXd;
using integrate::testing::uniform_matrix;

constexpr int kSteps = 4;
constexpr double kDt = 0.1;
// Shards of 3, 0, 5 and 2 windows.
const std::vector<Index> kBounds{0, 3, 3, 8, 10};

// partials per shard from one rollout per shard, as the trainer did before
// joining: gradient from zero, then the loss.
MatrixXd per_shard(WindowModel& model, const MatrixXd& x0, const std::vector<MatrixXd>& targets) {
  const Index P = model.num_parameters();
  MatrixXd partials = MatrixXd::Zero(P + 1, static_cast<Index>(kBounds.size()) - 1);
  for (std::size_t s = 0; s + 1 < kBounds.size(); ++s) {
    const Index begin = kBounds[s], cols = kBounds[s + 1] - begin;
    if (cols == 0) continue;
    std::vector<MatrixXd> shard_targets;
    for (const auto& t : targets) shard_targets.push_back(t.middleCols(begin, cols));
    const auto column = static_cast<Index>(s);
    partials(P, column) = model
                              .loss(x0.middleCols(begin, cols), shard_targets, kDt,
                                    partials.col(column).head(P), false)
                              .sum_squares;
  }
  return partials;
}

void check(const std::string& label, integrate::VectorField& field, integrate::StepperKind kind,
           bool joins) {
  SCOPED_TRACE(label);
  IntegratedField model(field, integrate::make_stepper(kind));
  EXPECT_EQ(model.joins_segments(), joins);
  const Index batch = kBounds.back();
  const MatrixXd x0 = uniform_matrix(field.state_dim(), batch, 1);
  std::vector<MatrixXd> targets;
  for (int k = 0; k < kSteps; ++k)
    targets.push_back(uniform_matrix(field.state_dim(), batch, 10 + k));
  const MatrixXd expected = per_shard(model, x0, targets);
  MatrixXd joined = MatrixXd::Zero(expected.rows(), expected.cols());
  model.loss_segments(x0, targets, kDt, kBounds, joined);
  // Twice, and after a loss() in between: reused buffers and steppers change nothing.
  per_shard(model, x0, targets);
  MatrixXd again = MatrixXd::Zero(expected.rows(), expected.cols());
  model.loss_segments(x0, targets, kDt, kBounds, again);
  EXPECT_TRUE(same_bits(joined, again));
  if (joins) {
    EXPECT_TRUE(same_bits(joined, expected)) << "joined\n"
                                             << joined.transpose() << "\nper shard\n"
                                             << expected.transpose();
  } else {
    EXPECT_LT((joined - expected).cwiseAbs().maxCoeff(),
              1e-12 * (1.0 + expected.cwiseAbs().maxCoeff()));
  }
  EXPECT_GT(expected.cwiseAbs().maxCoeff(), 0.0);
}

TEST(JoinedRollouts, HNetShardsHaveTheBitsOfSeparateRollouts) {
  HNet small(5, {32}, "tanh");  // the width-32 benchmark's network
  small.initialize(4);
  HNet odd(3, {7, 6}, "tanh");  // widths that are not multiples of the vector width
  odd.initialize(5);
  for (auto kind : {integrate::StepperKind::leapfrog, integrate::StepperKind::rk4,
                    integrate::StepperKind::euler}) {
    const std::string name(integrate::stepper_name(kind));
    check("hnet 5x32 " + name, small, kind, true);
    check("hnet 3x7x6 " + name, odd, kind, true);
  }
}

TEST(JoinedRollouts, OtherModelsFallBackToOneRolloutPerShard) {
  HNet softplus(2, {8}, "softplus");  // columns not independent: per shard
  softplus.initialize(6);
  check("hnet softplus", softplus, integrate::StepperKind::leapfrog, false);
  ONet onet(2, {8}, "tanh");  // no per-segment gradients
  onet.initialize(7);
  check("onet", onet, integrate::StepperKind::leapfrog, false);
}

TEST(JoinedRollouts, SegmentedViewStacksTiedCopies) {
  HNet net(2, {4}, "tanh");
  net.initialize(8);
  SegmentedField view(net, net);
  view.set_bounds({0, 2, 5});
  EXPECT_EQ(view.num_parameters(), 2 * net.num_parameters());
  EXPECT_TRUE(same_bits(view.parameters().head(net.num_parameters()), net.parameters()));
  EXPECT_TRUE(same_bits(view.parameters().tail(net.num_parameters()), net.parameters()));
  EXPECT_THROW(view.set_parameters(view.parameters()), Error);
  EXPECT_THROW(view.set_bounds({1, 2}), Error);
  EXPECT_THROW(view.set_bounds({0, 3, 2}), Error);
}

}  // namespace
}  // namespace dynlearn::models
