// The lint against tests/lint_corpus/ (format: tests/lint_corpus/README.md).
//
// Two kinds of data:
// - the curated files (en.txt, mixed.txt, seeds.txt, zh_hans.txt,
//   zh_hant.txt): development data the rules were written from; every case
//   must get exactly its expected set of codes, its score range and language;
// - the wild files (wild_*.txt), written independently of the rules, each
//   case with an `id:`. The ids listed in sealed/<file stem>.ids are the
//   sealed test split, fixed before any tuning; the rest is development data;
// - the second, third and fourth development sets (dev2_*.txt, dev3_*.txt,
//   dev4_*.txt), written and labelled later, in the wild files' format, measured with their
//   development split and never sealed.
//   Rules are tuned on the development split only. The sealed split is only
//   ever reported as figures (precision and recall per code and per family,
//   counts per code), never as texts, and its figures must not fall below
//   baseline.tsv.
//
// REDRESS_CORPUS_EXCLUDE=FILE also reports the sealed split less the ids in
// FILE (one a line). REDRESS_CORPUS_DEV_MISSES=1 prints every development case whose codes
// differ from the expected ones (development cases only).
// REDRESS_CORPUS_DEV_ONLY=1 prints the development figures alone.
#include "support/test.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <redress/lint.hpp>

using namespace redress;

namespace {

struct Case {
  std::string file;
  int line = 0;
  std::string id;
  std::string text;
  std::set<std::string> expect;
  bool has_expect = false;
  std::string language;
  int score_min = 0;
  int score_max = 100;
  std::optional<Money> authority;
  bool wild = false;
  bool sealed = false;
};

std::set<std::string> read_ids(const std::filesystem::path& path) {
  std::set<std::string> ids;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    ids.insert(line);
  }
  return ids;
}

std::vector<Case> load(const std::filesystem::path& path) {
  std::vector<Case> cases;
  std::ifstream in(path);
  std::string line;
  int number = 0;
  Case current;
  // Measured files: the wild ones (split into development and sealed) and
  // the second, third and fourth development sets (dev2_*.txt, dev3_*.txt,
  // dev4_*.txt, development only).
  const std::string name = path.filename().string();
  const bool wild = name.rfind("wild_", 0) == 0 || name.rfind("dev2_", 0) == 0 || name.rfind("dev3_", 0) == 0 ||
                    name.rfind("dev4_", 0) == 0;
  auto flush = [&] {
    if (!current.text.empty() || current.has_expect) cases.push_back(current);
    current = Case{};
  };
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) {
      flush();
      continue;
    }
    if (line[0] == '#') continue;
    const auto colon = line.find(':');
    const std::string key = line.substr(0, colon);
    std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    current.file = path.filename().string();
    current.wild = wild;
    if (key == "text") {
      current.line = number;
      current.text = value;
    } else if (key == "id") {
      current.id = value;
    } else if (key == "expect") {
      current.has_expect = true;
      std::istringstream words(value);
      for (std::string w; words >> w;) current.expect.insert(w);
    } else if (key == "language") {
      current.language = value;
    } else if (key == "score") {
      const auto dash = value.find('-');
      current.score_min = std::stoi(value.substr(0, dash));
      current.score_max = std::stoi(value.substr(dash + 1));
    } else if (key == "authority") {
      std::istringstream words(value);
      std::int64_t minor = 0;
      std::string code;
      words >> minor >> code;
      current.authority = Money::from_minor_units(minor, Currency::from_code(code).value());
    } else if (key == "channel" || key == "domain" || key == "note" || key == "source") {
      // descriptive only
    } else {
      FAIL("unknown corpus key \"" << key << "\" in " << path.string() << ":" << number);
    }
  }
  flush();
  return cases;
}

const std::vector<Case>& corpus() {
  static const std::vector<Case> all = [] {
    const std::filesystem::path dir = REDRESS_TEST_SOURCE_DIR "/lint_corpus";
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().extension() == ".txt") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    std::vector<Case> out;
    for (const auto& f : files) {
      auto cases = load(f);
      const auto sealed = read_ids(dir / "sealed" / (f.stem().string() + ".ids"));
      // dev2_*.txt, dev3_*.txt and dev4_*.txt were written and labelled after the split:
      // none of them is sealed.
      const bool splittable = f.filename().string().rfind("wild_", 0) == 0;
      for (auto& c : cases) c.sealed = splittable && sealed.count(c.id) == 1;
      out.insert(out.end(), cases.begin(), cases.end());
    }
    return out;
  }();
  return all;
}

result<LintReport> run(const Case& c) {
  LintContext context;
  if (c.authority) context.agent_authority = *c.authority;
  return lint(c.text, context);
}

std::set<std::string> codes_of(const LintReport& r) {
  std::set<std::string> got;
  for (const auto& f : r.findings) got.insert(std::string(f.code));
  return got;
}

void check_exact(const Case& c) {
  CAPTURE(c.file);
  CAPTURE(c.line);
  CAPTURE(c.text);
  REQUIRE(c.has_expect);
  auto r = run(c);
  REQUIRE(r);
  for (const auto& f : r.value().findings) {
    // Every span lies inside the text and quotes it.
    CHECK(f.span.end_byte <= c.text.size());
    CHECK(f.phrase == c.text.substr(f.span.begin_byte, f.span.end_byte - f.span.begin_byte));
    CHECK_FALSE(f.hint.empty());
  }
  CHECK(codes_of(r.value()) == c.expect);
  CHECK(r.value().structure_score >= c.score_min);
  CHECK(r.value().structure_score <= c.score_max);
  if (!c.language.empty()) CHECK(to_string(r.value().language) == c.language);
}

// The family of a code: the part before the dot ("refusal.no_reason" ->
// "refusal"); "policy_speak" is its own.
std::string family_of(std::string_view code) { return std::string(code.substr(0, code.find('.'))); }

const std::vector<std::string>& families() {
  static const std::vector<std::string> f = {"apology", "pseudo_apology", "policy_speak", "blame",
                                             "refusal", "order",          "promise",      "lint"};
  return f;
}

struct Counts {
  int tp = 0;
  int fp = 0;
  int fn = 0;
  int expected = 0;  // tp + fn
  double precision() const { return tp + fp == 0 ? 1.0 : static_cast<double>(tp) / (tp + fp); }
  double recall() const { return tp + fn == 0 ? 1.0 : static_cast<double>(tp) / (tp + fn); }
};

struct Metrics {
  std::map<std::string, Counts> by_code;
  std::map<std::string, Counts> by_family;
  Counts overall;
  int cases = 0;
  int clean_cases = 0;
  int exact = 0;
  // Score ordering: of the pairs (clean reply, reply with a warn or block
  // finding expected), how many the clean one outscores, ties counted half.
  double ordered_pairs = 0;
  double pairs = 0;
};

// Metrics over the wild cases of one split. Every case is a set of
// (case, code) decisions: a code expected and found is a true positive,
// found and not expected a false positive, expected and not found a false
// negative. Families and the overall figure sum their codes' counts.
Metrics measure(bool sealed, const std::set<std::string>& excluded = {}) {
  Metrics m;
  std::vector<int> clean_scores;
  std::vector<int> bad_scores;
  for (const Case& c : corpus()) {
    if (!c.wild || c.sealed != sealed || excluded.count(c.id) == 1) continue;
    auto r = run(c);
    REQUIRE(r);
    const auto got = codes_of(r.value());
    ++m.cases;
    m.exact += got == c.expect;
    std::set<std::string> all = got;
    all.insert(c.expect.begin(), c.expect.end());
    for (const auto& code : all) {
      const bool e = c.expect.count(code) == 1;
      const bool g = got.count(code) == 1;
      for (Counts* k : {&m.by_code[code], &m.by_family[family_of(code)], &m.overall}) {
        k->tp += e && g;
        k->fp += g && !e;
        k->fn += e && !g;
        k->expected += e;
      }
    }
    const bool bad = std::any_of(c.expect.begin(), c.expect.end(), [](const std::string& code) {
      auto s = default_severity(code);
      return s && *s >= LintSeverity::warn;
    });
    if (c.expect.empty()) {
      ++m.clean_cases;
      clean_scores.push_back(r.value().structure_score);
    } else if (bad) {
      bad_scores.push_back(r.value().structure_score);
    }
  }
  for (int a : clean_scores) {
    for (int b : bad_scores) {
      m.pairs += 1;
      m.ordered_pairs += a > b ? 1.0 : a == b ? 0.5 : 0.0;
    }
  }
  return m;
}

void print(const char* name, const Metrics& m) {
  std::printf("%s split: %d cases (%d clean), %d with exactly the expected codes\n", name, m.cases, m.clean_cases,
              m.exact);
  std::printf("  %-30s %5s %5s %5s %9s %6s\n", "code", "tp", "fp", "fn", "precision", "recall");
  for (const auto& [code, k] : m.by_code) {
    std::printf("  %-30s %5d %5d %5d %9.3f %6.3f\n", code.c_str(), k.tp, k.fp, k.fn, k.precision(), k.recall());
  }
  for (const auto& f : families()) {
    auto it = m.by_family.find(f);
    const Counts k = it == m.by_family.end() ? Counts{} : it->second;
    std::printf("  family %-23s %5d %5d %5d %9.3f %6.3f\n", f.c_str(), k.tp, k.fp, k.fn, k.precision(), k.recall());
  }
  std::printf("  %-30s %5d %5d %5d %9.3f %6.3f\n", "overall", m.overall.tp, m.overall.fp, m.overall.fn,
              m.overall.precision(), m.overall.recall());
  if (m.pairs > 0) {
    std::printf("  score ordering: a clean reply outscores a labelled-bad one in %.1f%% of %.0f pairs\n",
                100.0 * m.ordered_pairs / m.pairs, m.pairs);
  }
}

struct Baseline {
  double precision = 0;
  double recall = 0;
};

std::map<std::string, Baseline> read_baseline() {
  std::map<std::string, Baseline> out;
  std::ifstream in(REDRESS_TEST_SOURCE_DIR "/lint_corpus/baseline.tsv");
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name;
    Baseline b;
    if (fields >> name >> b.precision >> b.recall) out[name] = b;
  }
  return out;
}

}  // namespace

namespace doctest {
template <>
struct StringMaker<std::set<std::string>> {
  static String convert(const std::set<std::string>& s) {
    std::string out = "{";
    for (const auto& x : s) out += " " + x;
    return (out + " }").c_str();
  }
};
}  // namespace doctest

TEST_SUITE("lint corpus") {
  TEST_CASE("the curated corpus covers every script and every seed example") {
    std::set<std::string> files;
    std::size_t curated = 0;
    for (const auto& c : corpus()) {
      if (c.wild) continue;
      files.insert(c.file);
      ++curated;
    }
    CHECK(curated >= 80);
    CHECK(files ==
          std::set<std::string>{"en.txt", "issue21.txt", "mixed.txt", "seeds.txt", "zh_hans.txt", "zh_hant.txt"});
  }

  TEST_CASE("every curated reply gets exactly its expected findings") {
    for (const auto& c : corpus()) {
      if (!c.wild) check_exact(c);
    }
  }

  TEST_CASE("every wild reply has a unique id, an expect line and known codes") {
    std::set<std::string> ids;
    std::set<std::string_view> known(lint_codes().begin(), lint_codes().end());
    for (const auto& c : corpus()) {
      if (!c.wild) continue;
      CAPTURE(c.file);
      CAPTURE(c.line);
      CHECK_FALSE(c.id.empty());
      CHECK(ids.insert(c.file + "/" + c.id).second);
      CHECK(c.has_expect);
      for (const auto& code : c.expect) {
        CAPTURE(code);
        CHECK(known.count(code) == 1);
      }
    }
  }

  TEST_CASE("every sealed id names a wild reply") {
    const std::filesystem::path dir = REDRESS_TEST_SOURCE_DIR "/lint_corpus/sealed";
    if (!std::filesystem::exists(dir)) return;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().extension() != ".ids") continue;
      std::set<std::string> ids;
      for (const auto& c : corpus()) {
        if (c.file == entry.path().stem().string() + ".txt") ids.insert(c.id);
      }
      for (const auto& id : read_ids(entry.path())) {
        CAPTURE(entry.path().filename().string());
        CAPTURE(id);
        CHECK(ids.count(id) == 1);
      }
    }
  }

  TEST_CASE("every finding code appears in the corpus, both expected and absent") {
    std::set<std::string> seen;
    for (const auto& c : corpus()) seen.insert(c.expect.begin(), c.expect.end());
    for (auto code : lint_codes()) {
      CAPTURE(code);
      // reply.repeated compares replies within a case: lint() of one reply
      // never raises it (tests/lint_test.cpp tests its API).
      if (code == "reply.repeated") continue;
      CHECK(seen.count(std::string(code)) == 1);
    }
  }

  TEST_CASE("the development and sealed figures are reported per code and per family") {
    const Metrics dev = measure(false);
    const Metrics sealed = measure(true);
    print("development", dev);
    // REDRESS_CORPUS_DEV_ONLY=1: the development figures alone, for tuning
    // without seeing the sealed ones.
    const bool dev_only = std::getenv("REDRESS_CORPUS_DEV_ONLY") != nullptr;
    if (!dev_only) print("sealed", sealed);
    if (const char* path = std::getenv("REDRESS_CORPUS_EXCLUDE"); path != nullptr && !dev_only) {
      // The sealed split without the ids listed in the file: the split is
      // recomputed as the corpus grows, so a case once in the development
      // split may be sealed now; this gives the figures on sealed cases
      // that never were development data.
      print("sealed, less the excluded ids", measure(true, read_ids(path)));
    }
    if (std::getenv("REDRESS_CORPUS_DEV_MISSES")) {
      for (const auto& c : corpus()) {
        if (!c.wild || c.sealed) continue;  // never a sealed text
        auto r = run(c);
        REQUIRE(r);
        const auto got = codes_of(r.value());
        if (got == c.expect) continue;
        std::string e;
        std::string g;
        for (const auto& x : c.expect) e += " " + x;
        for (const auto& x : got) g += " " + x;
        std::printf("DEV %s %s\n  %s\n  expect:%s\n  got:   %s\n  score %d\n", c.file.c_str(), c.id.c_str(),
                    c.text.c_str(), e.c_str(), g.c_str(), r.value().structure_score);
      }
    }
    CHECK(dev.cases + sealed.cases >= 0);
  }

  TEST_CASE("no sealed figure falls below the committed baseline") {
    // The lint is deterministic and the corpus fixed, so a figure can only
    // move when the rules or the corpus change: no tolerance. Re-record
    // baseline.tsv (from the sealed split, after tuning on the development
    // split) when the corpus grows.
    const Metrics sealed = measure(true);
    if (sealed.cases == 0) return;
    const auto baseline = read_baseline();
    REQUIRE_FALSE(baseline.empty());
    constexpr double kRounding = 0.0005;  // the baseline is written to three decimals
    for (const auto& entry : baseline) {
      const std::string& name = entry.first;
      const Baseline& b = entry.second;
      CAPTURE(name);
      Counts k;
      if (name == "overall") {
        k = sealed.overall;
      } else {
        auto it = sealed.by_family.find(name);
        if (it != sealed.by_family.end()) k = it->second;
      }
      CHECK(k.precision() + kRounding >= b.precision);
      CHECK(k.recall() + kRounding >= b.recall);
    }
  }
}
