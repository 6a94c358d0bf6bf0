#include "dynlearn/core/log.hpp"

#include <string>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace dynlearn::core {
namespace {
LogLevel g_level = LogLevel::info;
bool g_root = true;
bool g_bar_shown = false;

// A message must not land in the middle of a progress bar.
void clear_bar() {
  if (!g_bar_shown) return;
  std::fputs("\r\033[K", stdout);
  g_bar_shown = false;
}
}  // namespace

void set_log(LogLevel level, bool is_root) {
  g_level = level;
  g_root = is_root;
}
LogLevel log_level() { return g_level; }
bool log_is_root() { return g_root; }

void info(const std::string& message) {
  if (g_root && g_level >= LogLevel::info) {
    clear_bar();
    std::fprintf(stdout, "%s\n", message.c_str());
    std::fflush(stdout);
  }
}

void debug(const std::string& message) {
  if (g_root && g_level >= LogLevel::debug) {
    clear_bar();
    std::fprintf(stdout, "[debug] %s\n", message.c_str());
    std::fflush(stdout);
  }
}

void progress(double fraction, const std::string& label) {
  // Under an MPI launcher stdout is a pseudo-terminal even when the job's
  // output goes to a file, so the bar is only drawn for direct launches.
  static const bool launched = std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE") ||
                               std::getenv("PMIX_RANK") || std::getenv("SLURM_PROCID");
  static const bool terminal = !launched && isatty(fileno(stdout)) != 0;
  if (!terminal || !g_root || g_level < LogLevel::info) return;
  const int width = 30;
  const int filled = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * width);
  std::fprintf(stdout, "\r[%s%s] %s\033[K", std::string(filled, '=').c_str(),
               std::string(width - filled, ' ').c_str(), label.c_str());
  std::fflush(stdout);
  g_bar_shown = true;
}

void warn(const std::string& message) {
  if (g_root && g_level >= LogLevel::info) std::fprintf(stderr, "dynlearn: warning: %s\n", message.c_str());
}

}  // namespace dynlearn::core
