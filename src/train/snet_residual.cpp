#include "dynlearn/train/snet_residual.hpp"

#include <mpi.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "dynlearn/core/error.hpp"

namespace dynlearn::train {

SnetResidual::SnetResidual(const integrate::DrivenField& field, const spectral::ElementChain& chain,
                           const DrivenTrajectories& data, SnetShare share, SampleWeights weights)
    : field_(field),
      chain_(chain),
      data_(data),
      weights_policy_(weights),
      share_(std::move(share)) {
  const int p = chain_.order();
  const std::size_t local_elements = share_.elements.size();
  local_nodes_ = local_elements == 0 ? 0 : static_cast<int>(local_elements) * p + 1;
  elements_.resize(data.size() * local_elements);
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (data.y[i].rows() != field_.state_dim())
      throw InputError("the dataset's state has " + std::to_string(data.y[i].rows()) +
                       " components but the model " + std::to_string(field_.state_dim()));
    const spectral::SampleMap map = chain_.sample_map(data.t[i]);
    for (std::size_t le = 0; le < local_elements; ++le) {
      const int e = static_cast<int>(share_.elements.begin + le);
      ElementData& d = elements_[i * local_elements + le];
      d.u = data.u[i].sample(chain_.element_times(e));
      if (d.u.rows() != field_.input_dim())
        throw InputError("the dataset's input has " + std::to_string(d.u.rows()) +
                         " channels but the model " + std::to_string(field_.input_dim()));
      d.element = e;
      Eigen::Index count = 0, first = -1, last = -1;
      for (Eigen::Index s = 0; s < data.t[i].size(); ++s)
        if (map.element[static_cast<std::size_t>(s)] == e) {
          if (first < 0) first = s;
          last = s;
          ++count;
        }
      // The observations are read in place: an element's samples must be
      // consecutive (the sample times increase).
      if (count > 0 && last - first + 1 != count)
        throw InputError("trajectory " + std::to_string(i) +
                         " of the dataset: the sample times do not increase; sort them");
      d.first = count > 0 ? first : 0;
      d.count = count;
      if (weights_policy_ == SampleWeights::stored)
        d.weights = map.weights.middleRows(d.first, count);
    }
  }
  units_.resize(units());
  for (std::size_t s = 0; s < share_.shards.size(); ++s) {
    const parallel::IndexRange shard = share_.shards[s];
    for (std::size_t le = 0; le < local_elements; ++le) {
      UnitCache& unit = units_[s * local_elements + le];
      unit.tape = field_.make_tape();
      unit.u.resize(field_.input_dim(), static_cast<Eigen::Index>(shard.size()) * (p + 1));
      for (std::size_t i = shard.begin; i < shard.end; ++i)
        unit.u.middleCols(static_cast<Eigen::Index>(i - shard.begin) * (p + 1), p + 1) =
            element_data(i, le).u;
    }
  }
}

void SnetResidual::evaluate(const spectral::BlockNodalValues& x, bool theta_gradient, double gamma,
                            SnetPartials& partials, spectral::BlockNodalValues* x_gradient) const {
  const Eigen::Index n = field_.state_dim();
  const Eigen::Index m = field_.num_parameters();
  const int p = chain_.order();
  const Eigen::Index np1 = p + 1;
  const std::size_t local_elements = share_.elements.size();
  const double c_r = 2.0 / share_.residual_count;
  const double c_l = 2.0 * gamma / share_.sample_count;
  const Eigen::MatrixXd& d = chain_.derivative();

  partials.resize(units());
  for (Eigen::VectorXd& v : partials) v.setZero(partial_length());
  if (x_gradient) x_gradient->set_zero();
  if (!theta_gradient) theta_scratch_.setZero(m);

  for (std::size_t s = 0; s < share_.shards.size(); ++s) {
    const parallel::IndexRange shard = share_.shards[s];
    const Eigen::Index cols = static_cast<Eigen::Index>(shard.size()) * np1;
    for (std::size_t le = 0; le < local_elements; ++le) {
      Eigen::VectorXd& v = partials[s * local_elements + le];
      UnitCache& unit = units_[s * local_elements + le];
      // Gather the unit's nodal values; `same`: bit for bit those cached.
      bool same = unit.valid;
      unit.x.resize(n, cols);
      const auto bytes = static_cast<std::size_t>(n) * sizeof(double);
      for (std::size_t i = shard.begin; i < shard.end; ++i) {
        const Eigen::Index c = static_cast<Eigen::Index>(i - shard.begin) * np1;
        for (int q = 0; q <= p; ++q) {
          const double* node = x.node(i, static_cast<int>(le) * p + q);
          double* col = unit.x.col(c + q).data();
          if (same && std::memcmp(node, col, bytes) == 0) continue;
          same = false;
          std::memcpy(col, node, bytes);
        }
      }
      if (!same) {
        unit.dx.resize(n, cols);
        for (Eigen::Index c = 0; c < cols; c += np1)
          unit.dx.middleCols(c, np1).noalias() = unit.x.middleCols(c, np1) * d.transpose();
      }
      const Eigen::MatrixXd& xs = unit.x;
      if (theta_gradient && !x_gradient) {
        // δ-SNet: d/dθ of c_r/2 |r|² is the parameter_vjp of -c_r r, which the
        // field forms in one pass with r (the vehicle kernel's hidden values
        // stay in cache between its forward and reverse passes).
        v(m) = field_.residual_parameter_gradient(xs, unit.u, unit.dx, c_r, v.head(m), *unit.tape) /
               share_.residual_count;
      } else {
        f_.resize(n, cols);
        field_.evaluate(xs, unit.u, f_, *unit.tape);
        r_ = unit.dx - f_;
        v(m) = r_.squaredNorm() / share_.residual_count;
      }
      if (x_gradient) {
        // The same gradient, and the x adjoint: the field's vjp of -c_r r.
        upstream_ = -c_r * r_;
        adjoint_.resize(n, cols);
        if (theta_gradient)
          field_.vjp(upstream_, adjoint_, v.head(m), *unit.tape);
        else
          field_.vjp(upstream_, adjoint_, theta_scratch_, *unit.tape);
      }
      if (!same || x_gradient) {
        double l_sum = 0.0;
        for (std::size_t i = shard.begin; i < shard.end; ++i) {
          const ElementData& data = element_data(i, le);
          const Eigen::MatrixXd& weights = sample_weights(i, data);
          const Eigen::Index c = static_cast<Eigen::Index>(i - shard.begin) * np1;
          misfit_.noalias() = xs.middleCols(c, np1) * weights.transpose();
          misfit_ -= data_.y[i].middleCols(data.first, data.count);
          l_sum += misfit_.squaredNorm();
          if (x_gradient) {
            // ∂R/∂X_e = c_r r D - c_r Jᵀ r, ∂(γL)/∂X_e = c_l misfit W.
            g_.noalias() = c_r * r_.middleCols(c, np1) * d;
            g_ += adjoint_.middleCols(c, np1);
            if (gamma != 0.0 && data.count > 0) g_.noalias() += c_l * misfit_ * weights;
            for (int q = 0; q <= p; ++q)
              Eigen::Map<Eigen::VectorXd>(x_gradient->node(i, static_cast<int>(le) * p + q), n) +=
                  g_.col(q);
          }
        }
        unit.l_sum = l_sum;
      }
      unit.valid = true;
      v(m + 1) = unit.l_sum / share_.sample_count;
    }
  }
}

const Eigen::MatrixXd& SnetResidual::sample_weights(std::size_t i, const ElementData& d) const {
  if (weights_policy_ == SampleWeights::stored) return d.weights;
  weights_buffer_ = chain_.element_weights(d.element, data_.t[i].segment(d.first, d.count));
  return weights_buffer_;
}

SnetGridSum::SnetGridSum(const parallel::ProcessGrid& grid, std::size_t elements,
                         std::size_t trajectory_shards, std::size_t local_shards)
    : over_elements_(grid.time_comm(), elements),
      over_shards_(grid.trajectory_comm(), trajectory_shards),
      local_shards_(local_shards) {
  if (over_shards_.owned_shards().size() != local_shards)
    throw std::logic_error(
        "SnetGridSum: the share's shards do not match the trajectory communicator's layout");
}

Eigen::VectorXd SnetGridSum::sum(const SnetPartials& partials, Eigen::Index length) const {
  // Shards first (each element's total over the trajectory groups, all local
  // elements in one message), then elements: the time blocks exchange one
  // θ-gradient each, not one per shard.
  const std::size_t local_elements = over_elements_.owned_shards().size();
  const Eigen::Index stacked = static_cast<Eigen::Index>(local_elements) * length;
  per_shard_.resize(local_shards_);
  for (std::size_t s = 0; s < local_shards_; ++s) {
    per_shard_[s].resize(stacked);
    for (std::size_t le = 0; le < local_elements; ++le)
      per_shard_[s].segment(static_cast<Eigen::Index>(le) * length, length) =
          partials[s * local_elements + le];
  }
  const Eigen::VectorXd by_element = over_shards_.sum(per_shard_, stacked);
  per_element_.resize(local_elements);
  for (std::size_t le = 0; le < local_elements; ++le)
    per_element_[le] = by_element.segment(static_cast<Eigen::Index>(le) * length, length);
  return over_elements_.sum(per_element_, length);
}

SnetShare make_snet_share(const parallel::ShardLayout& layout, const spectral::ElementChain& chain,
                          int block, int blocks, Eigen::Index state_dim, double total_samples) {
  if (chain.elements() < blocks)
    throw InputError("[snet] elements = " + std::to_string(chain.elements()) +
                     " is fewer than [snet] time_blocks = " + std::to_string(blocks) +
                     "; every time block needs at least one element");
  SnetShare share;
  const parallel::IndexRange owned = layout.owned_items();
  const parallel::IndexRange shards = layout.owned_shards();
  for (std::size_t s = shards.begin; s < shards.end; ++s) {
    const parallel::IndexRange r = layout.shard_items(s);
    share.shards.push_back({r.begin - owned.begin, r.end - owned.begin});
  }
  share.elements = chain.block_elements(block, blocks);
  share.trajectories = layout.n_items();
  share.residual_count = static_cast<double>(layout.n_items()) * chain.elements() *
                         chain.nodes_per_element() * static_cast<double>(state_dim);
  share.sample_count = total_samples * static_cast<double>(state_dim);
  return share;
}

SnetProblem::SnetProblem(const integrate::DrivenField& field, const spectral::ElementChain& chain,
                         const parallel::ProcessGrid& grid, const DrivenTrajectories& data,
                         const parallel::ShardLayout& layout, double total_samples,
                         SampleWeights weights)
    : field_(field),
      grid_(grid),
      residual_(field, chain, data,
                make_snet_share(layout, chain, grid.time_block(), grid.time_blocks(),
                                field.state_dim(), total_samples),
                weights),
      sum_(grid, static_cast<std::size_t>(chain.elements()), layout.n_shards(),
           layout.owned_shards().size()),
      x_(grid.time_comm(), data.size(), field.state_dim(), residual_.local_nodes(),
         grid.next_block() != MPI_PROC_NULL) {}

SnetValues SnetProblem::reduce(bool theta, Eigen::VectorXd* theta_gradient) {
  const Eigen::Index m = field_.num_parameters();
  Eigen::VectorXd total;
  if (theta) {
    total = sum_.sum(partials_, residual_.partial_length());
    *theta_gradient = total.head(m);
    return {total(m), total(m + 1)};
  }
  // Only the two scalars travel; the same tree, so the same bits as with θ.
  scalars_.resize(partials_.size());
  for (std::size_t u = 0; u < partials_.size(); ++u) scalars_[u] = partials_[u].tail(2);
  total = sum_.sum(scalars_, 2);
  return {total(0), total(1)};
}

SnetValues SnetProblem::evaluate(Eigen::VectorXd* theta_gradient) {
  residual_.evaluate(x_, theta_gradient != nullptr, 0.0, partials_, nullptr);
  return reduce(theta_gradient != nullptr, theta_gradient);
}

SnetValues SnetProblem::evaluate_coefficients(double gamma,
                                              spectral::BlockNodalValues& x_gradient) {
  residual_.evaluate(x_, false, gamma, partials_, &x_gradient);
  x_gradient.sum_shared_nodes();
  return reduce(false, nullptr);
}

}  // namespace dynlearn::train
