// The learned rebound module of SRNN section 6 (appendix A.3) and the window
// model that trains it jointly with an H-NET through the augmented leapfrog.
//
// The rebound vector is n = γ n̄ and the rebound time fraction α; all three are
// networks of visual cues, neighbourhoods of the background image (the walls)
// sampled around the positions:
//   n̄ = u / |u|, u = head_n(trunk(F)),   α = head_α(trunk(F)),
//   γ = net_γ(F_γ),
// where F stacks two P x P neighbourhoods centred at q_t and q̃ (the tentative
// position after a plain leapfrog step) and F_γ one G x G neighbourhood at q̃.
// Paper sizes: P = 10 (200 inputs), trunk 200 -> 128 (shared by n̄ and α),
// head_n 128 -> 32 -> 2, head_α 128 -> 32 -> 1, net_γ 4 -> 16 -> 16 -> 1 with a
// sigmoid; tanh everywhere else. Deviation: head_α ends in a sigmoid instead
// of the paper's ReLU, which keeps α in [0, 1] as equations 6-8 need and
// never stops passing gradients.
//
// The image is sampled by bilinear interpolation (outside it counts as wall),
// so the cues are piecewise linear in the positions and the module's VJP
// includes their derivatives with respect to q_t and q̃.
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "dynlearn/integrate/augmented_leapfrog.hpp"
#include "dynlearn/io/learning_config.hpp"
#include "dynlearn/models/window_model.hpp"
#include "dynlearn/nn/mlp.hpp"
#include "dynlearn/systems/system.hpp"

namespace dynlearn::models {

/// A grey-level background image placed in the plane: pixels(0, 0) is the top
/// left pixel (largest y, smallest x); extent = [x_min, x_max, y_min, y_max]
/// of the image's outer edges.
struct ReboundImage {
  Eigen::MatrixXd pixels;
  double x_min = 0.0, x_max = 1.0, y_min = 0.0, y_max = 1.0;

  /// Bilinear interpolation between pixel centres at (x, y); 1 (wall) outside
  /// the image. Sets the partial derivatives with respect to x and y.
  double sample(double x, double y, double& d_dx, double& d_dy) const;
  /// The image smoothed by a box filter of half-width `radius` pixels applied
  /// twice (a triangle of half-width 2 radius), counting outside pixels as
  /// wall: cues then vary with the distance to a wall over a few pixels
  /// instead of one. radius 0 returns the image unchanged.
  ReboundImage blurred(int radius) const;
  /// Width of one pixel in x.
  double pixel_size() const { return (x_max - x_min) / static_cast<double>(pixels.cols()); }
};

/// The image a system exports among its constants ("walls" and
/// "image_extent", as the heavy billiard does); throws InputError naming
/// the [model] rebound key when the system has none.
ReboundImage rebound_image(const std::vector<systems::NamedArray>& constants);

struct ReboundOptions {
  int patch = 10;            ///< side P of the n̄/α neighbourhoods (samples)
  int gamma_patch = 2;       ///< side G of the γ neighbourhood (samples)
  double stride = 1.0;       ///< distance between samples of the n̄/α neighbourhoods, in pixels
  Eigen::Index trunk = 128;  ///< shared first hidden layer of n̄ and α
  Eigen::Index head = 32;    ///< second hidden layer of n̄ and of α
  Eigen::Index gamma_hidden = 16;  ///< both hidden layers of γ
  /// Backpropagate through the cues' dependence on the positions. The cues
  /// of a binary image change within one pixel, so these derivatives are
  /// ~1/pixel spikes; false treats the cues as constants in the VJP (as
  /// cropping an image by pixel index does) and keeps recurrent training
  /// stable. The forward pass is the same either way.
  bool cue_gradient = true;
  /// γ's output bias starts at logit(gamma_init) instead of PyTorch's
  /// random draw, so that training starts with the module nearly off (γ
  /// small everywhere) rather than damping every step by a random γ ~ 0.5;
  /// 0 keeps the PyTorch initialisation.
  double gamma_init = 0.0;
  /// Half-width in pixels of the box filter (applied twice) that smooths the
  /// image before sampling (0: the image as given, as in the paper).
  int blur = 0;
  /// In [0, 1]: α fixed at this value and head_α unused (its parameters get
  /// no gradient), the paper's "rebound module that does not learn α";
  /// negative: α learned.
  double fixed_alpha = -1.0;
};

/// The rebound operator; θ_R = [trunk; head_n; head_α; net_γ] in one flat
/// vector (each network in nn::Mlp's PyTorch layout).
class Rebound final : public integrate::ReboundOperator {
 public:
  /// Throws InputError on non-positive sizes.
  Rebound(ReboundImage image, ReboundOptions options = {});

  /// PyTorch default initialisation, networks from streams (seed, 10..13,
  /// init_weights) so they differ from the H-NET's (indices 0, 1).
  void initialize(std::uint64_t seed);

  const ReboundOptions& options() const { return options_; }
  Eigen::Index num_parameters() const override;
  Eigen::VectorXd parameters() const override;
  void set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) override;
  std::unique_ptr<integrate::ReboundTape> make_tape() const override;

  /// q and q̃ must have 2 rows (positions in the image plane).
  void evaluate(const Eigen::Ref<const Eigen::MatrixXd>& q,
                const Eigen::Ref<const Eigen::MatrixXd>& q_tentative, Eigen::Ref<Eigen::MatrixXd> n,
                Eigen::Ref<Eigen::MatrixXd> alpha, Eigen::Ref<Eigen::MatrixXd> penalty,
                integrate::ReboundTape& tape) const override;
  void vjp(const Eigen::Ref<const Eigen::MatrixXd>& n_adjoint,
           const Eigen::Ref<const Eigen::MatrixXd>& alpha_adjoint,
           const Eigen::Ref<const Eigen::MatrixXd>& penalty_adjoint,
           Eigen::Ref<Eigen::MatrixXd> q_adjoint, Eigen::Ref<Eigen::MatrixXd> q_tentative_adjoint,
           Eigen::Ref<Eigen::VectorXd> parameter_gradient,
           integrate::ReboundTape& tape) const override;

 private:
  /// Samples a side x side neighbourhood (spacing `spacing`) around each
  /// column of `centre` into rows [row0, row0 + side²) of values/d_dx/d_dy.
  void sample_patch(const Eigen::Ref<const Eigen::MatrixXd>& centre, int side, double spacing,
                    Eigen::Index row0, Eigen::MatrixXd& values, Eigen::MatrixXd& d_dx,
                    Eigen::MatrixXd& d_dy) const;

  ReboundImage image_;
  ReboundOptions options_;
  nn::Mlp trunk_, head_n_, head_alpha_, net_gamma_;
};

/// An H-NET (or any field) integrated by the augmented leapfrog with a learned
/// rebound: θ = [θ_field; θ_R]. The loss adds gamma_l1 times the mean γ (per
/// predicted state component, the trainer's normalisation) to the squared
/// error: SRNN's ‖γ‖₁ regulariser that switches the module off where no
/// rebound happens.
class ReboundIntegratedField final : public WindowModel {
 public:
  ReboundIntegratedField(integrate::VectorField& field, std::unique_ptr<Rebound> rebound,
                         double gamma_l1);
  Eigen::Index num_parameters() const override;
  Eigen::VectorXd parameters() const override;
  void set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) override;
  WindowLoss loss(const Eigen::Ref<const Eigen::MatrixXd>& x0,
                  const std::vector<Eigen::MatrixXd>& targets, double dt,
                  Eigen::Ref<Eigen::VectorXd> parameter_gradient, bool want_x0_gradient) override;
  std::vector<Eigen::MatrixXd> predict(const Eigen::Ref<const Eigen::MatrixXd>& x0, double dt,
                                       int steps) override;

  const Rebound& rebound() const { return *rebound_; }
  integrate::AugmentedLeapfrog& stepper() { return stepper_; }

 private:
  integrate::VectorField& field_;
  std::unique_ptr<Rebound> rebound_;
  double gamma_l1_;
  integrate::AugmentedLeapfrog stepper_;
  std::vector<Eigen::MatrixXd> upstream_;
  Eigen::VectorXd scratch_gradient_;
};

/// The window model [model] rebound = true describes: `field` (kept by
/// reference) with a rebound module on the image among the system's
/// `constants`, initialised from `seed`. Throws InputError when the system
/// has no image or the integrator is not leapfrog.
std::unique_ptr<WindowModel> make_rebound_model(integrate::VectorField& field,
                                                const io::ModelConfig& config,
                                                const std::vector<systems::NamedArray>& constants,
                                                const std::string& integrator, int substeps,
                                                std::uint64_t seed);

}  // namespace dynlearn::models
