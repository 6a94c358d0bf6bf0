// Stepper API and discrete adjoints on analytic fields: names, shapes, the
// separable and non-separable leapfrog paths, dopri5's frozen step sizes, and
// dL/dX0, dL/dθ of every stepper against central finite differences.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "analytic_fields.hpp"
#include "dynlearn/core/error.hpp"
#include "dynlearn/integrate/leapfrog.hpp"
#include "dynlearn/integrate/runge_kutta.hpp"
#include "dynlearn/integrate/stepper.hpp"
#include "rollout_fd.hpp"

namespace dynlearn::integrate {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;
using testing::DampedPendulumField;
using testing::HarmonicField;

constexpr double kTolerance = 1e-6;  // relative max-norm error vs central differences
constexpr StepperKind kKinds[] = {StepperKind::euler, StepperKind::leapfrog, StepperKind::rk4,
                                  StepperKind::dopri5};

TEST(StepperNames, RoundTripAndErrorListsValidNames) {
  for (StepperKind kind : kKinds) EXPECT_EQ(parse_stepper(stepper_name(kind)), kind);
  try {
    parse_stepper("rk45");
    FAIL() << "no error for an unknown stepper";
  } catch (const InputError& error) {
    const std::string message = error.what();
    for (const char* name : {"rk45", "euler", "leapfrog", "rk4", "dopri5"}) {
      EXPECT_NE(message.find(name), std::string::npos) << message;
    }
  }
  EXPECT_THROW(make_stepper(StepperKind::rk4, {.substeps = 0}), InputError);
}

TEST(StepperRollout, ShapesAndMisuse) {
  HarmonicField field(VectorXd::Constant(2, 1.5));
  const MatrixXd x0 = testing::uniform_matrix(4, 5, 1);
  for (StepperKind kind : kKinds) {
    auto stepper = make_stepper(kind);
    EXPECT_EQ(stepper->kind(), kind);
    const auto& states = rollout(field, *stepper, x0, 0.1, 3);
    ASSERT_EQ(states.size(), 4u);
    EXPECT_EQ(states[0], x0);
    for (const auto& s : states) {
      EXPECT_EQ(s.rows(), 4);
      EXPECT_EQ(s.cols(), 5);
    }
    // Empty upstream matrices stand for zero: the identity part alone.
    std::vector<MatrixXd> upstream(4);
    upstream[0] = MatrixXd::Ones(4, 5);
    VectorXd gradient = VectorXd::Zero(2);
    EXPECT_EQ(rollout_vjp(field, *stepper, upstream, gradient), MatrixXd::Ones(4, 5));
    EXPECT_EQ(gradient, VectorXd::Zero(2));
    upstream.pop_back();
    EXPECT_THROW(rollout_vjp(field, *stepper, upstream, gradient), Error);
    HarmonicField other(VectorXd::Constant(2, 1.0));
    upstream.resize(4);
    EXPECT_THROW(rollout_vjp(other, *stepper, upstream, gradient), Error);
    EXPECT_THROW(rollout(field, *stepper, MatrixXd::Zero(3, 5), 0.1, 3), Error);
  }
}

TEST(StepperRollout, NonFiniteStateIsANumericalError) {
  // x' = x² from x = 10 blows up at t = 0.1; explicit steps overflow soon after.
  class Blowup final : public VectorField {
   public:
    Eigen::Index state_dim() const override { return 2; }
    Eigen::Index num_parameters() const override { return 0; }
    VectorXd parameters() const override { return {}; }
    void set_parameters(const Eigen::Ref<const VectorXd>&) override {}
    std::unique_ptr<FieldTape> make_tape() const override { return std::make_unique<FieldTape>(); }
    void evaluate(const Eigen::Ref<const MatrixXd>& x, Eigen::Ref<MatrixXd> out,
                  FieldTape&) const override {
      out = x.array().square();
    }
    void vjp(const Eigen::Ref<const MatrixXd>& g, Eigen::Ref<MatrixXd> x_adjoint,
             Eigen::Ref<VectorXd>, FieldTape&) const override {
      x_adjoint = g;
    }
  } field;
  for (StepperKind kind : kKinds) {
    auto stepper = make_stepper(kind, {.max_steps = 1000});
    EXPECT_THROW(stepper->rollout(field, MatrixXd::Constant(2, 1, 10.0), 1.0, 20), NumericalError)
        << stepper_name(kind);
  }
}

TEST(StepperAdjoint, AnalyticFieldsEveryStepper) {
  HarmonicField harmonic((VectorXd(3) << 0.5, 1.0, 4.0).finished());
  DampedPendulumField pendulum(2.0, 0.3);
  for (StepperKind kind : kKinds) {
    for (int substeps : {1, 3}) {
      auto stepper = make_stepper(kind, {.substeps = substeps, .rtol = 1e-8, .atol = 1e-10});
      const auto h = testing::check_rollout_gradients(harmonic, *stepper,
                                                      testing::uniform_matrix(6, 4, 2), 0.25, 5);
      const auto d = testing::check_rollout_gradients(pendulum, *stepper,
                                                      testing::uniform_matrix(2, 4, 3), 0.25, 5);
      std::printf(
          "[ adjoint FD ] %-8s substeps %d  harmonic X0 %.1e theta %.1e (%zu steps)  "
          "pendulum X0 %.1e theta %.1e (%zu steps)\n",
          std::string(stepper_name(kind)).c_str(), substeps, h.x0, h.theta, h.internal_steps, d.x0,
          d.theta, d.internal_steps);
      EXPECT_LT(h.x0, kTolerance);
      EXPECT_LT(h.theta, kTolerance);
      EXPECT_LT(d.x0, kTolerance);
      EXPECT_LT(d.theta, kTolerance);
    }
  }
}

TEST(Leapfrog, SeparableFieldSharesKicks) {
  HarmonicField harmonic(VectorXd::Ones(1));
  DampedPendulumField pendulum(1.0, 0.1);
  Leapfrog separable({.substeps = 2});
  separable.rollout(harmonic, MatrixXd::Ones(2, 1), 0.1, 5);
  EXPECT_EQ(separable.evaluations(), 2 * 10 + 1);
  Leapfrog general({.substeps = 2});
  general.rollout(pendulum, MatrixXd::Ones(2, 1), 0.1, 5);
  EXPECT_EQ(general.evaluations(), 3 * 10);
  // For a separable field both paths are the same scheme.
  class Unmarked final : public VectorField {
   public:
    explicit Unmarked(const HarmonicField& inner) : inner_(inner) {}
    Eigen::Index state_dim() const override { return inner_.state_dim(); }
    Eigen::Index num_parameters() const override { return inner_.num_parameters(); }
    VectorXd parameters() const override { return inner_.parameters(); }
    void set_parameters(const Eigen::Ref<const VectorXd>&) override {}
    std::unique_ptr<FieldTape> make_tape() const override { return inner_.make_tape(); }
    void evaluate(const Eigen::Ref<const MatrixXd>& x, Eigen::Ref<MatrixXd> out,
                  FieldTape& tape) const override {
      inner_.evaluate(x, out, tape);
    }
    void vjp(const Eigen::Ref<const MatrixXd>& g, Eigen::Ref<MatrixXd> x_adjoint,
             Eigen::Ref<VectorXd> gradient, FieldTape& tape) const override {
      inner_.vjp(g, x_adjoint, gradient, tape);
    }

   private:
    const HarmonicField& inner_;
  } unmarked(harmonic);
  const MatrixXd x0 = testing::uniform_matrix(2, 3, 4);
  const MatrixXd a = separable.rollout(harmonic, x0, 0.1, 5).back();
  const MatrixXd b = general.rollout(unmarked, x0, 0.1, 5).back();
  EXPECT_LT((a - b).cwiseAbs().maxCoeff(), 1e-14);
}

TEST(Dopri5, FrozenStepSizesReplayTheAcceptedSequence) {
  DampedPendulumField field(4.0, 0.2);
  RungeKutta stepper(StepperKind::dopri5, {.rtol = 1e-7, .atol = 1e-9});
  const MatrixXd x0 = testing::uniform_matrix(2, 3, 5, -2.0, 2.0);
  const MatrixXd end = stepper.rollout(field, x0, 0.5, 6).back();
  const std::vector<double> steps = stepper.step_sizes();
  ASSERT_GT(steps.size(), 12u);
  EXPECT_GT(*std::max_element(steps.begin(), steps.end()),
            1.5 * *std::min_element(steps.begin(), steps.end()))
      << "expected an adaptive sequence";
  stepper.freeze_step_sizes(true);
  EXPECT_EQ(stepper.rollout(field, x0, 0.5, 6).back(), end);
  EXPECT_EQ(stepper.step_sizes(), steps);
  EXPECT_EQ(stepper.rejected_steps(), 0);
  // A large perturbation keeps the frozen sequence; unfrozen it would adapt.
  stepper.rollout(field, 3.0 * x0, 0.5, 6);
  EXPECT_EQ(stepper.step_sizes(), steps);
  EXPECT_THROW(stepper.rollout(field, x0, 0.5, 5), Error);
  stepper.freeze_step_sizes(false);
  stepper.rollout(field, 3.0 * x0, 0.5, 6);
  EXPECT_NE(stepper.step_sizes(), steps);
}

}  // namespace
}  // namespace dynlearn::integrate
