// Per-segment parameter gradients of a scalar network's input gradient VJP
// (the trainer's joined shards): each segment's gradient has the bits of a
// call on that segment's columns alone when the network's columns are
// independent, and the segments add up to the whole batch's gradient.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../../same_bits.hpp"
#include "dynlearn/core/error.hpp"
#include "dynlearn/core/rng.hpp"
#include "dynlearn/nn/mlp.hpp"

namespace dynlearn::nn {
namespace {

using dynlearn::testing::same_bits;
using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

MatrixXd random_matrix(Index rows, Index cols, std::uint64_t stream) {
  core::Rng rng(7, stream, core::Purpose::user);
  MatrixXd m(rows, cols);
  for (Index j = 0; j < cols; ++j)
    for (Index i = 0; i < rows; ++i) m(i, j) = rng.uniform(-1.0, 1.0);
  return m;
}

struct Case {
  std::vector<Index> sizes;
  Activation hidden;
  bool independent;
};

std::string name(const Case& c) {
  std::string s(activation_name(c.hidden));
  for (Index size : c.sizes) {
    s.push_back('_');
    s.append(std::to_string(size));
  }
  return s;
}

// Segments of 3, 0, 5 and 2 columns: odd sizes, an empty one, none a
// multiple of the vector width, so any dependence on a column's place shows.
const std::vector<Index> kBounds{0, 3, 3, 8, 10};

TEST(MlpSegments, EachSegmentHasTheBitsOfItsColumnsAlone) {
  const std::vector<Case> cases{
      {{5, 32, 1}, Activation::tanh, true},     {{3, 7, 6, 1}, Activation::tanh, true},
      {{4, 9, 1}, Activation::relu, true},      {{2, 16, 48, 1}, Activation::identity, true},
      {{3, 8, 1}, Activation::softplus, false}, {{3, 80, 60, 1}, Activation::tanh, false}};
  for (const Case& c : cases) {
    SCOPED_TRACE(name(c));
    Mlp net(c.sizes, c.hidden);
    net.initialize(3);
    EXPECT_EQ(net.columns_independent(), c.independent);
    const Index batch = kBounds.back();
    const MatrixXd x = random_matrix(net.input_size(), batch, 1);
    const MatrixXd g = random_matrix(net.input_size(), batch, 2);
    const Index segments = static_cast<Index>(kBounds.size()) - 1;

    MlpWorkspace joined;
    const MatrixXd output = net.forward(x, joined);
    const MatrixXd gradient = net.input_gradient(joined);
    MatrixXd per_segment = MatrixXd::Zero(net.num_parameters(), segments);
    const MatrixXd hg = net.input_gradient_vjp(g, per_segment, kBounds, joined);

    VectorXd whole = VectorXd::Zero(net.num_parameters());
    MlpWorkspace all;
    net.forward(x, all);
    net.input_gradient_vjp(g, whole, all);
    EXPECT_LT((per_segment.rowwise().sum() - whole).cwiseAbs().maxCoeff(),
              1e-13 * (1.0 + whole.cwiseAbs().maxCoeff()));

    for (Index s = 0; s < segments; ++s) {
      const Index begin = kBounds[s], cols = kBounds[s + 1] - begin;
      VectorXd alone = VectorXd::Zero(net.num_parameters());
      if (cols > 0) {
        MlpWorkspace workspace;
        const MatrixXd out_alone = net.forward(x.middleCols(begin, cols), workspace);
        const MatrixXd gradient_alone = net.input_gradient(workspace);
        const MatrixXd hg_alone =
            net.input_gradient_vjp(g.middleCols(begin, cols), alone, workspace);
        if (c.independent) {
          EXPECT_TRUE(same_bits(out_alone, output.middleCols(begin, cols))) << "segment " << s;
          EXPECT_TRUE(same_bits(gradient_alone, gradient.middleCols(begin, cols)))
              << "segment " << s;
          EXPECT_TRUE(same_bits(hg_alone, hg.middleCols(begin, cols))) << "segment " << s;
        }
      }
      if (c.independent) {
        EXPECT_TRUE(same_bits(alone, per_segment.col(s))) << "segment " << s;
      } else {
        EXPECT_LT((alone - per_segment.col(s)).cwiseAbs().maxCoeff(),
                  1e-13 * (1.0 + alone.cwiseAbs().maxCoeff()))
            << "segment " << s;
      }
    }
  }
}

TEST(MlpSegments, BadBoundsAreReported) {
  Mlp net({2, 4, 1}, Activation::tanh);
  MlpWorkspace workspace;
  net.forward(MatrixXd::Zero(2, 4), workspace);
  MatrixXd gradients = MatrixXd::Zero(net.num_parameters(), 2);
  const MatrixXd g = MatrixXd::Zero(2, 4);
  const std::vector<Index> short_of_batch{0, 1, 3};
  EXPECT_THROW(net.input_gradient_vjp(g, gradients, short_of_batch, workspace), Error);
  const std::vector<Index> descending{0, 3, 2, 4};
  MatrixXd three = MatrixXd::Zero(net.num_parameters(), 3);
  EXPECT_THROW(net.input_gradient_vjp(g, three, descending, workspace), Error);
  const std::vector<Index> good{0, 1, 4};
  MatrixXd wrong_columns = MatrixXd::Zero(net.num_parameters(), 3);
  EXPECT_THROW(net.input_gradient_vjp(g, wrong_columns, good, workspace), Error);
}

}  // namespace
}  // namespace dynlearn::nn
