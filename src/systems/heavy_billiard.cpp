#include "dynlearn/systems/heavy_billiard.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "dynlearn/core/error.hpp"
#include "dynlearn/core/rng.hpp"
#include "dynlearn/systems/catalog.hpp"

namespace dynlearn::systems {

HeavyBilliard::HeavyBilliard()
    : System("heavy_billiard",
             "point mass under gravity in a square box with perfectly rebounding walls (SRNN "
             "section 6, A.3); exact event-driven simulation; state [x, y, px, py]") {
  section_
      .add("box_size", box_size, "side of the free space (the paper's 104 px) [length]",
           io::Range::positive())
      .add("image_px", image_px, "side of the background image in pixels (SRNN A.3: 128)",
           io::Range::at_least(1))
      .add("wall_px", wall_px, "wall thickness in pixels on each side (SRNN A.3: 12)",
           io::Range::at_least(0))
      .add("billiard_px", billiard_px,
           "side of the billiard in pixels (SRNN A.3: 3); its centre stays half of it away "
           "from the walls (0: a point)",
           io::Range::at_least(0))
      .add("gravity", gravity, "gravitational acceleration vector [length/time^2]", {}, 2)
      .add("speed_min", speed_min, "initial speed ~ U[speed_min, speed_max], direction uniform",
           io::Range::non_negative())
      .add("speed_max", speed_max, "largest initial speed [length/time]",
           io::Range::non_negative());
}

void HeavyBilliard::prepare(std::uint64_t) {
  const int free_px = image_px - 2 * wall_px;
  if (free_px <= 0)
    throw InputError("[system] image_px = " + std::to_string(image_px) +
                     " leaves no free space inside walls of wall_px = " + std::to_string(wall_px) +
                     " pixels: make image_px > 2 wall_px");
  if (billiard_px >= free_px)
    throw InputError("[system] billiard_px = " + std::to_string(billiard_px) +
                     " does not fit the free space of " + std::to_string(free_px) +
                     " pixels: make it smaller than image_px - 2 wall_px");
  if (speed_min > speed_max)
    throw InputError("[system] speed_min = " + io::format_real(speed_min) +
                     " exceeds speed_max = " + io::format_real(speed_max) +
                     ": make speed_min <= speed_max");
  pixel_ = box_size / free_px;
  lo_ = 0.5 * billiard_px * pixel_;
  hi_ = box_size - lo_;
}

Eigen::Vector4d HeavyBilliard::initial_state(const TrajectoryKey& key) const {
  core::Rng rng(key.seed, key.index, core::Purpose::initial_state);
  Eigen::Vector4d x;
  x(0) = rng.uniform(lo_, hi_);
  x(1) = rng.uniform(lo_, hi_);
  const double speed = rng.uniform(speed_min, speed_max);
  const double angle = rng.uniform(0.0, 2.0 * std::numbers::pi);
  x(2) = speed * std::cos(angle);
  x(3) = speed * std::sin(angle);
  return x;
}

namespace {

constexpr double kNever = std::numeric_limits<double>::infinity();

// Earliest tau >= 0 at which x0 + v tau + g tau^2 / 2 reaches the wall at c
// while moving into it (outward = -1 for the lower wall, +1 for the upper).
// The stable quadratic formula keeps the root tau = 0 exact when x0 = c, so a
// billiard just reflected off a wall (moving away from it) is not caught there.
double first_hit(double x0, double v, double g, double c, double outward) {
  const double a = 0.5 * g, b = v, d = x0 - c;
  double roots[2] = {kNever, kNever};
  if (a == 0.0) {
    if (b != 0.0) roots[0] = -d / b;
  } else {
    const double disc = b * b - 4.0 * a * d;
    if (disc < 0.0) return kNever;
    const double q = -0.5 * (b + std::copysign(std::sqrt(disc), b));
    if (q == 0.0) {
      roots[0] = 0.0;  // b = 0 and d = 0: at the wall, at rest along this axis
    } else {
      roots[0] = q / a;
      roots[1] = d / q;
    }
  }
  double best = kNever;
  for (double tau : roots)
    if (tau >= 0.0 && tau < best && outward * (v + g * tau) > 0.0) best = tau;
  return best;
}

}  // namespace

Eigen::Vector4d HeavyBilliard::advance(Eigen::Vector4d x, double span, long* rebounds) const {
  const double g[2] = {gravity[0], gravity[1]};
  const double walls[2] = {lo_, hi_};
  const double outward[2] = {-1.0, 1.0};
  // Roundoff can leave the centre 1 ulp outside; put it back on the wall.
  const auto clamp = [this](Eigen::Vector4d& s) {
    for (int a = 0; a < 2; ++a) s(a) = std::clamp(s(a), lo_, hi_);
  };
  clamp(x);
  double left = span;
  for (long events = 0;; ++events) {
    if (events > 10'000'000)
      throw NumericalError("heavy_billiard: more than 1e7 rebounds in one sample interval");
    double tau = left;
    int axis = -1, side = 0;
    for (int a = 0; a < 2; ++a)
      for (int s = 0; s < 2; ++s) {
        const double h = first_hit(x(a), x(2 + a), g[a], walls[s], outward[s]);
        if (h < tau) tau = h, axis = a, side = s;
      }
    for (int a = 0; a < 2; ++a) {
      x(a) += tau * (x(2 + a) + 0.5 * g[a] * tau);
      x(2 + a) += g[a] * tau;
    }
    if (axis < 0) break;
    x(axis) = walls[side];
    x(2 + axis) = -x(2 + axis);
    if (rebounds) ++*rebounds;
    // A corner: the other coordinate reaches its wall at the same instant (to
    // roundoff); reflect it now rather than an ulp later.
    const int b = 1 - axis;
    for (int s = 0; s < 2; ++s)
      if (std::abs(x(b) - walls[s]) <= 1e-12 * box_size && outward[s] * x(2 + b) > 0.0) {
        x(b) = walls[s];
        x(2 + b) = -x(2 + b);
        if (rebounds) ++*rebounds;
      }
    clamp(x);
    left -= tau;
  }
  clamp(x);
  return x;
}

Trajectory HeavyBilliard::simulate(const Eigen::VectorXd& t, const TrajectoryKey& key) const {
  Trajectory traj;
  traj.x.resize(4, t.size());
  Eigen::Vector4d x = initial_state(key);
  traj.x.col(0) = x;
  for (Eigen::Index k = 1; k < t.size(); ++k) {
    x = advance(x, t(k) - t(k - 1));
    traj.x.col(k) = x;
  }
  return traj;
}

std::vector<NamedArray> HeavyBilliard::constants() const {
  Eigen::MatrixXd image = Eigen::MatrixXd::Ones(image_px, image_px);
  const int free_px = image_px - 2 * wall_px;
  image.block(wall_px, wall_px, free_px, free_px).setZero();
  Eigen::MatrixXd extent(4, 1);
  const double w = wall_px * pixel_;
  extent << -w, box_size + w, -w, box_size + w;
  return {{"walls", image,
           "background image, 1 = wall, 0 = free; row 0 is the top (largest y), column 0 the "
           "left (smallest x)"},
          {"image_extent", extent,
           "[x_min, x_max, y_min, y_max] of the image's outer edges in state coordinates; the "
           "free space is [0, box_size]^2"},
          {"centre_limits", (Eigen::MatrixXd(2, 1) << lo_, hi_).finished(),
           "the billiard's centre moves in [lo, hi]^2 (half the billiard away from the walls)"}};
}

double HeavyBilliard::energy(const Eigen::VectorXd& x) const {
  return 0.5 * (x(2) * x(2) + x(3) * x(3)) - gravity[0] * x(0) - gravity[1] * x(1);
}

std::unique_ptr<System> make_heavy_billiard() {
  return std::make_unique<HeavyBilliard>();
}

}  // namespace dynlearn::systems
