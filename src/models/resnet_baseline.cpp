#include "dynlearn/models/resnet_baseline.hpp"

#include "dynlearn/core/error.hpp"

namespace dynlearn::models {

ResnetBaseline::ResnetBaseline(int n_masses, int kernel, int hidden)
    : n_(n_masses),
      kernel_(kernel),
      net_({static_cast<Eigen::Index>(n_masses) * kernel, hidden, n_masses}, nn::Activation::tanh) {
  if (kernel < 1) throw InputError("the ResNet baseline's kernel must be at least 1");
}

Eigen::VectorXd ResnetBaseline::initial_parameters(std::uint64_t seed) const {
  net_.initialize(seed);
  return net_.parameters();
}

Eigen::VectorXd ResnetBaseline::step(const Eigen::VectorXd& theta,
                                     const Eigen::MatrixXd& window) const {
  if (window.rows() != n_ || window.cols() != kernel_)
    throw InputError("ResNet baseline: the window must be masses x kernel");
  net_.set_parameters(theta);
  const Eigen::Map<const Eigen::VectorXd> flat(window.data(), window.size());
  const Eigen::MatrixXd& y = net_.forward(flat, workspace_);
  return window.col(kernel_ - 1) + y.col(0);
}

Eigen::MatrixXd ResnetBaseline::windows(const Eigen::MatrixXd& X) const {
  const Eigen::Index S = X.cols() - kernel_;
  Eigen::MatrixXd W(static_cast<Eigen::Index>(n_) * kernel_, S);
  // X is column-major, so the K columns of a window are one contiguous run.
  for (Eigen::Index s = 0; s < S; ++s)
    W.col(s) = Eigen::Map<const Eigen::VectorXd>(X.col(s).data(), W.rows());
  return W;
}

double ResnetBaseline::loss(const Eigen::VectorXd& theta, const Eigen::MatrixXd& X,
                            Eigen::VectorXd* grad, double weight) const {
  if (X.rows() != n_)
    throw InputError("ResNet baseline: trajectory has the wrong number of masses");
  const Eigen::Index S = X.cols() - kernel_;
  if (S < 1) return 0.0;
  net_.set_parameters(theta);
  const Eigen::MatrixXd W = windows(X);
  const Eigen::MatrixXd& y = net_.forward(W, workspace_);
  const Eigen::MatrixXd r = X.middleCols(kernel_ - 1, S) + y - X.rightCols(S);
  const double scale = 1.0 / static_cast<double>(n_ * S);
  if (grad) {
    const Eigen::MatrixXd G = (2.0 * weight * scale) * r;
    net_.vjp(G, *grad, workspace_);
  }
  return weight * scale * r.squaredNorm();
}

}  // namespace dynlearn::models
