#include "dynlearn/train/driven_trajectories.hpp"

#include <utility>

#include "dynlearn/core/error.hpp"

namespace dynlearn::train {

DrivenTrajectories read_driven_trajectories(const io::DatasetReader& reader,
                                            const std::string& split, std::size_t first,
                                            std::size_t count, double input_period) {
  if (!reader.has_split(split)) throw InputError("the dataset has no '" + split + "' split");
  const io::SplitShape shape = reader.shape(split);
  if (shape.observed_dim != shape.state_dim)
    throw InputError(
        "SNet needs the full state observed; set [data] observe = \"state\" and regenerate the "
        "dataset");
  if (shape.input_dim == 0)
    throw InputError(
        "SNet learns input-driven systems, but the dataset has no inputs (use a vehicle or "
        "multi_agent "
        "[system])");
  if (!(input_period > 0.0))
    throw InputError("the input period must be > 0 ([system] input_period)");
  if (first + count > shape.trajectories)
    throw InputError("trajectories [" + std::to_string(first) + ", " +
                     std::to_string(first + count) + ") requested from a '" + split +
                     "' split of " + std::to_string(shape.trajectories));
  // SNet and the matching baselines use t, y and the input coefficients only.
  io::ReadFields fields;
  fields.x = fields.u = fields.params = false;
  io::SplitData data = reader.read(split, first, count, fields);
  DrivenTrajectories out;
  out.first = first;
  for (io::TrajectoryRecord& r : data.trajectories) {  // moved: one copy of the data at a time
    out.t.push_back(std::move(r.t));
    out.y.push_back(std::move(r.y));
    out.u.emplace_back(r.u_coeffs, input_period);
  }
  return out;
}

}  // namespace dynlearn::train
