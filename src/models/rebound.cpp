#include "dynlearn/models/rebound.hpp"

#include <cmath>
#include <string>

#include "dynlearn/core/error.hpp"

namespace dynlearn::models {

using Eigen::Index;
using Eigen::MatrixXd;

namespace {

// Keeps n̄ = u / sqrt(|u|² + ε²) differentiable at u = 0.
constexpr double kNormEpsilon = 1e-6;

struct Tape final : integrate::ReboundTape {
  nn::MlpWorkspace trunk, head_n, head_alpha, gamma;
  MatrixXd features, features_dx, features_dy;  // 2 P² x batch
  MatrixXd cues, cues_dx, cues_dy;              // G² x batch
  MatrixXd u, n_bar, norm, gamma_value;
};

}  // namespace

double ReboundImage::sample(double x, double y, double& d_dx, double& d_dy) const {
  const Index rows = pixels.rows(), cols = pixels.cols();
  const double pw = (x_max - x_min) / static_cast<double>(cols);
  const double ph = (y_max - y_min) / static_cast<double>(rows);
  // Continuous pixel coordinates with pixel centres at integers.
  const double u = (x - x_min) / pw - 0.5;
  const double v = (y_max - y) / ph - 0.5;
  const double cu = std::floor(u), cv = std::floor(v);
  const double fu = u - cu, fv = v - cv;
  const auto pixel = [&](double r, double c) {
    if (r < 0 || c < 0 || r >= static_cast<double>(rows) || c >= static_cast<double>(cols))
      return 1.0;
    return pixels(static_cast<Index>(r), static_cast<Index>(c));
  };
  const double i00 = pixel(cv, cu), i01 = pixel(cv, cu + 1), i10 = pixel(cv + 1, cu),
               i11 = pixel(cv + 1, cu + 1);
  const double top = (1 - fu) * i00 + fu * i01;
  const double bottom = (1 - fu) * i10 + fu * i11;
  const double d_du = (1 - fv) * (i01 - i00) + fv * (i11 - i10);
  const double d_dv = bottom - top;
  d_dx = d_du / pw;
  d_dy = -d_dv / ph;
  return (1 - fv) * top + fv * bottom;
}

ReboundImage ReboundImage::blurred(int radius) const {
  if (radius <= 0) return *this;
  const Index rows = pixels.rows(), cols = pixels.cols();
  const auto pass = [&](const MatrixXd& in) {
    const auto at = [&](Index r, Index c) {
      return (r < 0 || c < 0 || r >= rows || c >= cols) ? 1.0 : in(r, c);
    };
    MatrixXd horizontal(rows, cols), out(rows, cols);
    const double scale = 1.0 / (2 * radius + 1);
    for (Index r = 0; r < rows; ++r)
      for (Index c = 0; c < cols; ++c) {
        double sum = 0.0;
        for (Index k = -radius; k <= radius; ++k) sum += at(r, c + k);
        horizontal(r, c) = scale * sum;
      }
    const auto at_h = [&](Index r, Index c) {
      return (r < 0 || r >= rows) ? 1.0 : horizontal(r, c);
    };
    for (Index r = 0; r < rows; ++r)
      for (Index c = 0; c < cols; ++c) {
        double sum = 0.0;
        for (Index k = -radius; k <= radius; ++k) sum += at_h(r + k, c);
        out(r, c) = scale * sum;
      }
    return out;
  };
  ReboundImage out = *this;
  out.pixels = pass(pass(pixels));
  return out;
}

ReboundImage rebound_image(const std::vector<systems::NamedArray>& constants) {
  const MatrixXd* walls = nullptr;
  const MatrixXd* extent = nullptr;
  for (const auto& c : constants) {
    if (c.name == "walls") walls = &c.value;
    if (c.name == "image_extent") extent = &c.value;
  }
  if (!walls || !extent || extent->size() != 4)
    throw InputError(
        "[model] rebound = true needs a system with a background image of its walls (constants "
        "'walls' and 'image_extent'), such as [system] type = \"heavy_billiard\"; set rebound = "
        "false "
        "for this system");
  ReboundImage image;
  image.pixels = *walls;
  image.x_min = (*extent)(0);
  image.x_max = (*extent)(1);
  image.y_min = (*extent)(2);
  image.y_max = (*extent)(3);
  return image;
}

Rebound::Rebound(ReboundImage image, ReboundOptions options)
    : image_(image.blurred(options.blur)),
      options_(options),
      trunk_({2 * static_cast<Index>(options.patch) * options.patch, options.trunk},
             nn::Activation::tanh, nn::Activation::tanh),
      head_n_({options.trunk, options.head, 2}, nn::Activation::tanh),
      head_alpha_({options.trunk, options.head, 1}, nn::Activation::tanh, nn::Activation::sigmoid),
      net_gamma_({static_cast<Index>(options.gamma_patch) * options.gamma_patch,
                  options.gamma_hidden, options.gamma_hidden, 1},
                 nn::Activation::tanh, nn::Activation::sigmoid) {
  if (options.fixed_alpha > 1.0)
    throw InputError(
        "[model] rebound_alpha must be in [0, 1] (a fixed rebound time) or negative (learned)");
  if (options.blur < 0) throw InputError("[model] rebound_blur must be >= 0");
  if (!(options.gamma_init >= 0.0 && options.gamma_init < 1.0))
    throw InputError("[model] rebound_gamma_init must be in [0, 1)");
  if (options.patch < 1 || options.gamma_patch < 1 || !(options.stride > 0))
    throw InputError(
        "[model] rebound_patch, rebound_gamma_patch and rebound_stride must be positive");
  if (image_.pixels.size() == 0) throw InputError("rebound module: empty background image");
}

void Rebound::initialize(std::uint64_t seed) {
  trunk_.initialize(seed, 10);
  head_n_.initialize(seed, 11);
  head_alpha_.initialize(seed, 12);
  net_gamma_.initialize(seed, 13);
  if (options_.gamma_init > 0.0) {
    const Index last = net_gamma_.num_layers() - 1;
    net_gamma_.bias(last)(0) = std::log(options_.gamma_init / (1.0 - options_.gamma_init));
  }
}

Index Rebound::num_parameters() const {
  return trunk_.num_parameters() + head_n_.num_parameters() + head_alpha_.num_parameters() +
         net_gamma_.num_parameters();
}

Eigen::VectorXd Rebound::parameters() const {
  Eigen::VectorXd out(num_parameters());
  out << trunk_.parameters(), head_n_.parameters(), head_alpha_.parameters(),
      net_gamma_.parameters();
  return out;
}

void Rebound::set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) {
  if (values.size() != num_parameters())
    throw InputError("rebound module: expected " + std::to_string(num_parameters()) +
                     " parameters, got " + std::to_string(values.size()));
  Index offset = 0;
  for (nn::Mlp* net : {&trunk_, &head_n_, &head_alpha_, &net_gamma_}) {
    net->set_parameters(values.segment(offset, net->num_parameters()));
    offset += net->num_parameters();
  }
}

std::unique_ptr<integrate::ReboundTape> Rebound::make_tape() const {
  return std::make_unique<Tape>();
}

void Rebound::sample_patch(const Eigen::Ref<const MatrixXd>& centre, int side, double spacing,
                           Index row0, MatrixXd& values, MatrixXd& d_dx, MatrixXd& d_dy) const {
  const double half = 0.5 * (side - 1);
  for (Index b = 0; b < centre.cols(); ++b) {
    const double cx = centre(0, b), cy = centre(1, b);
    // Row i of the neighbourhood runs from the top (largest y), as the image.
    for (int i = 0; i < side; ++i) {
      for (int j = 0; j < side; ++j) {
        const Index row = row0 + static_cast<Index>(i) * side + j;
        double gx = 0.0, gy = 0.0;
        values(row, b) =
            image_.sample(cx + (j - half) * spacing, cy - (i - half) * spacing, gx, gy);
        d_dx(row, b) = gx;
        d_dy(row, b) = gy;
      }
    }
  }
}

void Rebound::evaluate(const Eigen::Ref<const MatrixXd>& q,
                       const Eigen::Ref<const MatrixXd>& q_tentative, Eigen::Ref<MatrixXd> n,
                       Eigen::Ref<MatrixXd> alpha, Eigen::Ref<MatrixXd> penalty,
                       integrate::ReboundTape& tape_base) const {
  if (q.rows() != 2 || q_tentative.rows() != 2)
    throw InputError(
        "[model] rebound = true works on planar positions (q of 2 components, image cues), but q "
        "has " +
        std::to_string(q.rows()));
  auto& tape = static_cast<Tape&>(tape_base);
  const Index batch = q.cols();
  const Index p2 = static_cast<Index>(options_.patch) * options_.patch;
  const Index g2 = static_cast<Index>(options_.gamma_patch) * options_.gamma_patch;
  const double pixel = image_.pixel_size();
  tape.features.resize(2 * p2, batch);
  tape.features_dx.resize(2 * p2, batch);
  tape.features_dy.resize(2 * p2, batch);
  sample_patch(q, options_.patch, options_.stride * pixel, 0, tape.features, tape.features_dx,
               tape.features_dy);
  sample_patch(q_tentative, options_.patch, options_.stride * pixel, p2, tape.features,
               tape.features_dx, tape.features_dy);
  tape.cues.resize(g2, batch);
  tape.cues_dx.resize(g2, batch);
  tape.cues_dy.resize(g2, batch);
  sample_patch(q_tentative, options_.gamma_patch, pixel, 0, tape.cues, tape.cues_dx, tape.cues_dy);

  const MatrixXd& hidden = trunk_.forward(tape.features, tape.trunk);
  tape.u = head_n_.forward(hidden, tape.head_n);
  if (options_.fixed_alpha >= 0.0)
    alpha.setConstant(options_.fixed_alpha);
  else
    alpha = head_alpha_.forward(hidden, tape.head_alpha);
  tape.gamma_value = net_gamma_.forward(tape.cues, tape.gamma);
  tape.norm =
      (tape.u.colwise().squaredNorm().array() + kNormEpsilon * kNormEpsilon).sqrt().matrix();
  tape.n_bar = (tape.u.array().rowwise() / tape.norm.row(0).array()).matrix();
  n = (tape.n_bar.array().rowwise() * tape.gamma_value.row(0).array()).matrix();
  penalty = tape.gamma_value;
}

void Rebound::vjp(const Eigen::Ref<const MatrixXd>& n_adjoint,
                  const Eigen::Ref<const MatrixXd>& alpha_adjoint,
                  const Eigen::Ref<const MatrixXd>& penalty_adjoint, Eigen::Ref<MatrixXd> q_adjoint,
                  Eigen::Ref<MatrixXd> q_tentative_adjoint,
                  Eigen::Ref<Eigen::VectorXd> parameter_gradient,
                  integrate::ReboundTape& tape_base) const {
  auto& tape = static_cast<Tape&>(tape_base);
  const Index p2 = static_cast<Index>(options_.patch) * options_.patch;
  Index offset = 0;
  const auto segment = [&](const nn::Mlp& net) -> Eigen::Ref<Eigen::VectorXd> {
    const Index start = offset;
    offset += net.num_parameters();
    return parameter_gradient.segment(start, net.num_parameters());
  };
  Eigen::Ref<Eigen::VectorXd> g_trunk = segment(trunk_);
  Eigen::Ref<Eigen::VectorXd> g_head_n = segment(head_n_);
  Eigen::Ref<Eigen::VectorXd> g_head_alpha = segment(head_alpha_);
  Eigen::Ref<Eigen::VectorXd> g_gamma = segment(net_gamma_);

  // n = γ n̄: split the adjoint between γ and n̄; n̄ = u / |u|_ε.
  const Eigen::RowVectorXd gamma_adjoint =
      (n_adjoint.array() * tape.n_bar.array()).colwise().sum().matrix() + penalty_adjoint.row(0);
  const MatrixXd n_bar_adjoint =
      (n_adjoint.array().rowwise() * tape.gamma_value.row(0).array()).matrix();
  const Eigen::RowVectorXd along =
      (n_bar_adjoint.array() * tape.n_bar.array()).colwise().sum().matrix();
  const MatrixXd u_adjoint =
      ((n_bar_adjoint.array() - tape.n_bar.array().rowwise() * along.array()).rowwise() /
       tape.norm.row(0).array())
          .matrix();

  MatrixXd hidden_adjoint = head_n_.vjp(u_adjoint, g_head_n, tape.head_n);
  if (options_.fixed_alpha < 0.0)
    hidden_adjoint += head_alpha_.vjp(alpha_adjoint, g_head_alpha, tape.head_alpha);
  const MatrixXd& feature_adjoint = trunk_.vjp(hidden_adjoint, g_trunk, tape.trunk);
  const MatrixXd& cue_adjoint = net_gamma_.vjp(gamma_adjoint, g_gamma, tape.gamma);

  if (!options_.cue_gradient) {
    q_adjoint.setZero();
    q_tentative_adjoint.setZero();
    return;
  }
  // Through the bilinear samples to the neighbourhood centres.
  // A view of the trunk's adjoint (2 P² x batch), not a copy.
  const Eigen::ArrayWrapper<const MatrixXd> fa = feature_adjoint.array();
  q_adjoint.row(0) =
      (fa.topRows(p2) * tape.features_dx.array().topRows(p2)).colwise().sum().matrix();
  q_adjoint.row(1) =
      (fa.topRows(p2) * tape.features_dy.array().topRows(p2)).colwise().sum().matrix();
  q_tentative_adjoint.row(0) =
      (fa.bottomRows(p2) * tape.features_dx.array().bottomRows(p2)).colwise().sum().matrix() +
      (cue_adjoint.array() * tape.cues_dx.array()).colwise().sum().matrix();
  q_tentative_adjoint.row(1) =
      (fa.bottomRows(p2) * tape.features_dy.array().bottomRows(p2)).colwise().sum().matrix() +
      (cue_adjoint.array() * tape.cues_dy.array()).colwise().sum().matrix();
}

// ---- ReboundIntegratedField ------------------------------------------------

ReboundIntegratedField::ReboundIntegratedField(integrate::VectorField& field,
                                               std::unique_ptr<Rebound> rebound, double gamma_l1)
    : field_(field), rebound_(std::move(rebound)), gamma_l1_(gamma_l1) {}

Index ReboundIntegratedField::num_parameters() const {
  return field_.num_parameters() + rebound_->num_parameters();
}

Eigen::VectorXd ReboundIntegratedField::parameters() const {
  Eigen::VectorXd out(num_parameters());
  out << field_.parameters(), rebound_->parameters();
  return out;
}

void ReboundIntegratedField::set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) {
  if (values.size() != num_parameters())
    throw InputError("H-NET with rebound: expected " + std::to_string(num_parameters()) +
                     " parameters, got " + std::to_string(values.size()));
  field_.set_parameters(values.head(field_.num_parameters()));
  rebound_->set_parameters(values.tail(rebound_->num_parameters()));
}

WindowLoss ReboundIntegratedField::loss(const Eigen::Ref<const MatrixXd>& x0,
                                        const std::vector<MatrixXd>& targets, double dt,
                                        Eigen::Ref<Eigen::VectorXd> parameter_gradient,
                                        bool want_x0_gradient) {
  WindowLoss result;
  const int steps = static_cast<int>(targets.size());
  if (x0.cols() == 0 || steps == 0) {
    if (want_x0_gradient) result.x0_gradient = MatrixXd::Zero(x0.rows(), x0.cols());
    return result;
  }
  const auto& states = stepper_.rollout(field_, *rebound_, x0, dt, steps);
  upstream_.resize(steps + 1);
  upstream_[0].resize(0, 0);
  for (int k = 1; k <= steps; ++k) {
    upstream_[k].noalias() = states[k] - targets[k - 1];
    result.sum_squares += upstream_[k].squaredNorm();
    upstream_[k] *= 2.0;
  }
  // The trainer divides by windows x steps x state_dim: scaling by state_dim
  // makes gamma_l1 the weight of the mean γ per step.
  const double penalty_weight = gamma_l1_ * static_cast<double>(x0.rows());
  result.sum_squares += penalty_weight * stepper_.penalty();
  const bool want_theta = parameter_gradient.size() > 0;
  if (!want_theta && !want_x0_gradient) return result;
  if (!want_theta) scratch_gradient_.setZero(num_parameters());
  const MatrixXd& gx0 = stepper_.rollout_vjp(
      field_, *rebound_, upstream_, penalty_weight,
      want_theta ? parameter_gradient : Eigen::Ref<Eigen::VectorXd>(scratch_gradient_));
  if (want_x0_gradient) result.x0_gradient = gx0;
  return result;
}

std::vector<MatrixXd> ReboundIntegratedField::predict(const Eigen::Ref<const MatrixXd>& x0,
                                                      double dt, int steps) {
  return stepper_.rollout(field_, *rebound_, x0, dt, steps);
}

std::unique_ptr<WindowModel> make_rebound_model(integrate::VectorField& field,
                                                const io::ModelConfig& config,
                                                const std::vector<systems::NamedArray>& constants,
                                                const std::string& integrator, int substeps,
                                                std::uint64_t seed) {
  if (integrator != "leapfrog" || substeps != 1)
    throw InputError(
        "[model] rebound = true integrates with the augmented leapfrog: set integrator = "
        "\"leapfrog\" "
        "and substeps = 1 in [train] and [evaluate] (got \"" +
        integrator + "\", substeps " + std::to_string(substeps) + ")");
  if (field.state_dim() != 4)
    throw InputError(
        "[model] rebound = true needs a planar state [x, y, px, py] (the image cues are 2-D), but "
        "the "
        "state has " +
        std::to_string(field.state_dim()) + " components");
  ReboundOptions options;
  options.patch = config.rebound_patch;
  options.stride = config.rebound_stride;
  options.cue_gradient = config.rebound_cue_gradient;
  options.gamma_init = config.rebound_gamma_init;
  options.blur = config.rebound_blur;
  options.fixed_alpha = config.rebound_alpha;
  auto rebound = std::make_unique<Rebound>(rebound_image(constants), options);
  rebound->initialize(seed);
  return std::make_unique<ReboundIntegratedField>(field, std::move(rebound),
                                                  config.rebound_gamma_l1);
}

}  // namespace dynlearn::models
