// The mapping net of OscillatorNet for a partially observed pair of coupled
// oscillators (oscillatornet.txt, section 4, equations 16 to 19, Figure 6):
// from the observed trajectory x1 alone it reconstructs x2 as
//   x2_t = alpha D2x1_t + beta D1x1_t + gamma x1_t,
// where D1, D2 are fixed backward finite-difference stencils of selectable
// accuracy order (Table 4; multiplied by dt and dt^2, so they are the bare
// coefficients) and alpha, beta, gamma come from the solver's weights
// (projection kernel of size 1: weights shared, equation 19), or from a
// wider causal kernel over the three feature channels with its own weights
// (not shared with the solver). The solver then predicts x1_{t+1} from
// (x1, x2); the loss sees x1 only.
//
// Parameters: [solver weights ; kernel weights u (lag-major, 3 per lag:
// D2, D1, x1) ; bias] (the last two only when kernel > 1).
#pragma once

#include <Eigen/Dense>
#include <string>

#include "dynlearn/models/oscillatornet.hpp"

namespace dynlearn::models {

/// Backward finite-difference coefficients of the `derivative`-th derivative
/// (1 or 2) with the given accuracy order, on nodes -(n-1)..0 (oldest first),
/// scaled by dt^derivative: Fornberg's algorithm. Order 2 gives Table 4's rows.
Eigen::VectorXd backward_stencil(int derivative, int accuracy);

enum class MappingPadding { causal, valid };
MappingPadding parse_mapping_padding(const std::string& name);

struct MappingOptions {
  int stencil_order = 5;  ///< accuracy order of both stencils (paper: 5)
  int kernel = 1;         ///< projection kernel size (1: shared with the solver)
  MappingPadding padding = MappingPadding::valid;
};

class OscillatorMapping {
 public:
  /// `solver` must describe two masses and outlive the mapping.
  OscillatorMapping(const OscillatorNet& solver, MappingOptions options);

  const OscillatorNet& solver() const { return solver_; }
  const MappingOptions& options() const { return options_; }
  bool shared() const { return options_.kernel == 1; }
  Eigen::Index num_parameters() const;
  /// Solver weights w, then the kernel initialised to the projection that
  /// w implies on the current tap (zero elsewhere, zero bias).
  Eigen::VectorXd initial_parameters(const Eigen::VectorXd& solver_weights) const;
  std::vector<std::string> parameter_names() const;

  /// First sample whose mapped x2 is computed from data only (valid padding);
  /// 0 with causal padding (earlier samples are zero-padded).
  Eigen::Index first_mapped() const;
  /// Mapped x2 for every sample of x1 (samples before first_mapped() are NaN
  /// with valid padding).
  Eigen::VectorXd map(const Eigen::VectorXd& theta, const Eigen::VectorXd& x1) const;
  /// Adds to grad the gradient of a loss with gradient g (zero before
  /// first_mapped()) w.r.t. the mapped x2.
  void map_vjp(const Eigen::VectorXd& theta, const Eigen::VectorXd& x1, const Eigen::VectorXd& g,
               Eigen::VectorXd& grad) const;

  /// Teacher-forced loss on the observed x1: mean over t (mapped, t >= 1,
  /// t <= T-2) of (solver's x1_{t+1} from x1_t, x1_{t-1}, x2_t - x1_{t+1})^2;
  /// its gradient (scaled by weight) added to grad if non-null.
  double loss(const Eigen::VectorXd& theta, const Eigen::VectorXd& x1, Eigen::VectorXd* grad,
              double weight = 1.0) const;

 private:
  /// Feature channels [D2x1, D1x1, x1] (3 x T), zero-padded on the left.
  Eigen::MatrixXd features(const Eigen::VectorXd& x1) const;
  /// map() and map_vjp() on features already computed.
  Eigen::VectorXd map_features(const Eigen::VectorXd& theta, const Eigen::MatrixXd& F) const;
  void map_features_vjp(const Eigen::VectorXd& theta, const Eigen::MatrixXd& F,
                        const Eigen::VectorXd& g, Eigen::VectorXd& grad) const;

  const OscillatorNet& solver_;
  MappingOptions options_;
  Eigen::VectorXd d1_, d2_;
};

}  // namespace dynlearn::models
