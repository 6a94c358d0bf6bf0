// Progress and diagnostics, printed by rank 0 only, to stdout (results and
// progress) or stderr (warnings and errors), so that job logs stay readable.
#pragma once

#include <string>

namespace dynlearn::core {

enum class LogLevel { quiet = 0, info = 1, debug = 2 };

/// Sets the level and whether this process prints (rank 0 does).
void set_log(LogLevel level, bool is_root);
LogLevel log_level();
bool log_is_root();

void info(const std::string& message);
void debug(const std::string& message);
/// A progress bar on one line, redrawn in place; only when stdout is a
/// terminal (job logs get the periodic info lines only). `fraction` in [0, 1].
void progress(double fraction, const std::string& label);

/// Warnings print at every level except quiet, on stderr.
void warn(const std::string& message);

}  // namespace dynlearn::core
