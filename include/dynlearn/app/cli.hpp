// The `dynlearn` command line: subcommands run, generate, check, inspect,
// systems; --help for each; exit codes as in DESIGN.md (0 success, 2 bad
// input, 3 numerical failure, 4 I/O failure, 5 interrupted).
#pragma once

namespace dynlearn::app {

/// The whole program; returns the process exit code.
int main(int argc, char** argv);

}  // namespace dynlearn::app
