// The rigid-body assembly of the vehicle surrogate for one column, shared by
// its generic path and its fused kernel so both give the same bits: the
// field from the networks' outputs J, C (3 x 3, row-major) and d, and the
// chain rule back to those outputs and to the velocity.
#pragma once

namespace dynlearn::models::detail {

/// f = (J v, (u - d - C v) / M) for one column (v velocity, u input,
/// inverse_mass = 1 / diag M); each 3-term sum left to right.
inline void assemble_vehicle(const double* j, const double* c, const double* d, const double* v,
                             const double* u, const double* inverse_mass, double* f) {
  for (int r = 0; r < 3; ++r) {
    f[r] = (j[3 * r] * v[0] + j[3 * r + 1] * v[1]) + j[3 * r + 2] * v[2];
    const double cv = (c[3 * r] * v[0] + c[3 * r + 1] * v[1]) + c[3 * r + 2] * v[2];
    f[3 + r] = ((u[r] - d[r]) - cv) * inverse_mass[r];
  }
}

/// Upstream g (6 values) to the outputs: ∂/∂J_rc = g_r v_c,
/// h_r = -g_{3+r} / M_r (= upstream of d), ∂/∂C_rc = h_r v_c.
inline void vehicle_output_adjoint(const double* g, const double* v, const double* inverse_mass,
                                   double* grad_j, double* grad_c, double* h) {
  for (int r = 0; r < 3; ++r) h[r] = -g[3 + r] * inverse_mass[r];
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) {
      grad_j[3 * r + c] = g[r] * v[c];
      grad_c[3 * r + c] = h[r] * v[c];
    }
}

/// The velocity's adjoint through J v and C v (the networks' input
/// adjoints come on top): va_c = Σ_r (J_rc g_r + C_rc h_r), r in order from 0.
inline void vehicle_velocity_adjoint(const double* j, const double* c, const double* g,
                                     const double* h, double* va) {
  for (int col = 0; col < 3; ++col) {
    double sum = 0.0;
    for (int r = 0; r < 3; ++r) sum += j[3 * r + col] * g[r] + c[3 * r + col] * h[r];
    va[col] = sum;
  }
}

/// The heading's adjoint from the adjoint of the features (sin phi, cos phi):
/// fa_0 cos phi - fa_1 sin phi.
inline double vehicle_heading_adjoint(double fa0, double fa1, double sin_phi, double cos_phi) {
  return fa0 * cos_phi - fa1 * sin_phi;
}

}  // namespace dynlearn::models::detail
