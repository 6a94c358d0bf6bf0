// A learning method as the `train` and `evaluate` stages see it. The SRNN
// engine (O-NET, H-NET, RNN, LSTM over windows: [model], [train], [evaluate])
// is the default; the other papers' methods each read their own deck
// sections and own their training loop and output groups. Selected by
// [run] method; one factory per method, listed in method_registry.cpp.
#pragma once

#include <mpi.h>

#include <memory>
#include <string>
#include <vector>

#include "dynlearn/io/deck.hpp"

namespace dynlearn::app {

struct Config;

class Method {
 public:
  virtual ~Method() = default;
  /// Declares and reads this method's deck sections (every rank, before the
  /// deck is finished, so unknown keys in them are reported like any other).
  virtual void read(io::Deck& deck) = 0;
  /// False for methods that learn without a dataset (isochronism): the deck
  /// then needs no [system] and [data], and `generate` has nothing to do.
  virtual bool needs_dataset() const { return true; }
  /// Cross-key checks after the whole deck is read (e.g. against [data]).
  virtual void validate(const Config& config) const { (void)config; }
  /// Trains; returns false when interrupted with a checkpoint written.
  virtual bool train(const Config& config, MPI_Comm comm, bool restart) = 0;
  /// Evaluates what `train` wrote and adds the results to the output file.
  virtual void evaluate(const Config& config, MPI_Comm comm) = 0;
};

/// The [run] method names, "srnn" first (the default).
const std::vector<std::string>& method_names();
/// The method of that name; nullptr for "srnn" (handled by the stages directly).
std::unique_ptr<Method> make_method(const std::string& name);

// One factory per method, each defined in src/app/<name>_method.cpp.
std::unique_ptr<Method> make_oscillatornet_method();
std::unique_ptr<Method> make_isochronism_method();
std::unique_ptr<Method> make_snet_method();

}  // namespace dynlearn::app
