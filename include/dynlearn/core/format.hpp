// printf-style formatting into a std::string, for progress and report lines.
#pragma once

#include <cstdio>
#include <string>

namespace dynlearn::core {

/// snprintf into a string; lines longer than 511 characters are cut.
template <class... Args>
std::string format(const char* fmt, Args... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

}  // namespace dynlearn::core
