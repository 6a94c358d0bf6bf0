#include "dynlearn/core/log.hpp"

#include <cstdio>

namespace dynlearn::core {
namespace {
LogLevel g_level = LogLevel::info;
bool g_root = true;
}  // namespace

void set_log(LogLevel level, bool is_root) {
  g_level = level;
  g_root = is_root;
}
LogLevel log_level() { return g_level; }
bool log_is_root() { return g_root; }

void info(const std::string& message) {
  if (g_root && g_level >= LogLevel::info) {
    std::fprintf(stdout, "%s\n", message.c_str());
    std::fflush(stdout);
  }
}

void debug(const std::string& message) {
  if (g_root && g_level >= LogLevel::debug) {
    std::fprintf(stdout, "[debug] %s\n", message.c_str());
    std::fflush(stdout);
  }
}

void warn(const std::string& message) {
  if (g_root && g_level >= LogLevel::info) std::fprintf(stderr, "dynlearn: warning: %s\n", message.c_str());
}

}  // namespace dynlearn::core
