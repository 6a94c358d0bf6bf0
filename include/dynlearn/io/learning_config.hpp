// The deck sections of the learning stages: [model] (what is learned),
// [train] (how: integrator, recurrent window, optimizer, scheduler, initial
// state optimisation, checkpoints) and [evaluate] (how forecasts are made
// and scored). Defaults are the SRNN paper's where it states them.
#pragma once

#include <string>
#include <vector>

#include "dynlearn/io/deck.hpp"

namespace dynlearn::io {

struct ModelConfig {
  std::string type = "hnet";
  std::vector<int> hidden = {64};
  std::string activation = "tanh";
  // SRNN section 6: leapfrog augmented with a learned rebound module.
  bool rebound = false;
  int rebound_patch = 10;
  double rebound_stride = 1.0;
  double rebound_gamma_l1 = 0.01;
  bool rebound_cue_gradient = false;
  double rebound_gamma_init = 0.05;
  int rebound_blur = 0;
  double rebound_alpha = -1.0;

  Section section{"model", "the learned model"};
  ModelConfig();
  ModelConfig(const ModelConfig&) = delete;
};

struct TrainConfig {
  std::string integrator = "leapfrog";
  int window = 1;
  int substeps = 1;
  int epochs = 100;
  int batch_size = 0;
  int shards = 12;
  std::string optimizer = "adam";
  double learning_rate = 1e-3;
  double momentum = 0.0;
  std::string scheduler = "plateau";
  int patience = 15;
  double factor = 0.7;
  double gamma = 0.99;
  double min_lr = 0.0;
  bool iso = false;
  int iso_start_epoch = 0;
  int iso_iterations = 20;
  double iso_radius = 1.0;
  int log_every = 10;
  int checkpoint_every = 0;

  Section section{"train", "how the model is trained"};
  TrainConfig();
  TrainConfig(const TrainConfig&) = delete;
};

struct EvaluateConfig {
  std::string integrator = "leapfrog";
  int substeps = 1;
  int steps = 200;
  std::string against = "observed";
  bool iso = false;
  int iso_window = 10;
  int iso_iterations = 50;

  Section section{"evaluate", "how test forecasts are made and scored"};
  EvaluateConfig();
  EvaluateConfig(const EvaluateConfig&) = delete;
};

}  // namespace dynlearn::io
