// Trajectory matching: group trajectories that share sample times into one
// batched solve, form the per-trajectory mean squared misfit, and pull its
// gradient back through the solver (BKPR) or PETSc's adjoint (ADJ).
#include "dynlearn/train/trajectory_matching.hpp"

#include <map>
#include <string>
#include <vector>

#include "dynlearn/core/error.hpp"
#include "dynlearn/train/driven_rollout.hpp"
#include "dynlearn/train/driven_ts_adjoint.hpp"

namespace dynlearn::train {

using Eigen::Index;
using Eigen::MatrixXd;

MatchingMethod parse_matching_method(std::string_view name) {
  if (name == "bkpr_euler") return MatchingMethod::bkpr_euler;
  if (name == "bkpr_dopri5") return MatchingMethod::bkpr_dopri5;
  if (name == "adj_euler") return MatchingMethod::adj_euler;
  if (name == "adj_dopri5") return MatchingMethod::adj_dopri5;
  throw InputError("unknown trajectory-matching method \"" + std::string(name) +
                   "\": use one of bkpr_euler, bkpr_dopri5, adj_euler, adj_dopri5");
}

std::string_view matching_method_name(MatchingMethod method) {
  switch (method) {
    case MatchingMethod::bkpr_euler:
      return "bkpr_euler";
    case MatchingMethod::bkpr_dopri5:
      return "bkpr_dopri5";
    case MatchingMethod::adj_euler:
      return "adj_euler";
    case MatchingMethod::adj_dopri5:
      return "adj_dopri5";
  }
  return "?";
}

namespace {

bool is_euler(MatchingMethod m) {
  return m == MatchingMethod::bkpr_euler || m == MatchingMethod::adj_euler;
}
bool is_adjoint(MatchingMethod m) {
  return m == MatchingMethod::adj_euler || m == MatchingMethod::adj_dopri5;
}

// Trajectories of [begin, end) grouped by identical sample times, in order of
// first appearance, so the result does not depend on how a group is found.
std::vector<std::vector<std::size_t>> groups_by_times(const DrivenTrajectories& data,
                                                      std::size_t begin, std::size_t end) {
  std::vector<std::vector<std::size_t>> groups;
  for (std::size_t b = begin; b < end; ++b) {
    bool placed = false;
    for (auto& g : groups) {
      const Eigen::VectorXd& t0 = data.t[g.front()];
      if (t0.size() == data.t[b].size() && t0 == data.t[b]) {
        g.push_back(b);
        placed = true;
        break;
      }
    }
    if (!placed) groups.push_back({b});
  }
  return groups;
}

}  // namespace

struct TrajectoryMatching::Impl {
  DrivenRollout rollout;
  DrivenTsAdjoint adjoint;
  std::vector<MatrixXd> upstream;
  Impl(DrivenScheme scheme, DrivenRolloutOptions options)
      : rollout(scheme, options), adjoint(scheme, options) {}
};

TrajectoryMatching::TrajectoryMatching(integrate::DrivenField& field, MatchingMethod method,
                                       MatchingOptions options)
    : field_(field), method_(method), options_(options) {
  require(options.rtol > 0.0 && options.atol > 0.0,
          "trajectory matching: rtol and atol must be positive");
  DrivenRolloutOptions ro;
  ro.rtol = options.rtol;
  ro.atol = options.atol;
  impl_ = std::make_unique<Impl>(is_euler(method) ? DrivenScheme::euler : DrivenScheme::dopri5, ro);
}

TrajectoryMatching::~TrajectoryMatching() = default;

void TrajectoryMatching::freeze_step_sizes(bool frozen) {
  impl_->rollout.freeze_step_sizes(frozen);
}

double TrajectoryMatching::loss(const DrivenTrajectories& data, std::size_t begin,
                                std::size_t end) {
  double total = 0.0;
  for (const auto& group : groups_by_times(data, begin, end)) {
    const Eigen::VectorXd& t = data.t[group.front()];
    const Index n = field_.state_dim(), batch = static_cast<Index>(group.size());
    MatrixXd x0(n, batch);
    std::vector<const systems::FourierInput*> inputs;
    for (Index c = 0; c < batch; ++c) {
      x0.col(c) = data.y[group[c]].col(0);
      inputs.push_back(&data.u[group[c]]);
    }
    const auto& states = impl_->rollout.run(field_, x0, inputs, t, false);
    for (Index c = 0; c < batch; ++c) {
      const MatrixXd& y = data.y[group[c]];
      if (t.size() < 2) continue;
      double sum = 0.0;
      for (Index k = 1; k < t.size(); ++k) sum += (states[k].col(c) - y.col(k)).squaredNorm();
      total += sum / static_cast<double>((t.size() - 1) * n);
    }
  }
  return total;
}

double TrajectoryMatching::loss_and_gradient(const DrivenTrajectories& data, std::size_t begin,
                                             std::size_t end,
                                             Eigen::Ref<Eigen::VectorXd> gradient) {
  require(begin <= end && end <= data.size(), "trajectory matching: range [" +
                                                  std::to_string(begin) + ", " +
                                                  std::to_string(end) + ") outside the data");
  require(gradient.size() == field_.num_parameters(),
          "trajectory matching: gradient has the wrong size");
  double total = 0.0;
  const Index n = field_.state_dim();
  for (const auto& group : groups_by_times(data, begin, end)) {
    const Eigen::VectorXd& t = data.t[group.front()];
    const Index batch = static_cast<Index>(group.size());
    if (t.size() < 2) continue;
    MatrixXd x0(n, batch);
    std::vector<const systems::FourierInput*> inputs;
    for (Index c = 0; c < batch; ++c) {
      require(data.y[group[c]].rows() == n && data.y[group[c]].cols() == t.size(),
              "trajectory matching: observations do not match the model's state or the times");
      x0.col(c) = data.y[group[c]].col(0);
      inputs.push_back(&data.u[group[c]]);
    }
    const std::vector<MatrixXd>& states = is_adjoint(method_)
                                              ? impl_->adjoint.run(field_, x0, inputs, t)
                                              : impl_->rollout.run(field_, x0, inputs, t, true);
    // L_b = Σ_k≥1 |x_k - y_k|² / ((N - 1) n); dL_b/dx_k = 2 (x_k - y_k) / ((N - 1) n).
    const double scale = 1.0 / static_cast<double>((t.size() - 1) * n);
    auto& up = impl_->upstream;
    up.assign(static_cast<std::size_t>(t.size()), MatrixXd());
    for (Index k = 1; k < t.size(); ++k) {
      up[k].resize(n, batch);
      for (Index c = 0; c < batch; ++c) up[k].col(c) = states[k].col(c) - data.y[group[c]].col(k);
      total += scale * up[k].squaredNorm();
      up[k] *= 2.0 * scale;
    }
    if (is_adjoint(method_))
      impl_->adjoint.vjp(field_, up, gradient);
    else
      impl_->rollout.vjp(field_, up, gradient);
  }
  return total;
}

}  // namespace dynlearn::train
