// A trajectory over [t0, t1] as a chain of equal spectral elements of order
// p, each with its own p + 1 GLL nodes; neighbouring elements share their
// interface node, which makes the represented trajectory continuous. The
// unknowns are the nodal values (x at the nodes): element e holds global
// nodes e p .. e p + p. A time block is a contiguous range of elements.
#pragma once

#include <Eigen/Dense>
#include <cstddef>
#include <vector>

#include "dynlearn/parallel/partition.hpp"
#include "dynlearn/spectral/lagrange_basis.hpp"

namespace dynlearn::spectral {

/// Sample times mapped to elements: sample k lies in element[k], and its
/// value is weights.row(k) times that element's p + 1 nodal values.
struct SampleMap {
  std::vector<int> element;
  Eigen::MatrixXd weights;
};

class ElementChain {
 public:
  /// elements >= 1, p >= 1, t1 > t0.
  ElementChain(double t0, double t1, int elements, int p);

  double t0() const { return t0_; }
  double t1() const { return t1_; }
  int elements() const { return elements_; }
  int order() const { return p_; }
  int nodes_per_element() const { return p_ + 1; }
  /// Global nodes of the whole chain: elements * p + 1.
  int node_count() const { return elements_ * p_ + 1; }
  double element_length() const { return (t1_ - t0_) / elements_; }
  /// Time of global node k.
  double node_time(int k) const;
  /// Times of element e's p + 1 nodes.
  Eigen::VectorXd element_times(int e) const;
  /// d/dt on one element: (2 / h) times the reference GLL differentiation
  /// matrix; derivative values = D * nodal values (exact to degree p).
  const Eigen::MatrixXd& derivative() const { return derivative_; }
  /// The element containing t (an interface time belongs to the element on
  /// its right, the last time to the last element); InputError outside [t0, t1].
  int element_of(double t) const;
  /// Interpolation weights of the samples at times t.
  SampleMap sample_map(const Eigen::VectorXd& t) const;
  /// The rows of sample_map for times t that all lie in element e (the same
  /// bits): t.size() x (p + 1).
  Eigen::MatrixXd element_weights(int e, const Eigen::Ref<const Eigen::VectorXd>& t) const;
  /// Interpolation matrix from all node_count() nodal values to times t.
  Eigen::MatrixXd global_interpolation(const Eigen::VectorXd& t) const;
  /// Elements of time block `block` of `blocks` (the same split as
  /// parallel::block_range, so DeterministicSum's shard ownership matches).
  parallel::IndexRange block_elements(int block, int blocks) const;

 private:
  double t0_, t1_;
  int elements_, p_;
  LagrangeBasis basis_;
  // The reference coordinate in [-1, 1] of time t in element e.
  double reference_point(int e, double t) const;
  Eigen::MatrixXd derivative_;
};

}  // namespace dynlearn::spectral
