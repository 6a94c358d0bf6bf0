// The heavy billiard of SRNN (srnn.txt, section 6, appendix A.3): a point
// mass (unit mass) under constant gravity in a square box whose walls rebound
// it perfectly (the momentum component normal to the wall is reversed).
// Between rebounds the motion is a parabola, so the hit times are found in
// closed form (roots of the quadratic per wall) and the simulation has no
// time-stepping error.
//
// Geometry follows the paper's 128x128-pixel image with 12-pixel walls (free
// space 104x104 px) and a 3x3-px billiard: the free space is the square
// [0, box_size]^2, one pixel is h = box_size / (image_px - 2 wall_px), and the
// billiard's centre moves in [r, box_size - r]^2 with r = billiard_px h / 2.
// State [x, y, px, py].
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "dynlearn/systems/system.hpp"

namespace dynlearn::systems {

class HeavyBilliard : public System {
 public:
  HeavyBilliard();

  void prepare(std::uint64_t seed) override;
  int state_dim() const override { return 4; }
  std::vector<std::string> state_names() const override { return {"x", "y", "px", "py"}; }
  std::vector<int> position_indices() const override { return {0, 1}; }
  Trajectory simulate(const Eigen::VectorXd& t, const TrajectoryKey& key) const override;
  /// The background image ("walls", 1 = wall, 0 = free; row 0 is the top,
  /// largest y) and its placement ("image_extent" = [x_min, x_max, y_min,
  /// y_max] of the image's outer edges, as matplotlib's imshow extent).
  std::vector<NamedArray> constants() const override;
  /// |p|^2 / 2 - g . q (unit mass).
  double energy(const Eigen::VectorXd& x) const override;

  Eigen::Vector4d initial_state(const TrajectoryKey& key) const;
  /// The exact state after a time `span` from `x`; `rebounds` (if given) is
  /// increased by the number of wall hits (a corner counts twice).
  Eigen::Vector4d advance(Eigen::Vector4d x, double span, long* rebounds = nullptr) const;
  /// Limits of the centre's motion (valid after prepare()).
  double lower() const { return lo_; }
  double upper() const { return hi_; }
  double pixel_size() const { return pixel_; }

  double box_size = 1.0;
  int image_px = 128;
  int wall_px = 12;
  int billiard_px = 3;
  std::vector<double> gravity = {0.0, -2.0};
  double speed_min = 2.0;
  double speed_max = 4.0;

 private:
  double lo_ = 0.0, hi_ = 1.0, pixel_ = 1.0;
};

}  // namespace dynlearn::systems
