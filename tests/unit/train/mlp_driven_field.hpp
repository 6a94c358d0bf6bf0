// A small DrivenField for the SNet tests: f(x, u) = MLP([x; u]) with one
// tanh hidden layer (stands in for the vehicle/multi-agent surrogates).
#pragma once

#include <memory>

#include "dynlearn/integrate/driven_field.hpp"
#include "dynlearn/nn/mlp.hpp"

namespace dynlearn::testing {

class MlpDrivenField : public integrate::DrivenField {
 public:
  MlpDrivenField(Eigen::Index state_dim, Eigen::Index input_dim, Eigen::Index hidden,
                 std::uint64_t seed)
      : n_(state_dim),
        k_(input_dim),
        mlp_({state_dim + input_dim, hidden, state_dim}, nn::Activation::tanh) {
    mlp_.initialize(seed);
  }
  Eigen::Index state_dim() const override { return n_; }
  Eigen::Index input_dim() const override { return k_; }
  Eigen::Index num_parameters() const override { return mlp_.num_parameters(); }
  Eigen::VectorXd parameters() const override { return mlp_.parameters(); }
  void set_parameters(const Eigen::Ref<const Eigen::VectorXd>& values) override {
    mlp_.set_parameters(values);
  }
  std::unique_ptr<integrate::FieldTape> make_tape() const override {
    return std::make_unique<Tape>();
  }
  void evaluate(const Eigen::Ref<const Eigen::MatrixXd>& x,
                const Eigen::Ref<const Eigen::MatrixXd>& u, Eigen::Ref<Eigen::MatrixXd> out,
                integrate::FieldTape& tape) const override {
    Tape& t = static_cast<Tape&>(tape);
    t.input.resize(n_ + k_, x.cols());
    t.input.topRows(n_) = x;
    t.input.bottomRows(k_) = u;
    out = mlp_.forward(t.input, t.workspace);
  }
  void vjp(const Eigen::Ref<const Eigen::MatrixXd>& upstream, Eigen::Ref<Eigen::MatrixXd> x_adjoint,
           Eigen::Ref<Eigen::VectorXd> parameter_gradient,
           integrate::FieldTape& tape) const override {
    Tape& t = static_cast<Tape&>(tape);
    x_adjoint = mlp_.vjp(upstream, parameter_gradient, t.workspace).topRows(n_);
  }

 private:
  struct Tape : integrate::FieldTape {
    Eigen::MatrixXd input;
    nn::MlpWorkspace workspace;
  };
  Eigen::Index n_, k_;
  nn::Mlp mlp_;
};

}  // namespace dynlearn::testing
