// The isochronism experiment's loss and measurements (isochronism paper,
// section 3): train x'' = f(x) so that every trajectory is T-periodic, by
// minimising the mean over phase-space points X_i(0) ~ N(0, σ²) of
// ||X_i(T) - X_i(0)||², with the gradient by backprop through the
// integrator; then measure the period of trajectories of several amplitudes.
#pragma once

#include <mpi.h>

#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <vector>

#include "dynlearn/integrate/stepper.hpp"
#include "dynlearn/integrate/vector_field.hpp"
#include "dynlearn/parallel/reduction.hpp"

namespace dynlearn::train {

/// The phase-space points i in [first, first + count) as columns (2d rows:
/// x then v), each entry N(0, std²). Point i draws its 2d normals in order
/// from core::Rng(seed, i, Purpose::initial_state), so a point does not
/// depend on which rank draws it.
Eigen::MatrixXd isochronism_points(Eigen::Index dimension, std::size_t first, std::size_t count,
                                   double std, std::uint64_t seed);

/// How trajectories are integrated over one period T in training.
struct PeriodicityOptions {
  double period = 6.283185307179586;  // T
  integrate::StepperKind stepper = integrate::StepperKind::rk4;
  /// Fixed steppers: steps over [0, T]; dopri5: caps the first step at T / steps.
  int steps = 100;
  double rtol = 1e-7;  // dopri5 only
  double atol = 1e-9;
};

/// The stepper those options describe (one per concurrent rollout).
std::unique_ptr<integrate::Stepper> make_periodicity_stepper(const PeriodicityOptions& options);

/// weight * Σ_i ||X_i(T) - X_i(0)||² over the columns X_i(0) of x0, and its
/// θ-gradient added to `gradient`, by rollout_vjp through `stepper`.
double periodicity_loss(const integrate::VectorField& field, integrate::Stepper& stepper,
                        const Eigen::Ref<const Eigen::MatrixXd>& x0, double period, double weight,
                        Eigen::Ref<Eigen::VectorXd> gradient);

/// The training objective over all points, data-parallel: each rank owns the
/// shards of a fixed ShardLayout, rolls each shard out as one batch, and the
/// per-shard [loss, gradient] partials are added by a DeterministicSum, so
/// the result has the same bits on any number of ranks.
class FusedPeriodicity;

class PeriodicityObjective {
 public:
  /// `points` are this rank's points (layout.owned_items(), in order).
  /// Collective (it builds the DeterministicSum).
  /// The paper's model (FusedPeriodicity::applies) takes the fused kernel,
  /// other fields and steppers periodicity_loss.
  PeriodicityObjective(const integrate::VectorField& field, const PeriodicityOptions& options,
                       Eigen::MatrixXd points, const parallel::ShardLayout& layout, MPI_Comm comm);
  ~PeriodicityObjective();

  struct Value {
    double loss = 0.0;         // mean over all points of ||X(T) - X(0)||²
    Eigen::VectorXd gradient;  // its θ-gradient
    bool stop = false;         // `stop` OR-ed over ranks
  };
  /// Loss and gradient at the field's current parameters; collective.
  Value evaluate(bool stop);

 private:
  const integrate::VectorField& field_;
  PeriodicityOptions options_;
  Eigen::MatrixXd points_;
  parallel::ShardLayout layout_;
  parallel::DeterministicSum sum_;
  std::unique_ptr<integrate::Stepper> stepper_;
  std::unique_ptr<FusedPeriodicity> fused_;
  std::vector<Eigen::VectorXd> partials_;
};

/// How periods are measured.
struct PeriodOptions {
  double reference_period = 6.283185307179586;  // sets the sampling and the horizon
  int samples_per_period = 400;                 // output samples per reference period
  double horizon = 3.0;                         // integrate over horizon * reference_period
  double rtol = 1e-10;                          // dopri5 tolerances
  double atol = 1e-12;
};

/// Period of the trajectory started at rest at x = a e_1 for each amplitude
/// a: the time of the first return of v_1 from positive to non-positive (the
/// next turning point on the starting side), located on the cubic Hermite
/// interpolant of v_1 between output samples (its ends' slopes are the
/// field's accelerations). Integrated with adaptive dopri5 at tight
/// tolerance. NaN when the trajectory does not return within the horizon.
std::vector<double> measure_periods(const integrate::VectorField& field,
                                    const std::vector<double>& amplitudes,
                                    const PeriodOptions& options);

}  // namespace dynlearn::train
