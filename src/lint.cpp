// lint(): the rules over the phrase matches, the policy, and the report.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <tuple>

#include <boost/json.hpp>

#include <redress/detail/json_read.hpp>
#include <redress/detail/lint_embedded.hpp>
#include <redress/detail/lint_scan.hpp>
#include <redress/lint.hpp>

namespace redress {
inline namespace v1 {

const detail::PhraseSetData& phrase_set_data(const PhraseSet& set) noexcept;
const detail::LintPolicyData& lint_policy_data(const LintPolicy& policy) noexcept;

namespace detail {

inline constexpr std::size_t kCodeCount = 19;

struct LintPolicyData {
  LintPolicy::Settings settings;
  PhraseSet phrases;
  // The severity of each finding code (by its place in kCodes) under
  // `settings`, nullopt when they disable it: resolved once by make(), so
  // that a finding costs no lookup by name.
  std::array<std::optional<LintSeverity>, kCodeCount> severity{};
};

namespace {

struct CodeInfo {
  std::string_view code;
  LintSeverity severity;
};

// Every finding code with its default severity, in docs/lint.md order.
constexpr std::array<CodeInfo, kCodeCount> kCodes{{
    {"apology.weak", LintSeverity::info},
    {"pseudo_apology.curt", LintSeverity::warn},
    {"pseudo_apology.conditional", LintSeverity::warn},
    {"pseudo_apology.defensive", LintSeverity::warn},
    {"pseudo_apology.sorry_but", LintSeverity::warn},
    {"policy_speak", LintSeverity::warn},
    {"blame.customer", LintSeverity::block},
    {"blame.defensive", LintSeverity::warn},
    {"refusal.helpless", LintSeverity::warn},
    {"refusal.deflection", LintSeverity::warn},
    {"refusal.no_reason", LintSeverity::warn},
    {"refusal.no_alternative", LintSeverity::warn},
    {"order.facts_before_feelings", LintSeverity::warn},
    {"order.question_before_apology", LintSeverity::warn},
    {"promise.over_authority", LintSeverity::block},
    {"promise.deadline_too_short", LintSeverity::warn},
    {"promise.deadline_too_long", LintSeverity::warn},
    {"lint.unsupported_language", LintSeverity::warn},
    {"reply.repeated", LintSeverity::warn},
}};

constexpr std::array<std::string_view, kCodes.size()> code_list() {
  std::array<std::string_view, kCodes.size()> out{};
  for (std::size_t i = 0; i < kCodes.size(); ++i) out[i] = kCodes[i].code;
  return out;
}
constexpr auto kCodeList = code_list();

const CodeInfo* find_code(std::string_view code) noexcept {
  for (const auto& c : kCodes) {
    if (c.code == code) return &c;
  }
  return nullptr;
}

// The place of `code` in kCodes, at compile time: a misspelt code does not
// compile.
consteval std::size_t code_id(std::string_view code) {
  for (std::size_t i = 0; i < kCodes.size(); ++i) {
    if (kCodes[i].code == code) return i;
  }
  throw "not a finding code";
}

constexpr std::array<std::string_view, kApologyComponentCount> kComponentNames = {
    "regret", "explanation", "responsibility", "repentance", "repair", "forgiveness", "feeling", "empathy"};
// Their keys in hints.tsv.
constexpr std::array<std::string_view, kApologyComponentCount> kComponentHintKeys = {
    "component.regret",     "component.explanation", "component.responsibility", "component.repentance",
    "component.repair",     "component.forgiveness", "component.feeling",        "component.empathy"};

// Hints: key -> {en, zh-Hans, zh-Hant}, from hints.tsv.
using HintRow = std::array<std::string_view, 3>;

const std::map<std::string_view, HintRow>& hint_table() {
  static const auto table = [] {
    std::map<std::string_view, HintRow> t;
    for_each_table_line(lint_embedded_file("hints.tsv"), [&](std::size_t, std::string_view line) {
      std::array<std::string_view, 4> cols{};
      for (std::size_t c = 0; c < 4; ++c) {
        const std::size_t tab = c < 3 ? line.find('\t') : std::string_view::npos;
        cols[c] = line.substr(0, tab);
        line = tab == std::string_view::npos ? std::string_view{} : line.substr(tab + 1);
      }
      t[cols[0]] = {cols[1], cols[2], cols[3]};
      return std::error_code{};
    });
    return t;
  }();
  return table;
}

std::string_view hint_in(const HintRow& row, LintLanguage language) {
  switch (language) {
    case LintLanguage::zh_hans: return row[1];
    case LintLanguage::zh_hant: return row[2];
    default: return row[0];
  }
}

// The severity of a known code under a policy's settings; nullopt when they
// disable it.
std::optional<LintSeverity> severity_under(const LintPolicy::Settings& s, const CodeInfo& code) noexcept {
  if (s.disabled.find(code.code) != s.disabled.end()) return std::nullopt;
  auto it = s.severity.find(code.code);
  return it != s.severity.end() ? it->second : code.severity;
}

// The hint rows of `keys`, looked up once.
template <std::size_t N>
std::array<HintRow, N> hint_rows(const std::array<std::string_view, N>& keys) {
  std::array<HintRow, N> rows{};
  for (std::size_t i = 0; i < N; ++i) {
    auto it = hint_table().find(keys[i]);
    if (it != hint_table().end()) rows[i] = it->second;
  }
  return rows;
}

// The hints of every finding code, by its place in kCodes.
const HintRow& code_hints(std::size_t code) {
  static const auto rows = hint_rows(kCodeList);
  return rows[code];
}

// The hints naming each apology component, for apology.weak.
const HintRow& component_hints(std::size_t component) {
  static const auto rows = hint_rows(kComponentHintKeys);
  return rows[component];
}

bool has_han(std::string_view s) {
  // Any three-byte sequence starting E3-E9 is in U+3000-U+9FFF; enough to
  // tell Chinese phrases from English ones.
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto b = static_cast<unsigned char>(c);
    return b >= 0xE3 && b <= 0xE9;
  });
}

// How many characters after a refusal a repair phrase is still what is refused.
constexpr std::size_t kNegationReach = 6;

struct Hit {
  std::uint32_t kinds;
  std::int32_t value;
  bool latin;
  std::size_t sentence;
  TextSpan span;

  bool is(PhraseKind k) const noexcept { return (kinds & kind_bit(k)) != 0; }
};

// Amounts of money and counts written in the text.
struct Number {
  double value = 0;      // as written, in major units
  std::size_t begin = 0; // bytes
  std::size_t end = 0;
};

int chinese_digit(char32_t c) {
  switch (c) {
    case U'零': case U'〇': return 0;
    case U'一': return 1;
    case U'二': case U'两': case U'兩': return 2;
    case U'三': return 3;
    case U'四': return 4;
    case U'五': return 5;
    case U'六': return 6;
    case U'七': return 7;
    case U'八': return 8;
    case U'九': return 9;
    default: return -1;
  }
}

int chinese_unit(char32_t c) {
  switch (c) {
    case U'十': return 10;
    case U'百': return 100;
    case U'千': return 1000;
    case U'万': case U'萬': return 10000;
    default: return 0;
  }
}

// Decodes the code point at byte i of valid UTF-8.
char32_t code_point_at(std::string_view s, std::size_t i, std::size_t& len) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  len = utf8_length(b0);
  if (len == 1) return b0;
  char32_t cp = b0 & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
  for (std::size_t k = 1; k < len; ++k) cp = cp << 6 | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return cp;
}

// The start of the code point that ends just before byte i.
std::size_t previous_start(std::string_view s, std::size_t i) {
  do --i;
  while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80);
  return i;
}

// Reads a number (ASCII or full-width digits with , and ., or Chinese
// numerals) starting at byte i, or returns false.
bool read_number(std::string_view s, std::size_t i, Number& out) {
  std::size_t j = i;
  double value = 0;
  double section = 0;
  double digit = -1;
  bool any = false;
  bool decimal = false;
  double scale = 0.1;
  bool chinese = false;
  while (j < s.size()) {
    std::size_t len = 0;
    char32_t c = code_point_at(s, j, len);
    if (c >= 0xFF10 && c <= 0xFF19) c = c - 0xFF10 + '0';
    if (c >= '0' && c <= '9' && !chinese) {
      if (decimal) {
        value += (c - '0') * scale;
        scale /= 10;
      } else {
        value = value * 10 + (c - '0');
      }
      any = true;
    } else if (c == ',' && any && !decimal && !chinese && j + 1 < s.size() && s[j + 1] >= '0' && s[j + 1] <= '9') {
      // a thousands separator
    } else if (c == '.' && any && !decimal && !chinese && j + 1 < s.size() && s[j + 1] >= '0' && s[j + 1] <= '9') {
      decimal = true;
    } else if (!any || chinese) {
      const int d = chinese_digit(c);
      const int u = chinese_unit(c);
      if (d >= 0) {
        digit = d;
      } else if (u == 10000) {
        if (!any) break;
        value = (value + section + std::max(digit, 0.0)) * u;
        section = 0;
        digit = -1;
      } else if (u > 0) {
        section += (digit < 0 ? 1 : digit) * u;
        digit = -1;
      } else {
        break;
      }
      any = true;
      chinese = true;
    } else {
      break;
    }
    j += len;
  }
  if (!any) return false;
  if (chinese) value += section + std::max(digit, 0.0);
  out = {value, i, j};
  return true;
}

bool is_number_char(std::string_view s, std::size_t i) {
  std::size_t len = 0;
  const char32_t c = code_point_at(s, i, len);
  return (c >= '0' && c <= '9') || (c >= 0xFF10 && c <= 0xFF19) || chinese_digit(c) >= 0 || chinese_unit(c) > 0;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The number written just before byte `at` (skipping spaces and 个), for a
// deadline such as "2个工作日内" or "within 3 days". English word numbers
// count too. Returns the byte where the number starts.
bool number_before(std::string_view s, std::size_t at, Number& out) {
  std::size_t end = at;
  while (end > 0 && s[end - 1] == ' ') --end;
  if (end >= 3 && s.substr(end - 3, 3) == "个") end -= 3;
  if (end >= 3 && s.substr(end - 3, 3) == "個") end -= 3;
  while (end > 0 && s[end - 1] == ' ') --end;
  std::size_t begin = end;
  while (begin > 0) {
    const std::size_t prev = previous_start(s, begin);
    if (is_number_char(s, prev) || ((s[prev] == ',' || s[prev] == '.') && prev > 0)) {
      begin = prev;
    } else {
      break;
    }
  }
  while (begin < end && (s[begin] == ',' || s[begin] == '.')) ++begin;
  if (begin < end) {
    if (!read_number(s.substr(0, end), begin, out)) return false;
    return out.end == end;
  }
  // English number words.
  std::size_t word_begin = end;
  while (word_begin > 0 && std::isalpha(static_cast<unsigned char>(s[word_begin - 1]))) --word_begin;
  static constexpr std::array<std::string_view, 13> words = {"zero", "one",  "two", "three", "four", "five", "six",
                                                             "seven", "eight", "nine", "ten",  "a",   "an"};
  const std::string word = lower_ascii(s.substr(word_begin, end - word_begin));
  for (std::size_t k = 0; k < words.size(); ++k) {
    if (word == words[k]) {
      out = {k >= 11 ? 1.0 : static_cast<double>(k), word_begin, end};
      return true;
    }
  }
  return false;
}

// The English word that ends just before byte `at`, lower case.
std::string word_before(std::string_view s, std::size_t at) {
  std::size_t end = at;
  while (end > 0 && s[end - 1] == ' ') --end;
  std::size_t begin = end;
  while (begin > 0 && std::isalpha(static_cast<unsigned char>(s[begin - 1]))) --begin;
  return lower_ascii(s.substr(begin, end - begin));
}

// The words before a number that make "N days" a promised delay.
bool is_deadline_word(std::string_view w) {
  static constexpr std::array<std::string_view, 12> words = {
      "within", "in", "under", "allow", "to", "take", "takes", "about", "around", "approximately", "approx", "roughly"};
  return std::find(words.begin(), words.end(), w) != words.end();
}

struct Amount {
  Number number;
  std::optional<Currency> currency;  // nullopt: no marker, the authority's currency
};

struct CurrencyMarker {
  std::string_view text;
  Currency currency;
};
// Before an amount; longer markers first ("HK$" before "$").
inline constexpr std::array<CurrencyMarker, 26> kCurrencyPrefixes = {
    {{"HK$", Currency::HKD}, {"NT$", Currency::TWD}, {"US$", Currency::USD}, {"MOP$", Currency::MOP},
     {"S$", Currency::SGD},  {"EUR", Currency::EUR}, {"GBP", Currency::GBP}, {"SGD", Currency::SGD},
     {"港幣", Currency::HKD}, {"新台幣", Currency::TWD}, {"新台币", Currency::TWD}, {"台幣", Currency::TWD},
     {"台币", Currency::TWD}, {"人民幣", Currency::CNY}, {"人民币", Currency::CNY},
     {"¥", Currency::CNY},   {"￥", Currency::CNY},   {"RMB", Currency::CNY}, {"rmb", Currency::CNY},
     {"CNY", Currency::CNY}, {"HKD", Currency::HKD}, {"USD", Currency::USD}, {"€", Currency::EUR},
     {"£", Currency::GBP},   {"$", Currency::USD},   {"港币", Currency::HKD}}};
// After an amount, lower case.
inline constexpr std::array<CurrencyMarker, 25> kCurrencySuffixes = {
    {{"块钱", Currency::CNY},   {"塊錢", Currency::CNY}, {"元", Currency::CNY},    {"块", Currency::CNY},
     {"塊", Currency::CNY},     {"圆", Currency::CNY},   {"yuan", Currency::CNY},  {"rmb", Currency::CNY},
     {"cny", Currency::CNY},    {"美元", Currency::USD}, {"美金", Currency::USD},  {"usd", Currency::USD},
     {"dollars", Currency::USD}, {"港币", Currency::HKD}, {"港幣", Currency::HKD}, {"hkd", Currency::HKD},
     {"港元", Currency::HKD}, {"蚊", Currency::HKD},    {"pounds", Currency::GBP}, {"pound", Currency::GBP},
     {"quid", Currency::GBP},  {"gbp", Currency::GBP},  {"euros", Currency::EUR}, {"euro", Currency::EUR},
     {"eur", Currency::EUR}}};

// Currency markers around an amount: ¥/￥/$ before, 元/块/yuan/rmb/... after.
std::optional<Currency> currency_marker(std::string_view s, const Number& n, std::size_t& begin, std::size_t& end) {
  std::string_view before = trim_spaces(s.substr(0, n.begin));
  std::string_view after = s.substr(n.end);
  while (!after.empty() && after.front() == ' ') after.remove_prefix(1);
  const std::string after_lower = lower_ascii(after.substr(0, std::min<std::size_t>(after.size(), 12)));
  for (const auto& m : kCurrencyPrefixes) {
    if (before.size() >= m.text.size() && before.substr(before.size() - m.text.size()) == m.text) {
      // A letter marker is a word of its own ("EUR 50", not "PEUR 50").
      const std::size_t at = before.size() - m.text.size();
      if (at > 0 && std::isalpha(static_cast<unsigned char>(m.text[0])) &&
          std::isalpha(static_cast<unsigned char>(before[at - 1]))) {
        continue;
      }
      begin = before.size() - m.text.size();
      end = n.end;
      return m.currency;
    }
  }
  for (const auto& m : kCurrencySuffixes) {
    if (after_lower.rfind(m.text, 0) == 0) {
      begin = n.begin;
      end = static_cast<std::size_t>(after.data() - s.data()) + m.text.size();
      return m.currency;
    }
  }
  return std::nullopt;
}

// A match of one part of a rule with gaps.
struct PartHit {
  std::uint32_t rule;
  std::uint32_t part;
  std::size_t begin;
  std::size_t end;
};

struct Scratch {
  std::vector<Hit> hits;
  std::vector<std::size_t> breaks;
  std::vector<PartHit> parts;
  std::vector<Hit> joined;
};

// The code point before byte i is a clause mark (or i is the start).
bool clause_mark(char32_t c) {
  switch (c) {
    case U',': case U'.': case U'!': case U'?': case U';': case U':': case U'\n': case U'(': case U')':
    case U'，': case U'。': case U'！': case U'？': case U'；': case U'：': case U'、': case U'（': case U'）':
    case U'…': case U'~': case U'～': case U'"': case U'“': case U'”': case U'「': case U'」':
      return true;
    default:
      return false;
  }
}

bool is_space(char32_t c) { return c == U' ' || c == U'\t' || c == U'\r' || c == 0x3000 || c == 0xA0; }

// Whether [begin, end) of the text holds a clause mark.
bool crosses_clause(std::string_view s, std::size_t begin, std::size_t end) {
  for (std::size_t i = begin; i < end;) {
    std::size_t len = 0;
    if (clause_mark(code_point_at(s, i, len))) return true;
    i += len;
  }
  return false;
}

// Whether [begin, end) of the text holds the end of a sentence.
bool crosses_sentence(std::string_view s, std::size_t begin, std::size_t end) {
  for (std::size_t i = begin; i < end;) {
    std::size_t len = 0;
    switch (code_point_at(s, i, len)) {
      case U'.': case U'!': case U'?': case U';': case U'\n': case U'。': case U'！': case U'？': case U'；':
        return true;
      default:
        break;
    }
    i += len;
  }
  return false;
}

std::size_t chars_between(std::string_view s, std::size_t begin, std::size_t end) {
  std::size_t n = 0;
  for (std::size_t i = begin; i < end; ++i) n += (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80;
  return n;
}

// Words that count a number as a quantity, not an amount of money.
bool counter_after(std::string_view s, std::size_t i) {
  static constexpr std::string_view counters[] = {
      "件", "个", "個", "天", "日", "号", "號", "次", "单", "單", "张", "張", "%", "％", "折", "分钟", "分鐘",
      "小时", "小時", "月", "年", "周", "週", "倍", "-", "积分", "里程", "公里", "g", "k"};
  while (i < s.size() && s[i] == ' ') ++i;
  const std::string_view rest = s.substr(i);
  if (std::any_of(std::begin(counters), std::end(counters), [&](std::string_view c) { return rest.rfind(c, 0) == 0; })) {
    return true;
  }
  const std::string word = lower_ascii(rest.substr(0, std::min<std::size_t>(rest.size(), 8)));
  for (std::string_view w : {"day", "hour", "minute", "week", "month", "year", "time", "item", "order", "%", "mile",
                             "point", "kg", "gb", "mb", "star"}) {
    if (word.rfind(w, 0) == 0) return true;
  }
  return false;
}

// The checks of a pattern (<start>, <end>, <money>, <number>) on a match.
bool pattern_holds(std::string_view s, std::uint8_t checks, std::size_t begin, std::size_t end) {
  if (checks & kPatternStart) {
    std::size_t i = begin;
    while (i > 0) {
      const std::size_t prev = previous_start(s, i);
      std::size_t len = 0;
      const char32_t c = code_point_at(s, prev, len);
      if (is_space(c)) {
        i = prev;
        continue;
      }
      if (!clause_mark(c)) return false;
      break;
    }
  }
  if (checks & kPatternEnd) {
    std::size_t i = end;
    while (i < s.size()) {
      std::size_t len = 0;
      const char32_t c = code_point_at(s, i, len);
      if (is_space(c)) {
        i += len;
        continue;
      }
      if (!clause_mark(c)) return false;
      break;
    }
  }
  if (checks & (kPatternMoney | kPatternNumber)) {
    std::size_t i = end;
    while (i < s.size() && s[i] == ' ') ++i;
    if (i >= s.size()) return false;
    bool marked = false;
    if ((checks & kPatternMoney) != 0 && !is_number_char(s, i)) {
      // Most verbs of paying are not followed by an amount: compare the
      // markers' first bytes before the markers.
      for (const auto& m : kCurrencyPrefixes) {
        if (m.text[0] == s[i] && s.substr(i, m.text.size()) == m.text) {
          i += m.text.size();
          marked = true;
          break;
        }
      }
      if (!marked) return false;
      while (i < s.size() && s[i] == ' ') ++i;
    }
    Number n;
    if (i >= s.size() || !is_number_char(s, i) || !read_number(s, i, n)) return false;
    if ((checks & kPatternMoney) && !marked && counter_after(s, n.end)) return false;
  }
  return true;
}

// Joins the parts of rules with gaps into hits: part 0, then each next part
// starting after the one before, at most its gap away in characters, with
// no clause mark between. Overlapping joins keep the first.
void join_parts(const PhraseSetData& set, std::string_view text, Scratch& scratch) {
  scratch.joined.clear();
  const auto& parts = scratch.parts;
  std::size_t kept_end = 0;
  for (std::size_t a = 0; a < parts.size(); ++a) {
    if (parts[a].part != 0 || (!scratch.joined.empty() && parts[a].begin < kept_end)) continue;
    const GapRule& rule = set.rules[parts[a].rule];
    std::size_t end = parts[a].end;
    bool whole = true;
    for (std::uint32_t k = 1; k < rule.parts && whole; ++k) {
      whole = false;
      // Parts come in order of their starts: past the gap's reach in bytes
      // (four a character at most) no later part can follow this one, so
      // the search stops there and stays linear in the text's length.
      const std::size_t reach = end + 4 * static_cast<std::size_t>(rule.max_gap[k] & ~kGapCrossesClauses) + 4;
      for (std::size_t b = a + 1; b < parts.size(); ++b) {
        const PartHit& p = parts[b];
        if (p.begin > reach) break;
        if (p.rule != parts[a].rule || p.part != k || p.begin < end) continue;
        const std::uint16_t gap = rule.max_gap[k];
        const bool sentence = (gap & kGapCrossesClauses) != 0;
        if (chars_between(text, end, p.begin) > (gap & ~kGapCrossesClauses) ||
            (sentence ? crosses_sentence(text, end, p.begin) : crosses_clause(text, end, p.begin))) {
          break;
        }
        end = p.end;
        whole = true;
        break;
      }
    }
    if (!whole || !pattern_holds(text, rule.checks, parts[a].begin, end)) continue;
    const std::size_t bc = chars_between(text, 0, parts[a].begin);
    const bool latin = !has_han(text.substr(parts[a].begin, end - parts[a].begin));
    scratch.joined.push_back(
        {rule.kinds, rule.value, latin, 0, TextSpan{parts[a].begin, end, bc, bc + chars_between(text, parts[a].begin, end)}});
    kept_end = end;
  }
  if (scratch.joined.empty()) return;
  auto& hits = scratch.hits;
  // A phrase that begins before a joined rule and runs into it holds it in
  // its scope, as a longer phrase holds a shorter one: in 这不是我们的错 the
  // defence 这不是我们 keeps 是我们…错 from being responsibility.
  // Both lists are in order of their starts: one walk over each (linear in
  // the text's length).
  {
    std::size_t i = 0;
    std::size_t reach = 0;  // the furthest end of the hits starting before j
    std::erase_if(scratch.joined, [&](const Hit& j) {
      while (i < hits.size() && hits[i].span.begin_byte < j.span.begin_byte) {
        reach = std::max(reach, hits[i].span.end_byte);
        ++i;
      }
      return reach > j.span.begin_byte;
    });
  }
  if (scratch.joined.empty()) return;
  // Otherwise a joined rule wins over the phrases it overlaps (the joined
  // rules do not overlap one another, so their ends are in order too).
  {
    std::size_t k = 0;
    const auto& joined = scratch.joined;
    std::erase_if(hits, [&](const Hit& h) {
      while (k < joined.size() && joined[k].span.end_byte <= h.span.begin_byte) ++k;
      return k < joined.size() && joined[k].span.begin_byte < h.span.end_byte;
    });
  }
  hits.insert(hits.end(), scratch.joined.begin(), scratch.joined.end());
  std::sort(hits.begin(), hits.end(), [](const Hit& x, const Hit& y) {
    return x.span.begin_byte < y.span.begin_byte;
  });
}

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// Whether the text may hold an opening quotation mark: a double quote, or
// the last two bytes of “ 「 『 (80 9C, 80 8C, 80 8E), sixteen bytes at a
// time with SSE2. Most replies quote nothing, and drop_quoted()'s searches
// for 「 stop at every Chinese character that starts with the same byte.
bool may_quote(std::string_view text) noexcept {
  const auto* const p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
#if defined(__SSE2__)
  const auto is = [](__m128i x, unsigned char c) { return _mm_cmpeq_epi8(x, _mm_set1_epi8(static_cast<char>(c))); };
  for (; i + 17 <= n; i += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const __m128i y = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 1));
    const __m128i third = _mm_or_si128(_mm_or_si128(is(y, 0x9C), is(y, 0x8C)), is(y, 0x8E));
    if (_mm_movemask_epi8(_mm_or_si128(is(x, '"'), _mm_and_si128(is(x, 0x80), third))) != 0) return true;
  }
#endif
  for (; i < n; ++i) {
    if (p[i] == '"') return true;
    if (p[i] == 0x80 && i + 1 < n && (p[i + 1] == 0x9C || p[i + 1] == 0x8C || p[i + 1] == 0x8E)) return true;
  }
  return false;
}

// Words in quotation marks ("…", “…”, 「…」, 『…』) are someone else's: the
// customer's ("you people can't fix anything"), a label's. A hit wholly
// inside them means nothing. Unpaired marks quote nothing.
void drop_quoted(std::string_view text, std::vector<Hit>& hits) {
  struct Quote {
    std::string_view open;
    std::string_view close;
  };
  static constexpr std::array<Quote, 4> quotes = {
      {{"\"", "\""}, {"\u201C", "\u201D"}, {"\u300C", "\u300D"}, {"\u300E", "\u300F"}}};
  for (const Quote& q : quotes) {
    for (std::size_t from = 0;;) {
      const std::size_t open = text.find(q.open, from);
      if (open == std::string_view::npos) break;
      const std::size_t inside = open + q.open.size();
      const std::size_t close = text.find(q.close, inside);
      if (close == std::string_view::npos) break;
      std::erase_if(hits, [&](const Hit& h) { return h.span.begin_byte >= inside && h.span.end_byte <= close; });
      from = close + q.close.size();
    }
  }
}

// The findings a report makes room for at its first: most replies have
// fewer.
inline constexpr std::size_t kFindingsRoom = 4;

class Linter {
 public:
  Linter(std::string_view text, const LintContext& context, const ScanStats& stats, std::vector<Hit>& hits)
      : text_(text),
        context_(context),
        policy_(lint_policy_data(context.policy)),
        settings_(policy_.settings),
        hits_(hits) {
    han_ = stats.han;
    latin_words_ = stats.latin_words;
    const bool trad = stats.trad > stats.simp;
    zh_ = trad ? LintLanguage::zh_hant : LintLanguage::zh_hans;
    if (context.language != LintLanguage::automatic) {
      report_.language = context.language;
    } else if (stats.han > 0 && stats.han >= stats.latin_words) {
      report_.language = zh_;
    } else {
      report_.language = LintLanguage::en;
    }
  }

  LintReport run() {
    // The kinds of every hit together: a rule whose kinds are absent has
    // nothing to look at, and most replies have only a few kinds.
    for (const Hit& h : hits_) present_ |= h.kinds;
    components();
    if (present_ & (kind_bit(kind_curt) | kind_bit(kind_conditional) | kind_bit(kind_defence) |
                    kind_bit(kind_contrast))) {
      pseudo_apologies();
    }
    if (present_ & (kind_bit(kind_policy) | kind_bit(kind_blame) | kind_bit(kind_helpless) |
                    kind_bit(kind_deflect))) {
      policy_and_blame();
    }
    if (present_ & kind_bit(kind_refusal)) refusals();
    if (present_ & kind_bit(kind_fact)) order();
    if (present_ & (kind_bit(kind_remedy) | kind_bit(kind_deadline_minutes) | kind_bit(kind_deadline_hours) |
                    kind_bit(kind_deadline_days) | kind_bit(kind_deadline_working_days))) {
      promises();
    }
    if (present_ & kind_bit(kind_question)) question_before_apology();
    if ((present_ & kind_bit(kind_foreign)) != 0 || 2 * (3 * han_ + 4 * latin_words_) < text_.size()) {
      unsupported_language();
    }
    weak_apology();
    std::sort(report_.findings.begin(), report_.findings.end(), [](const LintFinding& a, const LintFinding& b) {
      return std::tie(a.span.begin_byte, a.code) < std::tie(b.span.begin_byte, b.code);
    });
    return std::move(report_);
  }

 private:
  LintLanguage language_of(std::string_view phrase) const {
    if (context_.language != LintLanguage::automatic) return context_.language;
    return has_han(phrase) ? zh_ : LintLanguage::en;
  }

  // Reports finding `code` at `span`, unless the policy disables it, with
  // `hint`, or when there is none the code's own in the phrase's language.
  void add(std::size_t code, const TextSpan& span, std::optional<std::string> hint = std::nullopt) {
    const std::optional<LintSeverity> severity = policy_.severity[code];
    if (!severity) return;
    const std::string_view phrase = text_.substr(span.begin_byte, span.end_byte - span.begin_byte);
    // Built in place, in room for a few: no finding is moved as the list grows.
    if (report_.findings.capacity() == 0) report_.findings.reserve(kFindingsRoom);
    LintFinding& f = report_.findings.emplace_back();
    f.code = kCodes[code].code;
    f.severity = *severity;
    f.span = span;
    f.phrase.assign(phrase);
    if (hint) {
      f.hint = std::move(*hint);
    } else {
      f.hint.assign(hint_in(code_hints(code), language_of(phrase)));
    }
  }

  static TextSpan cover(const TextSpan& a, const TextSpan& b) {
    return {std::min(a.begin_byte, b.begin_byte), std::max(a.end_byte, b.end_byte),
            std::min(a.begin_char, b.begin_char), std::max(a.end_char, b.end_char)};
  }

  template <class Pred>
  const Hit* first(Pred pred) const {
    for (const Hit& h : hits_) {
      if (pred(h)) return &h;
    }
    return nullptr;
  }

  bool any(PhraseKind k) const { return (present_ & kind_bit(k)) != 0; }

  void components() {
    static constexpr std::array<PhraseKind, kApologyComponentCount> kinds = {
        kind_regret, kind_explanation, kind_responsibility, kind_repentance, kind_repair, kind_forgiveness,
        kind_feeling, kind_empathy};
    std::uint32_t wanted = 0;
    for (PhraseKind k : kinds) wanted |= kind_bit(k);
    if ((present_ & wanted) == 0) {
      report_.structure_score = 0;
      return;
    }
    // The kinds found, or-ed: a hit decides nothing alone, except that
    // regret inside a conditional sentence is not regret.
    std::uint32_t found = 0;
    for (const Hit& h : hits_) {
      std::uint32_t k = h.kinds & wanted;
      if ((k & kind_bit(kind_regret)) != 0 && any(kind_conditional) &&
          first([&](const Hit& o) { return o.is(kind_conditional) && o.sentence == h.sentence; })) {
        k &= ~kind_bit(kind_regret);
      }
      found |= k;
    }
    const ApologyWeights& w = settings_.weights;
    int total = 0;
    int present = 0;
    for (std::size_t c = 0; c < kApologyComponentCount; ++c) {
      const bool has = (found & kind_bit(kinds[c])) != 0;
      const int weight = w.of(static_cast<ApologyComponent>(c));
      report_.components[c] = has;
      total += weight;
      present += has ? weight : 0;
    }
    const int full = std::min(total, w.full_score_points);
    report_.structure_score = full > 0 ? std::min(100, (200 * present + full) / (2 * full)) : 0;
  }

  void pseudo_apologies() {
    const bool feeling = report_.has(ApologyComponent::feeling);
    const bool repair = report_.has(ApologyComponent::repair);
    for (const Hit& h : hits_) {
      if (h.is(kind_curt) && !feeling && !repair) add(code_id("pseudo_apology.curt"), h.span);
      if (h.is(kind_conditional)) add(code_id("pseudo_apology.conditional"), h.span);
      if (h.is(kind_defence)) {
        const bool after_apology =
            first([&](const Hit& o) {
              return (o.is(kind_regret) || o.is(kind_conditional)) && o.span.begin_byte < h.span.begin_byte;
            });
        add(after_apology ? code_id("pseudo_apology.defensive") : code_id("blame.defensive"), h.span);
      }
      if (h.is(kind_contrast)) {
        // "sorry, but" / "I understand, but": an apology or acknowledgment
        // earlier in the sentence, taken back, with nothing offered after.
        const Hit* apology = first([&](const Hit& o) {
          return (o.is(kind_regret) || o.is(kind_feeling)) && o.sentence == h.sentence &&
                 o.span.end_byte <= h.span.begin_byte;
        });
        const Hit* offer = first([&](const Hit& o) {
          return (o.is(kind_repair) || o.is(kind_alternative)) && o.sentence == h.sentence &&
                 o.span.begin_byte >= h.span.end_byte;
        });
        if (apology && !offer) add(code_id("pseudo_apology.sorry_but"), cover(apology->span, h.span));
      }
    }
  }

  void policy_and_blame() {
    for (const Hit& h : hits_) {
      if (h.is(kind_policy)) add(code_id("policy_speak"), h.span);
      if (h.is(kind_blame)) add(code_id("blame.customer"), h.span);
      if (h.is(kind_helpless)) add(code_id("refusal.helpless"), h.span);
      if (h.is(kind_deflect)) add(code_id("refusal.deflection"), h.span);
    }
  }

  void refusals() {
    const Hit* refusal = first([](const Hit& h) { return h.is(kind_refusal); });
    if (!refusal) return;
    // "Nothing we can do" and "ask them" are reported as what they are.
    if (any(kind_helpless) || any(kind_deflect)) return;
    // A reason is an explanation, a cause or condition (kind reason), or a
    // fact or a rule given as one (the rule itself is policy_speak's to
    // report).
    if (!any(kind_explanation) && !any(kind_policy) && !any(kind_fact) && !any(kind_reason)) {
      add(code_id("refusal.no_reason"), refusal->span);
    }
    if (!any(kind_alternative) && !any(kind_repair)) add(code_id("refusal.no_alternative"), refusal->span);
  }

  void order() {
    for (const Hit& h : hits_) {
      // A feeling named first, the customer's side taken or the fault owned
      // first: the order is right.
      if (h.is(kind_feeling) || h.is(kind_empathy) || h.is(kind_responsibility)) return;
      // Policy phrases are facts too, but policy_speak already reports them.
      if (!h.is(kind_fact) || h.is(kind_policy)) continue;
      // Softened ("也许", "although") or apologised for ("sorry the coupon
      // expired"), a fact is not thrown at the customer.
      // A fact given as a reason ("因为包裹已经交给快递了") follows what it
      // explains; it is not thrown first either.
      const bool softened = first([&](const Hit& o) {
        return (o.is(kind_softener) || o.is(kind_regret) || o.is(kind_explanation)) && o.sentence == h.sentence &&
               o.span.begin_byte < h.span.begin_byte;
      });
      if (softened) continue;
      add(code_id("order.facts_before_feelings"), h.span);
      return;
    }
  }

  void promises() {
    const std::int64_t shortest_minutes = settings_.shortest_promise.total_seconds() / 60;
    const auto& s = settings_;
    const std::int64_t longest_minutes =
        static_cast<std::int64_t>(s.longest_promise_working_days) * (s.service_day_length.total_seconds() / 60);
    for (const Hit& h : hits_) {
      if (h.is(kind_remedy)) remedy_amounts(h);
      const bool minutes = h.is(kind_deadline_minutes);
      const bool hours = h.is(kind_deadline_hours);
      const bool days = h.is(kind_deadline_days);
      const bool working_days = h.is(kind_deadline_working_days);
      if (!minutes && !hours && !days && !working_days) continue;
      TextSpan span = h.span;
      double n = h.value;
      if (n == 0) {
        Number number;
        if (!number_before(text_, h.span.begin_byte, number)) continue;
        std::size_t begin = number.begin;
        // A range ("7-10 working days", "7~14個工作天"): the promise is its end,
        // the words before it are read before its start.
        Number from;
        if (begin > 0 && (text_[begin - 1] == '-' || text_[begin - 1] == '~') && number_before(text_, begin - 1, from)) {
          number.begin = from.begin;
          begin = from.begin;
        }
        if (h.latin) {
          const std::string w = word_before(text_, number.begin);
          // "wait for 15 mins" promises as "within 15 minutes" does; so do
          // "allow 5-7 business days", "take up to 30 days", "about 3 days",
          // and, in a Chinese sentence, "会在 72 hours 内".
          const bool waiting = w == "for" && (minutes || hours);
          std::size_t b = number.begin;
          while (b > 0 && text_[b - 1] == ' ') --b;
          const bool han_before = w.empty() && b >= 3 && (static_cast<unsigned char>(text_[b - 3]) & 0xF0) == 0xE0;
          if (!is_deadline_word(w) && !waiting && !han_before) continue;
          begin = b - w.size();
        }
        n = number.value;
        span = char_span(begin, h.span.end_byte);
      }
      // A period that qualifies something ("只算7天内的降价", "14日內未開封可以退",
      // "30 days' notice") is a condition, not a promise.
      if (qualifies_after(h.span.end_byte)) continue;
      const bool in_days = days || working_days;
      const double total_minutes = in_days ? n * 24 * 60 : hours ? n * 60 : n;
      if (total_minutes < static_cast<double>(shortest_minutes)) {
        add(code_id("promise.deadline_too_short"), span);
      } else if (in_days ? n > s.longest_promise_working_days : total_minutes > static_cast<double>(longest_minutes)) {
        add(code_id("promise.deadline_too_long"), span);
      }
    }
  }

  // The text right after a deadline makes it a condition: 的, 未, 可, 有效.
  bool qualifies_after(std::size_t at) const {
    std::string_view rest = text_.substr(at);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    for (std::string_view w : {std::string_view("的"), std::string_view("未"), std::string_view("可"),
                               std::string_view("有效")}) {
      if (rest.starts_with(w)) return true;
    }
    return false;
  }

  // A remedy phrase with an amount beside it in the same sentence.
  void remedy_amounts(const Hit& h) {
    const auto& breaks = scratch().breaks;
    const std::size_t sentence_begin = h.sentence == 0 ? 0 : breaks[h.sentence - 1];
    const std::size_t sentence_end = h.sentence < breaks.size() ? breaks[h.sentence] : text_.size();
    std::string_view sentence = text_.substr(0, sentence_end);
    for (std::size_t i = sentence_begin; i < sentence_end;) {
      if (!is_number_char(text_, i) || (i > sentence_begin && is_number_char(text_, previous_start(text_, i)))) {
        i += utf8_length(static_cast<unsigned char>(text_[i]));
        continue;
      }
      Number number;
      if (!read_number(sentence, i, number) || number.end <= i) {
        i += utf8_length(static_cast<unsigned char>(text_[i]));
        continue;
      }
      i = number.end;
      std::size_t begin = number.begin;
      std::size_t end = number.end;
      std::optional<Currency> currency = currency_marker(sentence, number, begin, end);
      if (!currency) {
        // Without a marker the amount must follow the remedy directly:
        // "refund you 500", "退您500".
        if (number.begin < h.span.end_byte) continue;
        std::string gap = lower_ascii(trim_spaces(text_.substr(h.span.end_byte, number.begin - h.span.end_byte)));
        static constexpr std::array<std::string_view, 8> fillers = {"", "you", "of", "您", "你", "给您", "给你", "you a"};
        if (std::find(fillers.begin(), fillers.end(), gap) == fillers.end()) continue;
      }
      const Currency cur = currency.value_or(context_.agent_authority.currency());
      const double minor = number.value * static_cast<double>(cur.minor_units_per_major());
      const bool over = cur != context_.agent_authority.currency() ||
                        minor > static_cast<double>(context_.agent_authority.minor_units());
      if (!over) continue;
      const TextSpan amount = char_span(begin, end);
      add(code_id("promise.over_authority"), cover(amount, h.span));
    }
  }

  // A diagnostic question to the customer ("您确定输对密码了吗?") before the
  // first apology of the reply: it reads as doubting them (seed 001).
  void question_before_apology() {
    const Hit* regret = first([](const Hit& h) { return h.is(kind_regret); });
    if (!regret) return;
    const auto& breaks = scratch().breaks;
    for (const Hit& h : hits_) {
      if (h.span.begin_byte >= regret->span.begin_byte) return;
      if (!h.is(kind_question)) continue;
      // Its sentence must be a question: ? or 吗 after it, in the sentence.
      const std::size_t end = h.sentence < breaks.size() ? breaks[h.sentence] : text_.size();
      const std::string_view rest = text_.substr(h.span.begin_byte, end - h.span.begin_byte);
      if (rest.find('?') == std::string_view::npos && rest.find("？") == std::string_view::npos &&
          rest.find("吗") == std::string_view::npos && rest.find("嗎") == std::string_view::npos) {
        continue;
      }
      add(code_id("order.question_before_apology"), h.span);
      return;
    }
  }

  // A reply mostly in a language the lint does not read (German, French,
  // Spanish, Japanese, ...) is said to be so, never passed as clean: at
  // least two of its words are common words of another language, and they
  // are at least a quarter of its Latin-script words (or, in a text of
  // Chinese characters, kana or Hangul make up a quarter of it).
  void unsupported_language() {
    std::size_t foreign = 0;
    std::size_t foreign_latin = 0;
    const Hit* first_hit = nullptr;
    const Hit* last_hit = nullptr;
    if (2 * (3 * han_ + 4 * latin_words_) < text_.size() && kana_or_hangul()) {
      report_.findings.clear();
      add(code_id("lint.unsupported_language"), char_span(0, text_.size()));
      return;
    }
    for (const Hit& h : hits_) {
      if (!h.is(kind_foreign)) continue;
      ++foreign;
      foreign_latin += h.latin;
      if (!first_hit) first_hit = &h;
      last_hit = &h;
    }
    const std::size_t other = foreign - foreign_latin;
    const bool latin = foreign_latin >= 2 && 6 * foreign_latin >= latin_words_ && latin_words_ >= han_;
    const bool cjk = other >= 2 && 4 * other >= han_;
    if (!latin && !cjk) return;
    // The other rules read English and Chinese only: in another language
    // their findings would be noise, and their silence no clean bill.
    report_.findings.clear();
    add(code_id("lint.unsupported_language"), cover(first_hit->span, last_hit->span));
  }

  // A text mostly not Chinese or English (as the scan counted): at least a
  // quarter of its characters (whitespace and punctuation aside) kana or
  // Hangul.
  bool kana_or_hangul() const {
    std::size_t kana = 0;
    std::size_t all = 0;
    for (std::size_t i = 0; i < text_.size();) {
      std::size_t len = 0;
      const char32_t c = code_point_at(text_, i, len);
      i += len;
      if (c < 0x80 ? !std::isalnum(static_cast<int>(c)) : (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF00 && c <= 0xFF0F)) {
        continue;
      }
      ++all;
      kana += (c >= 0x3040 && c <= 0x30FF) || (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0x1100 && c <= 0x11FF) ||
              (c >= 0x3130 && c <= 0x318F);
    }
    return kana >= 2 && 4 * kana >= all;
  }

  void weak_apology() {
    if (!report_.has(ApologyComponent::regret)) return;
    if (report_.structure_score >= settings_.weak_apology_below) return;
    const Hit* regret = first([](const Hit& h) { return h.is(kind_regret); });
    if (!regret) return;
    const LintLanguage lang =
        language_of(text_.substr(regret->span.begin_byte, regret->span.end_byte - regret->span.begin_byte));
    std::string missing;
    for (std::size_t c = 0; c < kApologyComponentCount; ++c) {
      if (report_.components[c] || settings_.weights.of(static_cast<ApologyComponent>(c)) == 0) continue;
      if (!missing.empty()) missing += lang == LintLanguage::en ? ", " : "、";
      missing += hint_in(component_hints(c), lang);
    }
    constexpr std::size_t code = code_id("apology.weak");
    add(code, regret->span, fmt::format(fmt::runtime(hint_in(code_hints(code), lang)), missing));
  }

  TextSpan char_span(std::size_t begin, std::size_t end) const {
    std::size_t begin_char = 0;
    std::size_t i = 0;
    for (; i < begin; ++i) begin_char += (static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80;
    std::size_t end_char = begin_char;
    for (; i < end; ++i) end_char += (static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80;
    return {begin, end, begin_char, end_char};
  }

  std::string_view text_;
  const LintContext& context_;
  const LintPolicyData& policy_;
  const LintPolicy::Settings& settings_;
  std::vector<Hit>& hits_;
  std::uint32_t present_ = 0;  // the kinds of all hits, or-ed
  LintLanguage zh_ = LintLanguage::zh_hans;
  std::size_t han_ = 0;
  std::size_t latin_words_ = 0;
  LintReport report_;
};

}  // namespace
}  // namespace detail

std::string_view to_string(LintSeverity severity) noexcept {
  switch (severity) {
    case LintSeverity::info: return "info";
    case LintSeverity::warn: return "warn";
    case LintSeverity::block: return "block";
  }
  return "warn";
}

std::string_view to_string(LintLanguage language) noexcept {
  switch (language) {
    case LintLanguage::automatic: return "auto";
    case LintLanguage::zh_hans: return "zh-Hans";
    case LintLanguage::zh_hant: return "zh-Hant";
    case LintLanguage::en: return "en";
  }
  return "auto";
}

result<LintLanguage> parse_lint_language(std::string_view text) {
  const std::string t = detail::lower_ascii(text);
  if (t == "auto") return LintLanguage::automatic;
  if (t == "en") return LintLanguage::en;
  if (t == "zh-hans" || t == "zh" || t == "zh-cn" || t == "zh-sg") return LintLanguage::zh_hans;
  if (t == "zh-hant" || t == "zh-tw" || t == "zh-hk" || t == "zh-mo") return LintLanguage::zh_hant;
  return detail::fail(errc::invalid_argument,
                      fmt::format("language \"{}\": expected auto, en, zh-Hans or zh-Hant", text));
}

std::string_view to_string(ApologyComponent component) noexcept {
  return detail::kComponentNames[static_cast<std::size_t>(component)];
}

int ApologyWeights::of(ApologyComponent component) const noexcept {
  // A load, where a switch jumped through a table at an address the branch
  // predictor could not learn when the components are read in turn.
  static constexpr std::array<int ApologyWeights::*, kApologyComponentCount> kWeight = {
      &ApologyWeights::regret,     &ApologyWeights::explanation, &ApologyWeights::responsibility,
      &ApologyWeights::repentance, &ApologyWeights::repair,      &ApologyWeights::forgiveness,
      &ApologyWeights::feeling,    &ApologyWeights::empathy};
  const auto c = static_cast<std::size_t>(component);
  return c < kWeight.size() ? this->*kWeight[c] : 0;
}

std::span<const std::string_view> lint_codes() noexcept { return detail::kCodeList; }

std::optional<LintSeverity> default_severity(std::string_view code) noexcept {
  const auto* c = detail::find_code(code);
  if (!c) return std::nullopt;
  return c->severity;
}

// --- LintPolicy

result<LintPolicy> LintPolicy::make(Settings settings) {
  using detail::fail;
  if (settings.max_text_bytes == 0) return fail(errc::invalid_argument, "lint.max_text_bytes: must be positive");
  const ApologyWeights& w = settings.weights;
  int total = 0;
  for (std::size_t c = 0; c < kApologyComponentCount; ++c) {
    const int weight = w.of(static_cast<ApologyComponent>(c));
    if (weight < 0 || weight > 1000) {
      return fail(errc::invalid_argument, fmt::format("lint.weights.{}: must be between 0 and 1000",
                                                      detail::kComponentNames[c]));
    }
    total += weight;
  }
  if (total == 0) return fail(errc::invalid_argument, "lint.weights: at least one weight must be positive");
  if (w.full_score_points < 1 || w.full_score_points > 8000) {
    return fail(errc::invalid_argument, "lint.weights.full_score_points: must be between 1 and 8000");
  }
  if (settings.repeated_reply_similarity < 0 || settings.repeated_reply_similarity > 100) {
    return fail(errc::invalid_argument, "lint.repeated_reply_similarity: must be between 0 and 100");
  }
  if (settings.weak_apology_below < 0 || settings.weak_apology_below > 100) {
    return fail(errc::invalid_argument, "lint.weak_apology_below: must be between 0 and 100");
  }
  if (settings.shortest_promise.is_special() || settings.shortest_promise.is_negative()) {
    return fail(errc::invalid_argument, "lint.shortest_promise: must be a non-negative duration");
  }
  if (settings.longest_promise_working_days < 1) {
    return fail(errc::invalid_argument, "lint.longest_promise_working_days: must be at least 1");
  }
  if (settings.service_day_length.is_special() || settings.service_day_length <= boost::posix_time::minutes(0) ||
      settings.service_day_length > boost::posix_time::hours(24)) {
    return fail(errc::invalid_argument, "lint.service_day_length: must be more than 0 and at most 24 hours");
  }
  for (const auto& [code, severity] : settings.severity) {
    if (!detail::find_code(code)) {
      return fail(errc::invalid_argument, fmt::format("lint.severity.{}: unknown finding code", code));
    }
    if (severity < LintSeverity::info || severity > LintSeverity::block) {
      return fail(errc::invalid_argument, fmt::format("lint.severity.{}: not a severity", code));
    }
  }
  for (const auto& code : settings.disabled) {
    if (!detail::find_code(code)) {
      return fail(errc::invalid_argument, fmt::format("lint.disabled: \"{}\" is not a finding code", code));
    }
  }
  auto data = std::make_shared<detail::LintPolicyData>(detail::LintPolicyData{settings, PhraseSet::standard(), {}});
  for (std::size_t c = 0; c < detail::kCodes.size(); ++c) {
    data->severity[c] = detail::severity_under(data->settings, detail::kCodes[c]);
  }
  if (!settings.extra_phrases.empty() || settings.replace_standard_phrases) {
    std::vector<PhraseTable> tables;
    if (!settings.replace_standard_phrases) {
      auto standard = PhraseSet::standard_tables();
      tables.assign(standard.begin(), standard.end());
    }
    std::vector<std::string> names;
    names.reserve(data->settings.extra_phrases.size());
    for (std::size_t i = 0; i < data->settings.extra_phrases.size(); ++i) {
      names.push_back(fmt::format("lint.extra_phrases[{}]", i));
    }
    for (std::size_t i = 0; i < data->settings.extra_phrases.size(); ++i) {
      tables.push_back({names[i], data->settings.extra_phrases[i]});
    }
    BOOST_OUTCOME_TRY(auto set, PhraseSet::compile(tables));
    data->phrases = std::move(set);
  }
  return LintPolicy(std::move(data));
}

result<LintPolicy> LintPolicy::from_json(std::string_view json) {
  using namespace detail;
  BOOST_OUTCOME_TRY(auto doc, json_parse(json, "lint"));
  BOOST_OUTCOME_TRY(auto obj, json_object(doc, "lint"));
  Settings s;
  auto member = [&](std::string_view key) -> const boost::json::value* {
    auto it = obj->find(key);
    return it == obj->end() ? nullptr : &it->value();
  };
  auto int_member = [&](std::string_view key, std::int64_t lo, std::int64_t hi) -> result<std::optional<std::int64_t>> {
    const auto* v = member(key);
    if (!v) return std::optional<std::int64_t>{};
    const std::string path = json_child("lint", key);
    BOOST_OUTCOME_TRY(auto n, json_int64(*v, path));
    if (n < lo || n > hi) return json_fail(path, fmt::format("must be between {} and {}", lo, hi));
    return std::optional<std::int64_t>{n};
  };
  static constexpr std::array<std::string_view, 11> known = {
      "max_text_bytes", "weights",  "weak_apology_below", "shortest_promise_minutes", "longest_promise_working_days",
      "service_day_hours", "severity", "disabled",       "extra_phrases",            "replace_standard_phrases",
      "repeated_reply_similarity"};
  BOOST_OUTCOME_TRYV(json_known_members(*obj, "lint", known));
  BOOST_OUTCOME_TRY(auto max_bytes, int_member("max_text_bytes", 1, INT32_MAX));
  if (max_bytes) s.max_text_bytes = static_cast<std::size_t>(*max_bytes);
  BOOST_OUTCOME_TRY(auto below, int_member("weak_apology_below", 0, 100));
  if (below) s.weak_apology_below = static_cast<int>(*below);
  BOOST_OUTCOME_TRY(auto similar, int_member("repeated_reply_similarity", 0, 100));
  if (similar) s.repeated_reply_similarity = static_cast<int>(*similar);
  BOOST_OUTCOME_TRY(auto shortest, int_member("shortest_promise_minutes", 0, 60 * 24 * 365));
  if (shortest) s.shortest_promise = boost::posix_time::minutes(*shortest);
  BOOST_OUTCOME_TRY(auto longest, int_member("longest_promise_working_days", 1, 365));
  if (longest) s.longest_promise_working_days = static_cast<int>(*longest);
  BOOST_OUTCOME_TRY(auto day, int_member("service_day_hours", 1, 24));
  if (day) s.service_day_length = boost::posix_time::hours(*day);
  if (const auto* v = member("weights")) {
    BOOST_OUTCOME_TRY(auto weights, json_object(*v, "lint.weights"));
    for (const auto& [key, value] : *weights) {
      const std::string path = json_child("lint.weights", key);
      if (key == "full_score_points") {
        BOOST_OUTCOME_TRY(auto n, json_int64(value, path));
        if (n < 1 || n > 8000) return json_fail(path, "must be between 1 and 8000");
        s.weights.full_score_points = static_cast<int>(n);
        continue;
      }
      auto it = std::find(kComponentNames.begin(), kComponentNames.end(), std::string_view(key));
      if (it == kComponentNames.end()) return json_fail(path, "not an apology component");
      BOOST_OUTCOME_TRY(auto n, json_int64(value, path));
      if (n < 0 || n > 1000) return json_fail(path, "must be between 0 and 1000");
      int* fields[] = {&s.weights.regret,     &s.weights.explanation, &s.weights.responsibility,
                       &s.weights.repentance, &s.weights.repair,      &s.weights.forgiveness,
                       &s.weights.feeling,    &s.weights.empathy};
      *fields[it - kComponentNames.begin()] = static_cast<int>(n);
    }
  }
  if (const auto* v = member("severity")) {
    BOOST_OUTCOME_TRY(auto sev, json_object(*v, "lint.severity"));
    for (const auto& [key, value] : *sev) {
      const std::string path = json_child("lint.severity", key);
      BOOST_OUTCOME_TRY(auto name, json_string(value, path));
      if (name == "off") {
        s.disabled.emplace(key);
      } else if (name == "info" || name == "warn" || name == "block") {
        s.severity[std::string(key)] = name == "info" ? LintSeverity::info
                                       : name == "warn" ? LintSeverity::warn
                                                        : LintSeverity::block;
      } else {
        return json_fail(path, "expected \"info\", \"warn\", \"block\" or \"off\"");
      }
    }
  }
  auto strings = [&](std::string_view key, auto&& add) -> result<void> {
    const auto* v = member(key);
    if (!v) return boost::outcome_v2::success();
    const std::string path = json_child("lint", key);
    BOOST_OUTCOME_TRY(auto arr, json_array(*v, path));
    for (std::size_t i = 0; i < arr->size(); ++i) {
      BOOST_OUTCOME_TRY(auto str, json_string((*arr)[i], json_index(path, i)));
      add(std::string(str));
    }
    return boost::outcome_v2::success();
  };
  BOOST_OUTCOME_TRYV(strings("disabled", [&](std::string c) { s.disabled.insert(std::move(c)); }));
  BOOST_OUTCOME_TRYV(strings("extra_phrases", [&](std::string t) { s.extra_phrases.push_back(std::move(t)); }));
  if (const auto* v = member("replace_standard_phrases")) {
    BOOST_OUTCOME_TRY(auto b, json_bool(*v, "lint.replace_standard_phrases"));
    s.replace_standard_phrases = b;
  }
  return make(std::move(s));
}

const LintPolicy& LintPolicy::standard() {
  static const LintPolicy policy = [] {
    auto r = make(Settings{});
    if (!r) std::abort();  // the defaults are valid; failing here is a bug
    return std::move(r).value();
  }();
  return policy;
}

const LintPolicy::Settings& LintPolicy::settings() const noexcept { return data_->settings; }
const PhraseSet& LintPolicy::phrases() const noexcept { return data_->phrases; }

std::optional<LintSeverity> LintPolicy::severity_of(std::string_view code) const noexcept {
  const auto* c = detail::find_code(code);
  if (!c) return std::nullopt;
  return data_->severity[static_cast<std::size_t>(c - detail::kCodes.data())];
}

const detail::LintPolicyData& lint_policy_data(const LintPolicy& policy) noexcept { return *policy.data_; }

bool operator==(const LintPolicy& a, const LintPolicy& b) noexcept {
  return a.data_ == b.data_ || (a.data_->settings == b.data_->settings && a.data_->phrases == b.data_->phrases);
}

// --- the report

bool LintReport::has(std::string_view code) const noexcept {
  return std::any_of(findings.begin(), findings.end(), [&](const LintFinding& f) { return f.code == code; });
}

std::optional<LintSeverity> LintReport::worst() const noexcept {
  std::optional<LintSeverity> out;
  for (const auto& f : findings) {
    if (!out || f.severity > *out) out = f.severity;
  }
  return out;
}

boost::json::value to_json(const LintReport& report) {
  boost::json::object out;
  out["language"] = to_string(report.language);
  out["structure_score"] = report.structure_score;
  boost::json::array components;
  for (std::size_t c = 0; c < kApologyComponentCount; ++c) {
    if (report.components[c]) components.emplace_back(detail::kComponentNames[c]);
  }
  out["components"] = std::move(components);
  boost::json::array findings;
  for (const auto& f : report.findings) {
    findings.push_back(boost::json::object{{"code", f.code},
                                           {"severity", to_string(f.severity)},
                                           {"begin_byte", f.span.begin_byte},
                                           {"end_byte", f.span.end_byte},
                                           {"begin_char", f.span.begin_char},
                                           {"end_char", f.span.end_char},
                                           {"phrase", f.phrase},
                                           {"hint", f.hint}});
  }
  out["findings"] = std::move(findings);
  return out;
}

// --- lint()

result<LintReport> lint(std::string_view text, const LintContext& context) {
  const auto& settings = context.policy.settings();
  if (text.size() > settings.max_text_bytes) {
    return detail::fail(errc::text_too_long, fmt::format("text: {} bytes, more than the policy's limit of {}",
                                                         text.size(), settings.max_text_bytes));
  }
  const detail::PhraseSetData& set = phrase_set_data(context.policy.phrases());
  detail::Scratch& scratch = detail::scratch();
  std::vector<detail::Hit>& hits = scratch.hits;
  hits.clear();
  detail::ScanStats stats;
  scratch.breaks.clear();
  stats.breaks = &scratch.breaks;  // where sentences start, found by the same pass
  detail::CharCursor chars(text);
  std::size_t kept_end = 0;
  scratch.parts.clear();
  auto ec = detail::scan_text<true>(set, text, stats, [&](std::size_t id, std::size_t b, std::size_t e) {
    const detail::PhraseFacts& p = set.facts[id];
    if ((p.checks | p.refs_count) != 0) [[unlikely]] {
      // A part of rules with gaps is kept for join_parts(); a pattern's
      // checks are verified on the text.
      for (std::size_t r = 0; r < p.refs_count; ++r) {
        const detail::PartRef& ref = set.part_refs[p.refs_begin + r];
        scratch.parts.push_back({ref.rule, ref.part, b, e});
      }
      if (p.kinds == 0 || !detail::pattern_holds(text, p.checks, b, e)) return;
      if ((p.checks & detail::kPatternMoney) != 0 && !hits.empty() && b < kept_end) {
        // An amount promised is kept even inside another phrase ("I can
        // refund you $50" after "I can refund").
        const std::size_t bc = detail::chars_between(text, 0, b);
        hits.push_back({p.kinds, p.value, p.latin, 0, TextSpan{b, e, bc, bc + detail::chars_between(text, b, e)}});
        kept_end = std::max(kept_end, e);
        return;
      }
    }
    // Leftmost-longest: matches come by start, longer first.
    if (!hits.empty() && b < kept_end) return;
    const std::size_t bc = chars.at(b);
    hits.push_back({p.kinds, p.value, p.latin, 0, TextSpan{b, e, bc, chars.at(e)}});
    kept_end = e;
  });
  if (ec) return ec;
  if (!scratch.parts.empty()) [[unlikely]] detail::join_parts(set, text, scratch);
  // Hits come in order, so their sentences are found walking the breaks
  // once (a binary search per hit mispredicts its every step).
  std::size_t sentence = 0;
  for (std::size_t i = 0; i < hits.size(); ++i) {
    detail::Hit& h = hits[i];
    while (sentence < scratch.breaks.size() && scratch.breaks[sentence] <= h.span.begin_byte) ++sentence;
    h.sentence = sentence;
    // A repair or alternative right after a refusal is what is refused
    // ("cannot reissue", "不能退款"): it offers nothing.
    if (i > 0) {
      const detail::Hit& prev = hits[i - 1];
      constexpr std::uint32_t offers = detail::kind_bit(detail::kind_repair) |
                                       detail::kind_bit(detail::kind_alternative) |
                                       detail::kind_bit(detail::kind_remedy);
      if (prev.is(detail::kind_refusal) && prev.sentence == h.sentence &&
          h.span.begin_char - prev.span.end_char <= detail::kNegationReach &&
          !detail::crosses_clause(text, prev.span.end_byte, h.span.begin_byte)) {
        h.kinds &= ~offers;
      }
    }
  }
  if (!hits.empty() && detail::may_quote(text)) detail::drop_quoted(text, hits);
  return detail::Linter(text, context, stats, hits).run();
}

result<LintReport> lint(std::string_view text) { return lint(text, LintContext{}); }

}  // namespace v1
}  // namespace redress
