// Error types of dynlearn. Each carries the process exit code a user sees
// (DESIGN.md: 2 bad input, 3 numerical failure, 4 I/O failure, 5 interrupted).
#pragma once

#include <stdexcept>
#include <string>

namespace dynlearn {

enum class ExitCode : int {
  success = 0,
  internal = 1,
  bad_input = 2,
  numerical = 3,
  io = 4,
  interrupted = 5,
};

/// Base of every dynlearn error. `collective` is true when every rank is
/// known to raise the same error (a bad deck read by all ranks), so the run
/// can shut down cleanly instead of aborting the MPI job.
class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& what, bool collective = false)
      : std::runtime_error(what), code_(code), collective_(collective) {}
  ExitCode code() const { return code_; }
  bool collective() const { return collective_; }

 private:
  ExitCode code_;
  bool collective_;
};

/// A deck, a command line or an input file is wrong; the message says how to fix it.
struct InputError : Error {
  explicit InputError(const std::string& what, bool collective = true)
      : Error(ExitCode::bad_input, what, collective) {}
};

/// A solver failed or a value became non-finite.
struct NumericalError : Error {
  explicit NumericalError(const std::string& what, bool collective = false)
      : Error(ExitCode::numerical, what, collective) {}
};

/// A file could not be read or written.
struct IOError : Error {
  explicit IOError(const std::string& what, bool collective = false)
      : Error(ExitCode::io, what, collective) {}
};

/// Throws InputError(message) unless `condition` holds.
inline void require(bool condition, const std::string& message) {
  if (!condition) throw InputError(message);
}

}  // namespace dynlearn
