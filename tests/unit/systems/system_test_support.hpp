// Helpers every ground-truth system test (tests/unit/systems/) needs: reading
// a system's keys from deck text, the example-deck check, energy drift along a
// trajectory, and the compact number format of recorded properties.
#pragma once

#include <gtest/gtest.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "dynlearn/io/deck.hpp"
#include "dynlearn/systems/registry.hpp"
#include "dynlearn/systems/system.hpp"

namespace dynlearn::systems::testing {

/// Reads `body` as the keys of s's [system] table and prepares s with `seed`;
/// throws InputError as a user's deck would.
inline void read_deck(System& s, const std::string& body, std::uint64_t seed = 7) {
  auto deck = io::Deck::parse("[system]\ntype = \"" + s.type() + "\"\n" + body, "t");
  deck.read(s.section());
  deck.finish();
  s.prepare(seed);
}

/// Three significant digits, enough to follow a recorded error across runs.
inline std::string sci(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3e", v);
  return buf;
}

/// max_k |E(x_k) - e0| / |e0| over the columns of x.
inline double energy_drift(const System& s, const Eigen::MatrixXd& x, double e0) {
  double drift = 0;
  for (Eigen::Index k = 0; k < x.cols(); ++k)
    drift = std::max(drift, std::abs(s.energy(x.col(k)) - e0) / std::abs(e0));
  return drift;
}

/// The same relative to the energy of the first state.
inline double energy_drift(const System& s, const Eigen::MatrixXd& x) {
  return energy_drift(s, x, s.energy(x.col(0)));
}

struct ExampleRun {
  std::unique_ptr<System> system;
  Trajectory trajectory;
};

/// The example deck inputs/data/<type>.toml must name only declared keys with
/// valid values (read_system throws otherwise) and simulate a finite
/// trajectory of the right shape at `t`; returned for the caller's own checks.
inline ExampleRun simulate_example_deck(const std::string& type, const Eigen::VectorXd& t) {
  auto deck =
      io::Deck::parse_file(std::string(DYNLEARN_SOURCE_DIR) + "/inputs/data/" + type + ".toml");
  ExampleRun run{read_system(deck, 1), {}};
  EXPECT_EQ(run.system->type(), type);
  run.trajectory = run.system->simulate(t, {1, 0});
  EXPECT_EQ(run.trajectory.x.rows(), run.system->state_dim());
  EXPECT_EQ(run.trajectory.x.cols(), t.size());
  EXPECT_TRUE(run.trajectory.x.allFinite());
  return run;
}

}  // namespace dynlearn::systems::testing
