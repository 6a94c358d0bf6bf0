// Deck validation: every kind of bad input gives a message naming the key,
// its line and what was expected.
#include <gtest/gtest.h>

#include "dynlearn/core/error.hpp"
#include "dynlearn/io/deck.hpp"

using dynlearn::InputError;
using dynlearn::io::Deck;
using dynlearn::io::Range;
using dynlearn::io::Section;

namespace {

struct Params {
  double mass = 2.0;
  int steps = 10;
  bool noisy = false;
  std::string grid = "uniform";
  std::vector<double> k = {1.0, 2.0};
  std::string name;
};

struct Fixture {
  Params p;
  Section s{"system", "test system"};
  Fixture() {
    s.add("mass", p.mass, "mass [kg]", Range::positive())
        .add("steps", p.steps, "number of steps", Range::at_least(1))
        .add("noisy", p.noisy, "add noise")
        .add("grid", p.grid, "sampling grid", {"uniform", "random", "gauss_lobatto"})
        .add("k", p.k, "spring constants", Range::positive(), 2)
        .add("name", p.name, "run name")
        .required();
  }
};

std::string error_of(const std::string& text) {
  Fixture f;
  try {
    Deck deck = Deck::parse(text, "deck.toml");
    deck.read(f.s);
    deck.finish();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Deck, ReadsValuesAndKeepsDefaults) {
  Fixture f;
  Deck deck = Deck::parse("[system]\nmass = 3\nname = \"a\"\ngrid = \"random\"\n", "deck.toml");
  deck.read(f.s);
  deck.finish();
  EXPECT_DOUBLE_EQ(f.p.mass, 3.0);  // an integer is accepted for a real
  EXPECT_EQ(f.p.steps, 10);
  EXPECT_EQ(f.p.grid, "random");
  EXPECT_TRUE(f.s.was_set("mass"));
  EXPECT_FALSE(f.s.was_set("steps"));
}

TEST(Deck, ResolvedDeckRoundTrips) {
  Fixture f;
  Deck deck = Deck::parse("[system]\nmass = 0.1\nname = \"a\"\n[petsc]\nts_rtol = 1e-9\n", "deck.toml");
  deck.read(f.s);
  deck.allow_free_table("petsc");
  deck.finish();
  const std::string resolved = deck.resolved();
  EXPECT_NE(resolved.find("mass = 0.1"), std::string::npos) << resolved;
  EXPECT_NE(resolved.find("steps = 10"), std::string::npos) << resolved;
  EXPECT_NE(resolved.find("ts_rtol"), std::string::npos) << resolved;
  Fixture g;
  Deck again = Deck::parse(resolved, "resolved.toml");
  again.read(g.s);
  again.allow_free_table("petsc");
  again.finish();
  EXPECT_EQ(g.p.mass, 0.1);
  EXPECT_EQ(g.p.k, f.p.k);
  EXPECT_EQ(again.petsc_options(), "-ts_rtol 1e-09");
}

TEST(Deck, UnknownKeySuggestsSpelling) {
  const auto e = error_of("[system]\nname = \"a\"\nmas = 3\n");
  EXPECT_NE(e.find("deck.toml:3"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown key 'mas'"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'mass'"), std::string::npos) << e;
}

TEST(Deck, UnknownTableIsNamed) {
  const auto e = error_of("[system]\nname = \"a\"\n[sytem.extra]\nx = 1\n");
  EXPECT_NE(e.find("unknown table [sytem]"), std::string::npos) << e;
  EXPECT_NE(e.find("did you mean 'system'"), std::string::npos) << e;
}

TEST(Deck, WrongTypeNamesKeyLineAndExpectation) {
  const auto e = error_of("[system]\nname = \"a\"\nsteps = \"ten\"\n");
  EXPECT_NE(e.find("deck.toml:3"), std::string::npos) << e;
  EXPECT_NE(e.find("steps"), std::string::npos) << e;
  EXPECT_NE(e.find("expected an integer >= 1, got string \"ten\""), std::string::npos) << e;
  const auto f = error_of("[system]\nname = \"a\"\nsteps = 2.5\n");
  EXPECT_NE(f.find("got float 2.5"), std::string::npos) << f;
}

TEST(Deck, OutOfRangeIsRejected) {
  const auto e = error_of("[system]\nname = \"a\"\nmass = -1.0\n");
  EXPECT_NE(e.find("deck.toml:3"), std::string::npos) << e;
  EXPECT_NE(e.find("out of range: must be > 0"), std::string::npos) << e;
}

TEST(Deck, MissingRequiredKey) {
  const auto e = error_of("[system]\nmass = 1.0\n");
  EXPECT_NE(e.find("required key 'name' is missing"), std::string::npos) << e;
}

TEST(Deck, ChoiceSuggestsSpelling) {
  const auto e = error_of("[system]\nname = \"a\"\ngrid = \"unifrom\"\n");
  EXPECT_NE(e.find("did you mean \"uniform\""), std::string::npos) << e;
}

TEST(Deck, ArrayLengthAndElementType) {
  EXPECT_NE(error_of("[system]\nname = \"a\"\nk = [1.0]\n").find("expected 2 elements, got 1"),
            std::string::npos);
  EXPECT_NE(error_of("[system]\nname = \"a\"\nk = [1.0, \"x\"]\n").find("got string \"x\""),
            std::string::npos);
}

TEST(Deck, SyntaxErrorGivesLineAndColumn) {
  const auto e = error_of("[system]\nname = \"a\nmass = 1\n");
  EXPECT_NE(e.find("deck.toml:2"), std::string::npos) << e;
  EXPECT_NE(e.find("not valid TOML"), std::string::npos) << e;
}

TEST(Deck, MissingFileIsInputError) {
  EXPECT_THROW(Deck::parse_file("/nonexistent/deck.toml"), InputError);
}
