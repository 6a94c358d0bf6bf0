#include "dynlearn/app/config.hpp"

#include "dynlearn/core/error.hpp"
#include "dynlearn/systems/registry.hpp"

namespace dynlearn::app {

std::unique_ptr<Config> load_config(const std::string& path, MPI_Comm comm) {
  auto config = std::make_unique<Config>(io::read_deck(path, comm));
  io::Deck& deck = config->deck;
  deck.read(config->run.section);
  deck.read(config->data.section);
  config->system = systems::read_system(deck, static_cast<std::uint64_t>(config->run.seed));
  deck.allow_free_table("petsc");
  deck.finish();
  config->data.validate();
  config->resolved = "# resolved by dynlearn from " + path + "\n" + deck.resolved();
  return config;
}

}  // namespace dynlearn::app
