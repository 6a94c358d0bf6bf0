// The whole configuration of a run, read from one deck: [run], [data],
// [system] and [petsc]. Validated as a whole (no undeclared key survives)
// before any stage starts.
#pragma once

#include <mpi.h>

#include <memory>
#include <string>

#include "dynlearn/app/method.hpp"
#include "dynlearn/io/config.hpp"
#include "dynlearn/io/deck.hpp"
#include "dynlearn/io/learning_config.hpp"
#include "dynlearn/systems/system.hpp"

namespace dynlearn::app {

struct Config {
  io::Deck deck;
  io::RunConfig run;
  io::DataConfig data;
  std::unique_ptr<systems::System> system;
  io::ModelConfig model;
  io::TrainConfig train;
  io::EvaluateConfig evaluate;
  bool learning = false;           ///< [model], [train], [evaluate] were read
  std::unique_ptr<Method> method;  ///< null for [run] method = "srnn"
  std::string resolved;            ///< the deck with every default filled in

  explicit Config(io::Deck d) : deck(std::move(d)) {}
};

/// Reads the deck (rank 0 reads, all parse), every section, and validates it.
std::unique_ptr<Config> load_config(const std::string& path, MPI_Comm comm);

}  // namespace dynlearn::app
