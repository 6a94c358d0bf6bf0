// Counter-based random streams. A stream is keyed by (seed, index, purpose)
// and never by MPI rank, so that data and training are the same whatever the
// number of ranks (DESIGN.md, Parallelism).
#pragma once

#include <cstdint>
#include <string_view>

namespace dynlearn::core {

/// Purposes name independent streams drawn for the same index.
enum class Purpose : std::uint64_t {
  system = 1,         // system-wide constants (spring chain masses, ...)
  initial_state = 2,  // initial condition of a trajectory
  input = 3,          // input signal u(t) of a trajectory
  noise = 4,          // observation noise
  sampling = 5,       // random subset of sample times
  parameters = 6,     // per-trajectory physical parameters
  init_weights = 7,   // network initialisation
  shuffle = 8,        // mini-batch order
  user = 100,         // first free value for later purposes
};

/// xoshiro256** seeded through SplitMix64 from the key. Cheap to construct,
/// so create one stream per (index, purpose) where it is needed.
class Rng {
 public:
  Rng(std::uint64_t seed, std::uint64_t index, Purpose purpose);
  Rng(std::uint64_t seed, std::uint64_t index, std::uint64_t purpose);

  std::uint64_t next_u64();
  /// Uniform on [0, 1) with 53 random bits.
  double uniform();
  /// Uniform on [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Standard normal by Box-Muller (own implementation: std::normal_distribution
  /// is not specified bit-for-bit across standard libraries).
  double normal();
  double normal(double mean, double stddev) { return mean + stddev * normal(); }
  /// Uniform integer in [0, n).
  std::uint64_t below(std::uint64_t n);

 private:
  std::uint64_t s_[4];
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace dynlearn::core
