// redress/detail/lint_scan.hpp: the compiled phrase set and its scanner.
// Internal: not part of the public API.
//
// The scanner decodes and validates UTF-8 and normalises on the fly: every
// code point goes through one table lookup (ASCII: a 128-entry table; the
// rest of the BMP: one entry per code point) that gives its *class* (which
// normalised character it is, 0 for "in no phrase") and flags (skipped as
// whitespace or punctuation, part of a word, and for Han characters whether
// they are Traditional-only, Simplified-only or either). Case folding,
// full-width narrowing and Traditional to Simplified mapping are all folded
// into the classes at compile time.
//
// Non-skipped code points become *units* in a fixed-size buffer: 16 bits
// each (the class, and flags for "a skipped character came before", "part
// of a Latin-script word" and "continues the word of the unit before") plus
// the original byte offset. ASCII is checked 16 bytes at a time and turned
// into units without branches; so are runs of three-byte characters, four at
// a time.
//
// The matcher then makes three passes over each chunk of units. The first,
// free of branches, keeps the positions where a phrase may start: one load
// of the class's `follow` mask says whether the next class can continue a
// phrase that begins with it (or whether the class alone is a phrase), and a
// Latin-script unit must begin its word. The second, also free of branches,
// runs the survivors through hashed bit filters on their first two, three
// and four classes and keeps what passed beside each one. Only the third
// pass branches: it looks the two-unit phrase up in a hashed pair table, the
// three-unit one in a triple table, and longer ones through their first four
// classes (an open-addressed table of candidate lists, longest first), each
// verified by comparing the rest of its classes. Character offsets are
// counted only for matches (CharCursor, eight bytes at a time). The buffer
// is processed in chunks with an overlap of the longest phrase, so text of
// any length streams through a few KiB of stack.
#ifndef REDRESS_DETAIL_LINT_SCAN_HPP
#define REDRESS_DETAIL_LINT_SCAN_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <fmt/format.h>

#include <redress/error.hpp>

namespace redress {
inline namespace v1 {
namespace detail {

// Table entry layout: class in the low 12 bits, then flags.
inline constexpr std::uint16_t kClassMask = 0x0FFF;
inline constexpr std::uint16_t kSkip = 0x1000;  // whitespace or punctuation: not a unit
inline constexpr std::uint16_t kWord = 0x2000;  // a letter or digit of a Latin-script word
// The script of a Chinese (Han) character: kTrad alone for a
// Traditional-only one, kSimp alone for a Simplified-only one, both for any
// other; neither for a character that is not Han.
inline constexpr std::uint16_t kTrad = 0x4000;
inline constexpr std::uint16_t kSimp = 0x8000;
inline constexpr std::size_t kMaxClasses = kClassMask;
// A skipped code point has no class; in its class bits, this marks the
// full-width marks that end a sentence (。！？；).
inline constexpr std::uint16_t kSentenceEnd = 1;
inline constexpr std::array<char32_t, 4> kFullWidthSentenceEnds = {0x3002, 0xFF01, 0xFF1F, 0xFF1B};
inline constexpr std::size_t kMaxPhraseUnits = 48;  // fits QuadSlot::length

// Unit flags, above the class in a unit.
// With kWordBit: this unit continues a word (the unit before it is a word
// character and nothing was skipped between), so no word starts here and
// none ends before it. Without kWordBit it means nothing. It sits next to
// the class, so that the two together index PhraseSetData::follow.
inline constexpr std::uint16_t kMidBit = 0x1000;
inline constexpr std::uint16_t kWordBit = 0x2000;  // this unit is part of a Latin-script word
inline constexpr std::uint16_t kGapBit = 0x4000;   // a skipped code point precedes this unit
inline constexpr std::uint32_t kMidWord = kMidBit | kWordBit;
inline constexpr std::uint32_t kFollowIndex = kClassMask | kMidBit;

// The phrase kinds (bits of PhraseInfo::kinds), in table spelling order.
enum PhraseKind : std::uint32_t {
  kind_regret,
  kind_explanation,
  kind_responsibility,
  kind_repentance,
  kind_repair,
  kind_forgiveness,
  kind_feeling,
  kind_curt,
  kind_conditional,
  kind_defence,
  kind_contrast,
  kind_policy,
  kind_blame,
  kind_helpless,
  kind_deflect,
  kind_refusal,
  kind_alternative,
  kind_fact,
  kind_softener,
  kind_remedy,
  kind_deadline_minutes,
  kind_deadline_hours,
  kind_deadline_days,
  kind_deadline_working_days,
  kind_count,
};

inline constexpr std::array<std::string_view, kind_count> kKindNames = {
    "regret",  "explanation", "responsibility", "repentance", "repair",      "forgiveness",
    "feeling", "curt",        "conditional",    "defence",    "contrast",    "policy",
    "blame",   "helpless",    "deflect",        "refusal",    "alternative", "fact",
    "softener", "remedy",     "deadline_minutes", "deadline_hours", "deadline_days",
    "deadline_working_days"};

constexpr std::uint32_t kind_bit(PhraseKind k) noexcept { return std::uint32_t{1} << k; }

struct PhraseInfo {
  std::string text;           // normalised, UTF-8
  std::uint32_t kinds = 0;    // kind_bit() set
  std::int32_t value = 0;     // a deadline kind's fixed amount, 0 when read from the text
  std::uint32_t classes = 0;  // offset into PhraseSetData::classes
  std::uint16_t length = 0;   // in units
  bool latin_start = false;   // must start at a word boundary
  bool latin_end = false;     // must end at a word boundary
  bool latin = false;         // written in Latin script (an English phrase)
};

// A slot of the open-addressed table of two-unit phrases.
struct PairSlot {
  std::uint32_t key = 0;  // (first class << 12 | second class) + 1; 0 when empty
  std::uint32_t phrase = 0;  // the phrase, shifted left by two, or-ed with its edges (kLatinStart, kLatinEnd)
};

// A slot of the open-addressed table of three-unit phrases, keyed by their
// classes: the phrase, and whether it must start or end at a word boundary
// (kLatinStart, kLatinEnd), so that a match reads no other table.
struct TripleSlot {
  std::uint64_t key = 0;  // triple_key(); 0 when empty
  std::uint32_t phrase = 0;
  std::uint32_t edges = 0;  // kLatinStart | kLatinEnd
};
inline constexpr std::uint32_t kLatinStart = 1;
inline constexpr std::uint32_t kLatinEnd = 2;

// A slot of the open-addressed table of phrases of four units or more,
// keyed by their first four classes. The first candidate (the longest)
// lives in the slot: its classes 4 to 7, its length and its edges, so that
// a phrase of up to eight units is verified without reading another table
// (in a match, the other tables' lookups were a chain of loads that the
// branches on their results waited for). The others, longest first, are
// `candidates[rest, rest + more)`.
struct QuadSlot {
  std::uint64_t key = 0;    // quad_key(); 0 when empty
  std::uint64_t next4 = 0;  // classes 4 to 7 of the first candidate, 16 bits each; 0 past its end
  // Bit (c & 63) for the fifth class c of each other candidate, all bits
  // when one has only four units. A text whose fifth unit has no bit here
  // matches none of them.
  std::uint64_t fifth = 0;
  std::uint32_t phrase = 0;   // the first candidate
  std::uint32_t classes = 0;  // offset of its classes in PhraseSetData::classes
  std::uint32_t rest = 0;
  std::uint8_t length = 0;  // of the first candidate, in units (at most kMaxPhraseUnits)
  std::uint8_t edges = 0;   // of the first candidate: kLatinStart | kLatinEnd
  std::uint16_t more = 0;
};

inline constexpr std::uint32_t pair_key(std::uint32_t c0, std::uint32_t c1) noexcept { return (c0 << 12 | c1) + 1; }
inline constexpr std::uint64_t triple_key(std::uint64_t c0, std::uint64_t c1, std::uint64_t c2) noexcept {
  return (c0 << 24 | c1 << 12 | c2) + 1;
}
inline constexpr std::uint64_t quad_key(std::uint64_t c0, std::uint64_t c1, std::uint64_t c2, std::uint64_t c3) noexcept {
  return (c0 << 36 | c1 << 24 | c2 << 12 | c3) + 1;
}
// Hashes of kFilterBits bits for the filters (2 KiB each, to stay in L1
// beside the entries of the characters in use) of a phrase's first two,
// three and four classes, each built on the one before: a multiplication
// per class.
inline constexpr unsigned kFilterBits = 14;
struct PrefixHashes {
  std::uint32_t two;
  std::uint32_t three;
  std::uint32_t four;
};
inline PrefixHashes prefix_hashes(std::uint32_t c0, std::uint32_t c1, std::uint32_t c2, std::uint32_t c3) noexcept {
  const std::uint32_t two = (c0 << 12 | c1) * 0x9E3779B1u;
  const std::uint32_t three = (two ^ c2) * 0x85EBCA77u;
  const std::uint32_t four = (three ^ c3) * 0xC2B2AE3Du;
  constexpr unsigned kShift = 32 - kFilterBits;
  return {two >> kShift, three >> kShift, four >> kShift};
}
// Where a key's slot search starts: an independent 32-bit hash.
inline std::size_t slot_hash(std::uint64_t key) noexcept { return (key * 0xD6E8FEB86659FD93ull) >> 32; }
inline bool filter_has(const std::uint64_t* filter, std::uint32_t h) noexcept { return (filter[h >> 6] >> (h & 63)) & 1; }

// PhraseSetData::ascii_kind values.
inline constexpr std::uint8_t kAsciiUnit = 0;
inline constexpr std::uint8_t kAsciiSkip = 1;
inline constexpr std::uint8_t kAsciiDrop = 2;

struct PhraseSetData {
  std::vector<PhraseInfo> phrases;
  std::vector<std::uint16_t> classes;  // the phrases' class sequences, then kClassPadding zeros
  // The table entry of every BMP code point (class and flags), 128 KiB: one
  // load per code point, where two-level pages took two dependent ones.
  std::vector<std::uint16_t> entries;
  std::vector<std::int32_t> single;                   // class -> one-unit phrase, or -1
  std::vector<std::uint64_t> pair_filter;             // 2^kFilterBits bits, by prefix_hashes().two
  std::vector<PairSlot> pair_slots;                   // power-of-two size
  std::vector<std::uint64_t> triple_filter;           // 2^kFilterBits bits, by prefix_hashes().three: phrases of 3 units
  std::vector<TripleSlot> triple_slots;               // power-of-two size; phrases of 3 units
  std::vector<std::uint64_t> quad_filter;             // the same by the first four classes: phrases of 4 units or more
  std::vector<QuadSlot> quad_slots;                   // power-of-two size; phrases of 4 units or more
  std::vector<std::uint32_t> candidates;              // phrase ids: a quad slot's other candidates
  std::size_t max_units = 1;
  // By a unit's class and mid-word flag (unit & kFollowIndex): for class c,
  // bit (d & 63) is set when a phrase continues c with class d, all bits
  // when c alone is a phrase, 0 when no phrase begins with c. A Latin-script
  // class inside a word (kMidBit) begins nothing: every phrase that starts
  // with one starts at a word boundary. A class is Latin-script or not as
  // the character it stands for is, so the class alone decides.
  std::vector<std::uint64_t> follow;
  // ASCII for the fast paths: what each byte is (kAsciiUnit, kAsciiSkip, or
  // kAsciiDrop for the apostrophe), and its code, all a block without
  // apostrophes needs in one load: the unit bits (class, kWordBit) in the
  // low half, the link to the next unit above them (kMidBit after a unit,
  // kGapBit after a skipped byte), and bit 31 set for a unit; 0 for the
  // apostrophe.
  std::array<std::uint8_t, 128> ascii_kind{};
  std::array<std::uint32_t, 128> ascii_code{};

  std::uint16_t entry(char32_t cp) const noexcept { return cp > 0xFFFF ? 0 : entries[cp]; }
};

// Counts the scanner keeps for language detection, and where sentences
// start: when `breaks` is set, the byte offsets after 。！？； (full-width),
// ! ? ; and line breaks, and after a full stop followed by a space, a line
// break, a double quote or the end, are appended to it in order. Latin-script
// words are counted by the matcher's first pass, which already knows where
// each word starts; the decoder counts the rest with one test of each
// entry's script flags, and gathers breaks without a call in its loop.
struct ScanStats {
  std::size_t han = 0;
  std::size_t trad = 0;
  std::size_t simp = 0;
  std::size_t latin_words = 0;
  std::vector<std::size_t>* breaks = nullptr;
};

// Appends `found[0, n)` to `*breaks` (when it is set) and returns 0: the
// scanner gathers sentence breaks kBreakBatch at a time.
inline constexpr std::size_t kBreakBatch = 64;
[[gnu::noinline, gnu::cold]] inline std::size_t append_breaks(std::vector<std::size_t>* breaks,
                                                              const std::size_t* found, std::size_t n) {
  if (breaks != nullptr) breaks->insert(breaks->end(), found, found + n);
  return 0;
}

// 1 for the ASCII bytes that end a sentence, 2 for the full stop (which
// does when a space, a line break, a double quote or the end follows).
inline constexpr auto kAsciiSentenceEnd = [] {
  std::array<std::uint8_t, 128> t{};
  for (unsigned char c : {'!', '?', ';', '\n'}) t[c] = 1;
  t['.'] = 2;
  return t;
}();

// The length of the UTF-8 sequence that starts with `lead` (valid text only).
inline std::size_t utf8_length(unsigned char lead) noexcept {
  return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
}

inline std::error_code invalid_utf8_at(std::size_t offset) {
  return fail(errc::invalid_utf8, fmt::format("text: invalid UTF-8 at byte {}", offset));
}

// same_classes()
//
// Whether units [from, m) of `unit` have the classes `want[from, m)`,
// compared four at a time in 64-bit words: a phrase's loop ends at its first
// word instead of at a character hard to predict. Reads up to three units
// and classes beyond m: the units end in sentinels, and the classes in
// padding.
inline constexpr std::uint64_t kFourClasses = 0x0FFF0FFF0FFF0FFFull;
static_assert(kClassMask == 0x0FFF);
// The lanes of the first `left` (0 to 4 or more) of four 16-bit lanes.
inline std::uint64_t first_lanes(std::size_t left) noexcept {
  return left >= 4 ? ~std::uint64_t{0} : (std::uint64_t{1} << (16 * left)) - 1;
}
inline bool same_classes(const std::uint16_t* unit, const std::uint16_t* want, std::size_t from,
                         std::size_t m) noexcept {
  for (std::size_t q = from; q < m; q += 4) {
    std::uint64_t x;
    std::uint64_t w;
    std::memcpy(&x, unit + q, 8);
    std::memcpy(&w, want + q, 8);
    if (((x ^ w) & kFourClasses & first_lanes(m - q)) != 0) return false;
  }
  return true;
}
inline constexpr std::size_t kClassPadding = 3;

// word_starts()
//
// How many of the `n` units at `unit` begin a Latin-script word: a word
// character that does not continue the word before. Eight at a time with
// SSE2 where the compiler targets it.
inline std::size_t word_starts_scalar(const std::uint16_t* unit, std::size_t n) noexcept {
  std::size_t words = 0;
  for (std::size_t i = 0; i < n; ++i) words += (unit[i] & kMidWord) == kWordBit;
  return words;
}
inline std::size_t word_starts(const std::uint16_t* unit, std::size_t n) noexcept {
#if defined(__SSE2__)
  const __m128i flags = _mm_set1_epi16(static_cast<short>(kMidWord));
  const __m128i start = _mm_set1_epi16(static_cast<short>(kWordBit));
  if (n < 8) return word_starts_scalar(unit, n);
  __m128i sum = _mm_setzero_si128();  // per lane, minus the starts seen: at most n / 8 + 1
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(unit + i));
    sum = _mm_add_epi16(sum, _mm_cmpeq_epi16(_mm_and_si128(x, flags), start));
  }
  // The last n - i units: the eight that end at n, the lanes already
  // counted masked off (a loop over them would mispredict its end).
  static constexpr std::uint16_t kLast[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF,
                                              0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF};
  const __m128i last = _mm_loadu_si128(reinterpret_cast<const __m128i*>(unit + n - 8));
  const __m128i keep = _mm_loadu_si128(reinterpret_cast<const __m128i*>(kLast + (n - i)));
  sum = _mm_add_epi16(sum, _mm_and_si128(keep, _mm_cmpeq_epi16(_mm_and_si128(last, flags), start)));
  // Eight lanes of 0 to -(n / 8 + 1), as 16-bit two's complement: negated and summed.
  alignas(16) std::uint16_t lanes[8];
  _mm_store_si128(reinterpret_cast<__m128i*>(lanes), _mm_sub_epi16(_mm_setzero_si128(), sum));
  std::size_t words = 0;
  for (std::uint16_t lane : lanes) words += lane;
  return words;
#else
  return word_starts_scalar(unit, n);
#endif
}

// start_candidates()
//
// The first pass of match_units(): writes to `cand` the units in [from, to)
// where a phrase may start (follow[] has the next unit's bit) and returns
// how many. Out of line, so that its loop has the registers to itself.
[[gnu::noinline]] inline std::size_t start_candidates(const std::uint16_t* unit, const std::uint64_t* follow,
                                                      std::size_t from, std::size_t to, std::uint16_t* cand) noexcept {
  std::size_t count = 0;
  // follow[] is 0 for a Latin-script class inside a word: one load decides.
  std::uint32_t index = unit[from] & kFollowIndex;
#pragma GCC unroll 4
  for (std::size_t i = from; i < to; ++i) {
    const std::uint32_t next = unit[i + 1];
    const std::uint64_t word = follow[index];
    index = next & kFollowIndex;
    cand[count] = static_cast<std::uint16_t>(i);
    count += static_cast<std::uint32_t>(word >> (next & 63)) & 1;
  }
  return count;
}

// Units a buffer holds beyond its last one: match_units() writes sentinels there.
inline constexpr std::size_t kSentinels = 8;

// match_units()
//
// Reports the phrases that start at units [from, to) of a buffer of `n`
// units (unit[n] to unit[n + kSentinels - 1] are overwritten with sentinels). A first pass, free of
// branches, keeps the positions where a phrase may start in `cand`: the
// class is a one-unit phrase, or the next class may follow it (one bit of
// its `follow` mask); and a Latin-script unit must begin its word, as every
// phrase that starts with one does. Most positions stop there; the second pass looks the
// few that remain up in the pair and triple tables. With kStats, the first
// pass also adds the Latin-script words that start in [from, to) to
// `counts.latin_words` (a word character at a word start).
template <bool kStats, class Emit>
inline void match_units(const PhraseSetData& set, std::uint16_t* unit, const std::uint32_t* byte_at,
                        const unsigned char* text, std::size_t from, std::size_t to, std::size_t n,
                        std::uint16_t* cand, Emit& emit, ScanStats& counts) {
  const std::size_t pair_mask = set.pair_slots.size() - 1;
  const std::size_t triple_mask = set.triple_slots.size() - 1;
  const std::uint64_t* const follow = set.follow.data();
  const std::int32_t* const single = set.single.data();
  const std::uint64_t* const pair_filter = set.pair_filter.data();
  const PairSlot* const pair_slots = set.pair_slots.data();
  const std::uint64_t* const triple_filter = set.triple_filter.data();
  const TripleSlot* const triple_slots = set.triple_slots.data();
  const std::size_t quad_mask = set.quad_slots.size() - 1;
  const std::uint64_t* const quad_filter = set.quad_filter.data();
  const QuadSlot* const quad_slots = set.quad_slots.data();
  const std::uint32_t* const candidates = set.candidates.data();
  const PhraseInfo* const phrases = set.phrases.data();
  const std::uint16_t* const classes = set.classes.data();
  // The end of the text is a word boundary; the sentinels also give the
  // reads of a phrase's first eight units something to read.
  for (std::size_t k = 0; k < kSentinels; ++k) unit[n + k] = kGapBit;

  const std::size_t count = start_candidates(unit, follow, from, to, cand);
  if constexpr (kStats) counts.latin_words += word_starts(unit + from, to - from);

  // A second pass, free of branches too, keeps those that are a one-unit
  // phrase, or whose first two, three or four classes pass the filter of
  // the two-unit phrases, of the three-unit ones or of the first four
  // classes of the longer ones; what passed is kept in the top bits of the
  // entry. Each filter holds only what its lookup can find, so that the
  // many English words that begin a longer phrase ("the", "you") do not
  // look for a three-unit phrase as well.
  constexpr std::uint32_t kPair = 1u << 12;
  constexpr std::uint32_t kTriple = 2u << 12;
  constexpr std::uint32_t kQuad = 4u << 12;
  constexpr std::uint32_t kOne = 8u << 12;
  constexpr std::uint32_t kIndex = (1u << 12) - 1;
  std::size_t kept = 0;
  for (std::size_t k = 0; k < count; ++k) {
    const std::uint32_t i = cand[k];
    const std::uint32_t c = unit[i] & kClassMask;
    const std::uint32_t c2 = unit[i + 1] & kClassMask;  // i + 1 <= n: the sentinels at worst
    const std::uint32_t c3 = unit[i + 2] & kClassMask;
    const std::uint32_t c4 = unit[i + 3] & kClassMask;
    const auto [h2, h3, h4] = prefix_hashes(c, c2, c3, c4);
    const std::uint32_t pair = static_cast<std::uint32_t>(pair_filter[h2 >> 6] >> (h2 & 63)) & (c2 != 0);
    const std::uint32_t triple =
        static_cast<std::uint32_t>(triple_filter[h3 >> 6] >> (h3 & 63)) & (c2 != 0) & (c3 != 0);
    const std::uint32_t quad =
        static_cast<std::uint32_t>(quad_filter[h4 >> 6] >> (h4 & 63)) & (c2 != 0) & (c3 != 0) & (c4 != 0);
    const std::uint32_t one = single[c] >= 0;
    const std::uint32_t flags = pair * kPair | triple * kTriple | quad * kQuad | one * kOne;
    cand[kept] = static_cast<std::uint16_t>(i | flags);
    kept += flags != 0;
  }

  auto end_byte = [&](std::size_t u) { return byte_at[u] + utf8_length(text[byte_at[u]]); };
  auto boundary_after = [&](std::size_t u) { return (unit[u] & kMidWord) != kMidWord; };
  for (std::size_t k = 0; k < kept; ++k) {
    const std::uint32_t flags = cand[k];
    const std::size_t i = flags & kIndex;
    const std::uint32_t c = unit[i] & kClassMask;
    const bool start_ok = (unit[i] & kMidWord) != kMidWord;
    // Whether a phrase with these edges may end before unit `after`: a
    // Latin-script edge must be a word boundary.
    auto edges_ok = [&](std::uint32_t edges, std::size_t after) {
      const std::uint32_t ok = std::uint32_t{start_ok} * kLatinStart | std::uint32_t{boundary_after(after)} * kLatinEnd;
      return (edges & ~ok) == 0;
    };
    const std::uint32_t c2 = unit[i + 1] & kClassMask;
    const std::uint32_t c3 = unit[i + 2] & kClassMask;
    if (flags & kQuad) {  // phrases of four units or more, by their first four classes
      const std::uint64_t key4 = quad_key(c, c2, c3, unit[i + 3] & kClassMask);
      std::size_t slot = slot_hash(key4) & quad_mask;
      while (quad_slots[slot].key != key4 && quad_slots[slot].key != 0) slot = (slot + 1) & quad_mask;
      const QuadSlot& t = quad_slots[slot];
      if (t.key == key4) {
        // The first candidate, from the slot alone up to eight units (units
        // i + 4 to i + 7 exist: the sentinels).
        const std::size_t m = t.length;
        std::uint64_t x;
        std::memcpy(&x, unit + i + 4, 8);
        if (i + m <= n && ((x ^ t.next4) & kFourClasses & first_lanes(m - 4)) == 0 &&
            (m <= 8 || same_classes(unit + i, classes + t.classes, 8, m)) && edges_ok(t.edges, i + m)) {
          emit(std::size_t{t.phrase}, std::size_t{byte_at[i]}, std::size_t{end_byte(i + m - 1)});
        }
        // The others, unless none goes on as the text does.
        if (t.more != 0 && ((t.fifth >> (unit[i + 4] & 63)) & 1) != 0) {
          for (std::uint32_t j = t.rest; j < t.rest + t.more; ++j) {
            const std::uint32_t id = candidates[j];
            const PhraseInfo& p = phrases[id];
            const std::size_t len = p.length;
            if (i + len > n || !same_classes(unit + i, classes + p.classes, 4, len)) continue;
            if (!edges_ok(std::uint32_t{p.latin_start} * kLatinStart | std::uint32_t{p.latin_end} * kLatinEnd, i + len)) {
              continue;
            }
            emit(std::size_t{id}, std::size_t{byte_at[i]}, std::size_t{end_byte(i + len - 1)});
          }
        }
      }
    }
    if (flags & kTriple) {  // the three-unit phrase
      const std::uint64_t key = triple_key(c, c2, c3);
      std::size_t slot = slot_hash(key) & triple_mask;
      while (triple_slots[slot].key != key && triple_slots[slot].key != 0) slot = (slot + 1) & triple_mask;
      const TripleSlot& t = triple_slots[slot];
      if (t.key == key && edges_ok(t.edges, i + 3)) {
        emit(std::size_t{t.phrase}, std::size_t{byte_at[i]}, std::size_t{end_byte(i + 2)});
      }
    }
    if (flags & kPair) {
      const std::uint32_t key2 = pair_key(c, c2);
      std::size_t slot = slot_hash(key2) & pair_mask;
      while (pair_slots[slot].key != key2 && pair_slots[slot].key != 0) slot = (slot + 1) & pair_mask;
      const std::uint32_t v = pair_slots[slot].phrase;
      if (pair_slots[slot].key == key2 && edges_ok(v & 3u, i + 2)) {
        emit(std::size_t{v >> 2}, std::size_t{byte_at[i]}, std::size_t{end_byte(i + 1)});
      }
    }
    const std::int32_t s = single[c];
    if (s >= 0) {
      const PhraseInfo& p = phrases[s];
      if ((!p.latin_start || start_ok) && (!p.latin_end || boundary_after(i + 1))) {
        emit(static_cast<std::size_t>(s), std::size_t{byte_at[i]}, std::size_t{end_byte(i)});
      }
    }
  }
}

// CharCursor
//
// Character offsets for byte offsets that never go backwards (matches come
// in order of their start): counts lead bytes from where it last stopped.
class CharCursor {
 public:
  explicit CharCursor(std::string_view text) noexcept
      : text_(reinterpret_cast<const unsigned char*>(text.data())), size_(text.size()) {}
  std::size_t at(std::size_t byte) noexcept {
    if (byte > byte_) {
      chars_ += between(byte_, byte);
      byte_ = byte;
    }
    return chars_;
  }
  // The characters in [begin, end) of the text: its bytes that are not
  // continuation bytes (10xxxxxx). With SSE2, sixteen at a time, and the
  // last few in the sixteen bytes that end at `end`, masked to them.
  std::size_t between(std::size_t begin, std::size_t end) const noexcept {
#if defined(__SSE2__)
    if (end >= 16) {
      // Continuation bytes are, as signed bytes, those below -64; each
      // counts 1, summed eight bytes at a time by psadbw.
      const __m128i below = _mm_set1_epi8(-64);
      const __m128i one = _mm_set1_epi8(1);
      __m128i sum = _mm_setzero_si128();
      std::size_t i = begin;
      for (; i + 16 <= end; i += 16) {
        const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text_ + i));
        sum = _mm_add_epi64(sum, _mm_sad_epu8(_mm_and_si128(_mm_cmplt_epi8(x, below), one), _mm_setzero_si128()));
      }
      static constexpr unsigned char kLast[32] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                                  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text_ + end - 16));
      const __m128i keep = _mm_loadu_si128(reinterpret_cast<const __m128i*>(kLast + (end - i)));
      sum = _mm_add_epi64(sum, _mm_sad_epu8(_mm_and_si128(_mm_cmplt_epi8(x, below), keep), _mm_setzero_si128()));
      const auto continuation = static_cast<std::size_t>(_mm_cvtsi128_si64(sum)) +
                                static_cast<std::size_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sum, sum)));
      return end - begin - continuation;
    }
#endif
    return between_words(begin, end);
  }
  // The same, eight bytes at a time; the last few too, in one eight-byte
  // word masked to them, unless the text ends within it.
  std::size_t between_words(std::size_t begin, std::size_t end) const noexcept {
    std::size_t n = 0;
    std::size_t i = begin;
    for (; i + 8 <= end; i += 8) n += 8 - continuation_bytes(word_at(i));
    if (i == end) return n;
    if (i + 8 <= size_) {
      const std::size_t kept = end - i;  // 1 to 7
      const std::uint64_t x = word_at(i) & ((std::uint64_t{1} << (8 * kept)) - 1);
      return n + kept - continuation_bytes(x);
    }
    for (; i < end; ++i) n += (text_[i] & 0xC0) != 0x80;
    return n;
  }

 private:
  std::uint64_t word_at(std::size_t i) const noexcept {
    std::uint64_t x;
    std::memcpy(&x, text_ + i, 8);
    return x;
  }
  // The continuation bytes of a little-endian word (zero bytes are none):
  // the top bit of each, moved to the bottom and summed into the top byte by
  // one multiplication (no popcount instruction on baseline x86-64).
  static std::size_t continuation_bytes(std::uint64_t x) noexcept {
    const std::uint64_t top = (x & ~(x << 1) & 0x8080808080808080ull) >> 7;
    return static_cast<std::size_t>((top * 0x0101010101010101ull) >> 56);
  }

  const unsigned char* text_;
  std::size_t size_;
  std::size_t byte_ = 0;
  std::size_t chars_ = 0;
};

// ascii_block()
//
// What the 16 bytes at `p` are: whether all are ASCII and, one bit per byte,
// the apostrophes and the bytes that may end a sentence (! ? ; line break
// and the full stop). SSE2 (part of every x86-64 processor) where the
// compiler targets it; ascii_block_scalar() elsewhere, and in the tests that
// hold the two to the same answers.
struct AsciiBlock {
  bool ascii;
  std::uint32_t apostrophes;
  std::uint32_t stops;
  friend bool operator==(const AsciiBlock&, const AsciiBlock&) = default;
};
inline AsciiBlock ascii_block_scalar(const unsigned char* p) noexcept {
  AsciiBlock block{true, 0, 0};
  for (std::uint32_t k = 0; k < 16; ++k) {
    const unsigned char b = p[k];
    block.ascii = block.ascii && b < 0x80;
    block.apostrophes |= std::uint32_t{b == '\''} << k;
    block.stops |= std::uint32_t{b < 0x80 && kAsciiSentenceEnd[b] != 0} << k;
  }
  return block;
}
inline AsciiBlock ascii_block(const unsigned char* p) noexcept {
#if defined(__SSE2__)
  const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const auto is = [&](char c) { return _mm_cmpeq_epi8(x, _mm_set1_epi8(c)); };
  const __m128i stop = _mm_or_si128(_mm_or_si128(_mm_or_si128(is('!'), is('?')), _mm_or_si128(is(';'), is('\n'))), is('.'));
  return {_mm_movemask_epi8(x) == 0, static_cast<std::uint32_t>(_mm_movemask_epi8(is('\''))),
          static_cast<std::uint32_t>(_mm_movemask_epi8(stop))};
#else
  return ascii_block_scalar(p);
#endif
}

// four_three_byte()
//
// When the first 12 of the 16 bytes at `p` are four well-formed three-byte
// UTF-8 sequences (most Chinese text): lead bytes E0-EF, continuation bytes
// after them, and neither an overlong form (E0 followed by less than A0) nor
// a surrogate (ED followed by A0 or more), writes their four code points to
// `cp` and returns true. SSE2 where the compiler targets it, as
// ascii_block(): the four are decoded side by side too.
inline bool four_three_byte_scalar(const unsigned char* p, std::uint32_t* cp) noexcept {
  for (std::size_t k = 0; k < 12; k += 3) {
    const unsigned b0 = p[k];
    const unsigned b1 = p[k + 1];
    const unsigned b2 = p[k + 2];
    if ((b0 & 0xF0) != 0xE0 || (b1 & 0xC0) != 0x80 || (b2 & 0xC0) != 0x80) return false;
    if ((b0 == 0xE0 && b1 < 0xA0) || (b0 == 0xED && b1 >= 0xA0)) return false;
  }
  for (std::size_t j = 0; j < 4; ++j) {
    cp[j] = (p[3 * j] & 0x0Fu) << 12 | (p[3 * j + 1] & 0x3Fu) << 6 | (p[3 * j + 2] & 0x3Fu);
  }
  return true;
}
inline bool four_three_byte(const unsigned char* p, std::uint32_t* cp) noexcept {
#if defined(__SSE2__)
  const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  // Lead bytes 1110xxxx and continuation bytes 10xxxxxx where they belong,
  // in one comparison under a mask.
  const __m128i shape = _mm_setr_epi8(-16, -64, -64, -16, -64, -64, -16, -64, -64, -16, -64, -64, 0, 0, 0, 0);
  const __m128i want = _mm_setr_epi8(-32, -128, -128, -32, -128, -128, -32, -128, -128, -32, -128, -128, 0, 0, 0, 0);
  if (_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_and_si128(x, shape), want)) != 0xFFFF) return false;
  // Sequence j in 32-bit lane j (bytes 3j to 3j + 3, little-endian), then
  // its three fields moved into place.
  const __m128i lanes = _mm_unpacklo_epi64(_mm_unpacklo_epi32(x, _mm_srli_si128(x, 3)),
                                           _mm_unpacklo_epi32(_mm_srli_si128(x, 6), _mm_srli_si128(x, 9)));
  const __m128i first = _mm_slli_epi32(_mm_and_si128(lanes, _mm_set1_epi32(0x0F)), 12);
  const __m128i second = _mm_srli_epi32(_mm_and_si128(lanes, _mm_set1_epi32(0x3F00)), 2);
  const __m128i third = _mm_srli_epi32(_mm_and_si128(lanes, _mm_set1_epi32(0x3F0000)), 16);
  const __m128i code = _mm_or_si128(_mm_or_si128(first, second), third);
  // Neither an overlong form (below U+0800) nor a surrogate (D800-DFFF).
  const __m128i overlong = _mm_cmplt_epi32(code, _mm_set1_epi32(0x800));
  const __m128i surrogate = _mm_cmpeq_epi32(_mm_and_si128(code, _mm_set1_epi32(0xF800)), _mm_set1_epi32(0xD800));
  if (_mm_movemask_epi8(_mm_or_si128(overlong, surrogate)) != 0) return false;
  _mm_storeu_si128(reinterpret_cast<__m128i*>(cp), code);
  return true;
#else
  return four_three_byte_scalar(p, cp);
#endif
}

// marked()
//
// Bit j set when cp[j] (of four) needs more than a table entry: U+2019,
// the right single quotation mark, an apostrophe; and with kStops a
// full-width mark that ends a sentence. One test for four characters.
template <bool kStops>
inline std::uint32_t marked(const std::uint32_t* cp) noexcept {
#if defined(__SSE2__)
  const __m128i code = _mm_loadu_si128(reinterpret_cast<const __m128i*>(cp));
  __m128i hit = _mm_cmpeq_epi32(code, _mm_set1_epi32(0x2019));
  if constexpr (kStops) {
    const auto is = [&](std::size_t k) {
      return _mm_cmpeq_epi32(code, _mm_set1_epi32(static_cast<int>(kFullWidthSentenceEnds[k])));
    };
    static_assert(kFullWidthSentenceEnds.size() == 4);
    hit = _mm_or_si128(_mm_or_si128(hit, is(0)), _mm_or_si128(_mm_or_si128(is(1), is(2)), is(3)));
  }
  return static_cast<std::uint32_t>(_mm_movemask_ps(_mm_castsi128_ps(hit)));
#else
  std::uint32_t bits = 0;
  for (std::uint32_t j = 0; j < 4; ++j) {
    bool hit = cp[j] == 0x2019;
    if constexpr (kStops) {
      for (char32_t c : kFullWidthSentenceEnds) hit = hit || cp[j] == c;
    }
    bits |= std::uint32_t{hit} << j;
  }
  return bits;
#endif
}

// scan_text()
//
// Calls `emit(phrase_index, begin_byte, end_byte)` for every match, in order
// of begin_byte (longer first at the same start). With kStats, also counts
// scripts into `stats` and appends the sentence breaks to `*stats.breaks`
// when it is set. Returns an error for invalid UTF-8.
//
// ASCII, the common case in English and in the punctuation of Chinese text,
// takes a fast path: 16 bytes checked at once, then each byte turned into a
// unit without branches (its table entry says whether it is a unit, skipped
// or the apostrophe). Other code points are decoded and validated one by one.
template <bool kStats, class Emit>
std::error_code scan_text(const PhraseSetData& set, std::string_view text, ScanStats& stats, Emit&& emit) {
  constexpr std::size_t kChunk = 1024;
  constexpr std::size_t kBlock = 16;
  constexpr std::size_t kSize = kChunk + kMaxPhraseUnits + 1 + kSentinels;
  const std::size_t keep = set.max_units + 1;
  const std::size_t cap = kChunk + keep;
  // Units: the class with the gap, word and mid-word flags above it, and the byte
  // where the unit starts. kSentinels extra slots hold the sentinels.
  std::uint16_t unit[kSize];
  std::uint32_t byte_at[kSize];
  std::uint16_t cand[kSize];
  std::size_t n = 0;
  std::size_t first = 0;

  const auto* const begin = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = begin + text.size();
  const std::uint32_t* const ascii_code = set.ascii_code.data();
  const std::uint8_t* const ascii_kind = set.ascii_kind.data();
  const std::uint16_t* const entries = set.entries.data();

  const auto* p = begin;
  ScanStats counts;
  // Han, Traditional-only and Simplified-only characters, counted in three
  // 21-bit fields of one word by one addition per character, and added to
  // `counts` at every chunk: every Han character is a unit, so a chunk holds
  // far fewer than 2^21.
  std::uint64_t scripts = 0;
  constexpr std::uint64_t kHanOne = 1;
  constexpr std::uint64_t kTradOne = kHanOne << 21;
  constexpr std::uint64_t kSimpOne = kHanOne << 42;
  // By an entry's top two bits: kTrad | kSimp of any Han character, none of others.
  static_assert(kTrad == 1u << 14 && kSimp == 1u << 15);
  constexpr std::uint64_t kScriptCount[4] = {0, kHanOne | kTradOne, kHanOne | kSimpOne, kHanOne};
  auto add_scripts = [&] {
    constexpr std::uint64_t kField = (std::uint64_t{1} << 21) - 1;
    counts.han += scripts & kField;
    counts.trad += (scripts >> 21) & kField;
    counts.simp += scripts >> 42;
    scripts = 0;
  };
  std::vector<std::size_t>* const breaks = stats.breaks;
  // Sentence breaks are gathered here and appended to `*breaks` now and
  // then, so that the loop makes no call.
  std::size_t found_breaks[kBreakBatch];
  std::size_t found = 0;
  auto found_break = [&](std::size_t after) {
    found_breaks[found++] = after;
    if (found == kBreakBatch) found = append_breaks(breaks, found_breaks, found);
  };
  // What joins the next unit to the one before: kGapBit when a code point
  // was skipped since, kMidBit when that unit is a word character, else 0.
  // Or-ed into every unit; only kWordBit gives kMidBit a meaning.
  std::uint32_t link = 0;
  // Whether the ASCII byte at `offset` ends a sentence.
  auto ascii_stop = [&](unsigned b, std::uint32_t offset) __attribute__((always_inline)) {
    if (const unsigned stop = kAsciiSentenceEnd[b]; stop != 0) {
      const std::size_t after = std::size_t{offset} + 1;
      if (stop == 1 || after == text.size() || begin[after] == ' ' || begin[after] == '\n' || begin[after] == '"') {
        found_break(after);
      }
    }
  };
  // One ASCII byte, without branches (sentence breaks apart).
  auto ascii_step = [&](unsigned b, std::uint32_t offset) __attribute__((always_inline)) {
    // The link comes from the code, but an apostrophe (code 0) keeps it:
    // by table, since a branch on it mispredicts.
    static constexpr std::uint32_t kKeepLink[3] = {0, 0, 0xFFFFu};
    static_assert(kAsciiUnit == 0 && kAsciiSkip == 1 && kAsciiDrop == 2);
    const std::uint32_t code = ascii_code[b];
    unit[n] = static_cast<std::uint16_t>(code | link);
    byte_at[n] = offset;
    n += code >> 31;
    link = (link & kKeepLink[ascii_kind[b]]) | ((code >> 16) & 0x7FFFu);
  };
  // One code point beyond ASCII, by its table entry, without branches too:
  // Chinese punctuation comes often and at no predictable place.
  auto other_step = [&](std::uint16_t e, std::uint32_t offset) __attribute__((always_inline)) {
    if constexpr (kStats) {
      scripts += kScriptCount[e >> 14];
    }
    // By the entry's kSkip and kWord bits: the link to the next unit (a
    // gap after a skipped code point, kMidBit after a word character), and
    // in bit 16 whether this one is a unit. No code point is both.
    static_assert(kSkip == 1u << 12 && kWord == 1u << 13 && kWord == kWordBit);
    static constexpr std::uint32_t kStep[4] = {1u << 16, kGapBit, kMidBit | 1u << 16, kGapBit};
    const std::uint32_t step = kStep[(e >> 12) & 3u];
    unit[n] = static_cast<std::uint16_t>((e & (kClassMask | kWord)) | link);
    byte_at[n] = offset;
    n += step >> 16;
    link = step & 0xFFFFu;
  };
  // A three-byte sequence at `q`, already validated and decoded. U+2019,
  // the right single quotation mark, is an apostrophe: neither a unit nor a
  // gap.
  auto offset_of = [&](const unsigned char* q) { return static_cast<std::uint32_t>(q - begin); };
  auto three_byte_step = [&](const unsigned char* q, std::uint32_t cp) __attribute__((always_inline)) {
    const auto offset = offset_of(q);
    const std::uint16_t e = entries[cp];
    if constexpr (kStats) {
      if ((e & (kSkip | kClassMask)) == (kSkip | kSentenceEnd)) found_break(std::size_t{offset} + 3);
    }
    if (cp == 0x2019) return;
    other_step(e, offset);
  };
  while (p < end) {
    if (n + kBlock > cap) {
      match_units<kStats>(set, unit, byte_at, begin, first, n - keep + 1, n, cand, emit, counts);
      if constexpr (kStats) add_scripts();
      // Keep the last `keep` units: the first of them gives the boundary
      // before the next unmatched start.
      const std::size_t from = n - keep;
      std::memmove(unit, unit + from, keep * sizeof unit[0]);
      std::memmove(byte_at, byte_at + from, keep * sizeof byte_at[0]);
      n = keep;
      first = 1;
    }
    const unsigned b0 = *p;
    if (b0 < 0x80) {
      if (static_cast<std::size_t>(end - p) >= kBlock) {
        const AsciiBlock block = ascii_block(p);
        if (block.ascii) {
          const auto offset = static_cast<std::uint32_t>(p - begin);
          if (block.apostrophes == 0) {
            // Every byte a unit or skipped: one load of its code says which,
            // and what links it to the next unit.
#pragma GCC unroll 16
            for (std::uint32_t k = 0; k < kBlock; ++k) {
              const std::uint32_t code = ascii_code[p[k]];
              unit[n] = static_cast<std::uint16_t>(code | link);
              byte_at[n] = offset + k;
              n += code >> 31;
              link = (code >> 16) & 0x7FFFu;
            }
          } else {
            for (std::uint32_t k = 0; k < kBlock; ++k) ascii_step(p[k], offset + k);
          }
          if constexpr (kStats) {
            for (std::uint32_t stops = block.stops; stops != 0; stops &= stops - 1) {
              const auto k = static_cast<std::uint32_t>(__builtin_ctz(stops));
              ascii_stop(p[k], offset + k);
            }
          }
          p += kBlock;
          continue;
        }
      }
      ascii_step(b0, static_cast<std::uint32_t>(p - begin));
      if constexpr (kStats) ascii_stop(b0, static_cast<std::uint32_t>(p - begin));
      ++p;
      continue;
    }
    std::uint32_t four[4];
    if ((b0 & 0xF0) == 0xE0 && static_cast<std::size_t>(end - p) >= kBlock && four_three_byte(p, four)) {
      if (marked<kStats>(four) == 0) {  // most blocks: each character by its entry alone
        other_step(entries[four[0]], offset_of(p));
        other_step(entries[four[1]], offset_of(p + 3));
        other_step(entries[four[2]], offset_of(p + 6));
        other_step(entries[four[3]], offset_of(p + 9));
      } else {
        three_byte_step(p, four[0]);
        three_byte_step(p + 3, four[1]);
        three_byte_step(p + 6, four[2]);
        three_byte_step(p + 9, four[3]);
      }
      p += 12;
      continue;
    }
    char32_t cp;
    std::size_t len;
    std::uint16_t e;
    const std::size_t avail = static_cast<std::size_t>(end - p);
    if ((b0 & 0xF0) == 0xE0) {  // most Chinese text: test first
      if (avail < 3) return invalid_utf8_at(static_cast<std::size_t>(p - begin));
      const unsigned b1 = p[1];
      const unsigned b2 = p[2];
      cp = (b0 & 0x0F) << 12 | (b1 & 0x3F) << 6 | (b2 & 0x3F);
      // One test: continuation bytes, no overlong form (below U+0800), no surrogate.
      if ((((b1 & 0xC0) ^ 0x80) | ((b2 & 0xC0) ^ 0x80)) != 0 || cp < 0x800 || (cp & 0xF800) == 0xD800) {
        return invalid_utf8_at(static_cast<std::size_t>(p - begin));
      }
      three_byte_step(p, cp);
      p += 3;
      continue;
    } else if (b0 >= 0xC2 && b0 <= 0xDF) {
      if (avail < 2 || (p[1] & 0xC0) != 0x80) return invalid_utf8_at(static_cast<std::size_t>(p - begin));
      cp = (b0 & 0x1F) << 6 | (p[1] & 0x3F);
      len = 2;
      e = entries[cp];
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      if (avail < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80 ||
          (b0 == 0xF0 && p[1] < 0x90) || (b0 == 0xF4 && p[1] > 0x8F)) {
        return invalid_utf8_at(static_cast<std::size_t>(p - begin));
      }
      cp = (b0 & 0x07) << 18 | (p[1] & 0x3F) << 12 | (p[2] & 0x3F) << 6 | (p[3] & 0x3F);
      len = 4;
      e = 0;  // outside the BMP: in no phrase, not skipped
    } else {
      return invalid_utf8_at(static_cast<std::size_t>(p - begin));
    }
    other_step(e, static_cast<std::uint32_t>(p - begin));
    p += len;
  }
  match_units<kStats>(set, unit, byte_at, begin, first, n, n, cand, emit, counts);
  if constexpr (kStats) {
    add_scripts();
    append_breaks(breaks, found_breaks, found);
    counts.breaks = breaks;
    stats = counts;
  }
  return {};
}

}  // namespace detail
}  // namespace v1
}  // namespace redress

#endif
