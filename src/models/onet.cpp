// O-NET: the network is the field; its VJP is the network's reverse mode.
#include "dynlearn/models/onet.hpp"

#include <string>

#include "dynlearn/core/error.hpp"

namespace dynlearn::models {

using Eigen::Index;
using Eigen::MatrixXd;

namespace {

struct ONetTape final : integrate::FieldTape {
  nn::MlpWorkspace workspace;
};

std::vector<Index> onet_sizes(Index half, const std::vector<Index>& hidden) {
  require(half > 0, "O-NET state half size must be positive, got " + std::to_string(half));
  std::vector<Index> sizes{2 * half};
  sizes.insert(sizes.end(), hidden.begin(), hidden.end());
  sizes.push_back(2 * half);
  return sizes;
}

}  // namespace

ONet::ONet(Index half, const std::vector<Index>& hidden, std::string_view activation)
    : network_(onet_sizes(half, hidden), nn::parse_activation(activation)) {}

void ONet::initialize(std::uint64_t seed) {
  network_.initialize(seed, 0);
}

void ONet::set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) {
  require(values.size() == num_parameters(), "O-NET expects " + std::to_string(num_parameters()) +
                                                 " parameters, got " +
                                                 std::to_string(values.size()));
  network_.set_parameters(values);
}

std::unique_ptr<integrate::FieldTape> ONet::make_tape() const {
  return std::make_unique<ONetTape>();
}

void ONet::evaluate(const Eigen::Ref<const MatrixXd>& x, Eigen::Ref<MatrixXd> out,
                    integrate::FieldTape& tape) const {
  out = network_.forward(x, static_cast<ONetTape&>(tape).workspace);
}

void ONet::vjp(const Eigen::Ref<const MatrixXd>& upstream, Eigen::Ref<MatrixXd> x_adjoint,
               Eigen::Ref<Eigen::VectorXd> parameter_gradient, integrate::FieldTape& tape) const {
  x_adjoint = network_.vjp(upstream, parameter_gradient, static_cast<ONetTape&>(tape).workspace);
}

}  // namespace dynlearn::models
