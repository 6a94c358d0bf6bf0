// Input decks: TOML files whose every key is declared once, with its type,
// default, allowed range and a one-line doc (as deal.II's ParameterHandler).
// A Section binds keys to the fields of a config struct; a Deck reads
// sections from the parsed TOML, rejects anything undeclared, and prints the
// resolved deck back with defaults filled in.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dynlearn::io {

/// Allowed interval of a numeric key (bounds inclusive unless marked open).
struct Range {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_open = false;
  bool max_open = false;

  static Range positive() { return {0.0, std::numeric_limits<double>::infinity(), true, false}; }
  static Range non_negative() { return {0.0, std::numeric_limits<double>::infinity()}; }
  static Range at_least(double lo) { return {lo, std::numeric_limits<double>::infinity()}; }
  static Range between(double lo, double hi) { return {lo, hi}; }
  static Range unit() { return {0.0, 1.0}; }

  bool contains(double v) const;
  std::string describe(bool integral = false) const;  // e.g. "> 0", "in [0, 1]"
};

class Deck;
struct KeyValue;  // a TOML value with its line; defined in deck.cpp

/// The declared keys of one TOML table (`name` is its dotted path, "" for
/// the root). Declaring a key stores a reference to the field that receives
/// the value: the field's value at declaration time is the default.
class Section {
 public:
  Section(std::string name, std::string doc);
  ~Section();
  Section(Section&&) noexcept;
  Section& operator=(Section&&) noexcept;

  Section& add(const std::string& key, double& field, const std::string& doc, Range range = {});
  Section& add(const std::string& key, int& field, const std::string& doc, Range range = {});
  Section& add(const std::string& key, std::int64_t& field, const std::string& doc,
               Range range = {});
  Section& add(const std::string& key, bool& field, const std::string& doc);
  /// String key; with `choices`, only those values are accepted.
  Section& add(const std::string& key, std::string& field, const std::string& doc,
               std::vector<std::string> choices = {});
  /// Array of reals; `length` > 0 demands exactly that many elements.
  Section& add(const std::string& key, std::vector<double>& field, const std::string& doc,
               Range range = {}, std::size_t length = 0);
  Section& add(const std::string& key, std::vector<int>& field, const std::string& doc,
               Range range = {}, std::size_t length = 0);
  Section& add(const std::string& key, std::vector<std::string>& field, const std::string& doc,
               std::vector<std::string> choices = {});
  /// Marks the key declared last as required: it has no default.
  Section& required();

  const std::string& name() const { return name_; }
  const std::string& doc() const { return doc_; }
  std::vector<std::string> keys() const;
  bool has_key(const std::string& key) const;
  /// True once read() saw the key in the deck (false: default kept).
  bool was_set(const std::string& key) const;

  /// Prints the section as TOML: a header, then `key = value  # doc [range]`.
  std::string to_toml() const;

 private:
  friend class Deck;
  struct Entry;
  Entry& declare(const std::string& key, const std::string& doc, const std::string& type);
  std::string name_;
  std::string doc_;
  std::vector<std::unique_ptr<Entry>> entries_;
};

/// A parsed deck. Typical use: parse, then read() each section into its
/// config struct, then finish() to reject undeclared keys and tables.
class Deck {
 public:
  /// Parses TOML text; `source` names it in messages (usually the file path).
  static Deck parse(const std::string& text, const std::string& source);
  /// Reads and parses a file on this process (see io/config.hpp for the MPI
  /// version that reads on rank 0 and broadcasts).
  static Deck parse_file(const std::string& path);

  Deck(Deck&&) noexcept;
  Deck& operator=(Deck&&) noexcept;
  ~Deck();

  /// Fills the section's fields from the table of the same name (defaults stay
  /// where a key is absent); throws InputError naming key, line and what was
  /// expected. The section is remembered for finish() and resolved().
  void read(Section& section);
  /// Marks a table whose keys are free-form (the [petsc] table).
  void allow_free_table(const std::string& name);
  /// Throws InputError for any key or table no read() section declared,
  /// with a "did you mean" suggestion.
  void finish() const;

  /// True if the deck has a table or key at this dotted path.
  bool has(const std::string& dotted) const;
  /// A string at a dotted path, or nullopt (used to choose a variant, such as
  /// [system] type, before declaring that variant's keys).
  std::optional<std::string> peek_string(const std::string& dotted) const;
  /// The [petsc] table as PETSc command-line options: `-key value ...`.
  std::string petsc_options() const;

  /// The resolved deck: every section read, with defaults filled in, then
  /// the [petsc] table. Parsing it again yields the same configuration.
  std::string resolved() const;
  const std::string& source() const { return source_; }
  const std::string& text() const { return text_; }

 private:
  Deck();
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string source_;
  std::string text_;
  std::vector<const Section*> sections_;
  std::vector<std::string> free_tables_;
};

/// Shortest text that reads back as the same double, always with "." or "e".
std::string format_real(double v);

/// The closest candidate to `word` by edit distance, if close enough to be a
/// plausible misspelling.
std::optional<std::string> did_you_mean(const std::string& word,
                                        const std::vector<std::string>& candidates);

}  // namespace dynlearn::io
