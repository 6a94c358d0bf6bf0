#include "dynlearn/core/signals.hpp"

#include <csignal>
#include <limits>

namespace dynlearn::core {
namespace {

// Only a lock-free sig_atomic_t may be written from a handler.
volatile std::sig_atomic_t g_signal = 0;

constexpr int handled[] = {SIGTERM, SIGUSR1};
struct sigaction g_previous[2];
bool g_installed = false;

extern "C" void record_signal(int signal) {
  g_signal = signal;
}

}  // namespace

void install_stop_handlers() {
  if (g_installed) return;
  struct sigaction action {};
  action.sa_handler = record_signal;
  sigemptyset(&action.sa_mask);
  // SA_RESTART: a signal must not make blocking MPI or file calls fail with EINTR.
  action.sa_flags = SA_RESTART;
  for (int i = 0; i < 2; ++i) sigaction(handled[i], &action, &g_previous[i]);
  g_installed = true;
}

void uninstall_stop_handlers() {
  if (!g_installed) return;
  for (int i = 0; i < 2; ++i) sigaction(handled[i], &g_previous[i], nullptr);
  g_installed = false;
}

bool stop_requested() {
  return g_signal != 0;
}

int stop_signal() {
  return g_signal;
}

void reset_stop_request() {
  g_signal = 0;
}

Deadline::Deadline(double max_seconds)
    : start_(std::chrono::steady_clock::now()), max_seconds_(max_seconds) {}

double Deadline::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

double Deadline::remaining_seconds() const {
  if (!enabled()) return std::numeric_limits<double>::infinity();
  return max_seconds_ - elapsed_seconds();
}

}  // namespace dynlearn::core
