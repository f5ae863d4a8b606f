// The lint against tests/lint_corpus/: every case's set of finding codes must
// match exactly (see tests/lint_corpus/README.md for the format).
#include "support/test.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
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
  std::string text;
  std::set<std::string> expect;
  bool has_expect = false;
  std::string language;
  int score_min = 0;
  int score_max = 100;
  std::optional<Money> authority;
};

std::vector<Case> load(const std::filesystem::path& path) {
  std::vector<Case> cases;
  std::ifstream in(path);
  std::string line;
  int number = 0;
  Case current;
  auto flush = [&] {
    if (!current.text.empty() || current.has_expect) cases.push_back(current);
    current = Case{};
  };
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) {
      flush();
      continue;
    }
    if (line[0] == '#') continue;
    const auto colon = line.find(": ");
    const std::string key = line.substr(0, line.find(':'));
    const std::string value = colon == std::string::npos ? "" : line.substr(colon + 2);
    if (key == "text") {
      current.file = path.filename().string();
      current.line = number;
      current.text = value;
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
    } else {
      FAIL("unknown corpus key \"" << key << "\" in " << path.string() << ":" << number);
    }
  }
  flush();
  return cases;
}

std::vector<Case> corpus() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(REDRESS_TEST_SOURCE_DIR "/lint_corpus")) {
    if (entry.path().extension() == ".txt") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Case> all;
  for (const auto& f : files) {
    auto cases = load(f);
    all.insert(all.end(), cases.begin(), cases.end());
  }
  return all;
}

void check(const Case& c) {
  CAPTURE(c.file);
  CAPTURE(c.line);
  CAPTURE(c.text);
  REQUIRE(c.has_expect);
  LintContext context;
  if (c.authority) context.agent_authority = *c.authority;
  auto r = lint(c.text, context);
  REQUIRE(r);
  std::set<std::string> got;
  for (const auto& f : r.value().findings) {
    got.insert(std::string(f.code));
    // Every span lies inside the text and quotes it.
    CHECK(f.span.end_byte <= c.text.size());
    CHECK(f.phrase == c.text.substr(f.span.begin_byte, f.span.end_byte - f.span.begin_byte));
    CHECK_FALSE(f.hint.empty());
  }
  CHECK(got == c.expect);
  CHECK(r.value().structure_score >= c.score_min);
  CHECK(r.value().structure_score <= c.score_max);
  if (!c.language.empty()) CHECK(to_string(r.value().language) == c.language);
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
  TEST_CASE("the corpus covers every script and every seed example") {
    const auto cases = corpus();
    CHECK(cases.size() >= 80);
    std::set<std::string> files;
    for (const auto& c : cases) files.insert(c.file);
    CHECK(files == std::set<std::string>{"en.txt", "mixed.txt", "seeds.txt", "zh_hans.txt", "zh_hant.txt"});
  }

  TEST_CASE("every corpus reply gets exactly its expected findings") {
    for (const auto& c : corpus()) check(c);
  }

  TEST_CASE("every finding code appears in the corpus, both expected and absent") {
    std::set<std::string> seen;
    for (const auto& c : corpus()) seen.insert(c.expect.begin(), c.expect.end());
    for (auto code : lint_codes()) {
      CAPTURE(code);
      CHECK(seen.count(std::string(code)) == 1);
    }
  }
}
