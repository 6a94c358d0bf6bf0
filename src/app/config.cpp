#include "dynlearn/app/config.hpp"

#include <algorithm>

#include "dynlearn/core/error.hpp"
#include "dynlearn/systems/registry.hpp"

namespace dynlearn::app {

std::unique_ptr<Config> load_config(const std::string& path, MPI_Comm comm) {
  auto config = std::make_unique<Config>(io::read_deck(path, comm));
  io::Deck& deck = config->deck;
  deck.read(config->run.section);
  config->method = make_method(config->run.method);
  const bool dataset = !config->method || config->method->needs_dataset() || deck.has("system");
  if (dataset) {
    deck.read(config->data.section);
    config->system = systems::read_system(deck, static_cast<std::uint64_t>(config->run.seed));
  }
  // The learning sections are read when a learning stage runs or the deck
  // has them, so data-only decks stay short when printed resolved.
  const auto& stages = config->run.stages;
  auto has_stage = [&](const char* s) {
    return std::find(stages.begin(), stages.end(), s) != stages.end();
  };
  if (config->method) config->method->read(deck);
  config->learning =
      !config->method && (has_stage("train") || has_stage("evaluate") || deck.has("model") ||
                          deck.has("train") || deck.has("evaluate"));
  if (config->learning) {
    deck.read(config->model.section);
    deck.read(config->train.section);
    deck.read(config->evaluate.section);
  }
  deck.allow_free_table("petsc");
  deck.finish();
  if (dataset) config->data.validate();
  if (config->method) config->method->validate(*config);
  config->resolved = "# resolved by dynlearn from " + path + "\n" + deck.resolved();
  return config;
}

}  // namespace dynlearn::app
