// redress/lint.hpp: the reply and apology lint.
//
// `lint(text, context)` reads a draft reply to a customer (Simplified or
// Traditional Chinese, English, or any mix) and says what is wrong with it
// before it is sent: a weak apology structure, pseudo-apologies ("sorry
// if you feel...", 请接受我的道歉 as a full stop), policy-speak and blame
// (这是我们的政策, "you are wrong"), a refusal with no reason or no
// alternative, facts stated before the customer's feeling is named, and
// promises the agent may not make (a refund above their authority, a
// deadline outside the policy's window). It is a pure function: no I/O, no
// clock, no global state that changes its answer; the engine calls it on
// every apology and reply event, and an agent desktop can call it on every
// keystroke.
//
// The text is matched against phrase tables (data/phrases/*.tsv, compiled
// into the library, extendable through the policy) in one pass of a
// multi-pattern matcher over a normalised view of the text: ASCII case
// folded, full-width forms narrowed, Traditional characters mapped to
// Simplified, whitespace and punctuation skipped. Every finding's span points
// back into the original text, in bytes and in characters (code points).
//
// Example:
//
//   auto report = redress::lint("先生,这张券昨天就过期了,系统有明确说明的。");
//   for (const auto& f : report.value().findings) {
//     // f.code == "order.facts_before_feelings", f.span.begin_char == 8, ...
//   }
//
// docs/lint.md lists every finding code with an example.
#ifndef REDRESS_LINT_HPP
#define REDRESS_LINT_HPP

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/date_time/posix_time/posix_time_types.hpp>
#include <boost/json/value.hpp>

#include <redress/error.hpp>
#include <redress/money.hpp>

namespace redress {
inline namespace v1 {

namespace detail {
struct PhraseSetData;
struct LintPolicyData;
}  // namespace detail

// LintSeverity
//
// How much a finding matters. `block` means the reply should not be sent as
// it is; `warn` that it should be rewritten; `info` that it could be better.
// Every code has a default severity; the policy may change it.
enum class LintSeverity : std::uint8_t { info = 1, warn = 2, block = 3 };

// "info", "warn" or "block".
std::string_view to_string(LintSeverity severity) noexcept;

// LintLanguage
//
// The language of a reply, used to choose the language of rewrite hints.
// `automatic` (the default hint) lets the lint decide from the text: the
// script of the matched phrase for each finding, and for Chinese whether
// Traditional or Simplified characters dominate.
enum class LintLanguage : std::uint8_t { automatic, zh_hans, zh_hant, en };

// "auto", "zh-Hans", "zh-Hant" or "en".
std::string_view to_string(LintLanguage language) noexcept;

// parse_lint_language()
//
// Reads "auto", "en", "zh-Hans" (also "zh", "zh-CN", "zh-SG") or "zh-Hant"
// (also "zh-TW", "zh-HK", "zh-MO"), case-insensitive. Anything else is
// errc::invalid_argument.
//
// Example:
//   bool traditional = parse_lint_language("zh-TW").value() == LintLanguage::zh_hant;  // true
result<LintLanguage> parse_lint_language(std::string_view text);

// ApologyComponent
//
// The six components of an apology studied by Lewicki, Polin & Lount (2016),
// plus naming the customer's feeling (seed 000's "emotion first") and
// taking the customer's side (perspective taking, empathy).
enum class ApologyComponent : std::uint8_t {
  regret,          // expression of regret: 抱歉, "I'm sorry"
  explanation,     // explanation: 原因是, "because"
  responsibility,  // acknowledgment of responsibility: 是我们的失误, "our mistake"
  repentance,      // declaration of repentance: 不会再发生, "won't happen again"
  repair,          // offer of repair: 为您申请, "let me fix"
  forgiveness,     // request for forgiveness: 请您原谅, "please forgive us"
  feeling,         // the customer's feeling, named: 着急, "frustrating"
  empathy,         // the customer's side taken: 换作是我, "in your shoes"
};
inline constexpr std::size_t kApologyComponentCount = 8;

// "regret", "explanation", ... "feeling".
std::string_view to_string(ApologyComponent component) noexcept;

// ApologyWeights
//
// What each component adds to the structure score, in points. The score is
// 100 × (the points of the components present) / full_score_points, at most
// 100 (and out of the sum of all weights when that is smaller): an apology
// need not have every component to be full. The defaults follow Lewicki et
// al. (2016): acknowledgment of responsibility weighs most, then offer of
// repair; request for forgiveness least. Naming the feeling and taking the
// customer's side (not in the study's six; seeds 000 and 001 put them
// first) weigh like repair. Weights are non-negative and their sum is
// positive; full_score_points is 1-8000.
//
// Example: feeling + empathy + repair = 60 of 100 points, score 60.
struct ApologyWeights {
  int regret = 12;
  int explanation = 12;
  int responsibility = 22;
  int repentance = 11;
  int repair = 20;
  int forgiveness = 8;
  int feeling = 20;
  int empathy = 20;
  int full_score_points = 100;

  // The weight of one component.
  int of(ApologyComponent component) const noexcept;

  friend bool operator==(const ApologyWeights&, const ApologyWeights&) = default;
};

// TextSpan
//
// A half-open range of the original text, [begin, end), both in bytes of its
// UTF-8 and in characters (Unicode code points).
//
// Example:
//   // In "好的,您错了", the phrase 您错了 is bytes [7, 16), characters [3, 6).
struct TextSpan {
  std::size_t begin_byte = 0;
  std::size_t end_byte = 0;
  std::size_t begin_char = 0;
  std::size_t end_char = 0;

  friend bool operator==(const TextSpan&, const TextSpan&) = default;
  friend auto operator<=>(const TextSpan&, const TextSpan&) = default;
};

// PhraseTable
//
// One phrase table as text, in the format of data/phrases/*.tsv: lines of
// `kinds<TAB>phrase`, `#` comments and blank lines ignored (docs/lint.md).
// `name` appears in error details ("refund.tsv line 3: ..."). Both views must
// outlive the call they are passed to, not the compiled set.
struct PhraseTable {
  std::string_view name;
  std::string_view text;
};

// PhraseMatch
//
// One occurrence of a phrase: its index in the set and where it is.
struct PhraseMatch {
  std::size_t phrase = 0;
  TextSpan span;

  friend bool operator==(const PhraseMatch&, const PhraseMatch&) = default;
};

// PhraseSet
//
// Phrase tables compiled once into a multi-pattern matcher. Immutable, so a
// set may be shared by any number of threads; copies share the compiled
// state. Matching finds every occurrence of every phrase (overlapping ones
// too) in one pass over the text; its cost does not grow with the number of
// phrases. Phrases are matched on the normalised text (see the file
// comment); an English phrase is a sequence of whole words (a word of a
// phrase has at most 16 letters; an apostrophe inside a word is dropped).
//
// Example:
//   auto set = PhraseSet::compile(std::array{PhraseTable{"mine", "policy\t概不退换\n"}});
//   auto found = set.value().find_all("本店商品概不退換").value();  // one match, in Traditional input
class PhraseSet {
 public:
  // PhraseSet::compile()
  //
  // Compiles `tables`; a phrase that normalises like an earlier one replaces
  // its kinds (so a host table can reclassify a built-in phrase). Fails with
  // errc::invalid_argument (an unknown kind, a line without a tab, a phrase
  // that is empty or longer than 48 characters and words once normalised, a
  // word of more than 16 letters, more than 4095 distinct characters and
  // words or 128 distinct letters beyond ASCII) or errc::invalid_utf8, the
  // detail naming the table and line where there is one.
  static result<PhraseSet> compile(std::span<const PhraseTable> tables);

  // PhraseSet::standard_tables()
  //
  // The built-in tables (data/phrases/), to compile alongside a host's own.
  static std::span<const PhraseTable> standard_tables() noexcept;

  // PhraseSet::standard()
  //
  // The built-in tables, compiled on first use (thread-safe).
  static const PhraseSet& standard();

  // The number of distinct phrases.
  std::size_t size() const noexcept;

  // The normalised form of phrase `index` (< size()): "sorryif", "请接受我的道歉".
  std::string_view phrase(std::size_t index) const;

  // The kinds of phrase `index`, as written in its table: "repair,remedy".
  std::string kinds(std::size_t index) const;

  // PhraseSet::find_all()
  //
  // Every occurrence of every phrase in `text`, ordered by start, longer
  // first. Fails with errc::invalid_utf8, naming the byte offset, when the
  // text is not well-formed UTF-8. No length limit applies here.
  result<std::vector<PhraseMatch>> find_all(std::string_view text) const;

  // PhraseSet::count()
  //
  // The number of matches find_all() would return, without storing them.
  result<std::size_t> count(std::string_view text) const;

  // Two sets are equal when they hold the same phrases with the same kinds.
  friend bool operator==(const PhraseSet& a, const PhraseSet& b) noexcept;

 private:
  explicit PhraseSet(std::shared_ptr<const detail::PhraseSetData> data) noexcept : data_(std::move(data)) {}
  friend const detail::PhraseSetData& phrase_set_data(const PhraseSet& set) noexcept;
  std::shared_ptr<const detail::PhraseSetData> data_;
};

// lint_codes()
//
// Every finding code the lint can report, in the order docs/lint.md lists them.
std::span<const std::string_view> lint_codes() noexcept;

// default_severity()
//
// The severity of `code` when the policy does not set one; nullopt for a
// code lint_codes() does not list.
std::optional<LintSeverity> default_severity(std::string_view code) noexcept;

// LintPolicy
//
// The host's rules for the lint: size limit, score weights, severities,
// the promise window and extra phrases. Made once with LintPolicy::make()
// and then only read; copies are cheap and share state, so a policy may be
// shared across threads.
//
// Example:
//   LintPolicy::Settings s;
//   s.severity["policy_speak"] = LintSeverity::block;
//   s.extra_phrases = {"policy\t概不退换\n"};
//   auto policy = LintPolicy::make(std::move(s));
class LintPolicy {
 public:
  struct Settings {
    // Texts longer than this many bytes are refused with errc::text_too_long.
    std::size_t max_text_bytes = 16 * 1024;
    // Structure score weights (see ApologyWeights).
    ApologyWeights weights;
    // A reply that apologises scoring below this (0-100) gets apology.weak.
    int weak_apology_below = 30;
    // The promise window. A promised deadline shorter than shortest_promise,
    // or longer than longest_promise_working_days, is reported. Deadlines in
    // minutes or hours are compared with working days as
    // longest_promise_working_days × service_day_length (09:00-21:00 is 12 h);
    // calendar days count as working days.
    boost::posix_time::time_duration shortest_promise = boost::posix_time::minutes(20);
    int longest_promise_working_days = 2;
    boost::posix_time::time_duration service_day_length = boost::posix_time::hours(12);
    // Severity per code, overriding default_severity(); codes in `disabled`
    // are never reported.
    std::map<std::string, LintSeverity, std::less<>> severity;
    std::set<std::string, std::less<>> disabled;
    // Two replies in one case whose fingerprints are at least this similar
    // (0-100, see reply_similarity()) count as the same reply
    // (reply.repeated, raised by the engine).
    int repeated_reply_similarity = 70;
    // Extra phrase tables (PhraseTable format), compiled after the built-in
    // ones; when `replace_standard_phrases` the built-in ones are left out.
    std::vector<std::string> extra_phrases;
    bool replace_standard_phrases = false;

    friend bool operator==(const Settings&, const Settings&) = default;
  };

  // LintPolicy::make()
  //
  // Checks `settings` and compiles its phrases. Fails with
  // errc::invalid_argument naming the field ("lint.weights: ...",
  // "lint.severity.no_such_code: unknown finding code"), or with the error
  // of PhraseSet::compile() for a bad extra table.
  static result<LintPolicy> make(Settings settings);

  // LintPolicy::from_json()
  //
  // Reads settings from JSON, every member optional:
  //   {"max_text_bytes": 4096, "weights": {"repair": 30, ...},
  //    "weak_apology_below": 50, "shortest_promise_minutes": 20,
  //    "longest_promise_working_days": 2, "service_day_hours": 12,
  //    "repeated_reply_similarity": 90,
//    "severity": {"policy_speak": "block"}, "disabled": ["apology.weak"],
  //    "extra_phrases": ["policy\t概不退换"], "replace_standard_phrases": false}
  // Fails with errc::invalid_json naming the member, or as make().
  static result<LintPolicy> from_json(std::string_view json);

  // LintPolicy::standard()
  //
  // The default settings with the built-in phrases.
  static const LintPolicy& standard();

  const Settings& settings() const noexcept;
  const PhraseSet& phrases() const noexcept;

  // The severity of `code` under this policy; nullopt when it is disabled or
  // unknown.
  std::optional<LintSeverity> severity_of(std::string_view code) const noexcept;

  friend bool operator==(const LintPolicy& a, const LintPolicy& b) noexcept;

 private:
  explicit LintPolicy(std::shared_ptr<const detail::LintPolicyData> data) noexcept : data_(std::move(data)) {}
  friend const detail::LintPolicyData& lint_policy_data(const LintPolicy& policy) noexcept;
  std::shared_ptr<const detail::LintPolicyData> data_;
};

// LintContext
//
// What the lint needs to know besides the text: the language hint, the
// agent's authority (the largest remedy they may promise on their own; seed
// 001's 200 CNY by default) and the policy.
struct LintContext {
  LintLanguage language = LintLanguage::automatic;
  Money agent_authority = Money::from_minor_units(200 * 100, Currency::CNY);
  LintPolicy policy = LintPolicy::standard();

  friend bool operator==(const LintContext&, const LintContext&) = default;
};

// LintFinding
//
// One problem in the text. `code` is one of lint_codes() (its view is valid
// forever); `phrase` is the matched text as it appears in the original;
// `hint` is a suggested rewrite in the text's language.
struct LintFinding {
  std::string_view code;
  LintSeverity severity = LintSeverity::warn;
  TextSpan span;
  std::string phrase;
  std::string hint;

  friend bool operator==(const LintFinding&, const LintFinding&) = default;
};

// LintReport
//
// What lint() found: the findings ordered by position then code; the
// apology's structure score (0-100) and which components were present;
// the language the text was read as (never `automatic`).
struct LintReport {
  std::vector<LintFinding> findings;
  int structure_score = 0;
  std::array<bool, kApologyComponentCount> components{};
  LintLanguage language = LintLanguage::en;

  // True when a finding with this code was reported.
  bool has(std::string_view code) const noexcept;
  // The highest severity reported, nullopt for a clean text.
  std::optional<LintSeverity> worst() const noexcept;
  // True when `component` was present.
  bool has(ApologyComponent component) const noexcept { return components[static_cast<std::size_t>(component)]; }

  friend bool operator==(const LintReport&, const LintReport&) = default;
};

// lint()
//
// Lints `text` under `context`. Fails with errc::invalid_utf8 (the detail
// names the byte offset) or errc::text_too_long (longer than the policy's
// max_text_bytes); an empty text is clean.
//
// Example:
//   auto r = lint("Sorry if you feel let down.");
//   bool conditional = r.value().has("pseudo_apology.conditional");  // true
result<LintReport> lint(std::string_view text, const LintContext& context);
result<LintReport> lint(std::string_view text);

// ReplyFingerprint
//
// A compact fingerprint of a reply, for telling a reply sent again (the same
// or nearly the same canned text) from a new one: a one-permutation MinHash
// of the overlapping three-character shingles of the normalised text (case,
// width and script folded, whitespace and punctuation dropped, as the lint
// reads it), 32 bins of 32 bits. A value type of 128 bytes; computing one
// allocates nothing and hashes each character once.
//
// Example:
//   auto a = reply_fingerprint("您的订单正在处理中,请耐心等待。").value();
//   auto b = reply_fingerprint("您的訂單正在處理中，請耐心等待！").value();
//   int similarity = reply_similarity(a, b);  // 100
inline constexpr std::size_t kFingerprintHashes = 32;
struct ReplyFingerprint {
  std::array<std::uint32_t, kFingerprintHashes> mins{};

  friend bool operator==(const ReplyFingerprint&, const ReplyFingerprint&) = default;
};

// reply_fingerprint()
//
// The fingerprint of `text`. Fails with errc::invalid_utf8 (the detail names
// the byte offset). A text with nothing but whitespace and punctuation has
// the all-zero fingerprint.
result<ReplyFingerprint> reply_fingerprint(std::string_view text);

// reply_similarity()
//
// How alike two fingerprints are, 0-100: the share of the 32 bins they
// agree on, an estimate of the Jaccard similarity of the two texts' shingle
// sets (standard error about 9 points at 50, less near 0 and 100). The same
// reply re-sent in another script, case or punctuation is 100; a two-line
// canned update with one word changed 78-91; the same update rephrased
// 34-47; unrelated replies 0-13. The policy's default threshold is 70.
int reply_similarity(const ReplyFingerprint& a, const ReplyFingerprint& b) noexcept;

// is_repeated_reply()
//
// True when `reply` is at least `policy.settings().repeated_reply_similarity`
// similar to one of `earlier` (the fingerprints of the replies already sent
// in the case).
bool is_repeated_reply(const ReplyFingerprint& reply, std::span<const ReplyFingerprint> earlier,
                       const LintPolicy& policy = LintPolicy::standard()) noexcept;

// to_json()
//
// The report as JSON: {"language": "zh-Hans", "structure_score": 35,
// "components": ["regret", ...], "findings": [{"code", "severity",
// "begin_byte", "end_byte", "begin_char", "end_char", "phrase", "hint"}]}.
boost::json::value to_json(const LintReport& report);

}  // namespace v1
}  // namespace redress

#endif  // REDRESS_LINT_HPP
