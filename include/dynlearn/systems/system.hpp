// The ground-truth physical systems of the five papers. A System simulates
// one trajectory at given sample times from random streams keyed by the
// trajectory's global index, so data are the same whatever the rank count.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "dynlearn/io/deck.hpp"

namespace dynlearn::systems {

/// Identifies one trajectory's random streams: core::Rng(seed, index, purpose).
struct TrajectoryKey {
  std::uint64_t seed = 0;
  std::uint64_t index = 0;
};

/// One simulated trajectory. Columns are sample times.
struct Trajectory {
  Eigen::MatrixXd x;         ///< state_dim × n_t, noise-free state at t(k)
  Eigen::MatrixXd u;         ///< input_dim × n_t input sampled at t(k); empty without input
  Eigen::MatrixXd u_coeffs;  ///< input_dim × n_coeffs Fourier coefficients of u; empty without input
  Eigen::VectorXd params;    ///< per-trajectory physical parameters; empty if none
};

/// A named array stored once per dataset under /system (row-major in the file).
struct NamedArray {
  std::string name;
  Eigen::MatrixXd value;
  std::string doc;
};

class System {
 public:
  /// `type` is the deck's [system] type; the section declares `type` first.
  System(std::string type, const std::string& doc);
  virtual ~System() = default;
  System(const System&) = delete;
  System& operator=(const System&) = delete;

  const std::string& type() const { return type_; }
  /// The [system] deck section: `type` plus this system's keys. Deck::read
  /// fills the system's parameters from it; call prepare() afterwards.
  io::Section& section() { return section_; }

  /// Validates parameters across keys and derives what depends on them (for
  /// instance random spring constants drawn from `seed`). Called once after
  /// the deck is read; throws InputError on an inconsistent configuration.
  virtual void prepare(std::uint64_t seed) { (void)seed; }

  virtual int state_dim() const = 0;
  virtual std::vector<std::string> state_names() const = 0;
  /// Components that are positions (for position-only observation).
  virtual std::vector<int> position_indices() const = 0;
  virtual int input_dim() const { return 0; }
  virtual std::vector<std::string> input_names() const { return {}; }
  virtual std::vector<std::string> parameter_names() const { return {}; }

  /// Simulates the trajectory `key` at the sample times `t` (t(0) is the
  /// initial time, t strictly increasing).
  virtual Trajectory simulate(const Eigen::VectorXd& t, const TrajectoryKey& key) const = 0;

  /// Arrays shared by every trajectory (masses, background image, ...).
  virtual std::vector<NamedArray> constants() const { return {}; }

  /// The true equations of motion x' = f(x) of an autonomous system, for
  /// baselines that integrate them (SRNN Table 3, "true eqns."). Systems
  /// without such a form (inputs, rebound events) throw InputError.
  virtual Eigen::VectorXd true_rhs(const Eigen::VectorXd& x) const;

  /// Conserved energy of a state, NaN where none is conserved.
  virtual double energy(const Eigen::VectorXd& x) const {
    (void)x;
    return std::numeric_limits<double>::quiet_NaN();
  }

 protected:
  io::Section section_;

 private:
  std::string type_;
  std::string type_key_;  // bound to section_'s `type` key
};

}  // namespace dynlearn::systems
