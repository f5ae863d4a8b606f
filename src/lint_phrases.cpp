// PhraseSet: compiling phrase tables into the matcher of detail/lint_scan.hpp.
#include <algorithm>
#include <bit>
#include <cassert>
#include <charconv>
#include <cstring>
#include <map>
#include <mutex>
#include <unordered_map>

#include <redress/detail/lint_embedded.hpp>
#include <redress/detail/lint_scan.hpp>
#include <redress/lint.hpp>

namespace redress {
inline namespace v1 {
namespace detail {
namespace {

// In a phrase's units (compile_phrases()), the first code point of a word.
constexpr char32_t kWordMarker = 1;

// Decodes one code point of valid-or-not UTF-8; returns 0 length on error.
std::size_t decode(std::string_view s, std::size_t i, char32_t& cp) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + i;
  const std::size_t avail = s.size() - i;
  const unsigned b0 = p[0];
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  auto cont = [&](std::size_t k) { return k < avail && (p[k] & 0xC0) == 0x80; };
  if (b0 >= 0xC2 && b0 <= 0xDF && cont(1)) {
    cp = (b0 & 0x1F) << 6 | (p[1] & 0x3F);
    return 2;
  }
  if (b0 >= 0xE0 && b0 <= 0xEF && cont(1) && cont(2) && !(b0 == 0xE0 && p[1] < 0xA0) && !(b0 == 0xED && p[1] > 0x9F)) {
    cp = (b0 & 0x0F) << 12 | (p[1] & 0x3F) << 6 | (p[2] & 0x3F);
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4 && cont(1) && cont(2) && cont(3) && !(b0 == 0xF0 && p[1] < 0x90) &&
      !(b0 == 0xF4 && p[1] > 0x8F)) {
    cp = (b0 & 0x07) << 18 | (p[1] & 0x3F) << 12 | (p[2] & 0x3F) << 6 | (p[3] & 0x3F);
    return 4;
  }
  return 0;
}

// The normalisation every phrase and every text goes through, over the BMP:
// what each code point folds to, and its script flags. Built once from
// ts_characters.tsv (OpenCC's TSCharacters).
struct Folding {
  std::vector<char16_t> to;
  std::vector<std::uint16_t> flags;  // kSkip, kWord, kTrad, kSimp

  Folding() : to(0x10000), flags(0x10000, 0) {
    for (std::size_t cp = 0; cp < 0x10000; ++cp) to[cp] = static_cast<char16_t>(cp);
    for (char32_t c = 'A'; c <= 'Z'; ++c) to[c] = static_cast<char16_t>(c - 'A' + 'a');
    for (char32_t c = 0xFF01; c <= 0xFF5E; ++c) to[c] = to[c - 0xFEE0];  // full-width ASCII
    to[0x3000] = u' ';
    for_each_table_line(lint_embedded_file("ts_characters.tsv"), [&](std::size_t, std::string_view line) {
      char32_t t = 0;
      char32_t s = 0;
      std::size_t n = decode(line, 0, t);
      if (n == 0 || n >= line.size() || line[n] != '\t' || decode(line, n + 1, s) == 0) return std::error_code{};
      if (t > 0xFFFF || s > 0xFFFF) return std::error_code{};  // outside the BMP: the scanner leaves these alone
      to[t] = static_cast<char16_t>(s);
      flags[t] |= kTrad;
      flags[s] |= kSimp;
      return std::error_code{};
    });
    // A character that is both a key and a value (e.g. 乾 -> 干 and 乾) is not
    // evidence of either script.
    // Every other Han character (the CJK Unified Ideographs, Extension A and
    // the Compatibility Ideographs) carries both flags, so that one test of
    // the entry counts Han characters.
    for (std::size_t cp = 0; cp < 0x10000; ++cp) {
      const bool han = (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0xF900 && cp <= 0xFAFF);
      const bool one_script = ((flags[cp] & kTrad) != 0) != ((flags[cp] & kSimp) != 0);
      if (han && !one_script) flags[cp] |= kTrad | kSimp;
      if (!han) flags[cp] &= static_cast<std::uint16_t>(~(kTrad | kSimp));
    }
    for (std::size_t cp = 0; cp < 0x10000; ++cp) {
      const char32_t f = to[cp];
      if (is_skip(f)) flags[cp] |= kSkip;
      if (is_word(f)) flags[cp] |= kWord;
    }
  }

  static bool is_word(char32_t c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= 0xC0 && c <= 0x24F && c != 0xD7 && c != 0xF7);
  }
  static bool is_skip(char32_t c) {
    if (c < 0x80) return !is_word(c);
    return (c >= 0x80 && c <= 0xBF) || c == 0xD7 || c == 0xF7 || (c >= 0x2000 && c <= 0x206F) ||
           (c >= 0x20A0 && c <= 0x20CF) || (c >= 0x2190 && c <= 0x21FF) || (c >= 0x2500 && c <= 0x27BF) ||
           (c >= 0x3000 && c <= 0x303F) || c == 0x30FB || (c >= 0xFE10 && c <= 0xFE1F) ||
           (c >= 0xFE30 && c <= 0xFE6F) || c == 0xFEFF || (c >= 0xFF61 && c <= 0xFF65) || c == 0xFFE0 ||
           c == 0xFFE1 || c == 0xFFE5 || c == 0xFFE6;
  }

  char32_t fold(char32_t cp) const { return cp < 0x10000 ? to[cp] : cp; }
  std::uint16_t flags_of(char32_t cp) const { return cp < 0x10000 ? flags[cp] : 0; }
};

const Folding& folding() {
  static const Folding f;
  return f;
}

result<std::uint32_t> parse_kinds(std::string_view field, std::int32_t& value, std::string_view where) {
  std::uint32_t kinds = 0;
  while (!field.empty()) {
    std::size_t comma = field.find(',');
    std::string_view item = field.substr(0, comma);
    field = comma == std::string_view::npos ? std::string_view{} : field.substr(comma + 1);
    std::string_view name = item.substr(0, item.find(':'));
    auto it = std::find(kKindNames.begin(), kKindNames.end(), name);
    if (it == kKindNames.end()) {
      return fail(errc::invalid_argument, fmt::format("{}: unknown phrase kind \"{}\"", where, name));
    }
    const auto kind = static_cast<PhraseKind>(it - kKindNames.begin());
    if (name.size() < item.size()) {
      std::string_view number = item.substr(name.size() + 1);
      int v = 0;
      auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), v);
      if (ec != std::errc{} || ptr != number.data() + number.size() || v <= 0 || kind < kind_deadline_minutes ||
          kind > kind_deadline_working_days) {
        return fail(errc::invalid_argument,
                    fmt::format("{}: \"{}\": only deadline kinds take a value, a positive integer", where, item));
      }
      value = v;
    }
    kinds |= kind_bit(kind);
  }
  if (kinds == 0) return fail(errc::invalid_argument, fmt::format("{}: no phrase kind", where));
  return kinds;
}


// The pattern language (docs/lint.md, "Rules"): a rule's text is expanded
// here into the literal phrases the matcher finds; gaps, slots and clause
// boundaries are what lint() verifies on a match.
constexpr std::size_t kMaxExpansions = 1024;
constexpr std::uint16_t kDefaultGap = 10;
constexpr std::uint16_t kDefaultSentenceGap = 30;

// The alternatives of `s`: {a|b} chooses, [a] may be left out.
result<std::vector<std::string>> expand(std::string_view s, std::string_view where) {
  std::vector<std::string> out{std::string{}};
  auto closing = [&](std::size_t open, char o, char c) -> std::size_t {
    int depth = 0;
    for (std::size_t k = open; k < s.size(); ++k) {
      if (s[k] == o) ++depth;
      if (s[k] == c && --depth == 0) return k;
    }
    return std::string_view::npos;
  };
  for (std::size_t k = 0; k < s.size();) {
    const char c = s[k];
    if (c == '}' || c == ']' || c == '|') {
      return fail(errc::invalid_argument, fmt::format("{}: unbalanced '{}' in the pattern", where, c));
    }
    if (c != '{' && c != '[') {
      const std::size_t n = std::max<std::size_t>(1, utf8_length(static_cast<unsigned char>(c)));
      for (auto& o : out) o.append(s.substr(k, n));
      k += n;
      continue;
    }
    const std::size_t end = closing(k, c, c == '{' ? '}' : ']');
    if (end == std::string_view::npos) {
      return fail(errc::invalid_argument, fmt::format("{}: unbalanced '{}' in the pattern", where, c));
    }
    // {a|b}: one of them; [a|b]: one of them or nothing.
    std::vector<std::string> choices;
    if (c == '[') choices.emplace_back();
    {
      std::size_t from = k + 1;
      int depth = 0;
      for (std::size_t j = k + 1; j <= end; ++j) {
        if (s[j] == '{' || s[j] == '[') ++depth;
        if ((s[j] == '}' || s[j] == ']') && j < end) --depth;
        if (j == end || (s[j] == '|' && depth == 0)) {
          auto inner = expand(s.substr(from, j - from), where);
          if (!inner) return inner.error();
          choices.insert(choices.end(), inner.value().begin(), inner.value().end());
          from = j + 1;
        }
      }
    }
    if (out.size() * choices.size() > kMaxExpansions) {
      return fail(errc::invalid_argument,
                  fmt::format("{}: the pattern expands to more than {} phrases", where, kMaxExpansions));
    }
    std::vector<std::string> next;
    for (const auto& o : out) {
      for (const auto& ch : choices) next.push_back(o + ch);
    }
    out = std::move(next);
    k = end + 1;
  }
  return out;
}

struct Pattern {
  std::vector<std::string> parts;      // between gaps
  std::vector<std::uint16_t> max_gap;  // before each part after the first
  std::uint8_t checks = 0;
};

// Splits a rule's text at its gaps (… or <gap> or <gap:N>) and takes off its
// slot (<money>, <number>) and boundaries (<start>, <end>).
result<Pattern> parse_pattern(std::string_view text, std::string_view where) {
  Pattern p;
  auto strip_prefix = [&](std::string_view marker) {
    if (text.substr(0, marker.size()) != marker) return false;
    text.remove_prefix(marker.size());
    return true;
  };
  auto strip_suffix = [&](std::string_view marker) {
    if (text.size() < marker.size() || text.substr(text.size() - marker.size()) != marker) return false;
    text.remove_suffix(marker.size());
    return true;
  };
  auto trim = [&] {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  };
  trim();
  if (strip_prefix("<start>")) p.checks |= kPatternStart;
  trim();
  if (strip_suffix("<end>")) p.checks |= kPatternEnd;
  trim();
  if (strip_suffix("<money>")) p.checks |= kPatternMoney;
  if (strip_suffix("<number>")) p.checks |= kPatternNumber;
  trim();
  std::string part;
  std::uint16_t gap = 0;
  int depth = 0;
  for (std::size_t k = 0; k < text.size();) {
    std::string_view rest = text.substr(k);
    std::size_t skip = 0;
    std::uint16_t bound = kDefaultGap;
    if (depth == 0 && rest.substr(0, 3) == "\u2026") {
      skip = 3;
    } else if (depth == 0 && rest.substr(0, 3) == "...") {
      skip = 3;
    } else if (depth == 0 && rest.substr(0, 5) == "<gap>") {
      skip = 5;
    } else if (depth == 0 && rest.substr(0, 10) == "<sentence>") {
      bound = kDefaultSentenceGap | kGapCrossesClauses;
      skip = 10;
    } else if (depth == 0 && (rest.substr(0, 5) == "<gap:" || rest.substr(0, 10) == "<sentence:")) {
      const bool sentence = rest[1] == 's';
      const std::size_t open = sentence ? 10 : 5;
      const std::size_t close = rest.find('>');
      int n = 0;
      auto [ptr, ec] =
          std::from_chars(rest.data() + open, rest.data() + (close == std::string_view::npos ? open : close), n);
      if (close == std::string_view::npos || ec != std::errc{} || ptr != rest.data() + close || n < 1 || n > 200) {
        return fail(errc::invalid_argument, fmt::format("{}: <gap:N> and <sentence:N> take N from 1 to 200", where));
      }
      bound = static_cast<std::uint16_t>(n | (sentence ? kGapCrossesClauses : 0));
      skip = close + 1;
    } else if (rest[0] == '<') {
      return fail(errc::invalid_argument,
                  fmt::format("{}: unknown or misplaced marker \"{}\" (slots and <end> end a rule, <start> begins it)",
                              where, rest.substr(0, rest.find('>') + 1)));
    }
    if (skip > 0) {
      p.parts.push_back(part);
      p.max_gap.push_back(gap);
      part.clear();
      gap = bound;
      k += skip;
      continue;
    }
    if (rest[0] == '{' || rest[0] == '[') ++depth;
    if (rest[0] == '}' || rest[0] == ']') --depth;
    part += rest[0];
    ++k;
  }
  p.parts.push_back(part);
  p.max_gap.push_back(gap);
  if (p.parts.size() > 8) return fail(errc::invalid_argument, fmt::format("{}: more than 7 gaps", where));
  return p;
}

}  // namespace

// Fills `table` so that every one of `items` is in one of the two places
// places_of(hash(item), shift) gives, and returns the shift (0 when no table
// of up to 2^24 slots will do). Cuckoo hashing: an item that finds both
// places taken takes one and moves the item there to its other place; the
// table, at least twice as large as the items, doubles until all fit.
// `free(slot)` says whether a slot is empty.
template <class Slot, class Hash, class Free>
unsigned cuckoo_fill(std::vector<Slot>& table, const std::vector<Slot>& items, Hash hash, Free free) {
  for (unsigned bits = 4; bits <= 24; ++bits) {
    if ((std::size_t{1} << bits) < 2 * items.size()) continue;
    const unsigned shift = 64 - bits;
    table.assign(std::size_t{1} << bits, Slot{});
    auto place = [&](const Slot& item) {
      Slot moving = item;
      std::size_t at = places_of(hash(moving), shift).first;
      for (unsigned moves = 0; moves < 4 * bits; ++moves) {
        std::swap(moving, table[at]);
        if (free(moving)) return true;
        const auto [first, second] = places_of(hash(moving), shift);
        at = at == first ? second : first;
      }
      return false;
    };
    if (std::all_of(items.begin(), items.end(), place)) return shift;
  }
  return 0;
}

result<std::shared_ptr<const PhraseSetData>> compile_phrases(std::span<const PhraseTable> tables) {
  auto too_many = [] { return fail(errc::invalid_argument, "phrases: too many to fit the matcher's tables"); };
  const Folding& fold = folding();
  auto data = std::make_shared<PhraseSetData>();
  // A phrase's units: a character other than a letter is a unit of its
  // own, a word (kWordMarker, then its letters) one unit.
  std::vector<std::vector<std::u32string>> sequences;
  std::map<std::vector<std::u32string>, std::size_t> index;
  std::vector<std::vector<PartRef>> refs;  // by phrase: the gapped rules it is a part of
  for (const PhraseTable& table : tables) {
    // Adds one literal phrase (or finds it) and returns its index.
    auto add_literal = [&](std::string_view text, const std::string& where) -> result<std::size_t> {
      std::vector<std::u32string> seq;
      bool latin = false;
      bool in_word = false;  // the last unit is a word that a letter continues
      for (std::size_t k = 0; k < text.size();) {
        char32_t cp = 0;
        const std::size_t n = decode(text, k, cp);
        if (n == 0) {
          return fail(errc::invalid_utf8, fmt::format("{}: invalid UTF-8 at byte {} of the phrase", where, k));
        }
        k += n;
        if (cp == '\'' || cp == 0x2019) continue;  // an apostrophe: dropped, even inside a word
        const std::uint16_t flags = fold.flags_of(cp);
        if (flags & kSkip) {
          in_word = false;
        } else if (flags & kWord) {
          latin = true;
          if (!in_word) seq.emplace_back(1, kWordMarker);
          seq.back() += fold.fold(cp);
          in_word = true;
          if (seq.back().size() > kMaxWordLetters + 1) {
            return fail(errc::invalid_argument,
                        fmt::format("{}: a word of the phrase is longer than {} letters", where, kMaxWordLetters));
          }
        } else {
          seq.emplace_back(1, fold.fold(cp));
          in_word = false;
        }
      }
      if (seq.empty()) return fail(errc::invalid_argument, fmt::format("{}: the phrase is empty", where));
      if (seq.size() > kMaxPhraseUnits) {
        return fail(errc::invalid_argument,
                    fmt::format("{}: the phrase is longer than {} characters and words", where, kMaxPhraseUnits));
      }
      auto [it, inserted] = index.emplace(seq, data->phrases.size());
      if (inserted) {
        PhraseInfo info;
        for (std::size_t u = 0; u < seq.size(); ++u) {
          const bool word = seq[u][0] == kWordMarker;
          if (word && u > 0 && seq[u - 1][0] == kWordMarker) info.text += ' ';
          for (std::size_t c = word ? 1 : 0; c < seq[u].size(); ++c) append_utf8(info.text, seq[u][c]);
        }
        info.length = static_cast<std::uint16_t>(seq.size());
        info.latin = latin;
        data->phrases.push_back(std::move(info));
        sequences.push_back(seq);
      }
      return it->second;
    };
    auto per_line = [&](std::size_t line_number, std::string_view line) -> std::error_code {
      const std::string where = fmt::format("{} line {}", table.name, line_number);
      const std::size_t tab = line.find('\t');
      if (tab == std::string_view::npos) {
        return fail(errc::invalid_argument, fmt::format("{}: expected kinds<TAB>phrase", where));
      }
      std::int32_t value = 0;
      auto kinds = parse_kinds(line.substr(0, tab), value, where);
      if (!kinds) return kinds.error();
      std::string_view text = line.substr(tab + 1);
      text = text.substr(0, text.find('\t'));  // a third column: the rule's source or rationale
      auto pattern = parse_pattern(text, where);
      if (!pattern) return pattern.error();
      const Pattern& pat = pattern.value();
      if (pat.parts.size() == 1) {
        auto forms = expand(pat.parts[0], where);
        if (!forms) return forms.error();
        for (const std::string& form : forms.value()) {
          auto id = add_literal(form, where);
          if (!id) return id.error();
          PhraseInfo& info = data->phrases[id.value()];
          info.kinds = kinds.value();
          info.value = value;
          info.checks = pat.checks;
        }
        return {};
      }
      const auto rule = static_cast<std::uint32_t>(data->rules.size());
      data->rules.push_back({kinds.value(), value, static_cast<std::uint8_t>(pat.parts.size()), pat.checks, pat.max_gap});
      for (std::size_t k = 0; k < pat.parts.size(); ++k) {
        auto forms = expand(pat.parts[k], where);
        if (!forms) return forms.error();
        for (const std::string& form : forms.value()) {
          auto id = add_literal(form, where);
          if (!id) return id.error();
          if (refs.size() <= id.value()) refs.resize(id.value() + 1);
          refs[id.value()].push_back({rule, static_cast<std::uint32_t>(k)});
        }
      }
      return {};
    };
    if (std::error_code ec = for_each_table_line(table.text, per_line)) return ec;
  }
  for (std::size_t id = 0; id < refs.size(); ++id) {
    PhraseInfo& info = data->phrases[id];
    info.refs_begin = static_cast<std::uint32_t>(data->part_refs.size());
    info.refs_count = static_cast<std::uint16_t>(refs[id].size());
    data->part_refs.insert(data->part_refs.end(), refs[id].begin(), refs[id].end());
  }

  // Classes: one per distinct unit of the phrases (a normalised character
  // or a word); those that begin a phrase first, so the per-class tables the
  // matcher reads most (follow, single) are dense at their start.
  std::unordered_map<std::u32string, std::uint16_t> class_of;
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& seq : sequences) {
      for (std::size_t k = 0; k < (pass == 0 ? 1 : seq.size()); ++k) {
        if (class_of.count(seq[k])) continue;
        if (class_of.size() >= kMaxClasses) {
          return fail(errc::invalid_argument,
                      fmt::format("phrases: more than {} distinct characters and words", kMaxClasses));
        }
        class_of.emplace(seq[k], static_cast<std::uint16_t>(class_of.size() + 1));
      }
    }
  }
  // Letters: a word's key has a byte per letter, the letter's class in the
  // entries. An ASCII letter or digit is its lower-case self (so that the
  // scanner reads the key of an ASCII word from its bytes); the other
  // letters of the phrases' words count up from 0x80; any other letter is 0,
  // and a word with one is in no phrase.
  std::unordered_map<char32_t, std::uint8_t> letter_of;
  for (const auto& seq : sequences) {
    for (const std::u32string& u : seq) {
      if (u[0] != kWordMarker) continue;
      for (std::size_t k = 1; k < u.size(); ++k) {
        if (u[k] < 0x80 || letter_of.count(u[k])) continue;
        if (letter_of.size() == 0x80) {
          return fail(errc::invalid_argument, "phrases: more than 128 distinct letters beyond ASCII in words");
        }
        letter_of.emplace(u[k], static_cast<std::uint8_t>(0x80 + letter_of.size()));
      }
    }
  }
  auto letter_class = [&](char32_t folded) -> std::uint16_t {
    if (folded < 0x80) return static_cast<std::uint16_t>(folded);
    auto it = letter_of.find(folded);
    return it == letter_of.end() ? 0 : it->second;
  };
  auto entry = [&](char32_t cp) -> std::uint16_t {
    const std::uint16_t e = fold.flags_of(cp);
    if (e & kSkip) return e;
    const char32_t f = fold.fold(cp);
    if (e & kWord) return static_cast<std::uint16_t>(e | letter_class(f));
    auto it = class_of.find(std::u32string(1, f));
    return it == class_of.end() ? e : static_cast<std::uint16_t>(e | it->second);
  };
  data->entries.resize(0x10000);
  for (char32_t cp = 0; cp < 0x10000; ++cp) data->entries[cp] = entry(cp);
  for (char32_t cp : kFullWidthSentenceEnds) {
    assert((data->entries[cp] & (kSkip | kClassMask)) == kSkip);
    data->entries[cp] |= kSentenceEnd;
  }
  // The words, keyed by their letters' classes, in a cuckoo table.
  std::vector<WordSlot> words;
  for (const auto& [u, cls] : class_of) {
    if (u[0] != kWordMarker) continue;
    unsigned char key[kMaxWordLetters] = {};
    for (std::size_t k = 1; k < u.size(); ++k) key[k - 1] = static_cast<unsigned char>(letter_class(u[k]));
    WordSlot w;
    std::memcpy(&w.lo, key, 8);
    std::memcpy(&w.hi, key + 8, 8);
    w.cls = cls;
    words.push_back(w);
  }
  data->word_shift = cuckoo_fill(data->words, words, [](const WordSlot& w) { return word_hash(w.lo, w.hi); },
                                 [](const WordSlot& w) { return w.cls == 0; });
  if (data->word_shift == 0) return too_many();

  // Class sequences; one-unit phrases by class, two-unit ones by pair, and
  // longer ones by their first three classes.
  data->single.assign(class_of.size() + 1, -1);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
  std::map<std::uint64_t, std::vector<std::uint32_t>> by_triple;
  std::map<std::uint64_t, std::vector<std::uint32_t>> by_quad;
  for (std::size_t id = 0; id < data->phrases.size(); ++id) {
    PhraseInfo& p = data->phrases[id];
    p.classes = static_cast<std::uint32_t>(data->classes.size());
    for (const std::u32string& u : sequences[id]) data->classes.push_back(class_of.at(u));
    data->max_units = std::max<std::size_t>(data->max_units, p.length);
    const std::uint16_t* c = &data->classes[p.classes];
    const auto index = static_cast<std::uint32_t>(id);
    if (p.length == 1) {
      data->single[c[0]] = static_cast<std::int32_t>(id);
    } else if (p.length == 2) {
      pairs.emplace_back(pair_key(c[0], c[1]), index);
    } else if (p.length == 3) {
      by_triple[triple_key(c[0], c[1], c[2])].push_back(index);
    } else {
      by_quad[quad_key(c[0], c[1], c[2], c[3])].push_back(index);
    }
  }
  data->classes.insert(data->classes.end(), kClassPadding, 0);  // same_classes() reads a word at a time
  // follow[] by class (and class 0, of what no phrase has).
  data->follow.assign(class_of.size() + 1, 0);
  for (const PhraseInfo& p : data->phrases) {
    const std::uint16_t* c = &data->classes[p.classes];
    data->follow[c[0]] |= p.length == 1 ? ~std::uint64_t{0} : std::uint64_t{1} << (c[1] & 63);
  }
  for (std::size_t b = 0; b < 0x80; ++b) {
    const std::uint16_t e = data->entries[b];
    data->ascii_kind[b] = b == '\'' ? kAsciiDrop : (e & kSkip) ? kAsciiSkip : kAsciiUnit;
    // The scanner's ASCII paths take a unit for a letter or digit, and the
    // key of an ASCII word from its bytes.
    assert((data->ascii_kind[b] == kAsciiUnit) == ascii_alnum(static_cast<unsigned char>(b)));
    assert(data->ascii_kind[b] != kAsciiUnit || (e & kClassMask) == (b | 0x20));
  }
  auto key_of = [](const auto& slot) { return key_hash(slot.key); };
  auto free = [](const auto& slot) { return slot.key == 0; };
  data->pair_filter.assign((std::size_t{1} << kPairFilterBits) / 64, 0);
  std::vector<PairSlot> pair_items;
  for (const auto& [key, id] : pairs) {
    const std::uint16_t* c = &data->classes[data->phrases[id].classes];
    const std::uint32_t h = prefix_hashes(c[0], c[1], 0, 0).two;
    data->pair_filter[h >> 6] |= std::uint64_t{1} << (h & 63);
    pair_items.push_back({key, id});
  }
  data->pair_shift = cuckoo_fill(data->pair_slots, pair_items, key_of, free);
  // The triple filter passes the classes of every phrase of three units;
  // the quad filter the first four of the longer ones.
  data->triple_filter.assign((std::size_t{1} << kTripleFilterBits) / 64, 0);
  data->quad_filter.assign((std::size_t{1} << kQuadFilterBits) / 64, 0);
  for (const PhraseInfo& p : data->phrases) {
    if (p.length < 3) continue;
    const std::uint16_t* c = &data->classes[p.classes];
    const auto h = prefix_hashes(c[0], c[1], c[2], p.length < 4 ? 0 : c[3]);
    const std::uint32_t bit = p.length == 3 ? h.three : h.four;
    std::vector<std::uint64_t>& filter = p.length == 3 ? data->triple_filter : data->quad_filter;
    filter[bit >> 6] |= std::uint64_t{1} << (bit & 63);
  }
  // The same classes make the same phrase to the matcher: a triple slot
  // keeps the first phrase of its group.
  std::vector<TripleSlot> triple_items;
  for (const auto& [key, ids] : by_triple) triple_items.push_back({key, ids.front()});
  data->triple_shift = cuckoo_fill(data->triple_slots, triple_items, key_of, free);
  std::vector<QuadSlot> quad_items;
  for (auto& [key, ids] : by_quad) {
    // Longer phrases first, so find_all() lists them first at a position.
    std::stable_sort(ids.begin(), ids.end(), [&](std::uint32_t a, std::uint32_t b) {
      return data->phrases[a].length > data->phrases[b].length;
    });
    if (ids.size() > std::size_t{0xFFFF} + 1) {
      return fail(errc::invalid_argument, "phrases: more than 65,536 begin with the same four characters");
    }
    QuadSlot& q = quad_items.emplace_back();
    const PhraseInfo& first = data->phrases[ids.front()];
    q.key = key;
    for (std::size_t k = 4; k < std::min<std::size_t>(first.length, 8); ++k) {
      q.next4 |= std::uint64_t{data->classes[first.classes + k]} << (16 * (k - 4));
    }
    q.phrase = ids.front();
    q.classes = first.classes;
    q.length = first.length;
    q.rest = static_cast<std::uint32_t>(data->candidates.size());
    q.more = static_cast<std::uint16_t>(ids.size() - 1);
    data->candidates.insert(data->candidates.end(), ids.begin() + 1, ids.end());
    for (auto it = ids.begin() + 1; it != ids.end(); ++it) {
      const PhraseInfo& p = data->phrases[*it];
      q.fifth |= p.length > 4 ? std::uint64_t{1} << (data->classes[p.classes + 4] & 63) : ~std::uint64_t{0};
    }
  }
  data->quad_shift = cuckoo_fill(data->quad_slots, quad_items, key_of, free);
  if (data->pair_shift == 0 || data->triple_shift == 0 || data->quad_shift == 0) return too_many();
  data->facts.reserve(data->phrases.size());
  for (const PhraseInfo& p : data->phrases) {
    data->facts.push_back({p.kinds, p.value, p.refs_begin, p.refs_count, p.checks, p.latin});
  }
  return std::shared_ptr<const PhraseSetData>(std::move(data));
}

}  // namespace detail

const detail::PhraseSetData& phrase_set_data(const PhraseSet& set) noexcept { return *set.data_; }

result<PhraseSet> PhraseSet::compile(std::span<const PhraseTable> tables) {
  BOOST_OUTCOME_TRY(auto data, detail::compile_phrases(tables));
  return PhraseSet(std::move(data));
}

std::span<const PhraseTable> PhraseSet::standard_tables() noexcept {
  static const std::vector<PhraseTable> tables = [] {
    std::vector<PhraseTable> t;
    for (const auto& f : detail::lint_embedded_files()) {
      if (f.name == "ts_characters.tsv" || f.name == "hints.tsv") continue;
      t.push_back({f.name, f.text});
    }
    return t;
  }();
  return tables;
}

const PhraseSet& PhraseSet::standard() {
  static const PhraseSet set = [] {
    auto r = compile(standard_tables());
    // The built-in tables are checked by the tests; failing here is a bug.
    if (!r) std::abort();
    return std::move(r).value();
  }();
  return set;
}

std::size_t PhraseSet::size() const noexcept { return data_->phrases.size(); }

std::string_view PhraseSet::phrase(std::size_t index) const { return data_->phrases.at(index).text; }

std::string PhraseSet::kinds(std::size_t index) const {
  const detail::PhraseInfo& p = data_->phrases.at(index);
  std::string out;
  for (std::size_t k = 0; k < detail::kind_count; ++k) {
    if (!(p.kinds & (std::uint32_t{1} << k))) continue;
    if (!out.empty()) out += ',';
    out += detail::kKindNames[k];
    if (p.value != 0 && k >= detail::kind_deadline_minutes && k <= detail::kind_deadline_working_days) out += fmt::format(":{}", p.value);
  }
  return out;
}

result<std::vector<PhraseMatch>> PhraseSet::find_all(std::string_view text) const {
  std::vector<PhraseMatch> out;
  detail::CharCursor chars(text);
  detail::ScanStats unused;
  auto ec = detail::scan_text<false>(*data_, text, unused, [&](std::size_t id, std::size_t begin, std::size_t end) {
    const std::size_t begin_char = chars.at(begin);
    out.push_back({id, TextSpan{begin, end, begin_char, begin_char + chars.between(begin, end)}});
  });
  if (ec) return ec;
  return out;
}

result<std::size_t> PhraseSet::count(std::string_view text) const {
  std::size_t n = 0;
  detail::ScanStats unused;
  auto ec = detail::scan_text<false>(*data_, text, unused, [&](std::size_t, std::size_t, std::size_t) { ++n; });
  if (ec) return ec;
  return n;
}

bool operator==(const PhraseSet& a, const PhraseSet& b) noexcept {
  if (a.data_ == b.data_) return true;
  const auto& x = a.data_->phrases;
  const auto& y = b.data_->phrases;
  const auto& rx = a.data_->rules;
  const auto& ry = b.data_->rules;
  const bool same_rules = std::equal(rx.begin(), rx.end(), ry.begin(), ry.end(), [](const auto& p, const auto& q) {
    return p.kinds == q.kinds && p.value == q.value && p.parts == q.parts && p.checks == q.checks &&
           p.max_gap == q.max_gap;
  });
  return same_rules && a.data_->part_refs.size() == b.data_->part_refs.size() &&
         std::equal(x.begin(), x.end(), y.begin(), y.end(), [](const auto& p, const auto& q) {
           return p.text == q.text && p.kinds == q.kinds && p.value == q.value && p.checks == q.checks &&
                  p.refs_count == q.refs_count;
         });
}

// --- reply fingerprints

namespace {

std::uint64_t mix64(std::uint64_t x) noexcept {
  // splitmix64's finaliser
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ULL;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

result<ReplyFingerprint> reply_fingerprint(std::string_view text) {
  const detail::Folding& fold = detail::folding();
  // One-permutation MinHash: each shingle (three normalised code points in
  // a row) is hashed once; the hash's top five bits choose one of 32 bins
  // and the bin keeps the least of its low 32 bits. Bins no shingle reached
  // take the next filled bin's value, moved by their distance (rotation
  // densification, Shrivastava 2017), so that short texts compare as well.
  // Two texts agree on a bin with probability about the Jaccard similarity
  // of their shingle sets.
  constexpr std::uint32_t kEmpty = ~std::uint32_t{0};
  ReplyFingerprint out;
  out.mins.fill(kEmpty);
  std::array<char32_t, 3> window{};
  std::size_t seen = 0;
  auto add = [&] {
    std::uint64_t h = 0xCBF29CE484222325ULL;
    for (char32_t c : window) h = (h ^ c) * 0x100000001B3ULL;
    h = mix64(h);
    std::uint32_t& bin = out.mins[h >> 59];
    bin = std::min(bin, static_cast<std::uint32_t>(h) & 0x7FFFFFFF);  // the top bit marks an empty bin
  };
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const std::size_t n = detail::decode(text, i, cp);
    if (n == 0) return detail::fail(errc::invalid_utf8, fmt::format("text: invalid UTF-8 at byte {}", i));
    i += n;
    if (fold.flags_of(cp) & detail::kSkip) continue;
    window[0] = window[1];
    window[1] = window[2];
    window[2] = fold.fold(cp);
    if (++seen >= 3) add();
  }
  if (seen > 0 && seen < 3) add();  // a text of one or two characters: one shingle
  if (seen == 0) {
    out.mins.fill(0);
    return out;
  }
  const std::array<std::uint32_t, kFingerprintHashes> filled = out.mins;
  for (std::size_t b = 0; b < filled.size(); ++b) {
    if (filled[b] != kEmpty) continue;
    std::size_t d = 1;
    while (filled[(b + d) % filled.size()] == kEmpty) ++d;
    out.mins[b] = 0x80000000u | ((filled[(b + d) % filled.size()] + static_cast<std::uint32_t>(d) * 0x9E3779B9u) >> 1);
  }
  return out;
}

int reply_similarity(const ReplyFingerprint& a, const ReplyFingerprint& b) noexcept {
  int same = 0;
  for (std::size_t k = 0; k < a.mins.size(); ++k) same += a.mins[k] == b.mins[k];
  return (100 * same + static_cast<int>(a.mins.size()) / 2) / static_cast<int>(a.mins.size());
}

bool is_repeated_reply(const ReplyFingerprint& reply, std::span<const ReplyFingerprint> earlier,
                       const LintPolicy& policy) noexcept {
  const int threshold = policy.settings().repeated_reply_similarity;
  return std::any_of(earlier.begin(), earlier.end(),
                     [&](const ReplyFingerprint& e) { return reply_similarity(reply, e) >= threshold; });
}

}  // namespace v1
}  // namespace redress
