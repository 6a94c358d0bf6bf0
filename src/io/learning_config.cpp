#include "dynlearn/io/learning_config.hpp"

namespace dynlearn::io {
namespace {
const std::vector<std::string> integrators = {"euler", "leapfrog", "rk4", "dopri5"};
}

ModelConfig::ModelConfig() {
  section
      .add(
          "type", type,
          "onet: f(q, p) -> (dq/dt, dp/dt); hnet: H = K(p) + V(q) (SRNN section 3); rnn, lstm: the "
          "sequence-model baselines of SRNN's tables (no integrator); true_equations: the system's "
          "own "
          "equations integrated like a model (no training; SRNN Table 3)",
          {"onet", "hnet", "rnn", "lstm", "true_equations"})
      .add("hidden", hidden, "hidden layer widths of each network (SRNN spring chain: [2048])",
           Range::at_least(1))
      .add("activation", activation, "activation of the hidden layers",
           {"tanh", "softplus", "relu", "sigmoid", "identity"})
      .add("rebound", rebound,
           "augment every leapfrog step with a learned rebound module (SRNN section 6: perfect "
           "rebound on "
           "walls seen in the system's background image, e.g. heavy_billiard); needs type = "
           "\"hnet\" or "
           "\"onet\" and integrator = \"leapfrog\"")
      .add("rebound_patch", rebound_patch,
           "rebound: side of the image neighbourhoods around q_t and the tentative q that feed n "
           "and alpha "
           "(SRNN: 10)",
           Range::at_least(1))
      .add("rebound_stride", rebound_stride,
           "rebound: spacing of those neighbourhoods' samples in pixels (SRNN: 1; larger sees "
           "walls from "
           "farther)",
           Range::positive())
      .add("rebound_gamma_l1", rebound_gamma_l1,
           "rebound: weight of the mean rebound magnitude gamma in the loss (SRNN's |gamma|_1 "
           "regulariser)",
           Range::non_negative())
      .add("rebound_cue_gradient", rebound_cue_gradient,
           "rebound: backpropagate through the image cues' dependence on the positions (spikes of "
           "~1/pixel at wall edges; false treats the cues as constants, as cropping by pixel index "
           "does)")
      .add("rebound_gamma_init", rebound_gamma_init,
           "rebound: initial gamma given by the bias of its output (the module starts nearly off; "
           "0: PyTorch's "
           "random bias)",
           Range{0.0, 1.0, true, false})
      .add("rebound_blur", rebound_blur,
           "rebound: half-width in pixels of a box filter applied twice to the wall image before "
           "sampling, so "
           "the cues vary with the distance to a wall over a few pixels (0: the image as given, as "
           "in SRNN)",
           Range::at_least(0))
      .add("rebound_alpha", rebound_alpha,
           "rebound: negative = learn the rebound time fraction alpha; a value in [0, 1] fixes it "
           "(SRNN "
           "appendix F's module that does not learn alpha)",
           Range{-1.0, 1.0});
}

TrainConfig::TrainConfig() {
  section
      .add("integrator", integrator, "integrator used in training (the paper's 'tr' column)",
           integrators)
      .add("window", window,
           "steps per training window: 1 = single-step training, T > 1 = recurrent training "
           "over T steps (SRNN: 9)",
           Range::at_least(1))
      .add("substeps", substeps, "integrator steps per sample interval", Range::at_least(1))
      .add("epochs", epochs, "passes over the training windows", Range::at_least(0))
      .add("batch_size", batch_size,
           "windows per optimizer step (0: all windows, full batch); rounded down to a multiple of "
           "shards, at least one window per shard",
           Range::at_least(0))
      .add("shards", shards,
           "fixed number of data shards; gradients are summed per shard then in shard order, so "
           "results are the same on any rank count up to this many ranks",
           Range::at_least(1))
      .add("optimizer", optimizer, "parameter optimizer", {"adam", "sgd", "radam"})
      .add("learning_rate", learning_rate, "initial learning rate (SRNN spring chain: 0.001)",
           Range::positive())
      .add("momentum", momentum, "SGD momentum", Range::unit())
      .add("scheduler", scheduler,
           "learning-rate schedule: plateau = ReduceLROnPlateau on the epoch loss; exponential "
           "= times gamma each epoch",
           {"constant", "plateau", "exponential"})
      .add("patience", patience, "plateau: epochs without improvement before reducing (SRNN: 15)",
           Range::at_least(0))
      .add("factor", factor, "plateau: reduction factor (SRNN: 0.7)", Range{0.0, 1.0, true, true})
      .add("gamma", gamma, "exponential: decay per epoch (SRNN billiard: 0.99)",
           Range{0.0, 1.0, true, false})
      .add("min_lr", min_lr, "floor of the learning rate (SRNN billiard: 0.0001)",
           Range::non_negative())
      .add("iso", iso,
           "initial state optimisation: optimise each training trajectory's initial state "
           "(PETSc TAO, bound-constrained quasi-Newton) from iso_start_epoch on (SRNN section 4.2)")
      .add("iso_start_epoch", iso_start_epoch, "first epoch with initial state optimisation",
           Range::at_least(0))
      .add("iso_iterations", iso_iterations, "TAO iterations per trajectory and epoch",
           Range::at_least(1))
      .add("iso_radius", iso_radius, "bound on |optimised - observed initial state| per component",
           Range::positive())
      .add("log_every", log_every, "epochs between progress lines (0: only the last)",
           Range::at_least(0))
      .add("checkpoint_every", checkpoint_every, "epochs between checkpoints (0: only at the end)",
           Range::at_least(0));
}

EvaluateConfig::EvaluateConfig() {
  section
      .add("integrator", integrator, "integrator of the forecasts (the paper's 'te' column)",
           integrators)
      .add("substeps", substeps, "integrator steps per sample interval", Range::at_least(1))
      .add("steps", steps,
           "forecast steps scored: the error is the L2 distance of positions averaged over the "
           "first `steps` steps (SRNN: 200), capped by the test trajectories' length",
           Range::at_least(1))
      .add("against", against,
           "score forecasts against the observed (noisy) test data, as SRNN's tables do, or the "
           "noise-free truth",
           {"observed", "truth"})
      .add("iso", iso,
           "start each forecast from an initial state optimised on the first iso_window "
           "observed steps (SRNN Table 2)")
      .add("iso_window", iso_window, "observed steps used by test-time ISO", Range::at_least(1))
      .add("iso_iterations", iso_iterations, "TAO iterations of test-time ISO", Range::at_least(1));
}

}  // namespace dynlearn::io
