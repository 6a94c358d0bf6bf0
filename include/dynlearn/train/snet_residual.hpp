// SNet's two objectives on one rank's share of the problem (a contiguous set
// of trajectory shards over a time block of spectral elements), with their
// gradients:
//   R = mean over trajectories, elements, nodes and state components of
//       (D x - f(x, u; θ))²   (collocation residual at every element's GLL nodes)
//   L = mean over observed samples and state components of (I x - y)²
// The unknowns x are the nodal values of each trajectory's element chain.
//
// Bitwise invariance to the process grid: the unit of work is one
// (trajectory shard, element) pair — always the same columns in the same
// DrivenField call, whatever the grid — and the partial sums of the units are
// added in a fixed order (a pairwise tree over elements inside each shard,
// then over shards; SnetGridSum). Node gradients get at most two element
// contributions (interface nodes), and a + b == b + a in IEEE arithmetic, so
// both ranks sharing an interface node compute the same bits.
#pragma once

#include <Eigen/Dense>
#include <cstddef>
#include <memory>
#include <vector>

#include "dynlearn/integrate/driven_field.hpp"
#include "dynlearn/parallel/partition.hpp"
#include "dynlearn/parallel/process_grid.hpp"
#include "dynlearn/parallel/reduction.hpp"
#include "dynlearn/spectral/block_nodal_values.hpp"
#include "dynlearn/spectral/element_chain.hpp"
#include "dynlearn/train/driven_trajectories.hpp"

namespace dynlearn::train {

/// Where one rank's share sits in the global problem.
struct SnetShare {
  /// Local trajectory ranges (indices into the rank's DrivenTrajectories),
  /// one per owned shard, in global shard order.
  std::vector<parallel::IndexRange> shards;
  /// The rank's elements [begin, end) of the chain (may be empty).
  parallel::IndexRange elements;
  /// Global number of trajectories.
  std::size_t trajectories = 0;
  /// Global normalisers: trajectories x elements x (p + 1) x state_dim for R,
  /// observed samples x state_dim for L.
  double residual_count = 1.0;
  double sample_count = 1.0;
};

/// Per unit (shard s, element e) of the share, at index s * local elements + e:
/// [dR/dθ partial (num_parameters), R partial sum, L partial sum]; the R and L
/// partials are already divided by their global normalisers.
using SnetPartials = std::vector<Eigen::VectorXd>;

/// Whether SnetResidual keeps the samples' interpolation rows (p + 1 doubles
/// per sample, for a matching loss evaluated often: α-SNet) or forms them
/// when L is evaluated (δ-SNet evaluates L once, for its fixed nodal
/// values: its memory then does not grow with the samples beyond the data).
enum class SampleWeights { stored, on_demand };

class SnetResidual {
 public:
  /// Keeps references to field, chain and data (they must outlive it); the
  /// observations are read from data, not copied.
  SnetResidual(const integrate::DrivenField& field, const spectral::ElementChain& chain,
               const DrivenTrajectories& data, SnetShare share,
               SampleWeights weights = SampleWeights::stored);

  const SnetShare& share() const { return share_; }
  Eigen::Index state_dim() const { return field_.state_dim(); }
  /// Nodal values held per trajectory: (elements) p + 1, the last one shared
  /// with the next block; 0 without elements.
  int local_nodes() const { return local_nodes_; }
  /// Global index of the first local node.
  int first_node() const { return static_cast<int>(share_.elements.begin) * chain_.order(); }
  std::size_t units() const { return share_.shards.size() * share_.elements.size(); }
  Eigen::Index partial_length() const { return field_.num_parameters() + 2; }

  /// Evaluates R and L on the nodal values x (local_nodes() nodes per local
  /// trajectory) into `partials` (θ-gradient of R only when theta_gradient).
  /// With x_gradient (x's layout), also writes the gradient of R + gamma L
  /// w.r.t. the local nodal values (this share's elements only: the
  /// neighbours' interface contributions are added by
  /// BlockNodalValues::sum_shared_nodes).
  void evaluate(const spectral::BlockNodalValues& x, bool theta_gradient, double gamma,
                SnetPartials& partials, spectral::BlockNodalValues* x_gradient) const;

 private:
  struct ElementData {
    Eigen::MatrixXd u;        // input at the element's nodes, input_dim x (p + 1)
    int element = 0;          // global element index
    Eigen::Index first = 0;   // the element's samples: data.t[i] and data.y[i]
    Eigen::Index count = 0;   //   columns [first, first + count)
    Eigen::MatrixXd weights;  // their interpolation rows (SampleWeights::stored)
  };
  // The interpolation rows of trajectory i's samples in element d (stored,
  // or formed into weights_buffer_).
  const Eigen::MatrixXd& sample_weights(std::size_t i, const ElementData& d) const;
  const ElementData& element_data(std::size_t trajectory, std::size_t local_element) const {
    return elements_[trajectory * share_.elements.size() + local_element];
  }

  // One unit's columns (its shard's trajectories, node by node) and what
  // depends on its nodal values alone. δ-SNet never changes x after the fit,
  // so x Dᵀ and the misfit sum are computed once; a unit whose gathered
  // nodal values differ in any bit (α-SNet) recomputes them, so the results
  // are those of a fresh evaluation either way.
  struct UnitCache {
    Eigen::MatrixXd u;   // inputs at the columns (data: never changes)
    Eigen::MatrixXd x;   // nodal values as last gathered
    Eigen::MatrixXd dx;  // x Dᵀ per trajectory, for that x
    double l_sum = 0.0;  // Σ (I x - y)² over the unit, for that x
    bool valid = false;  // x, dx and l_sum hold a gathered state
    // The field's record, one per unit so what a field caches between calls
    // for unchanged inputs (the vehicle's sin and cos) stays with its columns.
    std::unique_ptr<integrate::FieldTape> tape;
  };

  const integrate::DrivenField& field_;
  const spectral::ElementChain& chain_;
  const DrivenTrajectories& data_;
  SampleWeights weights_policy_;
  SnetShare share_;
  int local_nodes_ = 0;
  std::vector<ElementData> elements_;
  mutable std::vector<UnitCache> units_;
  // Per-call buffers (one shard's columns; one trajectory's element).
  mutable Eigen::MatrixXd f_, r_, upstream_, adjoint_, misfit_, g_, weights_buffer_;
  // θ-gradient nobody asked for (the field's vjp computes it anyway).
  mutable Eigen::VectorXd theta_scratch_;
};

/// Sums SnetPartials over the whole grid in the fixed order (tree over
/// shards per element, then tree over elements): the same bits on every grid
/// shape. Collective over the grid; every rank gets the total.
class SnetGridSum {
 public:
  SnetGridSum(const parallel::ProcessGrid& grid, std::size_t elements,
              std::size_t trajectory_shards, std::size_t local_shards);
  Eigen::VectorXd sum(const SnetPartials& partials, Eigen::Index length) const;

 private:
  parallel::DeterministicSum over_elements_;
  parallel::DeterministicSum over_shards_;
  std::size_t local_shards_;
  // Per-call buffers of the two stages of the sum.
  mutable std::vector<Eigen::VectorXd> per_element_, per_shard_;
};

/// The share of grid rank (group, block): trajectory shards from
/// ShardLayout(n_trajectories, trajectory_shards) over the groups, elements
/// from chain.block_elements(block, blocks). Normalisers from the global
/// trajectory count and `samples_per_trajectory` total samples.
SnetShare make_snet_share(const parallel::ShardLayout& layout, const spectral::ElementChain& chain,
                          int block, int blocks, Eigen::Index state_dim, double total_samples);

/// R and L over the whole grid.
struct SnetValues {
  double residual = 0.0;
  double loss = 0.0;
};

/// One rank's share with its nodal values, evaluated over the whole grid:
/// what δ-SNet and α-SNet iterate on. Collective over the grid.
class SnetProblem {
 public:
  SnetProblem(const integrate::DrivenField& field, const spectral::ElementChain& chain,
              const parallel::ProcessGrid& grid, const DrivenTrajectories& data,
              const parallel::ShardLayout& layout, double total_samples,
              SampleWeights weights = SampleWeights::stored);

  const SnetResidual& residual() const { return residual_; }
  const parallel::ProcessGrid& grid() const { return grid_; }
  /// Nodal values of the local trajectories over the local nodes: a PETSc
  /// Vec over the time communicator, the interface node a ghost.
  spectral::BlockNodalValues& coefficients() { return x_; }
  const spectral::BlockNodalValues& coefficients() const { return x_; }

  /// Global R and L; with theta_gradient, writes dR/dθ (every rank the same bits).
  SnetValues evaluate(Eigen::VectorXd* theta_gradient);
  /// Global R and L, and the gradient of R + gamma L w.r.t. the local nodal
  /// values with the neighbours' interface contributions added (x_gradient:
  /// coefficients().like()).
  SnetValues evaluate_coefficients(double gamma, spectral::BlockNodalValues& x_gradient);

 private:
  SnetValues reduce(bool theta, Eigen::VectorXd* theta_gradient);

  const integrate::DrivenField& field_;
  const parallel::ProcessGrid& grid_;
  SnetResidual residual_;
  SnetGridSum sum_;
  spectral::BlockNodalValues x_;
  SnetPartials partials_, scalars_;
};

}  // namespace dynlearn::train
