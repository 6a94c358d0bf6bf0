// The vehicle surrogate's fused kernel (src/models/vehicle_kernel) against
// the generic path through nn::Mlp: the field, the x adjoint and the
// θ-gradient (which is added to, not overwritten) agree to rounding (the
// kernel's tanh has one division, nn::Mlp's two), and column-batching
// invariance holds bit for bit (a column's values
// do not depend on how the columns are split into calls, the θ-gradient to
// rounding), as does reusing a tape whose headings partly changed (the
// kernel keeps sin and cos of the unchanged ones).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "../../../src/models/vehicle_kernel.hpp"
#include "dynlearn/core/error.hpp"
#include "dynlearn/core/rng.hpp"
#include "dynlearn/models/vehicle_surrogate.hpp"

namespace dynlearn::models {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

MatrixXd random_matrix(Index rows, Index cols, std::uint64_t index, double scale = 1.0) {
  core::Rng rng(23, index, core::Purpose::user);
  MatrixXd m(rows, cols);
  for (Index i = 0; i < m.size(); ++i) m(i) = scale * rng.uniform(-1.0, 1.0);
  return m;
}

VehicleSurrogate make_field(bool fused) {
  VehicleSurrogate field(16, 16, 16, 1.3, 0.7);
  field.initialize(5, 1.0);  // nn.Linear's scale: outputs of order one
  field.set_fused_kernel(fused);
  return field;
}

struct Pass {
  MatrixXd out, x_adjoint;
  VectorXd gradient, parameter_only;
};

// evaluate, vjp (gradient starting from `start`) and parameter_vjp.
Pass run(const VehicleSurrogate& field, const MatrixXd& x, const MatrixXd& u, const MatrixXd& g,
         const VectorXd& start) {
  Pass p;
  auto tape = field.make_tape();
  p.out.resize(6, x.cols());
  field.evaluate(x, u, p.out, *tape);
  p.x_adjoint.setConstant(6, x.cols(), 7.0);  // overwritten, not added to
  p.gradient = start;
  field.vjp(g, p.x_adjoint, p.gradient, *tape);
  p.parameter_only = start;
  field.parameter_vjp(g, p.parameter_only, *tape);
  return p;
}

// Without AVX2 (another architecture, or DYNLEARN_KERNEL_ISA=none) every
// surrogate takes the generic path and the kernel's own tests skip.
bool kernel_here() {
  return detail::vehicle_kernel_isa() != detail::VehicleIsa::none;
}
constexpr const char* kNoKernel = "no instruction set for the fused kernel here";

double max_diff(const MatrixXd& a, const MatrixXd& b) {
  return (a - b).cwiseAbs().maxCoeff();
}

TEST(VehicleKernel, AppliesToWidth16Only) {
  if (!kernel_here()) GTEST_SKIP() << kNoKernel;
  EXPECT_TRUE(VehicleSurrogate(16, 16, 16).fused_kernel());
  EXPECT_FALSE(VehicleSurrogate(16, 16, 8).fused_kernel());
  EXPECT_FALSE(VehicleSurrogate(5, 4, 3).fused_kernel());
  VehicleSurrogate field(16, 16, 16);
  field.set_fused_kernel(false);
  EXPECT_FALSE(field.fused_kernel());
}

double max_relative(const MatrixXd& a, const MatrixXd& b) {
  return max_diff(a, b) / std::max(b.cwiseAbs().maxCoeff(), 1e-300);
}

TEST(VehicleKernel, FusedAgreesWithGenericToRounding) {
  if (!kernel_here()) GTEST_SKIP() << kNoKernel;
  const VehicleSurrogate fused = make_field(true), generic = make_field(false);
  ASSERT_TRUE(fused.fused_kernel());
  ASSERT_FALSE(generic.fused_kernel());
  for (Index cols : {1, 7, 150}) {
    const MatrixXd x = random_matrix(6, cols, 1, 3.0), u = random_matrix(3, cols, 2, 2.0);
    const MatrixXd g = random_matrix(6, cols, 3);
    const VectorXd start = random_matrix(fused.num_parameters(), 1, 4);
    const Pass a = run(fused, x, u, g, start), b = run(generic, x, u, g, start);
    std::printf("[ fused vs generic ] %3td columns: f %.1e  x adjoint %.1e  theta %.1e\n", cols,
                max_relative(a.out, b.out), max_relative(a.x_adjoint, b.x_adjoint),
                max_relative(a.gradient - start, b.gradient - start));
    EXPECT_LT(max_relative(a.out, b.out), 1e-14) << cols;
    EXPECT_LT(max_relative(a.x_adjoint, b.x_adjoint), 1e-14) << cols;
    EXPECT_LT(max_relative(a.gradient - start, b.gradient - start), 1e-14) << cols;
    // parameter_vjp: vjp's θ-gradient bits without the x adjoint, both paths.
    EXPECT_EQ(max_diff(a.parameter_only, a.gradient), 0.0) << cols;
    EXPECT_EQ(max_diff(b.parameter_only, b.gradient), 0.0) << cols;
    // The gradient is added to: a non-trivial start is kept.
    EXPECT_GT(max_diff(a.gradient, start), 0.0);
  }
}

// δ-SNet's one-pass step (residual_parameter_gradient): Σ r² and the
// θ-gradient of the upstream -scale r agree with the generic path's
// evaluate + parameter_vjp to rounding, the gradient with central
// differences of scale/2 Σ r², and the tape is left as evaluate leaves it.
TEST(VehicleKernel, FusedResidualAgreesWithGenericAndFiniteDifferences) {
  if (!kernel_here()) GTEST_SKIP() << kNoKernel;
  VehicleSurrogate fused = make_field(true);
  const VehicleSurrogate generic = make_field(false);
  const double scale = 0.37;
  for (Index cols : {1, 7, 150}) {
    const MatrixXd x = random_matrix(6, cols, 13, 3.0), u = random_matrix(3, cols, 14, 2.0);
    const MatrixXd target = random_matrix(6, cols, 15, 2.0);
    const VectorXd start = random_matrix(fused.num_parameters(), 1, 16);
    VectorXd ga = start, gb = start;
    auto ta = fused.make_tape(), tb = generic.make_tape();
    const double sa = fused.residual_parameter_gradient(x, u, target, scale, ga, *ta);
    const double sb = generic.residual_parameter_gradient(x, u, target, scale, gb, *tb);
    EXPECT_LT(std::abs(sa - sb) / sb, 1e-14) << cols;
    EXPECT_LT(max_relative(ga - start, gb - start), 1e-14) << cols;
    // The tape holds the evaluation: vjp from it gives evaluate's x adjoint.
    const MatrixXd g = random_matrix(6, cols, 17);
    MatrixXd xa(6, cols), xb(6, cols);
    VectorXd unused = VectorXd::Zero(fused.num_parameters());
    fused.vjp(g, xa, unused, *ta);
    const Pass reference = run(fused, x, u, g, VectorXd::Zero(fused.num_parameters()));
    EXPECT_EQ(max_diff(xa, reference.x_adjoint), 0.0) << cols;
  }
  // Central differences on θ for 7 columns (the last block part empty).
  const Index cols = 7;
  const MatrixXd x = random_matrix(6, cols, 18, 3.0), u = random_matrix(3, cols, 19, 2.0);
  const MatrixXd target = random_matrix(6, cols, 20, 2.0);
  const VectorXd theta = fused.parameters();
  VectorXd gradient = VectorXd::Zero(theta.size());
  auto tape = fused.make_tape();
  fused.residual_parameter_gradient(x, u, target, scale, gradient, *tape);
  const auto half_loss = [&](const VectorXd& t) {
    fused.set_parameters(t);
    VectorXd scratch = VectorXd::Zero(t.size());
    auto tp = fused.make_tape();
    return 0.5 * scale * fused.residual_parameter_gradient(x, u, target, scale, scratch, *tp);
  };
  double worst = 0.0;
  for (Index i = 0; i < theta.size(); ++i) {
    const double h = 1e-6;
    VectorXd tp = theta, tm = theta;
    tp(i) += h;
    tm(i) -= h;
    const double fd = (half_loss(tp) - half_loss(tm)) / (2 * h);
    worst = std::max(worst, std::abs(fd - gradient(i)) / std::max(1.0, std::abs(gradient(i))));
  }
  fused.set_parameters(theta);
  std::printf("[ residual ] central differences: max error %.1e\n", worst);
  EXPECT_LT(worst, 1e-7);
}

// A NaN in the state reaches the field (the run's non-finite check needs it).
TEST(VehicleKernel, NanPropagates) {
  const VehicleSurrogate field = make_field(true);
  MatrixXd x = random_matrix(6, 9, 21, 3.0);
  const MatrixXd u = random_matrix(3, 9, 22, 2.0);
  x(2, 3) = std::nan("");
  x(4, 8) = std::nan("");
  auto tape = field.make_tape();
  MatrixXd out(6, 9);
  field.evaluate(x, u, out, *tape);
  EXPECT_TRUE(out.col(3).array().isNaN().any());
  EXPECT_TRUE(out.col(8).array().isNaN().any());
  EXPECT_TRUE(out.col(0).allFinite());
}

TEST(VehicleKernel, ReusedTapeWithChangedHeadingsKeepsTheBits) {
  if (!kernel_here()) GTEST_SKIP() << kNoKernel;
  const VehicleSurrogate field = make_field(true);
  const Index cols = 9;
  MatrixXd x = random_matrix(6, cols, 8, 3.0);
  const MatrixXd u = random_matrix(3, cols, 9, 2.0);
  auto tape = field.make_tape();
  MatrixXd out(6, cols), fresh(6, cols);
  field.evaluate(x, u, out, *tape);
  const MatrixXd before = out;
  x(2, 4) += 0.5;  // one heading changes, the others keep their sin and cos
  x(2, 7) = -x(2, 7);
  field.evaluate(x, u, out, *tape);
  auto new_tape = field.make_tape();
  field.evaluate(x, u, fresh, *new_tape);
  EXPECT_EQ(max_diff(out, fresh), 0.0);
  EXPECT_GT(max_diff(out.col(4), before.col(4)), 0.0);  // the new heading was used
  EXPECT_GT(max_diff(out.col(7), before.col(7)), 0.0);
  EXPECT_EQ(max_diff(out.col(0), before.col(0)), 0.0);
}

TEST(VehicleKernel, SplittingColumnsKeepsEachColumnsBits) {
  if (!kernel_here()) GTEST_SKIP() << kNoKernel;
  const VehicleSurrogate field = make_field(true);
  const Index cols = 37, split = 15;
  const MatrixXd x = random_matrix(6, cols, 5, 3.0), u = random_matrix(3, cols, 6, 2.0);
  const MatrixXd g = random_matrix(6, cols, 7);
  const VectorXd start = VectorXd::Zero(field.num_parameters());
  const Pass whole = run(field, x, u, g, start);
  const Pass left = run(field, x.leftCols(split), u.leftCols(split), g.leftCols(split), start);
  const Pass right = run(field, x.rightCols(cols - split), u.rightCols(cols - split),
                         g.rightCols(cols - split), left.gradient);
  // A column's field and x adjoint: the same bits in any lane of any call.
  EXPECT_EQ(max_diff(whole.out.leftCols(split), left.out), 0.0);
  EXPECT_EQ(max_diff(whole.out.rightCols(cols - split), right.out), 0.0);
  EXPECT_EQ(max_diff(whole.x_adjoint.leftCols(split), left.x_adjoint), 0.0);
  EXPECT_EQ(max_diff(whole.x_adjoint.rightCols(cols - split), right.x_adjoint), 0.0);
  // The θ-gradient is summed per call: the same to rounding, and the same
  // bits when the same call is repeated.
  EXPECT_LT(max_relative(whole.gradient, right.gradient), 1e-14);
  EXPECT_EQ(max_diff(whole.gradient, run(field, x, u, g, start).gradient), 0.0);
}

// Every instruction set this machine has gives a column the same field and
// x adjoint bits (the same operations lane by lane) and the θ-gradient to
// rounding (the lanes are summed in another grouping).
TEST(VehicleKernel, InstructionSetsAgree) {
  using detail::VehicleIsa;
  const VehicleIsa chosen = detail::vehicle_kernel_isa();
  const VehicleSurrogate field = make_field(true);
  const Index cols = 150;
  const MatrixXd x = random_matrix(6, cols, 10, 3.0), u = random_matrix(3, cols, 11, 2.0);
  const MatrixXd g = random_matrix(6, cols, 12);
  const VectorXd start = VectorXd::Zero(field.num_parameters());
  std::vector<Pass> passes;
  for (VehicleIsa isa : {VehicleIsa::avx2, VehicleIsa::avx512}) {
    if (!detail::vehicle_kernel_isa_available(isa)) {
      std::printf("[ isa ] %s not available here\n", isa == VehicleIsa::avx2 ? "avx2" : "avx512");
      continue;
    }
    detail::set_vehicle_kernel_isa(isa);
    passes.push_back(run(field, x, u, g, start));
  }
  detail::set_vehicle_kernel_isa(chosen);
  for (std::size_t i = 1; i < passes.size(); ++i) {
    EXPECT_EQ(max_diff(passes[i].out, passes[0].out), 0.0);
    EXPECT_EQ(max_diff(passes[i].x_adjoint, passes[0].x_adjoint), 0.0);
    EXPECT_LT(max_relative(passes[i].gradient, passes[0].gradient), 1e-14);
  }
}

TEST(VehicleKernel, UnavailableInstructionSetIsAnError) {
  using detail::VehicleIsa;
  for (VehicleIsa isa : {VehicleIsa::avx2, VehicleIsa::avx512}) {
    if (!detail::vehicle_kernel_isa_available(isa)) {
      EXPECT_THROW(detail::set_vehicle_kernel_isa(isa), InputError);
    }
  }
  // none is always there: the generic path.
  const VehicleIsa chosen = detail::vehicle_kernel_isa();
  detail::set_vehicle_kernel_isa(VehicleIsa::none);
  EXPECT_FALSE(make_field(true).fused_kernel());
  detail::set_vehicle_kernel_isa(chosen);
}

}  // namespace
}  // namespace dynlearn::models
