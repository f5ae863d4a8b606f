// redress/detail/lint_scan.hpp: the compiled phrase set and its scanner.
// Internal: not part of the public API.
//
// The scanner decodes and validates UTF-8 and normalises on the fly: every
// code point goes through one table lookup (ASCII: a 128-entry table; the
// rest of the BMP: one entry per code point) that gives its *class* (which
// normalised character it is, 0 for "in no phrase") and flags (skipped as
// whitespace or punctuation, a letter or digit of a Latin-script word, and
// for Han characters whether they are Traditional-only, Simplified-only or
// either). Case folding, full-width narrowing and Traditional to Simplified
// mapping are all folded into the classes at compile time.
//
// What is not skipped becomes *units* in a fixed-size buffer: 16 bits each
// plus the original byte offset. A character other than a letter is a unit
// of its own; a Latin-script word (its letters and digits, an apostrophe
// inside it dropped) is one unit, whose class is the word's when a phrase
// has that word, else 0. So a phrase is a sequence of characters and whole
// words, and an English phrase never matches inside a word. ASCII is
// checked 16 bytes at a time and its words found from bit masks; runs of
// three-byte characters are decoded four at a time. A word's class is
// looked up once it ends: its bytes, lower-cased, are the key of a hash
// table of the phrases' words (resolve_words()).
//
// The matcher then makes three passes over each chunk of units. The first,
// free of branches, keeps the positions where a phrase may start: one load
// of the class's `follow` mask says whether the next class can continue a
// phrase that begins with it (or whether the class alone is a phrase). The
// second, also free of branches, runs the survivors through hashed bit
// filters on their first two, three and four classes and keeps what passed
// beside each one. Only the third pass branches: it looks the two-unit
// phrase up in a hashed pair table, the three-unit one in a triple table,
// and longer ones through their first four classes (an open-addressed table
// whose slot holds its longest candidate whole), each verified by comparing
// the rest of its classes. Character offsets are counted only for matches
// (CharCursor, sixteen bytes at a time). The buffer is processed in chunks
// with an overlap of the longest phrase, so text of any length streams
// through a few KiB of stack.
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
inline constexpr std::size_t kMaxPhraseUnits = 48;

// A unit's flag, above its class: the unit is a Latin-script word. Before
// its class is looked up (resolve_words()), kSlowMark in its class bits says
// that a letter of it is not ASCII. The bits above the class of other units
// are whatever their table entry had there; the matcher reads the class
// alone. kWordBit is the entry's kWord, so that a word's letter and a word
// unit agree.
inline constexpr std::uint16_t kWordBit = kWord;
inline constexpr std::uint16_t kSlowMark = 1;
// The longest word a phrase may have, in letters: a word's key is its
// lower-cased letters in 16 bytes.
inline constexpr std::size_t kMaxWordLetters = 16;

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
  kind_empathy,   // perspective taking: 换作是我, "in your shoes" (a score component)
  kind_question,  // a diagnostic question put to the customer: 您确定..., "did you try"
  kind_none,      // a scope: matched and consumed, so nothing shorter inside it counts
  kind_foreign,   // a word of a language the lint does not cover (Es, nicht, vous, です)
  kind_reason,    // a cause or condition given with a refusal (final sale, 已经过了保修期): its reason, no fact thrown first
  kind_count,
};

inline constexpr std::array<std::string_view, kind_count> kKindNames = {
    "regret",  "explanation", "responsibility", "repentance", "repair",      "forgiveness",
    "feeling", "curt",        "conditional",    "defence",    "contrast",    "policy",
    "blame",   "helpless",    "deflect",        "refusal",    "alternative", "fact",
    "softener", "remedy",     "deadline_minutes", "deadline_hours", "deadline_days",
    "deadline_working_days", "empathy", "question", "none", "foreign", "reason"};

constexpr std::uint32_t kind_bit(PhraseKind k) noexcept { return std::uint32_t{1} << k; }

struct PhraseInfo {
  std::string text;           // normalised, UTF-8
  std::uint32_t kinds = 0;    // kind_bit() set
  std::int32_t value = 0;     // a deadline kind's fixed amount, 0 when read from the text
  std::uint32_t classes = 0;  // offset into PhraseSetData::classes
  std::uint16_t length = 0;   // in units
  bool latin = false;         // written in Latin script (an English phrase)
  // Pattern constraints (kPattern* bits) verified by lint() on a match, and
  // the gapped rules the phrase is a part of (PhraseSetData::part_refs).
  std::uint8_t checks = 0;
  std::uint16_t refs_count = 0;
  std::uint32_t refs_begin = 0;
};

// What lint() reads of a phrase at each match, in 16 bytes (a PhraseInfo,
// with its text, takes 56): a reply's matches fall anywhere among tens of
// thousands of phrases, so each read is likely a cache miss, and more of
// these fit in the cache than of PhraseInfo.
struct PhraseFacts {
  std::uint32_t kinds = 0;
  std::int32_t value = 0;
  std::uint32_t refs_begin = 0;
  std::uint16_t refs_count = 0;
  std::uint8_t checks = 0;
  bool latin = false;
};
static_assert(sizeof(PhraseFacts) == 16);

// PhraseInfo::checks and GapRule::checks.
inline constexpr std::uint8_t kPatternMoney = 1;   // <money>: an amount of money follows
inline constexpr std::uint8_t kPatternNumber = 2;  // <number>: a number follows
inline constexpr std::uint8_t kPatternStart = 4;   // <start>: begins a clause
inline constexpr std::uint8_t kPatternEnd = 8;     // <end>: ends a clause

// A rule with gaps (`A … B`): its parts are phrases of their own; a match is
// part 0, then part 1 at most max_gap characters later in the same clause,
// and so on.
struct GapRule {
  std::uint32_t kinds = 0;
  std::int32_t value = 0;
  std::uint8_t parts = 0;
  std::uint8_t checks = 0;
  std::vector<std::uint16_t> max_gap;  // before part k (k >= 1), in characters, | kGapCrossesClauses
};
// In GapRule::max_gap: the gap may cross clause marks (not a sentence's end).
inline constexpr std::uint16_t kGapCrossesClauses = 0x8000;

struct PartRef {
  std::uint32_t rule = 0;
  std::uint32_t part = 0;
};

// A slot of the open-addressed table of two-unit phrases.
struct PairSlot {
  std::uint32_t key = 0;  // (first class << 12 | second class) + 1; 0 when empty
  std::uint32_t phrase = 0;
};

// A slot of the open-addressed table of three-unit phrases, keyed by their
// classes.
struct TripleSlot {
  std::uint64_t key = 0;  // triple_key(); 0 when empty
  std::uint32_t phrase = 0;
};

// A slot of the open-addressed table of phrases of four units or more,
// keyed by their first four classes. The first candidate (the longest)
// lives in the slot: its classes 4 to 7 and its length, so that
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
  std::uint16_t length = 0;  // of the first candidate, in units
  std::uint16_t more = 0;
};

inline constexpr std::uint32_t pair_key(std::uint32_t c0, std::uint32_t c1) noexcept { return (c0 << 12 | c1) + 1; }
inline constexpr std::uint64_t triple_key(std::uint64_t c0, std::uint64_t c1, std::uint64_t c2) noexcept {
  return (c0 << 24 | c1 << 12 | c2) + 1;
}
inline constexpr std::uint64_t quad_key(std::uint64_t c0, std::uint64_t c1, std::uint64_t c2, std::uint64_t c3) noexcept {
  return (c0 << 36 | c1 << 24 | c2 << 12 | c3) + 1;
}
// Hashes for the filters of a phrase's first two, three and four classes,
// each built on the one before: a multiplication per class. Each filter
// has its own size: small enough to stay in L1 beside the entries of the
// characters in use, large enough that few of its bits are set (a set bit
// lets a position through to a table lookup that may miss the cache). With
// 21,361 phrases, 2 KiB each would leave the filters of four classes 41 %
// full (16,581 phrases of four units or more), of three 19 %, of two 5 %.
// Sized 2, 4 and 8 KiB, they are 5 %, 10 % and 12 % full.
inline constexpr unsigned kPairFilterBits = 14;
inline constexpr unsigned kTripleFilterBits = 15;
inline constexpr unsigned kQuadFilterBits = 16;
struct PrefixHashes {
  std::uint32_t two;
  std::uint32_t three;
  std::uint32_t four;
};
inline PrefixHashes prefix_hashes(std::uint32_t c0, std::uint32_t c1, std::uint32_t c2, std::uint32_t c3) noexcept {
  const std::uint32_t two = (c0 << 12 | c1) * 0x9E3779B1u;
  const std::uint32_t three = (two ^ c2) * 0x85EBCA77u;
  const std::uint32_t four = (three ^ c3) * 0xC2B2AE3Du;
  return {two >> (32 - kPairFilterBits), three >> (32 - kTripleFilterBits), four >> (32 - kQuadFilterBits)};
}
// The phrase tables and the table of words use cuckoo hashing: a key is in
// one of two slots, both read at once, so that a lookup makes no branch on
// collisions. Places from a 64-bit hash `x` of the key, in a table of
// 2^(64 - shift) slots (at most 2^24): two ranges of its bits, the top
// ones and those from bit 16 up (which the top ones do not reach).
struct Places {
  std::size_t first;
  std::size_t second;
};
inline Places places_of(std::uint64_t x, unsigned shift) noexcept {
  return {static_cast<std::size_t>(x >> shift), static_cast<std::size_t>((x >> 16) & (~std::uint64_t{0} >> shift))};
}
inline std::uint64_t key_hash(std::uint64_t key) noexcept { return key * 0xD6E8FEB86659FD93ull; }
// The slot of `key` in a table of slots with a `key` member, if it is there.
template <class Slot>
inline const Slot& find_slot(const Slot* slots, std::uint64_t key, unsigned shift) noexcept {
  const auto [first, second] = places_of(key_hash(key), shift);
  return slots[slots[first].key == key ? first : second];
}

// A slot of the table of words: the word's key (its letters' classes, one
// byte each, in 16 bytes) and its class; all 0 when empty.
struct alignas(32) WordSlot {
  std::uint64_t lo = 0;
  std::uint64_t hi = 0;
  std::uint32_t cls = 0;
};
// One multiplication: the letters past the eighth, rotated, folded into the
// first eight.
inline std::uint64_t word_hash(std::uint64_t lo, std::uint64_t hi) noexcept {
  return (lo ^ (hi << 29 | hi >> 35)) * 0x9E3779B97F4A7C15ull;
}

// PhraseSetData::ascii_kind values.
inline constexpr std::uint8_t kAsciiUnit = 0;
inline constexpr std::uint8_t kAsciiSkip = 1;
inline constexpr std::uint8_t kAsciiDrop = 2;

struct PhraseSetData {
  std::vector<PhraseInfo> phrases;
  std::vector<PhraseFacts> facts;  // by phrase, as in `phrases`
  std::vector<std::uint16_t> classes;  // the phrases' class sequences, then kClassPadding zeros
  // The table entry of every BMP code point (class and flags), 128 KiB: one
  // load per code point, where two-level pages took two dependent ones.
  std::vector<std::uint16_t> entries;
  std::vector<std::int32_t> single;                   // class -> one-unit phrase, or -1
  std::vector<std::uint64_t> pair_filter;             // 2^kPairFilterBits bits, by prefix_hashes().two
  std::vector<PairSlot> pair_slots;                   // cuckoo table: 2^(64 - pair_shift) slots
  std::vector<std::uint64_t> triple_filter;           // 2^kTripleFilterBits bits, by prefix_hashes().three: phrases of 3 units
  std::vector<TripleSlot> triple_slots;               // cuckoo table; phrases of 3 units
  std::vector<std::uint64_t> quad_filter;             // the same by the first four classes: phrases of 4 units or more
  std::vector<QuadSlot> quad_slots;                   // cuckoo table; phrases of 4 units or more
  std::vector<std::uint32_t> candidates;              // phrase ids: a quad slot's other candidates
  unsigned pair_shift = 63;
  unsigned triple_shift = 63;
  unsigned quad_shift = 63;
  std::size_t max_units = 1;
  // By class: bit (d & 63) is set when a phrase continues the class with
  // class d, all bits when the class alone is a phrase, 0 when no phrase
  // begins with it.
  std::vector<std::uint64_t> follow;
  // The words of the phrases, by their keys (word_hash()): a cuckoo table of
  // 2^(64 - word_shift) slots.
  std::vector<WordSlot> words;
  unsigned word_shift = 63;
  // What each ASCII byte is: kAsciiUnit (a letter or digit, so part of a
  // word), kAsciiSkip, or kAsciiDrop for the apostrophe. In the entries, an
  // ASCII letter's class is its lower-case form: the key of a word of ASCII
  // letters is its bytes, lower-cased.
  std::array<std::uint8_t, 128> ascii_kind{};
  // Rules with gaps, and which of them each phrase is a part of.
  std::vector<GapRule> rules;
  std::vector<PartRef> part_refs;

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
// How many of the `n` units at `unit` are Latin-script words. Eight at a
// time with SSE2 where the compiler targets it.
inline std::size_t word_starts_scalar(const std::uint16_t* unit, std::size_t n) noexcept {
  std::size_t words = 0;
  for (std::size_t i = 0; i < n; ++i) words += (unit[i] & kWordBit) != 0;
  return words;
}
inline std::size_t word_starts(const std::uint16_t* unit, std::size_t n) noexcept {
#if defined(__SSE2__)
  const __m128i flags = _mm_set1_epi16(static_cast<short>(kWordBit));
  if (n < 8) return word_starts_scalar(unit, n);
  __m128i sum = _mm_setzero_si128();  // per lane, minus the starts seen: at most n / 8 + 1
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(unit + i));
    sum = _mm_add_epi16(sum, _mm_cmpeq_epi16(_mm_and_si128(x, flags), flags));
  }
  // The last n - i units: the eight that end at n, the lanes already
  // counted masked off (a loop over them would mispredict its end).
  static constexpr std::uint16_t kLast[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF,
                                              0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF};
  const __m128i last = _mm_loadu_si128(reinterpret_cast<const __m128i*>(unit + n - 8));
  const __m128i keep = _mm_loadu_si128(reinterpret_cast<const __m128i*>(kLast + (n - i)));
  sum = _mm_add_epi16(sum, _mm_and_si128(keep, _mm_cmpeq_epi16(_mm_and_si128(last, flags), flags)));
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
  std::uint32_t index = unit[from] & kClassMask;
#pragma GCC unroll 4
  for (std::size_t i = from; i < to; ++i) {
    const std::uint32_t next = unit[i + 1];
    const std::uint64_t word = follow[index];
    index = next & kClassMask;
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
// units (unit[n] to unit[n + kSentinels - 1] are overwritten with
// sentinels). A first pass, free of branches, keeps the positions where a
// phrase may start in `cand`: the class is a one-unit phrase, or the next
// class may follow it (one bit of its `follow` mask). Most positions stop
// there; the second pass runs the rest through the filters and the third
// looks up what passed. A unit's match ends at byte_at[u] plus the length
// of its character, or for a word at end_at[u]. With kStats, also adds the
// words among units [from, to) to `counts.latin_words`.
template <bool kStats, class Emit>
inline void match_units(const PhraseSetData& set, std::uint16_t* unit, const std::uint32_t* byte_at,
                        const std::uint32_t* end_at, const unsigned char* text, std::size_t from, std::size_t to,
                        std::size_t n, std::uint16_t* cand, Emit& emit, ScanStats& counts) {
  const std::uint64_t* const follow = set.follow.data();
  const std::int32_t* const single = set.single.data();
  const std::uint64_t* const pair_filter = set.pair_filter.data();
  const PairSlot* const pair_slots = set.pair_slots.data();
  const std::uint64_t* const triple_filter = set.triple_filter.data();
  const TripleSlot* const triple_slots = set.triple_slots.data();
  const std::uint64_t* const quad_filter = set.quad_filter.data();
  const QuadSlot* const quad_slots = set.quad_slots.data();
  const std::uint32_t* const candidates = set.candidates.data();
  const PhraseInfo* const phrases = set.phrases.data();
  const std::uint16_t* const classes = set.classes.data();
  // Class 0, in no phrase: they end every phrase, and give the reads of a
  // phrase's first eight units something to read.
  for (std::size_t k = 0; k < kSentinels; ++k) unit[n + k] = 0;

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

  auto end_byte = [&](std::size_t u) -> std::size_t {
    return (unit[u] & kWordBit) != 0 ? end_at[u] : byte_at[u] + utf8_length(text[byte_at[u]]);
  };
  for (std::size_t k = 0; k < kept; ++k) {
    const std::uint32_t flags = cand[k];
    const std::size_t i = flags & kIndex;
    const std::uint32_t c = unit[i] & kClassMask;
    const std::uint32_t c2 = unit[i + 1] & kClassMask;
    const std::uint32_t c3 = unit[i + 2] & kClassMask;
    if (flags & kQuad) {  // phrases of four units or more, by their first four classes
      const std::uint64_t key4 = quad_key(c, c2, c3, unit[i + 3] & kClassMask);
      const QuadSlot& t = find_slot(quad_slots, key4, set.quad_shift);
      if (t.key == key4) {
        // The first candidate, from the slot alone up to eight units (units
        // i + 4 to i + 7 exist: the sentinels).
        const std::size_t m = t.length;
        std::uint64_t x;
        std::memcpy(&x, unit + i + 4, 8);
        if (i + m <= n && ((x ^ t.next4) & kFourClasses & first_lanes(m - 4)) == 0 &&
            (m <= 8 || same_classes(unit + i, classes + t.classes, 8, m))) {
          emit(std::size_t{t.phrase}, std::size_t{byte_at[i]}, end_byte(i + m - 1));
        }
        // The others, unless none goes on as the text does.
        if (t.more != 0 && ((t.fifth >> (unit[i + 4] & 63)) & 1) != 0) {
          for (std::uint32_t j = t.rest; j < t.rest + t.more; ++j) {
            const std::uint32_t id = candidates[j];
            const PhraseInfo& p = phrases[id];
            const std::size_t len = p.length;
            if (i + len <= n && same_classes(unit + i, classes + p.classes, 4, len)) {
              emit(std::size_t{id}, std::size_t{byte_at[i]}, end_byte(i + len - 1));
            }
          }
        }
      }
    }
    if (flags & kTriple) {  // the three-unit phrase
      const std::uint64_t key = triple_key(c, c2, c3);
      const TripleSlot& t = find_slot(triple_slots, key, set.triple_shift);
      if (t.key == key) emit(std::size_t{t.phrase}, std::size_t{byte_at[i]}, end_byte(i + 2));
    }
    if (flags & kPair) {
      const std::uint32_t key2 = pair_key(c, c2);
      const PairSlot& t = find_slot(pair_slots, key2, set.pair_shift);
      if (t.key == key2) emit(std::size_t{t.phrase}, std::size_t{byte_at[i]}, end_byte(i + 1));
    }
    if (const std::int32_t s = single[c]; s >= 0) {
      emit(static_cast<std::size_t>(s), std::size_t{byte_at[i]}, end_byte(i));
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
// the apostrophes, the bytes that may end a sentence (! ? ; line break and
// the full stop) and the letters and digits. SSE2 (part of every x86-64
// processor) where the compiler targets it; ascii_block_scalar() elsewhere,
// and in the tests that hold the two to the same answers.
struct AsciiBlock {
  bool ascii;
  std::uint32_t apostrophes;
  std::uint32_t stops;
  std::uint32_t letters;
  friend bool operator==(const AsciiBlock&, const AsciiBlock&) = default;
};
inline bool ascii_alnum(unsigned char b) noexcept {
  return (b >= '0' && b <= '9') || ((b | 0x20) >= 'a' && (b | 0x20) <= 'z');
}
#if defined(__SSE2__)
// The bytes of `x` that are ASCII letters or digits. Each range test is one
// signed comparison: the range moved to the bottom of the signed bytes.
inline __m128i alnum_bytes(__m128i x) noexcept {
  const __m128i lower = _mm_or_si128(x, _mm_set1_epi8(0x20));
  const __m128i letter = _mm_cmplt_epi8(_mm_add_epi8(lower, _mm_set1_epi8(static_cast<char>(0x80 - 'a'))),
                                        _mm_set1_epi8(static_cast<char>(-128 + 26)));
  const __m128i digit = _mm_cmplt_epi8(_mm_add_epi8(x, _mm_set1_epi8(static_cast<char>(0x80 - '0'))),
                                       _mm_set1_epi8(static_cast<char>(-128 + 10)));
  return _mm_or_si128(letter, digit);
}
#endif
inline AsciiBlock ascii_block_scalar(const unsigned char* p) noexcept {
  AsciiBlock block{true, 0, 0, 0};
  for (std::uint32_t k = 0; k < 16; ++k) {
    const unsigned char b = p[k];
    block.ascii = block.ascii && b < 0x80;
    block.apostrophes |= std::uint32_t{b == '\''} << k;
    block.stops |= std::uint32_t{b < 0x80 && kAsciiSentenceEnd[b] != 0} << k;
    block.letters |= std::uint32_t{ascii_alnum(b)} << k;
  }
  return block;
}
inline AsciiBlock ascii_block(const unsigned char* p) noexcept {
#if defined(__SSE2__)
  const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const auto is = [&](char c) { return _mm_cmpeq_epi8(x, _mm_set1_epi8(c)); };
  const __m128i stop = _mm_or_si128(_mm_or_si128(_mm_or_si128(is('!'), is('?')), _mm_or_si128(is(';'), is('\n'))), is('.'));
  return {_mm_movemask_epi8(x) == 0, static_cast<std::uint32_t>(_mm_movemask_epi8(is('\''))),
          static_cast<std::uint32_t>(_mm_movemask_epi8(stop)), static_cast<std::uint32_t>(_mm_movemask_epi8(alnum_bytes(x)))};
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

// The table of words, for loops that keep it in registers.
struct WordTable {
  const WordSlot* slots;
  unsigned shift;
  explicit WordTable(const PhraseSetData& set) noexcept : slots(set.words.data()), shift(set.word_shift) {}
};

// word_class()
//
// The class of the word whose key (its letters' classes, a byte each,
// zero-padded to 16 bytes) is lo and hi; 0 when no phrase has the word.
// Reads the two slots the word may be in, without a branch.
inline std::uint32_t word_class(WordTable table, std::uint64_t lo, std::uint64_t hi) noexcept {
  const auto [first, second] = places_of(word_hash(lo, hi), table.shift);
  const WordSlot& a = table.slots[first];
  const WordSlot& b = table.slots[second];
  const std::uint32_t in_a = (a.lo == lo) & (a.hi == hi);
  const std::uint32_t in_b = (b.lo == lo) & (b.hi == hi);
  return (a.cls & (0 - in_a)) | (b.cls & (0 - in_b));
}
#if defined(__SSE2__)
// The same for a key in a register: each slot compared in one instruction.
inline std::uint32_t word_class(WordTable table, __m128i key) noexcept {
  const auto lo = static_cast<std::uint64_t>(_mm_cvtsi128_si64(key));
  const auto hi = static_cast<std::uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(key, key)));
  const auto [first, second] = places_of(word_hash(lo, hi), table.shift);
  const WordSlot& a = table.slots[first];
  const WordSlot& b = table.slots[second];
  const auto same = [&](const WordSlot& w) {
    const __m128i slot = _mm_load_si128(reinterpret_cast<const __m128i*>(&w));
    return static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(slot, key)) == 0xFFFF);
  };
  return (a.cls & (0 - same(a))) | (b.cls & (0 - same(b)));
}
#endif

// Appends `cp` to `out` in UTF-8.
inline void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The code point of the valid UTF-8 sequence at `p`, and its length.
inline char32_t decode_valid(const unsigned char* p, std::size_t& length) noexcept {
  const unsigned b = p[0];
  length = utf8_length(static_cast<unsigned char>(b));
  switch (length) {
    case 1:
      return b;
    case 2:
      return (b & 0x1Fu) << 6 | (p[1] & 0x3Fu);
    case 3:
      return (b & 0x0Fu) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu);
    default:
      return (b & 0x07u) << 18 | (p[1] & 0x3Fu) << 12 | (p[2] & 0x3Fu) << 6 | (p[3] & 0x3Fu);
  }
}

// slow_word()
//
// The class of the word that starts at byte `begin` of `text` (valid
// UTF-8, already scanned), however it is written; sets `end` to the byte
// after its last letter. Letters and digits continue a word, apostrophes
// are dropped, anything else ends it. A word with a letter that no phrase
// has, or with more than kMaxWordLetters letters, is in no phrase.
inline std::uint32_t slow_word(const PhraseSetData& set, const unsigned char* text, std::size_t size,
                               std::size_t begin, std::uint32_t& end) noexcept {
  unsigned char key[kMaxWordLetters] = {};
  std::size_t letters = 0;
  bool known = true;
  end = static_cast<std::uint32_t>(begin);
  for (std::size_t i = begin; i < size;) {
    std::size_t length = 0;
    const char32_t cp = decode_valid(text + i, length);
    i += length;
    if (cp == '\'' || cp == 0x2019) continue;
    const std::uint16_t e = set.entry(cp);
    if ((e & kWord) == 0) break;
    const std::uint32_t letter = e & kClassMask;  // below 256: see PhraseSetData::entries
    if (letter == 0 || letters == kMaxWordLetters) {
      known = false;
    } else {
      key[letters++] = static_cast<unsigned char>(letter);
    }
    end = static_cast<std::uint32_t>(i);
  }
  if (!known) return 0;
  std::uint64_t lo;
  std::uint64_t hi;
  std::memcpy(&lo, key, 8);
  std::memcpy(&hi, key + 8, 8);
  return word_class(WordTable(set), lo, hi);
}

// resolve_words()
//
// Puts the class of each word unit listed in `words[0, count)` into it
// (and, for a word slow_word() reads, its end into end_at). A word that the
// decoder did not mark (kSlowMark: a letter beyond ASCII or an apostrophe)
// and has at most 16 letters, the common case, is its own key: its bytes,
// lower-cased. The others are listed in `slow` and read after the loop, so
// that the loop makes no call and keeps what it needs in registers. Out of
// line, so that the decoder's loop keeps its own.
[[gnu::noinline]] inline void resolve_words(const PhraseSetData& set, const unsigned char* text, std::size_t size,
                                            std::uint16_t* unit, const std::uint32_t* byte_at, std::uint32_t* end_at,
                                            const std::uint16_t* words, std::size_t count,
                                            std::uint16_t* slow) noexcept {
  // kFirst[16 - k, 32 - k): k bytes of 0xFF, then zeros.
  static constexpr auto kFirst = [] {
    std::array<unsigned char, 32> t{};
    for (std::size_t k = 0; k < 16; ++k) t[k] = 0xFF;
    return t;
  }();
  const WordTable table(set);
  std::size_t slow_count = 0;
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t u = words[k];
    const std::size_t begin = byte_at[u];
    const std::size_t length = end_at[u] - begin;
    // One test: not marked, at most 16 letters, 16 bytes to read.
    if (((unit[u] & kSlowMark) | static_cast<unsigned>(length > kMaxWordLetters) |
         static_cast<unsigned>(begin + 16 > size)) != 0) {
      slow[slow_count++] = static_cast<std::uint16_t>(u);
      continue;
    }
#if defined(__SSE2__)
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text + begin));
    const __m128i in_word = _mm_loadu_si128(reinterpret_cast<const __m128i*>(kFirst.data() + 16 - length));
    const std::uint32_t cls = word_class(table, _mm_and_si128(_mm_or_si128(x, _mm_set1_epi8(0x20)), in_word));
#else
    unsigned char key[16];
    for (std::size_t j = 0; j < 16; ++j) {
      key[j] = static_cast<unsigned char>((text[begin + j] | 0x20) & kFirst[16 - length + j]);
    }
    std::uint64_t lo;
    std::uint64_t hi;
    std::memcpy(&lo, key, 8);
    std::memcpy(&hi, key + 8, 8);
    const std::uint32_t cls = word_class(table, lo, hi);
#endif
    unit[u] = static_cast<std::uint16_t>((unit[u] & ~kClassMask) | cls);
  }
  for (std::size_t k = 0; k < slow_count; ++k) {
    const std::size_t u = slow[k];
    const std::uint32_t cls = slow_word(set, text, size, byte_at[u], end_at[u]);
    unit[u] = static_cast<std::uint16_t>((unit[u] & ~kClassMask) | cls);
  }
}

// scan_text()
//
// Calls `emit(phrase_index, begin_byte, end_byte)` for every match, in order
// of begin_byte (longer first at the same start). With kStats, also counts
// scripts into `stats` and appends the sentence breaks to `*stats.breaks`
// when it is set. Returns an error for invalid UTF-8.
//
// ASCII, the common case in English and in the punctuation of Chinese text,
// takes a fast path: 16 bytes checked at once, the words among them found
// from the bit mask of their letters. Runs of Chinese characters go four at
// a time. Other code points are decoded and validated one by one, without
// branches on what they are.
template <bool kStats, class Emit>
std::error_code scan_text(const PhraseSetData& set, std::string_view text, ScanStats& stats, Emit&& emit) {
  constexpr std::size_t kChunk = 1024;
  constexpr std::size_t kBlock = 16;
  constexpr std::size_t kSize = kChunk + kMaxPhraseUnits + 1 + kSentinels;
  const std::size_t keep = set.max_units + 1;
  const std::size_t cap = kChunk + keep;
  // Units (the class, kWordBit for a word), the byte where each starts and,
  // for a word, where it ends; the word units not yet looked up. Every step
  // adds at most kBlock units, and may write a few slots past its last.
  std::uint16_t unit[kSize];
  std::uint32_t byte_at[kSize];
  std::uint32_t end_at[kSize];
  std::uint16_t words[kSize];
  std::uint16_t cand[kSize];
  std::size_t n = 0;
  std::size_t listed = 0;  // in words[]
  std::size_t first = 0;

  const auto* const begin = reinterpret_cast<const unsigned char*>(text.data());
  const auto* const end = begin + text.size();
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
  // 1 while a word is open: the last unit is a word that the next letter
  // continues. A letter opens or continues it, an apostrophe keeps it open,
  // anything else closes it.
  std::uint32_t open = 0;
  // Whether the ASCII byte at `offset` ends a sentence.
  auto ascii_stop = [&](unsigned b, std::uint32_t offset) __attribute__((always_inline)) {
    if (const unsigned stop = kAsciiSentenceEnd[b]; stop != 0) {
      const std::size_t after = std::size_t{offset} + 1;
      if (stop == 1 || after == text.size() || begin[after] == ' ' || begin[after] == '\n' || begin[after] == '"') {
        found_break(after);
      }
    }
  };
  // One ASCII byte, without branches (sentence breaks apart): a letter or
  // digit opens a word or goes on with the open one (whose end it moves),
  // the apostrophe leaves all as it is (but marks the open word for
  // slow_word()), anything else closes the word.
  auto ascii_step = [&](unsigned b, std::uint32_t offset) __attribute__((always_inline)) {
    static_assert(kAsciiUnit == 0 && kAsciiSkip == 1 && kAsciiDrop == 2 && kSlowMark == 1);
    static constexpr std::uint32_t kKeepOpen[3] = {0, 0, 1};
    static constexpr std::uint32_t kOpens[3] = {1, 0, 0};
    const std::uint32_t kind = ascii_kind[b];
    const std::uint32_t letter = kOpens[kind];
    const std::uint32_t opens = letter & (open ^ 1);
    const std::uint32_t marks = open & kKeepOpen[kind];
    unit[n] = kWordBit;
    unit[n - marks] |= static_cast<std::uint16_t>(marks);
    byte_at[n] = offset;
    words[listed] = static_cast<std::uint16_t>(n);
    n += opens;
    listed += opens;
    end_at[n - letter] = offset + 1;  // the open word's end, or a slot not yet used
    open = (open & kKeepOpen[kind]) | letter;
  };
  // One code point beyond ASCII, by its table entry, without branches too:
  // Chinese punctuation comes often and at no predictable place. A letter
  // opens or goes on with a word, which it marks for slow_word().
  auto other_step = [&](std::uint16_t e, std::uint32_t offset) __attribute__((always_inline)) {
    if constexpr (kStats) {
      scripts += kScriptCount[e >> 14];
    }
    static_assert(kSkip == 1u << 12 && kWord == 1u << 13 && kSlowMark == 1);
    const std::uint32_t skip = (e >> 12) & 1u;
    const std::uint32_t letter = (e >> 13) & 1u;
    const std::uint32_t goes_on = letter & open;
    const std::uint32_t opens = letter & (open ^ 1);
    unit[n] = letter != 0 ? static_cast<std::uint16_t>(kWordBit | kSlowMark) : e;
    byte_at[n] = offset;
    words[listed] = static_cast<std::uint16_t>(n);
    unit[n - goes_on] |= static_cast<std::uint16_t>(goes_on);  // kSlowMark on the open word
    n += ((skip | letter) ^ 1) | opens;
    listed += opens;
    open = letter;
  };
  // Four characters none of which is a letter (nor U+2019, nor with kStats a
  // full-width sentence end): each a unit or skipped by its entry alone.
  auto han_step = [&](std::uint16_t e, std::uint32_t offset) __attribute__((always_inline)) {
    if constexpr (kStats) {
      scripts += kScriptCount[e >> 14];
    }
    unit[n] = e;
    byte_at[n] = offset;
    n += ((e >> 12) & 1u) ^ 1u;
  };
  // A three-byte sequence at `q`, already validated and decoded. U+2019,
  // the right single quotation mark, is an apostrophe: it changes nothing.
  auto offset_of = [&](const unsigned char* q) { return static_cast<std::uint32_t>(q - begin); };
  auto three_byte_step = [&](const unsigned char* q, std::uint32_t cp) __attribute__((always_inline)) {
    const auto offset = offset_of(q);
    const std::uint16_t e = entries[cp];
    if constexpr (kStats) {
      if ((e & (kSkip | kClassMask)) == (kSkip | kSentenceEnd)) found_break(std::size_t{offset} + 3);
    }
    if (cp == 0x2019) {
      unit[n - open] |= static_cast<std::uint16_t>(open);  // kSlowMark on the open word
      return;
    }
    other_step(e, offset);
  };
  const auto size = text.size();
  while (p < end) {
    if (n + kBlock > cap) {
      // The open word may go on: it is looked up in the next chunk, and no
      // phrase matched in this one reaches it (unit n - 1).
      const std::size_t ready = listed - open;
      resolve_words(set, begin, size, unit, byte_at, end_at, words, ready, cand);
      match_units<kStats>(set, unit, byte_at, end_at, begin, first, n - keep + 1, n, cand, emit, counts);
      if constexpr (kStats) add_scripts();
      // Keep the last `keep` units: the first of them gives the boundary
      // before the next unmatched start.
      const std::size_t from = n - keep;
      std::memmove(unit, unit + from, keep * sizeof unit[0]);
      std::memmove(byte_at, byte_at + from, keep * sizeof byte_at[0]);
      std::memmove(end_at, end_at + from, keep * sizeof end_at[0]);
      n = keep;
      first = 1;
      words[0] = static_cast<std::uint16_t>(n - 1);  // the open word, if any
      listed = open;
    }
    const unsigned b0 = *p;
    if (b0 < 0x80) {
      if (static_cast<std::size_t>(end - p) >= kBlock) {
        const AsciiBlock block = ascii_block(p);
        if (block.ascii) {
          const auto offset = static_cast<std::uint32_t>(p - begin);
#if defined(__SSE2__)
          if (block.apostrophes == 0) {
            // Every byte a letter or skipped. A word starts at a letter
            // that follows none (nor the open word at the first byte) and
            // ends at one that no letter follows (for now, at the last
            // byte). The i-th end in the block is the end of the i-th word
            // unit from the open one (if the first byte goes on with it)
            // on. Four starts and four ends are written without a branch,
            // more in a loop.
            const std::uint32_t letters = block.letters;
            std::uint32_t starts = letters & ~((letters << 1) | open);
            std::uint32_t ends = letters & ~(letters >> 1);
            std::size_t last = n - (open & letters);
            constexpr std::uint32_t kNone = 1u << kBlock;
#pragma GCC unroll 4
            for (int k = 0; k < 4; ++k) {
              const auto at = static_cast<std::uint32_t>(__builtin_ctz(starts | kNone));
              unit[n] = kWordBit;
              byte_at[n] = offset + at;
              words[listed] = static_cast<std::uint16_t>(n);
              const std::uint32_t any = starts != 0;
              n += any;
              listed += any;
              starts &= starts - 1;
              end_at[last] = offset + static_cast<std::uint32_t>(__builtin_ctz(ends | kNone)) + 1;
              last += ends != 0;
              ends &= ends - 1;
            }
            for (; starts != 0; starts &= starts - 1) {
              unit[n] = kWordBit;
              byte_at[n] = offset + static_cast<std::uint32_t>(__builtin_ctz(starts));
              words[listed++] = static_cast<std::uint16_t>(n++);
            }
            for (; ends != 0; ends &= ends - 1) {
              end_at[last++] = offset + static_cast<std::uint32_t>(__builtin_ctz(ends)) + 1;
            }
            open = letters >> (kBlock - 1);
          } else
#endif
          {
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
      const std::uint16_t e0 = entries[four[0]];
      const std::uint16_t e1 = entries[four[1]];
      const std::uint16_t e2 = entries[four[2]];
      const std::uint16_t e3 = entries[four[3]];
      if (marked<kStats>(four) == 0 && ((e0 | e1 | e2 | e3) & kWord) == 0) {
        // Most blocks: each character by its entry alone; they close the open word.
        han_step(e0, offset_of(p));
        han_step(e1, offset_of(p + 3));
        han_step(e2, offset_of(p + 6));
        han_step(e3, offset_of(p + 9));
        open = 0;
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
  resolve_words(set, begin, size, unit, byte_at, end_at, words, listed, cand);
  match_units<kStats>(set, unit, byte_at, end_at, begin, first, n, n, cand, emit, counts);
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
