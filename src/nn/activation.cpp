// Activation functions and their derivatives up to third order.
#include "dynlearn/nn/activation.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "dynlearn/core/error.hpp"
#include "tanh_packet.hpp"

namespace dynlearn::nn {

namespace {

struct NamedActivation {
  std::string_view name;
  Activation activation;
};

constexpr std::array<NamedActivation, 5> kActivations{{
    {"identity", Activation::identity},
    {"tanh", Activation::tanh},
    {"softplus", Activation::softplus},
    {"relu", Activation::relu},
    {"sigmoid", Activation::sigmoid},
}};

void require_order(int order) {
  if (order < 0 || order > 3) {
    throw Error(ExitCode::internal,
                "activation derivative of order " + std::to_string(order) + " (0 to 3 exist)");
  }
}

// sigmoid(z) and sigmoid(-z) = 1 - sigmoid(z) are evaluated separately so that
// products s * (1 - s) keep full relative precision in both tails.
double sigmoid(double z) {
  return 1.0 / (1.0 + std::exp(-z));
}

// Eigen vectorises exp for double but not tanh, and tanh dominates the cost
// of wide networks: tanh_packet (tanh_packet.hpp). Every entry, the last
// partial packet's included (padded), goes through the same packet code, so
// an entry's bits do not depend on where it sits in the array: splitting or
// joining batches keeps them (small_layer.hpp).
void tanh_packets(const double* z, Eigen::Index n, double* value, double* first) {
  namespace ei = Eigen::internal;
  using Packet = detail::TanhPacket;
  constexpr Eigen::Index kSize = ei::packet_traits<double>::size;
  const auto eval = [&](const double* zi, double* vi, double* fi) {
    Packet v, f;
    detail::tanh_packet(ei::ploadu<Packet>(zi), v, f);
    ei::pstoreu(vi, v);
    ei::pstoreu(fi, f);
  };
  Eigen::Index i = 0;
  for (; i + kSize <= n; i += kSize) eval(z + i, value + i, first + i);
  if (i < n) {
    double zt[kSize] = {}, vt[kSize], ft[kSize];
    std::copy(z + i, z + n, zt);
    eval(zt, vt, ft);
    std::copy(vt, vt + (n - i), value + i);
    std::copy(ft, ft + (n - i), first + i);
  }
}

void tanh_value_and_first(const Eigen::Ref<const Eigen::ArrayXXd>& z,
                          Eigen::Ref<Eigen::ArrayXXd> value, Eigen::Ref<Eigen::ArrayXXd> first) {
  const Eigen::Index rows = z.rows();
  if (z.outerStride() == rows && value.outerStride() == rows && first.outerStride() == rows) {
    tanh_packets(z.data(), rows * z.cols(), value.data(), first.data());
    return;
  }
  for (Eigen::Index j = 0; j < z.cols(); ++j)
    tanh_packets(z.data() + j * z.outerStride(), rows, value.data() + j * value.outerStride(),
                 first.data() + j * first.outerStride());
}

}  // namespace

std::string_view activation_name(Activation activation) {
  for (const auto& entry : kActivations) {
    if (entry.activation == activation) return entry.name;
  }
  throw Error(ExitCode::internal, "unknown activation enumerator");
}

Activation parse_activation(std::string_view name) {
  std::string valid;
  for (const auto& entry : kActivations) {
    if (entry.name == name) return entry.activation;
    valid += valid.empty() ? "" : ", ";
    valid += entry.name;
  }
  throw InputError("unknown activation \"" + std::string(name) + "\"; valid: " + valid);
}

double activation_derivative(Activation activation, int order, double z) {
  require_order(order);
  switch (activation) {
    case Activation::identity:
      return order == 0 ? z : order == 1 ? 1.0 : 0.0;
    case Activation::relu:
      if (order == 0) return z > 0.0 ? z : 0.0;
      return order == 1 && z > 0.0 ? 1.0 : 0.0;
    case Activation::tanh: {
      const double t = std::tanh(z);
      const double first = 1.0 - t * t;
      const std::array<double, 4> values{t, first, -2.0 * t * first, first * (6.0 * t * t - 2.0)};
      return values[order];
    }
    case Activation::sigmoid:
    case Activation::softplus: {
      const double s = sigmoid(z);
      const double q = sigmoid(-z);
      const double sq = s * q;
      // Softplus' derivatives are the sigmoid's shifted by one order.
      const std::array<double, 5> sigmoid_values{s, sq, sq * (q - s), sq * (1.0 - 6.0 * sq), 0.0};
      if (activation == Activation::sigmoid) return sigmoid_values[order];
      if (order == 0) return std::max(z, 0.0) + std::log1p(std::exp(-std::abs(z)));
      return sigmoid_values[order - 1];
    }
  }
  throw Error(ExitCode::internal, "unknown activation enumerator");
}

void activation_value_and_first(Activation activation, const Eigen::Ref<const Eigen::ArrayXXd>& z,
                                Eigen::Ref<Eigen::ArrayXXd> value,
                                Eigen::Ref<Eigen::ArrayXXd> first) {
  switch (activation) {
    case Activation::identity:
      value = z;
      first.setOnes();
      return;
    case Activation::relu:
      value = z.max(0.0);
      first = (z > 0.0).cast<double>();
      return;
    case Activation::tanh:
      tanh_value_and_first(z, value, first);
      return;
    case Activation::sigmoid:
      value = 1.0 / (1.0 + (-z).exp());
      first = value * (1.0 / (1.0 + z.exp()));
      return;
    case Activation::softplus:
      value = z.max(0.0) + (-z.abs()).exp().log1p();
      first = 1.0 / (1.0 + (-z).exp());
      return;
  }
  throw Error(ExitCode::internal, "unknown activation enumerator");
}

void activation_higher_from_first(Activation activation,
                                  const Eigen::Ref<const Eigen::ArrayXXd>& value,
                                  const Eigen::Ref<const Eigen::ArrayXXd>& first,
                                  Eigen::Ref<Eigen::ArrayXXd> second, Eigen::ArrayXXd* third) {
  switch (activation) {
    case Activation::identity:
    case Activation::relu:
      second.setZero();
      if (third) third->setZero(value.rows(), value.cols());
      return;
    case Activation::tanh:  // a = tanh: d1 = 1 - a^2, d2 = -2 a d1, d3 = d1 (6 a^2 - 2)
      second = -2.0 * value * first;
      if (third) *third = first * (6.0 * value.square() - 2.0);
      return;
    case Activation::sigmoid:  // d1 = s (1 - s), d2 = d1 (1 - 2 s), d3 = d1 (1 - 6 d1)
      second = first * (1.0 - 2.0 * value);
      if (third) *third = first * (1.0 - 6.0 * first);
      return;
    case Activation::softplus:  // d1 = sigmoid s: d2 = s (1 - s), d3 = d2 (1 - 2 s)
      second = first * (1.0 - first);
      if (third) *third = second * (1.0 - 2.0 * first);
      return;
  }
  throw Error(ExitCode::internal, "unknown activation enumerator");
}

void activation_second_and_third(Activation activation, const Eigen::Ref<const Eigen::ArrayXXd>& z,
                                 Eigen::Ref<Eigen::ArrayXXd> second,
                                 Eigen::Ref<Eigen::ArrayXXd> third) {
  switch (activation) {
    case Activation::identity:
    case Activation::relu:
      second.setZero();
      third.setZero();
      return;
    case Activation::tanh:
      // second holds tanh(z) until it is overwritten by its last use.
      second = z.tanh();
      third = (1.0 - second.square()) * (6.0 * second.square() - 2.0);
      second = -2.0 * second * (1.0 - second.square());
      return;
    case Activation::sigmoid:
      // second holds s(1-s) until it is overwritten by its last use.
      second = 1.0 / (1.0 + (-z).exp()) * (1.0 / (1.0 + z.exp()));
      third = second * (1.0 - 6.0 * second);
      second = second * (1.0 / (1.0 + z.exp()) - 1.0 / (1.0 + (-z).exp()));
      return;
    case Activation::softplus:
      second = 1.0 / (1.0 + (-z).exp()) * (1.0 / (1.0 + z.exp()));
      third = second * (1.0 / (1.0 + z.exp()) - 1.0 / (1.0 + (-z).exp()));
      return;
  }
  throw Error(ExitCode::internal, "unknown activation enumerator");
}

void activation_derivative(Activation activation, int order,
                           const Eigen::Ref<const Eigen::ArrayXXd>& z,
                           Eigen::Ref<Eigen::ArrayXXd> out) {
  require_order(order);
  // Scratch for the member of the pair not asked for; this form is for
  // occasional use, hot loops call the paired forms on their own storage.
  Eigen::ArrayXXd other(z.rows(), z.cols());
  if (order <= 1) {
    if (order == 0) {
      activation_value_and_first(activation, z, out, other);
    } else {
      activation_value_and_first(activation, z, other, out);
    }
  } else if (order == 2) {
    activation_second_and_third(activation, z, out, other);
  } else {
    activation_second_and_third(activation, z, other, out);
  }
}

}  // namespace dynlearn::nn
