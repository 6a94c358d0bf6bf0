// Discrete adjoints of every stepper through O-NET and H-NET rollouts, against
// central finite differences of a weighted sum of squared states (see
// tests/unit/integrate/rollout_fd.hpp; dopri5 with frozen step sizes).
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

#include "../integrate/rollout_fd.hpp"
#include "dynlearn/integrate/runge_kutta.hpp"
#include "dynlearn/integrate/stepper.hpp"
#include "dynlearn/models/hnet.hpp"
#include "dynlearn/models/onet.hpp"

namespace dynlearn::models {
namespace {

using integrate::StepperKind;
using integrate::StepperOptions;

constexpr double kTolerance = 1e-6;  // relative max-norm error vs central differences
constexpr Eigen::Index kHalf = 2;
constexpr Eigen::Index kBatch = 3;
constexpr int kOutputs = 4;
constexpr double kDt = 0.2;

void check(const std::string& name, integrate::VectorField& field, StepperKind kind) {
  StepperOptions options;
  options.substeps = 2;
  options.rtol = 1e-11;  // tight enough that dopri5 takes several steps per interval
  options.atol = 1e-13;
  auto stepper = integrate::make_stepper(kind, options);
  const Eigen::MatrixXd x0 = integrate::testing::uniform_matrix(field.state_dim(), kBatch, 1);
  const auto errors =
      integrate::testing::check_rollout_gradients(field, *stepper, x0, kDt, kOutputs);
  const std::string label = name + "/" + std::string(integrate::stepper_name(kind));
  std::printf("[ rollout FD ] %-18s steps %3zu  dL/dX0 %.2e  dL/dtheta %.2e\n", label.c_str(),
              errors.internal_steps, errors.x0, errors.theta);
  EXPECT_LT(errors.x0, kTolerance) << label;
  EXPECT_LT(errors.theta, kTolerance) << label;
  if (kind == StepperKind::dopri5) {
    EXPECT_GE(errors.internal_steps, static_cast<std::size_t>(2 * kOutputs)) << label;
  } else {
    EXPECT_EQ(errors.internal_steps, static_cast<std::size_t>(kOutputs * 2)) << label;
  }
}

constexpr StepperKind kKinds[] = {StepperKind::euler, StepperKind::leapfrog, StepperKind::rk4,
                                  StepperKind::dopri5};

TEST(RolloutGradients, ONetEveryStepper) {
  ONet net(kHalf, {8, 8}, "tanh");
  net.initialize(21);
  for (StepperKind kind : kKinds) check("onet", net, kind);
}

TEST(RolloutGradients, HNetEveryStepper) {
  HNet net(kHalf, {8, 8}, "softplus");
  net.initialize(22);
  // Livelier dynamics than the initialisation's, so that dopri5 adapts.
  net.set_parameters(3.0 * net.parameters());
  for (StepperKind kind : kKinds) check("hnet", net, kind);
}

// The tape is typed by the field: one stepper used for two different fields
// in turn must rebuild its tapes, not reuse the other model's.
TEST(RolloutGradients, OneStepperForTwoFields) {
  ONet onet(kHalf, {8}, "tanh");
  onet.initialize(1);
  HNet hnet(kHalf, {8}, "tanh");
  hnet.initialize(2);
  for (StepperKind kind : kKinds) {
    auto stepper = integrate::make_stepper(kind);
    const Eigen::MatrixXd x0 = integrate::testing::uniform_matrix(2 * kHalf, kBatch, 3);
    for (integrate::VectorField* field : {static_cast<integrate::VectorField*>(&onet),
                                          static_cast<integrate::VectorField*>(&hnet)}) {
      const auto errors = integrate::testing::check_rollout_gradients(*field, *stepper, x0, kDt, 2);
      EXPECT_LT(errors.x0, kTolerance);
      EXPECT_LT(errors.theta, kTolerance);
    }
  }
}

}  // namespace
}  // namespace dynlearn::models
