#include "dynlearn/io/deck.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "dynlearn/core/error.hpp"

#define TOML_EXCEPTIONS 1
#include <toml++/toml.h>

namespace dynlearn::io {

std::string format_real(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, res.ptr);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

namespace {

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

std::string join(const std::vector<std::string>& items, const std::string& sep = ", ") {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

std::string describe_node(const toml::node& node) {
  std::ostringstream os;
  switch (node.type()) {
    case toml::node_type::string: os << "string " << quote(*node.value<std::string>()); break;
    case toml::node_type::integer: os << "integer " << *node.value<std::int64_t>(); break;
    case toml::node_type::floating_point: os << "float " << format_real(*node.value<double>()); break;
    case toml::node_type::boolean: os << "boolean " << (*node.value<bool>() ? "true" : "false"); break;
    case toml::node_type::array: os << "an array"; break;
    case toml::node_type::table: os << "a table"; break;
    default: os << "a date/time"; break;
  }
  return os.str();
}

std::string table_label(const std::string& name) { return name.empty() ? "top level" : "[" + name + "]"; }

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t sub = prev[j - 1] + (std::tolower(a[i - 1]) == std::tolower(b[j - 1]) ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

bool Range::contains(double v) const {
  if (std::isnan(v)) return false;
  const bool lo_ok = min_open ? v > min : v >= min;
  const bool hi_ok = max_open ? v < max : v <= max;
  return lo_ok && hi_ok;
}

std::string Range::describe(bool integral) const {
  auto format_real = [integral](double v) {
    return integral ? std::to_string(static_cast<long long>(v)) : dynlearn::io::format_real(v);
  };
  const bool has_lo = std::isfinite(min), has_hi = std::isfinite(max);
  if (has_lo && has_hi)
    return std::string("in ") + (min_open ? "(" : "[") + format_real(min) + ", " + format_real(max) +
           (max_open ? ")" : "]");
  if (has_lo) return std::string(min_open ? "> " : ">= ") + format_real(min);
  if (has_hi) return std::string(max_open ? "< " : "<= ") + format_real(max);
  return "";
}

std::optional<std::string> did_you_mean(const std::string& word,
                                        const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(word, c);
    // A candidate that contains the word (or vice versa) is a likely abbreviation.
    if (d >= best_d && (c.find(word) != std::string::npos || word.find(c) != std::string::npos) &&
        std::min(word.size(), c.size()) >= 3)
      d = best_d - 1;
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  return best;
}

// ---------------------------------------------------------------- Section

/// Where a value came from, for messages.
struct ReadContext {
  const std::string& source;
  const std::string& section;
  const std::string& key;
  std::string where(const toml::node& node) const {
    return source + ":" + std::to_string(node.source().begin.line) + ": " + table_label(section) +
           " " + key;
  }
};

struct Section::Entry {
  std::string key;
  std::string doc;
  std::string type;  // "real", "integer", ... for messages and docs
  bool required = false;
  bool set = false;
  Range range;
  std::vector<std::string> choices;
  std::size_t length = 0;
  std::function<void(const toml::node&, const ReadContext&)> read;
  std::function<std::string()> print;

  std::string expected() const {
    std::string e = type;
    const std::string r = range.describe(type.find("integer") != std::string::npos);
    if (!r.empty()) e += " " + r;
    if (!choices.empty()) e += ", one of " + join(choices);
    if (length > 0) e += " with " + std::to_string(length) + " elements";
    return e;
  }
  [[noreturn]] void fail(const toml::node& node, const ReadContext& ctx, const std::string& what) const {
    throw InputError(ctx.where(node) + ": " + what + " (" + doc + ")");
  }
  double real(const toml::node& node, const ReadContext& ctx) const {
    std::optional<double> v;
    if (node.is_floating_point()) v = *node.value<double>();
    if (node.is_integer()) v = static_cast<double>(*node.value<std::int64_t>());
    if (!v) fail(node, ctx, "expected a " + expected() + ", got " + describe_node(node));
    if (!range.contains(*v))
      fail(node, ctx, "value " + format_real(*v) + " is out of range: must be " + range.describe());
    return *v;
  }
  std::int64_t integer(const toml::node& node, const ReadContext& ctx) const {
    if (!node.is_integer()) fail(node, ctx, "expected an " + expected() + ", got " + describe_node(node));
    const std::int64_t v = *node.value<std::int64_t>();
    if (!range.contains(static_cast<double>(v)))
      fail(node, ctx, "value " + std::to_string(v) + " is out of range: must be " + range.describe(true));
    return v;
  }
  std::string string(const toml::node& node, const ReadContext& ctx) const {
    if (!node.is_string()) fail(node, ctx, "expected a " + expected() + ", got " + describe_node(node));
    std::string v = *node.value<std::string>();
    if (!choices.empty() && std::find(choices.begin(), choices.end(), v) == choices.end()) {
      std::string msg = "value " + quote(v) + " is not allowed: must be one of " + join(choices);
      if (auto s = did_you_mean(v, choices)) msg += "; did you mean " + quote(*s) + "?";
      fail(node, ctx, msg);
    }
    return v;
  }
  const toml::array& array(const toml::node& node, const ReadContext& ctx) const {
    if (!node.is_array()) fail(node, ctx, "expected an " + expected() + ", got " + describe_node(node));
    const toml::array& a = *node.as_array();
    if (length > 0 && a.size() != length)
      fail(node, ctx, "expected " + std::to_string(length) + " elements, got " + std::to_string(a.size()));
    return a;
  }
};

Section::Section(std::string name, std::string doc) : name_(std::move(name)), doc_(std::move(doc)) {}
Section::~Section() = default;
Section::Section(Section&&) noexcept = default;
Section& Section::operator=(Section&&) noexcept = default;

Section::Entry& Section::declare(const std::string& key, const std::string& doc, const std::string& type) {
  if (has_key(key)) throw std::logic_error("deck key declared twice: " + name_ + "." + key);
  entries_.push_back(std::make_unique<Entry>());
  Entry& e = *entries_.back();
  e.key = key;
  e.doc = doc;
  e.type = type;
  return e;
}

Section& Section::add(const std::string& key, double& field, const std::string& doc, Range range) {
  Entry& e = declare(key, doc, "real number");
  e.range = range;
  e.read = [&field, &e](const toml::node& n, const ReadContext& c) { field = e.real(n, c); };
  e.print = [&field] { return format_real(field); };
  return *this;
}

Section& Section::add(const std::string& key, std::int64_t& field, const std::string& doc, Range range) {
  Entry& e = declare(key, doc, "integer");
  e.range = range;
  e.read = [&field, &e](const toml::node& n, const ReadContext& c) { field = e.integer(n, c); };
  e.print = [&field] { return std::to_string(field); };
  return *this;
}

Section& Section::add(const std::string& key, int& field, const std::string& doc, Range range) {
  Entry& e = declare(key, doc, "integer");
  e.range = range;
  e.read = [&field, &e](const toml::node& n, const ReadContext& c) {
    const std::int64_t v = e.integer(n, c);
    if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
      e.fail(n, c, "value " + std::to_string(v) + " does not fit a 32-bit integer");
    field = static_cast<int>(v);
  };
  e.print = [&field] { return std::to_string(field); };
  return *this;
}

Section& Section::add(const std::string& key, bool& field, const std::string& doc) {
  Entry& e = declare(key, doc, "boolean");
  e.read = [&field, &e](const toml::node& n, const ReadContext& c) {
    if (!n.is_boolean()) e.fail(n, c, "expected true or false, got " + describe_node(n));
    field = *n.value<bool>();
  };
  e.print = [&field] { return std::string(field ? "true" : "false"); };
  return *this;
}

Section& Section::add(const std::string& key, std::string& field, const std::string& doc,
                      std::vector<std::string> choices) {
  Entry& e = declare(key, doc, "string");
  e.choices = std::move(choices);
  e.read = [&field, &e](const toml::node& n, const ReadContext& c) { field = e.string(n, c); };
  e.print = [&field] { return quote(field); };
  return *this;
}

Section& Section::add(const std::string& key, std::vector<double>& field, const std::string& doc,
                      Range range, std::size_t length) {
  Entry& e = declare(key, doc, "array of real numbers");
  e.range = range;
  e.length = length;
  e.read = [&field, &e](const toml::node& n, const ReadContext& c) {
    std::vector<double> v;
    for (const auto& item : e.array(n, c)) v.push_back(e.real(item, c));
    field = std::move(v);
  };
  e.print = [&field] {
    std::vector<std::string> s;
    for (double v : field) s.push_back(format_real(v));
    return "[" + join(s) + "]";
  };
  return *this;
}

Section& Section::add(const std::string& key, std::vector<int>& field, const std::string& doc,
                      Range range, std::size_t length) {
  Entry& e = declare(key, doc, "array of integers");
  e.range = range;
  e.length = length;
  e.read = [&field, &e](const toml::node& n, const ReadContext& c) {
    std::vector<int> v;
    for (const auto& item : e.array(n, c)) v.push_back(static_cast<int>(e.integer(item, c)));
    field = std::move(v);
  };
  e.print = [&field] {
    std::vector<std::string> s;
    for (int v : field) s.push_back(std::to_string(v));
    return "[" + join(s) + "]";
  };
  return *this;
}

Section& Section::add(const std::string& key, std::vector<std::string>& field, const std::string& doc,
                      std::vector<std::string> choices) {
  Entry& e = declare(key, doc, "array of strings");
  e.choices = std::move(choices);
  e.read = [&field, &e](const toml::node& n, const ReadContext& c) {
    std::vector<std::string> v;
    for (const auto& item : e.array(n, c)) v.push_back(e.string(item, c));
    field = std::move(v);
  };
  e.print = [&field] {
    std::vector<std::string> s;
    for (const auto& v : field) s.push_back(quote(v));
    return "[" + join(s) + "]";
  };
  return *this;
}

Section& Section::required() {
  if (entries_.empty()) throw std::logic_error("required() before any key of " + name_);
  entries_.back()->required = true;
  return *this;
}

std::vector<std::string> Section::keys() const {
  std::vector<std::string> k;
  for (const auto& e : entries_) k.push_back(e->key);
  return k;
}

bool Section::has_key(const std::string& key) const {
  return std::any_of(entries_.begin(), entries_.end(), [&](const auto& e) { return e->key == key; });
}

bool Section::was_set(const std::string& key) const {
  for (const auto& e : entries_)
    if (e->key == key) return e->set;
  return false;
}

std::string Section::to_toml() const {
  std::ostringstream os;
  if (!name_.empty()) os << "[" << name_ << "]\n";
  if (!doc_.empty()) os << "# " << doc_ << "\n";
  std::size_t width = 0;
  for (const auto& e : entries_) width = std::max(width, e->key.size() + 3 + e->print().size());
  for (const auto& e : entries_) {
    std::string line = e->key + " = " + e->print();
    os << line << std::string(width - line.size() + 2, ' ') << "# " << e->doc;
    const std::string r = e->range.describe(e->type.find("integer") != std::string::npos);
    if (!r.empty()) os << " [" << r << "]";
    os << "\n";
  }
  return os.str();
}

// ---------------------------------------------------------------- Deck

struct Deck::Impl {
  toml::table root;
};

Deck::Deck() : impl_(std::make_unique<Impl>()) {}
Deck::~Deck() = default;
Deck::Deck(Deck&&) noexcept = default;
Deck& Deck::operator=(Deck&&) noexcept = default;

Deck Deck::parse(const std::string& text, const std::string& source) {
  Deck deck;
  deck.source_ = source;
  deck.text_ = text;
  try {
    deck.impl_->root = toml::parse(text, source);
  } catch (const toml::parse_error& err) {
    std::ostringstream os;
    os << source << ":" << err.source().begin.line << ":" << err.source().begin.column
       << ": not valid TOML: " << err.description();
    throw InputError(os.str());
  }
  return deck;
}

Deck Deck::parse_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot open deck '" + path + "': no such file or not readable");
  std::ostringstream os;
  os << in.rdbuf();
  return parse(os.str(), path);
}

namespace {
const toml::node* find(const toml::table& root, const std::string& dotted) {
  if (dotted.empty()) return &root;
  const toml::node* node = &root;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = dotted.find('.', start);
    const std::string part = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    const toml::table* t = node->as_table();
    if (!t) return nullptr;
    node = t->get(part);
    if (!node) return nullptr;
    if (dot == std::string::npos) return node;
    start = dot + 1;
  }
}
}  // namespace

void Deck::read(Section& section) {
  sections_.push_back(&section);
  const toml::node* node = find(impl_->root, section.name_);
  const toml::table* table = node ? node->as_table() : nullptr;
  if (node && !table) {
    throw InputError(source_ + ":" + std::to_string(node->source().begin.line) + ": " + section.name_ +
                     " must be a table [" + section.name_ + "], got " + describe_node(*node));
  }
  for (auto& e : section.entries_) {
    const toml::node* value = table ? table->get(e->key) : nullptr;
    if (!value) {
      if (e->required)
        throw InputError(source_ + ": " + table_label(section.name_) + " required key '" + e->key +
                         "' is missing: add `" + e->key + " = <" + e->expected() + ">` (" + e->doc + ")");
      continue;
    }
    ReadContext ctx{source_, section.name_, e->key};
    e->read(*value, ctx);
    e->set = true;
  }
}

void Deck::allow_free_table(const std::string& name) { free_tables_.push_back(name); }

void Deck::finish() const {
  std::map<std::string, const Section*> by_name;
  for (const Section* s : sections_) by_name[s->name()] = s;
  auto is_free = [&](const std::string& path) {
    return std::find(free_tables_.begin(), free_tables_.end(), path) != free_tables_.end();
  };
  auto is_prefix_of_section = [&](const std::string& path) {
    for (const auto& [name, s] : by_name)
      if (name == path || name.rfind(path + ".", 0) == 0) return true;
    for (const auto& f : free_tables_)
      if (f == path) return true;
    return false;
  };
  // Names allowed directly inside `path`: its keys and child tables.
  auto allowed_in = [&](const std::string& path) {
    std::set<std::string> names;
    if (auto it = by_name.find(path); it != by_name.end())
      for (const auto& k : it->second->keys()) names.insert(k);
    std::vector<std::string> tables;
    for (const auto& [name, s] : by_name) tables.push_back(name);
    for (const auto& f : free_tables_) tables.push_back(f);
    for (const auto& t : tables) {
      if (t.empty()) continue;
      if (path.empty() ? true : t.rfind(path + ".", 0) == 0) {
        std::string rest = path.empty() ? t : t.substr(path.size() + 1);
        names.insert(rest.substr(0, rest.find('.')));
      }
    }
    return std::vector<std::string>(names.begin(), names.end());
  };

  std::function<void(const toml::table&, const std::string&)> walk =
      [&](const toml::table& table, const std::string& path) {
        for (const auto& [k, node] : table) {
          const std::string key(k.str());
          const std::string full = path.empty() ? key : path + "." + key;
          if (node.is_table() && (is_prefix_of_section(full))) {
            if (!is_free(full)) walk(*node.as_table(), full);
            continue;
          }
          auto it = by_name.find(path);
          if (it != by_name.end() && it->second->has_key(key)) continue;
          const auto allowed = allowed_in(path);
          std::string msg = source_ + ":" + std::to_string(node.source().begin.line) + ": " +
                            (node.is_table() ? "unknown table [" + full + "]"
                                             : "unknown key '" + key + "' in " + table_label(path));
          if (auto s = did_you_mean(key, allowed)) msg += "; did you mean '" + *s + "'?";
          if (!allowed.empty()) msg += " Allowed here: " + join(allowed) + ".";
          msg += " (`dynlearn check` prints every key with its default and doc.)";
          throw InputError(msg);
        }
      };
  walk(impl_->root, "");
}

bool Deck::has(const std::string& dotted) const { return find(impl_->root, dotted) != nullptr; }

std::optional<std::string> Deck::peek_string(const std::string& dotted) const {
  const toml::node* node = find(impl_->root, dotted);
  if (!node) return std::nullopt;
  if (!node->is_string())
    throw InputError(source_ + ":" + std::to_string(node->source().begin.line) + ": " + dotted +
                     ": expected a string, got " + describe_node(*node));
  return *node->value<std::string>();
}

std::string Deck::petsc_options() const {
  const toml::node* node = find(impl_->root, "petsc");
  if (!node) return "";
  const toml::table* table = node->as_table();
  if (!table) throw InputError(source_ + ": petsc must be a table [petsc] of PETSc options");
  std::string out;
  for (const auto& [k, v] : *table) {
    std::string value;
    if (v.is_string()) value = *v.value<std::string>();
    else if (v.is_integer()) value = std::to_string(*v.value<std::int64_t>());
    else if (v.is_floating_point()) value = format_real(*v.value<double>());
    else if (v.is_boolean()) value = *v.value<bool>() ? "true" : "false";
    else
      throw InputError(source_ + ":" + std::to_string(v.source().begin.line) + ": [petsc] " +
                       std::string(k.str()) + ": expected a string, number or boolean, got " +
                       describe_node(v));
    out += (out.empty() ? "-" : " -") + std::string(k.str()) + (value.empty() ? "" : " " + value);
  }
  return out;
}

std::string Deck::resolved() const {
  std::ostringstream os;
  bool first = true;
  for (const Section* s : sections_) {
    os << (first ? "" : "\n") << s->to_toml();
    first = false;
  }
  if (const toml::node* node = find(impl_->root, "petsc"); node && node->is_table()) {
    os << "\n[petsc]\n# options passed to PETSc's options database\n" << *node->as_table() << "\n";
  }
  return os.str();
}

}  // namespace dynlearn::io
