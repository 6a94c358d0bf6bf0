#include "dynlearn/train/trainer_checkpoint.hpp"

#include "dynlearn/core/error.hpp"

namespace dynlearn::train {
namespace {

void put(io::Checkpoint& c, const std::string& prefix, const NamedState& s) {
  c.strings[prefix + "/kind"] = s.kind;
  for (const auto& [name, v] : s.vectors) c.vectors[prefix + "/" + name] = v;
  for (const auto& [name, v] : s.scalars) c.scalars[prefix + "/" + name] = v;
}

NamedState get(const io::Checkpoint& c, const std::string& prefix) {
  NamedState s;
  const std::string p = prefix + "/";
  if (auto it = c.strings.find(p + "kind"); it != c.strings.end()) s.kind = it->second;
  for (const auto& [name, v] : c.vectors)
    if (name.rfind(p, 0) == 0) s.vectors[name.substr(p.size())] = v;
  for (const auto& [name, v] : c.scalars)
    if (name.rfind(p, 0) == 0) s.scalars[name.substr(p.size())] = v;
  return s;
}

Eigen::VectorXd column(const std::vector<EpochRecord>& h, double EpochRecord::*field) {
  Eigen::VectorXd v(h.size());
  for (std::size_t i = 0; i < h.size(); ++i) v(i) = h[i].*field;
  return v;
}

}  // namespace

io::Checkpoint to_checkpoint(const TrainerState& state, const parallel::IndexRange& owned,
                             std::size_t n_trajectories) {
  io::Checkpoint c;
  c.iteration = state.epoch;
  c.integers["epoch"] = state.epoch;
  c.vectors["parameters"] = state.parameters;
  put(c, "optimizer", state.optimizer);
  put(c, "scheduler", state.scheduler);
  Eigen::VectorXd epochs(state.history.size());
  for (std::size_t i = 0; i < state.history.size(); ++i) epochs(i) = state.history[i].epoch;
  c.vectors["history/epoch"] = epochs;
  c.vectors["history/loss"] = column(state.history, &EpochRecord::loss);
  c.vectors["history/learning_rate"] = column(state.history, &EpochRecord::learning_rate);
  c.vectors["history/seconds"] = column(state.history, &EpochRecord::seconds);
  // ISO states exist on every rank or on none (they start at the same epoch).
  c.integers["iso_active"] = state.iso_states.empty() ? 0 : 1;
  if (!state.iso_states.empty()) {
    io::DistributedRows rows;
    rows.global_rows = n_trajectories;
    rows.first_row = owned.begin;
    const Eigen::Index size = state.iso_states.front().size();
    rows.local.resize(size, static_cast<Eigen::Index>(state.iso_states.size()));
    for (std::size_t i = 0; i < state.iso_states.size(); ++i)
      rows.local.col(static_cast<Eigen::Index>(i)) = state.iso_states[i].reshaped();
    c.arrays["iso_states"] = std::move(rows);
  }
  return c;
}

TrainerState from_checkpoint(const io::Checkpoint& c, Eigen::Index dim, Eigen::Index windows) {
  TrainerState s;
  s.epoch = static_cast<int>(c.integers.at("epoch"));
  s.parameters = c.vectors.at("parameters");
  s.optimizer = get(c, "optimizer");
  s.scheduler = get(c, "scheduler");
  const auto& epoch = c.vectors.at("history/epoch");
  for (Eigen::Index i = 0; i < epoch.size(); ++i)
    s.history.push_back({static_cast<int>(epoch(i)), c.vectors.at("history/loss")(i),
                         c.vectors.at("history/learning_rate")(i), c.vectors.at("history/seconds")(i)});
  if (auto it = c.arrays.find("iso_states"); it != c.arrays.end()) {
    const auto& local = it->second.local;
    if (local.rows() != dim * windows)
      throw InputError("the checkpoint's initial states have " + std::to_string(local.rows()) +
                       " values per trajectory, but this run needs " + std::to_string(dim * windows) +
                       ": restart with the deck that wrote the checkpoint");
    for (Eigen::Index j = 0; j < local.cols(); ++j) s.iso_states.push_back(local.col(j).reshaped(dim, windows));
  }
  return s;
}

}  // namespace dynlearn::train
