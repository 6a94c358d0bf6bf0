#include "dynlearn/train/windows.hpp"

#include <algorithm>
#include <cmath>

#include "dynlearn/core/error.hpp"

namespace dynlearn::train {

std::vector<Window> make_windows(const Trajectories& data, int first, int last, int window) {
  std::vector<Window> windows;
  for (int i = first; i < last; ++i) {
    const int n = windows_per_trajectory(static_cast<int>(data.y[i].cols()), window);
    for (int s = 0; s < n; ++s) windows.push_back({i, s});
  }
  return windows;
}

void gather(const Trajectories& data, const std::vector<Window>& windows, int window,
            Eigen::MatrixXd& x0, std::vector<Eigen::MatrixXd>& targets) {
  const Eigen::Index dim = data.y.empty() ? 0 : data.y.front().rows();
  const Eigen::Index batch = static_cast<Eigen::Index>(windows.size());
  x0.resize(dim, batch);
  targets.resize(window);
  for (auto& t : targets) t.resize(dim, batch);
  // Plain copies of contiguous columns: this runs for every window of every
  // batch, and Eigen's per-column assignment costs more than the copy at
  // the usual state sizes.
  for (Eigen::Index b = 0; b < batch; ++b) {
    const auto& w = windows[b];
    const Eigen::MatrixXd& y = data.y[w.trajectory];
    std::copy_n(y.data() + w.start * dim, dim, x0.data() + b * dim);
    for (int k = 0; k < window; ++k)
      std::copy_n(y.data() + (w.start + k + 1) * dim, dim, targets[k].data() + b * dim);
  }
}

double uniform_spacing(const std::vector<Eigen::VectorXd>& t) {
  double dt = 0.0;
  for (const auto& ti : t) {
    for (Eigen::Index k = 1; k < ti.size(); ++k) {
      const double h = ti(k) - ti(k - 1);
      if (dt == 0.0) dt = h;
      if (std::abs(h - dt) > 1e-9 * std::abs(dt))
        throw InputError(
            "the training data are not uniformly sampled (spacing " + std::to_string(h) + " vs " +
            std::to_string(dt) +
            "): integrator-based training needs [data] grid = \"uniform\"; regenerate the dataset");
    }
  }
  if (dt <= 0.0) throw InputError("the training data have fewer than 2 samples per trajectory");
  return dt;
}

}  // namespace dynlearn::train
