// Stop requests from outside the run: SIGTERM and SIGUSR1 (SLURM sends one
// before the time limit) and a wall-clock budget (run.max_wall_seconds). The
// handler only records the signal; the training loop polls at iteration
// boundaries, ORs the flag across ranks, writes a checkpoint and exits.
#pragma once

#include <chrono>

namespace dynlearn::core {

/// Installs handlers for SIGTERM and SIGUSR1 that record the signal and
/// return. Idempotent; the previous handlers are kept for uninstall. Call it
/// after PETSc is initialised: PETSc installs its own handler for both.
void install_stop_handlers();
/// Restores the handlers that were in place before install_stop_handlers().
void uninstall_stop_handlers();
/// True once a handled signal has arrived (since the last reset).
bool stop_requested();
/// The signal number that arrived last, or 0.
int stop_signal();
/// Forgets any signal received so far.
void reset_stop_request();

/// A wall-clock budget counted from construction; max_seconds <= 0 means none.
class Deadline {
 public:
  explicit Deadline(double max_seconds);
  bool enabled() const { return max_seconds_ > 0.0; }
  double elapsed_seconds() const;
  /// Seconds left (infinite when disabled; negative once passed).
  double remaining_seconds() const;
  /// True when the budget is spent.
  bool passed() const { return remaining_seconds() <= 0.0; }
  /// True when `seconds` more of work would overrun the budget, so the loop
  /// can stop one iteration (plus a checkpoint) early rather than too late.
  bool would_pass(double seconds) const { return remaining_seconds() <= seconds; }

 private:
  std::chrono::steady_clock::time_point start_;
  double max_seconds_;
};

}  // namespace dynlearn::core
