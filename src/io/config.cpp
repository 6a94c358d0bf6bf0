#include "dynlearn/io/config.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

#include "dynlearn/core/error.hpp"
#include "dynlearn/parallel/environment.hpp"

namespace dynlearn::io {

RunConfig::RunConfig() {
  section.add("name", name, "run name; output files are <output_dir>/<name>_*.h5")
      .add("output_dir", output_dir, "directory for every output file (created if absent)")
      .add("seed", seed, "seed of every random stream (data, initialisation, batches)",
           Range::non_negative())
      .add("stages", stages, "stages `dynlearn run` performs, in order",
           {"generate", "train", "evaluate"})
      .add("method", method,
           "what is learned: srnn (O-NET/H-NET/RNN/LSTM from [model], [train], [evaluate]), "
           "oscillatornet, isochronism, snet (each from its own section)",
           {"srnn", "oscillatornet", "isochronism", "snet"})
      .add("max_wall_seconds", max_wall_seconds,
           "stop with a checkpoint after this much wall time (0: no limit)", Range::non_negative())
      .add("log_level", log_level, "how much rank 0 prints", {"quiet", "info", "debug"});
}

DataConfig::DataConfig() {
  section.add("file", file, "dataset path; empty means <output_dir>/<name>_data.h5")
      .add("n_train", n_train, "number of training trajectories", Range::at_least(0))
      .add("n_test", n_test, "number of test trajectories", Range::at_least(0))
      .add("t0", t0, "initial time of every trajectory")
      .add("dt", dt, "spacing of the uniform sample grid", Range::positive())
      .add("train_steps", train_steps, "samples after the initial one in a training trajectory",
           Range::at_least(1))
      .add("test_steps", test_steps, "samples after the initial one in a test trajectory",
           Range::at_least(1))
      .add("grid", grid,
           "sample times: uniform t0 + k dt; random subset of those; Gauss-Lobatto points on "
           "[t0, t0 + steps dt]",
           {"uniform", "random", "gauss_lobatto"})
      .add("keep_fraction", keep_fraction,
           "grid = random: fraction of the uniform samples kept (the first is always kept)",
           Range{0.0, 1.0, true, false})
      .add("noise", noise, "standard deviation of i.i.d. Gaussian observation noise",
           Range::non_negative())
      .add("noise_kind", noise_kind,
           "absolute: noise in state units; relative: times each component's RMS over the "
           "trajectory",
           {"absolute", "relative"})
      .add("observe", observe, "what the learner observes: the whole state, or positions only",
           {"state", "position"});
}

std::string DataConfig::path(const RunConfig& run) const {
  if (!file.empty()) return file;
  return run.output_dir + "/" + run.name + "_data.h5";
}

void DataConfig::validate() const {
  if (n_train + n_test == 0)
    throw InputError("[data] n_train and n_test are both 0: nothing to generate; set n_train >= 1");
  if (grid == "random") {
    const int kept = static_cast<int>(std::lround(keep_fraction * (train_steps + 1)));
    if (kept < 2)
      throw InputError("[data] keep_fraction = " + format_real(keep_fraction) +
                       " keeps fewer than 2 of the " + std::to_string(train_steps + 1) +
                       " training samples; raise keep_fraction or train_steps");
  } else if (section.was_set("keep_fraction") && keep_fraction != 1.0) {
    throw InputError("[data] keep_fraction only applies to grid = \"random\" (grid is \"" + grid +
                     "\"); remove it or set grid = \"random\"");
  }
}

Deck read_deck(const std::string& path, MPI_Comm comm) {
  std::string text, error;
  if (parallel::rank(comm) == 0) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      error = "cannot open deck '" + path + "': no such file or not readable";
    } else {
      std::ostringstream os;
      os << in.rdbuf();
      text = os.str();
    }
  }
  parallel::broadcast(error, comm);
  if (!error.empty()) throw InputError(error);
  parallel::broadcast(text, comm);
  return Deck::parse(text, path);
}

}  // namespace dynlearn::io
