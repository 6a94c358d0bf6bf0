// Optimizers against PyTorch's update rules. Expected values come from
// torch.optim's single-tensor algorithms (torch/optim/adam.py, radam.py,
// sgd.py) evaluated by hand in Python floats, element by element in
// PyTorch's operation order, on the gradient g(x) = A x + b below.
#include <gtest/gtest.h>

#include "../../same_bits.hpp"

#include <cstring>

#include "dynlearn/core/error.hpp"
#include "dynlearn/train/optimizer.hpp"

using namespace dynlearn;

using dynlearn::testing::same_bits;

namespace {

Eigen::VectorXd start() {
  return Eigen::Vector3d(1.0, -2.0, 0.5);
}

Eigen::VectorXd gradient(const Eigen::VectorXd& x) {
  return Eigen::Vector3d(2.0, 0.5, 4.0).cwiseProduct(x) + Eigen::Vector3d(0.1, -0.3, 0.2);
}

void expect_steps(train::Optimizer& opt, const std::vector<Eigen::Vector3d>& expected) {
  Eigen::VectorXd x = start();
  for (std::size_t k = 0; k < expected.size(); ++k) {
    opt.step(x, gradient(x));
    for (int i = 0; i < 3; ++i)
      EXPECT_NEAR(x[i], expected[k][i], 1e-15) << "step " << k + 1 << ", parameter " << i;
  }
}

}  // namespace

TEST(Adam, MatchesPyTorchOnThreeSteps) {
  train::OptimizerOptions o;
  o.lr = 0.1;
  train::Adam adam(o);
  expect_steps(adam, {{0.9000000004761904, -1.9000000007692308, 0.4000000004545455},
                      {0.8003851112106427, -1.8001214194075172, 0.3010150828866303},
                      {0.70147780687543, -1.700452105674624, 0.2041137834897574}});
  EXPECT_EQ(adam.steps(), 3);
}

TEST(Adam, MatchesPyTorchWithWeightDecay) {
  train::OptimizerOptions o;
  o.lr = 0.1;
  o.weight_decay = 0.01;
  train::Adam adam(o);
  expect_steps(adam, {{0.9000000004739337, -1.9000000007575757, 0.40000000045351475},
                      {0.8003852378071121, -1.8001220714154291, 0.30101545681558245},
                      {0.7014783120558842, -1.7004545709481091, 0.2041154119873422}});
}

TEST(RAdam, MatchesPyTorchBeforeAndAfterRectification) {
  // rho_t passes 5 at step 6: steps 1-5 are SGD with momentum, 6-8 rectified.
  train::OptimizerOptions o;
  o.lr = 0.1;
  train::RAdam radam(o);
  expect_steps(radam, {{0.79, -1.87, 0.27999999999999997},
                       {0.6021052631578947, -1.743421052631579, 0.10631578947368414},
                       {0.4354185278694891, -1.6203136531365314, -0.02635074771800358},
                       {0.28897111497553185, -1.5007223097154068, -0.12319092949274182},
                       {0.16173036123491663, -1.3846852697143095, -0.18923417014959895},
                       {0.159600438706458, -1.3821557837640983, -0.19016790130687677},
                       {0.1570485374155362, -1.3789627945189464, -0.19084433978169843},
                       {0.15416585738969105, -1.3751962993859552, -0.1911523077772913}});
}

TEST(Sgd, MatchesPyTorchNesterov) {
  train::OptimizerOptions o;
  o.lr = 0.1;
  o.momentum = 0.9;
  o.nesterov = true;
  train::Sgd sgd(o);
  expect_steps(sgd, {{0.601, -1.753, 0.0819999999999999},
                     {0.1835199999999999, -1.424165, -0.19652000000000008},
                     {-0.16376960000000013, -1.041802825, -0.28831280000000004}});
}

TEST(Sgd, PlainStepIsGradientDescent) {
  train::OptimizerOptions o;
  o.lr = 0.25;
  train::Sgd sgd(o);
  Eigen::VectorXd x = start();
  const Eigen::VectorXd g = gradient(x);
  sgd.step(x, g);
  EXPECT_EQ(x, Eigen::VectorXd(start() - 0.25 * g));
  EXPECT_TRUE(sgd.state().vectors.empty());
}

TEST(Adam, MinimisesAQuadratic) {
  train::OptimizerOptions o;
  o.lr = 0.05;
  train::Adam adam(o);
  Eigen::VectorXd x = start();
  const Eigen::VectorXd minimum = -Eigen::Vector3d(0.1 / 2.0, -0.3 / 0.5, 0.2 / 4.0);
  for (int k = 0; k < 3000; ++k) adam.step(x, gradient(x));
  EXPECT_LT((x - minimum).norm(), 1e-6);
}

TEST(Optimizers, RestoredStateContinuesBitForBit) {
  for (const std::string name : {"sgd", "adam", "radam"}) {
    train::OptimizerOptions o;
    o.lr = 0.03;
    o.momentum = 0.8;
    o.weight_decay = 1e-3;
    auto straight = train::make_optimizer(name, o);
    auto first = train::make_optimizer(name, o);
    Eigen::VectorXd x = start(), y = start();
    for (int k = 0; k < 7; ++k) {
      straight->step(x, gradient(x));
      first->step(y, gradient(y));
    }
    first->set_learning_rate(0.02);  // as a scheduler would, before the checkpoint
    straight->set_learning_rate(0.02);
    const train::NamedState saved = first->state();
    first.reset();

    auto resumed = train::make_optimizer(name, o);
    resumed->load_state(saved);
    EXPECT_EQ(resumed->steps(), 7) << name;
    EXPECT_EQ(resumed->learning_rate(), 0.02) << name;
    for (int k = 0; k < 9; ++k) {
      straight->step(x, gradient(x));
      resumed->step(y, gradient(y));
    }
    EXPECT_TRUE(same_bits(x, y)) << name;
    EXPECT_TRUE(same_bits(straight->state().vectors.begin()->second,
                          resumed->state().vectors.begin()->second))
        << name;
  }
}

TEST(Optimizers, StateNamesItsKindAndBuffers) {
  auto adam = train::make_optimizer("adam");
  Eigen::VectorXd x = start();
  adam->step(x, gradient(x));
  const auto s = adam->state();
  EXPECT_EQ(s.kind, "adam");
  EXPECT_EQ(s.scalars.at("step"), 1.0);
  EXPECT_EQ(s.scalars.at("lr"), 1e-3);
  EXPECT_EQ(s.vectors.at("exp_avg").size(), 3);
  EXPECT_EQ(s.vectors.at("exp_avg_sq").size(), 3);
}

TEST(Optimizers, LoadingAnotherKindIsAnInputError) {
  auto adam = train::make_optimizer("adam");
  auto radam = train::make_optimizer("radam");
  try {
    radam->load_state(adam->state());
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("'adam'"), std::string::npos) << e.what();
  }
  train::NamedState incomplete = adam->state();
  incomplete.vectors.erase("exp_avg_sq");
  EXPECT_THROW(adam->load_state(incomplete), InputError);
}

TEST(Optimizers, WrongParameterCountAfterRestoreIsAnInputError) {
  auto adam = train::make_optimizer("adam");
  Eigen::VectorXd x = start();
  adam->step(x, gradient(x));
  auto other = train::make_optimizer("adam");
  other->load_state(adam->state());
  Eigen::VectorXd bigger = Eigen::VectorXd::Ones(5);
  EXPECT_THROW(other->step(bigger, bigger), InputError);
}

TEST(Optimizers, FactoryListsValidNames) {
  try {
    train::make_optimizer("adamw");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'adamw'"), std::string::npos);
    for (const auto& n : train::optimizer_names()) EXPECT_NE(what.find(n), std::string::npos);
    EXPECT_EQ(e.code(), ExitCode::bad_input);
  }
}

TEST(Optimizers, OutOfRangeHyperParametersAreInputErrors) {
  train::OptimizerOptions o;
  o.beta2 = 1.0;
  EXPECT_THROW(train::make_optimizer("adam", o), InputError);
  o = {};
  o.nesterov = true;  // without momentum
  EXPECT_THROW(train::make_optimizer("sgd", o), InputError);
  o = {};
  o.lr = -1.0;
  EXPECT_THROW(train::make_optimizer("radam", o), InputError);
  auto sgd = train::make_optimizer("sgd");
  EXPECT_THROW(sgd->set_learning_rate(std::nan("")), InputError);
}
