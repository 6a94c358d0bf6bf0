// Schedulers against PyTorch's ReduceLROnPlateau and ExponentialLR, traced by
// hand from torch/optim/lr_scheduler.py (mode "min", threshold_mode "rel").
#include <gtest/gtest.h>

#include "dynlearn/core/error.hpp"
#include "dynlearn/train/scheduler.hpp"

using namespace dynlearn;

namespace {

/// The learning rate after each epoch, starting from `lr`.
std::vector<double> trace(train::Scheduler& s, double lr, const std::vector<double>& metrics) {
  std::vector<double> out;
  for (double m : metrics) out.push_back(lr = s.step(lr, m));
  return out;
}

}  // namespace

TEST(ReduceLROnPlateau, PatienceTwoReducesAfterThreeBadEpochs) {
  train::SchedulerOptions o;
  o.patience = 2;
  o.factor = 0.5;
  train::ReduceLROnPlateau s(o);
  // Epoch 1 improves on +inf; epochs 2, 3, 4 do not: the 3rd bad one reduces.
  // The count restarts, so epoch 7 reduces again.
  EXPECT_EQ(trace(s, 1.0, {1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0}),
            (std::vector<double>{1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25}));
}

TEST(ReduceLROnPlateau, ImprovementIsRelativeToThreshold) {
  train::SchedulerOptions o;
  o.patience = 0;
  train::ReduceLROnPlateau s(o);
  s.step(1.0, 1.0);
  // 0.99995 is not below 1 * (1 - 1e-4): a bad epoch, reduced at once.
  EXPECT_DOUBLE_EQ(s.step(1.0, 0.99995), 0.1);
  EXPECT_EQ(s.best(), 1.0);
  EXPECT_EQ(s.step(0.1, 0.9998), 0.1);  // below 0.9999: an improvement
  EXPECT_EQ(s.best(), 0.9998);
  EXPECT_EQ(s.bad_epochs(), 0);
}

TEST(ReduceLROnPlateau, CooldownIgnoresBadEpochs) {
  train::SchedulerOptions o;
  o.patience = 0;
  o.cooldown = 2;
  o.factor = 0.5;
  train::ReduceLROnPlateau s(o);
  // Reduce at epoch 2; epochs 3 and 4 are cooldown; epoch 5 reduces again.
  EXPECT_EQ(trace(s, 1.0, {1.0, 1.0, 1.0, 1.0, 1.0}),
            (std::vector<double>{1.0, 0.5, 0.5, 0.5, 0.25}));
}

TEST(ReduceLROnPlateau, MinLrAndEps) {
  train::SchedulerOptions o;
  o.patience = 0;
  o.min_lr = 5e-4;
  train::ReduceLROnPlateau s(o);
  EXPECT_EQ(trace(s, 1e-3, {1.0, 2.0, 2.0}), (std::vector<double>{1e-3, 5e-4, 5e-4}));
  // A reduction smaller than eps = 1e-8 is skipped, as in PyTorch.
  train::SchedulerOptions tiny;
  tiny.patience = 0;
  train::ReduceLROnPlateau t(tiny);
  t.step(1e-8, 1.0);
  EXPECT_EQ(t.step(1e-8, 1.0), 1e-8);
}

TEST(ReduceLROnPlateau, RestoredStateContinuesTheSameWay) {
  train::SchedulerOptions o;
  o.patience = 3;
  o.cooldown = 1;
  o.factor = 0.3;
  const std::vector<double> metrics = {5, 4, 4.5, 4.2, 3.9, 4, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3};
  train::ReduceLROnPlateau straight(o), first(o);
  double lr_a = 0.1, lr_b = 0.1;
  for (std::size_t k = 0; k < 6; ++k) {
    lr_a = straight.step(lr_a, metrics[k]);
    lr_b = first.step(lr_b, metrics[k]);
  }
  train::ReduceLROnPlateau resumed(o);
  resumed.load_state(first.state());
  for (std::size_t k = 6; k < metrics.size(); ++k) {
    lr_a = straight.step(lr_a, metrics[k]);
    lr_b = resumed.step(lr_b, metrics[k]);
    EXPECT_EQ(lr_a, lr_b) << "epoch " << k + 1;
  }
  EXPECT_LT(lr_a, 0.1);
}

TEST(ExponentialLR, DecaysToItsFloorAndStays) {
  train::SchedulerOptions o;
  o.gamma = 0.5;
  o.min_lr = 0.002;
  train::ExponentialLR s(o);
  EXPECT_EQ(trace(s, 0.01, {0, 0, 0, 0}), (std::vector<double>{0.005, 0.0025, 0.002, 0.002}));
  EXPECT_EQ(s.step(0.001, 0.0), 0.001);  // below the floor already: not raised
}

TEST(ExponentialLR, SrnnBilliardSchedule) {
  train::SchedulerOptions o;
  o.gamma = 0.99;
  o.min_lr = 1e-4;
  auto s = train::make_scheduler("exponential", o);
  double lr = 1e-3, expected = 1e-3;
  int epochs = 0;
  while (lr > 1e-4) {
    lr = s->step(lr, 0.0);
    expected *= 0.99;
    ++epochs;
    if (lr > 1e-4) {
      EXPECT_EQ(lr, expected);
    }
  }
  EXPECT_EQ(lr, 1e-4);
  EXPECT_EQ(epochs, 230);  // ceil(log(0.1) / log(0.99))
  const auto state = s->state();
  EXPECT_EQ(state.scalars.at("last_epoch"), 230.0);
}

TEST(ConstantLR, KeepsTheRate) {
  auto s = train::make_scheduler("constant");
  train::Adam adam({});
  adam.set_learning_rate(0.25);
  s->step(adam, 1.0);
  s->step(adam, 2.0);
  EXPECT_EQ(adam.learning_rate(), 0.25);
}

TEST(Schedulers, StepUpdatesTheOptimizer) {
  train::SchedulerOptions o;
  o.gamma = 0.5;
  auto s = train::make_scheduler("exponential", o);
  train::OptimizerOptions oo;
  oo.lr = 0.1;
  auto adam = train::make_optimizer("adam", oo);
  s->step(*adam, 0.0);
  EXPECT_EQ(adam->learning_rate(), 0.05);
}

TEST(Schedulers, FactoryAndStateErrors) {
  try {
    train::make_scheduler("cosine");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string what = e.what();
    for (const auto& n : train::scheduler_names()) EXPECT_NE(what.find(n), std::string::npos);
  }
  train::SchedulerOptions bad;
  bad.factor = 1.0;
  EXPECT_THROW(train::make_scheduler("plateau", bad), InputError);
  auto plateau = train::make_scheduler("plateau");
  auto exponential = train::make_scheduler("exponential");
  EXPECT_THROW(plateau->load_state(exponential->state()), InputError);
  auto state = plateau->state();
  state.scalars.erase("best");
  EXPECT_THROW(plateau->load_state(state), InputError);
}
