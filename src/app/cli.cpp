#include "dynlearn/app/cli.hpp"

#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "dynlearn/app/config.hpp"
#include "dynlearn/app/stages.hpp"
#include "dynlearn/core/error.hpp"
#include "dynlearn/core/log.hpp"
#include "dynlearn/core/version.hpp"
#include "dynlearn/io/inspect.hpp"
#include "dynlearn/parallel/environment.hpp"
#include "dynlearn/systems/dataset_generator.hpp"
#include "dynlearn/systems/registry.hpp"

namespace dynlearn::app {
namespace {

const char* const usage_text =
    "usage: dynlearn [--version] [--help] <command> [options]\n"
    "\n"
    "Learns equations of motion of physical systems from observed trajectories.\n"
    "Run in parallel with: mpirun -np N dynlearn <command> ...\n"
    "\n"
    "commands:\n"
    "  run DECK        perform every stage the deck's [run] stages names\n"
    "  generate DECK   simulate the deck's [system] and write the dataset (HDF5)\n"
    "  check DECK      validate a deck and print it resolved, with every default\n"
    "  inspect FILE    summarise a dynlearn HDF5 file (dataset, checkpoint, output)\n"
    "  systems         list the ground-truth systems a deck may name\n"
    "\n"
    "options for every command:\n"
    "  -q, --quiet     print errors only\n"
    "  -v, --verbose   print debugging detail\n"
    "  -h, --help      help for the command\n"
    "\n"
    "exit codes: 0 success, 2 bad input (deck, command line, file), 3 numerical\n"
    "failure, 4 I/O failure, 5 interrupted (checkpoint written).\n"
    "Documentation: README.md and docs/ in the source tree.\n";

const std::map<std::string, std::string> command_help = {
    {"run",
     "usage: dynlearn run DECK [--restart] [-q|-v]\n\n"
     "Performs the stages listed in the deck's [run] stages, in order.\n"
     "Outputs go to [run] output_dir, named after [run] name.\n"
     "--restart continues training from the run's newest complete checkpoint.\n"},
    {"generate",
     "usage: dynlearn generate DECK [-q|-v]\n\n"
     "Simulates the [system] of the deck for [data] n_train + n_test trajectories and\n"
     "writes them to [data] file (default <output_dir>/<name>_data.h5). Every rank\n"
     "simulates and writes its own trajectories; the file is the same for any rank count.\n"},
    {"check",
     "usage: dynlearn check DECK\n\n"
     "Validates the deck (unknown keys, types, ranges, required keys) and prints it\n"
     "resolved: every key of every section with its value, default and doc.\n"},
    {"inspect",
     "usage: dynlearn inspect FILE.h5 [--deck]\n\n"
     "Prints what a dynlearn HDF5 file holds: provenance, groups, datasets with\n"
     "shapes. --deck also prints the resolved deck stored in the file.\n"},
    {"systems",
     "usage: dynlearn systems\n\nLists the ground-truth systems ([system] type = ...).\n"},
};

struct Arguments {
  std::string command;
  std::vector<std::string> positional;
  bool help = false;
  bool deck_flag = false;
  bool restart = false;
  core::LogLevel level = core::LogLevel::info;
};

Arguments parse_arguments(int argc, char** argv) {
  Arguments a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      a.help = true;
    } else if (arg == "-q" || arg == "--quiet") {
      a.level = core::LogLevel::quiet;
    } else if (arg == "-v" || arg == "--verbose") {
      a.level = core::LogLevel::debug;
    } else if (arg == "--restart") {
      a.restart = true;
    } else if (arg == "--deck") {
      a.deck_flag = true;
    } else if (arg == "--version") {
      a.command = "--version";
    } else if (!arg.empty() && arg[0] == '-') {
      throw InputError("unknown option '" + arg + "'; see dynlearn --help");
    } else if (a.command.empty()) {
      a.command = arg;
    } else {
      a.positional.push_back(arg);
    }
  }
  return a;
}

const std::string& one_file(const Arguments& a, const char* what) {
  if (a.positional.size() != 1)
    throw InputError("dynlearn " + a.command + " takes one " + what + " (got " +
                     std::to_string(a.positional.size()) + "); see dynlearn " + a.command + " --help");
  return a.positional.front();
}

core::LogLevel level_of(const std::string& name, core::LogLevel cli) {
  if (cli != core::LogLevel::info) return cli;  // the command line wins over the deck
  if (name == "quiet") return core::LogLevel::quiet;
  if (name == "debug") return core::LogLevel::debug;
  return core::LogLevel::info;
}

int dispatch(const Arguments& a, MPI_Comm comm) {
  const bool root = parallel::rank(comm) == 0;
  if (a.command == "--version") {
    if (root) std::printf("dynlearn %s (git %s)\n", dynlearn::version, dynlearn::git_revision);
    return 0;
  }
  if (a.command.empty()) {
    if (root) std::fputs(usage_text, a.help ? stdout : stderr);
    return a.help ? 0 : static_cast<int>(ExitCode::bad_input);
  }
  auto help = command_help.find(a.command);
  if (help == command_help.end()) {
    std::vector<std::string> names;
    for (const auto& [n, h] : command_help) names.push_back(n);
    std::string msg = "unknown command '" + a.command + "'";
    if (auto s = io::did_you_mean(a.command, names)) msg += "; did you mean '" + *s + "'?";
    throw InputError(msg + " See dynlearn --help.");
  }
  if (a.help) {
    if (root) std::fputs(help->second.c_str(), stdout);
    return 0;
  }
  if (a.command == "systems") {
    if (root)
      for (const auto& name : systems::system_types()) std::printf("%s\n", name.c_str());
    return 0;
  }
  if (a.command == "inspect") {
    const std::string& path = one_file(a, "HDF5 file");
    if (root) std::fputs(io::describe_file(path, a.deck_flag).c_str(), stdout);
    return 0;
  }
  const std::string& deck_path = one_file(a, "deck");
  auto config = load_config(deck_path, comm);
  core::set_log(level_of(config->run.log_level, a.level), root);
  parallel::Environment::insert_petsc_options(config->deck.petsc_options());
  if (a.command == "check") {
    if (root) std::fputs(config->resolved.c_str(), stdout);
    return 0;
  }
  if (a.command == "generate") {
    stage_generate(*config, comm);
    return 0;
  }
  // run: every stage the deck names, in order.
  for (const auto& stage : config->run.stages) {
    if (stage == "generate") stage_generate(*config, comm);
    if (stage == "train" && !stage_train(*config, comm, a.restart)) return static_cast<int>(ExitCode::interrupted);
    if (stage == "evaluate") stage_evaluate(*config, comm);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  parallel::Environment env(&argc, &argv);
  const MPI_Comm comm = MPI_COMM_WORLD;
  const int rank = parallel::rank(comm);
  int code = 0;
  try {
    const Arguments args = parse_arguments(argc, argv);
    core::set_log(args.level, rank == 0);
    code = dispatch(args, comm);
  } catch (const Error& e) {
    code = static_cast<int>(e.code());
    if (e.collective()) {
      if (rank == 0) std::fprintf(stderr, "dynlearn: error: %s\n", e.what());
    } else {
      // Only this rank may have failed: the others could be waiting in a
      // collective call, so the job must be aborted rather than finalised.
      std::fprintf(stderr, "dynlearn: error (rank %d): %s\n", rank, e.what());
      if (parallel::size(comm) > 1) MPI_Abort(comm, code);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dynlearn: internal error (rank %d): %s\nPlease report this with your deck.\n", rank,
                 e.what());
    code = static_cast<int>(ExitCode::internal);
    if (parallel::size(comm) > 1) MPI_Abort(comm, code);
  }
  return code;
}

}  // namespace dynlearn::app
