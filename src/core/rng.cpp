#include "dynlearn/core/rng.hpp"

#include <cmath>
#include <numbers>

namespace dynlearn::core {
namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(std::uint64_t seed, std::uint64_t index, Purpose purpose)
    : Rng(seed, index, static_cast<std::uint64_t>(purpose)) {}

Rng::Rng(std::uint64_t seed, std::uint64_t index, std::uint64_t purpose) {
  // Hash the three key words in sequence so that nearby keys give unrelated streams.
  std::uint64_t h = seed;
  std::uint64_t a = splitmix64(h);
  h ^= index * 0xD1B54A32D192ED03ULL + a;
  std::uint64_t b = splitmix64(h);
  h ^= purpose * 0xABC98388FB8FAC03ULL + b;
  for (auto& s : s_) s = splitmix64(h);
}

std::uint64_t Rng::next_u64() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

double Rng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u1 = uniform();
  while (u1 <= 0.0) u1 = uniform();
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  const double phi = 2.0 * std::numbers::pi * u2;
  spare_ = r * std::sin(phi);
  has_spare_ = true;
  return r * std::cos(phi);
}

std::uint64_t Rng::below(std::uint64_t n) {
  // Rejection keeps the result exactly uniform.
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  std::uint64_t v = next_u64();
  while (v >= limit) v = next_u64();
  return v % n;
}

}  // namespace dynlearn::core
