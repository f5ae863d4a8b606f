// redress/case.hpp: a service failure as the customer lives it.
//
// A `Case` gathers who the customer is and how they reach us, the channels
// they came through, the orders concerned and what they lost, how they feel,
// what they need, what we promised and by when, the remedies offered and what
// became of them, the findings the rules raised, and why it happened.
//
// A Case is a value. The only way to change one is the engine's `apply()`
// (<redress/engine.hpp>), which folds an event into a case and returns the next
// case; so every Case a host holds was produced by the rules, and replaying a
// case's events reproduces it exactly (`operator==` compares every field).
//
// The recovery stages, in order (docs/domain.md, "The four steps"):
//   apologise -> review -> solve -> record -> closed
// A case opens in `apologise`. It reaches `review` when the customer signals
// forgiveness, `solve` when the facts have been reviewed, `record` when it is
// resolved, and `closed` only when the customer's feeling has been confirmed
// neutral or positive and the root cause is recorded.
#ifndef REDRESS_CASE_HPP
#define REDRESS_CASE_HPP

#include <algorithm>
#include <array>
#include <atomic>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <redress/channel.hpp>
#include <redress/contact.hpp>
#include <redress/error.hpp>
#include <redress/ids.hpp>
#include <redress/lint.hpp>
#include <redress/messages.hpp>
#include <redress/money.hpp>
#include <redress/time.hpp>

namespace redress {
inline namespace v1 {

// PolicyRef
//
// Which policy, in which version, a case is decided under (docs/policy.md,
// "Versions and pinning"): the document's `id` and `version` as the host
// wrote them, and the content hash the library computed over the whole
// document (64 hexadecimal digits, BLAKE2b-256 of its canonical form), so two
// documents that differ in anything but the order of their members differ in
// hash even when their author forgot to change the version.
struct PolicyRef {
  std::string id;
  std::string version;
  std::string hash;
  friend bool operator==(const PolicyRef&, const PolicyRef&) = default;
};

// Stage
//
// Where a case stands in the recovery, in order.
enum class Stage : std::uint8_t { apologise, review, solve, record, closed };

// Priority
//
// How urgently a case needs attention, an ordered scale, lowest first:
// normal < high < urgent < emergency. Repeat contacts, lapsed promises and
// rising feelings raise it one step at a time up to `urgent`, the top of what
// they can reach (a raise at `urgent` leaves it there, with the finding
// `priority.at_top`); only a safety threat sets `emergency`.
enum class Priority : std::uint8_t { normal, high, urgent, emergency };

// RemedyKind
//
// The remedy ladder, cheapest first (docs/domain.md, "Remedies").
enum class RemedyKind : std::uint8_t {
  extension,     // extend a right that expired recently (a coupon), once
  replacement,   // an equal or higher-value substitute
  extra,         // a gesture beyond restoring: a gift, an upgrade, an expert's time
  cash,          // cash or a refund
  non_material,  // an invitation to advise on the service; no money value
};

// RemedyStatus
//
// What became of a remedy. proposed -> (approval_requested -> approved |
// rejected) -> accepted -> granted.
enum class RemedyStatus : std::uint8_t { proposed, approval_requested, approved, rejected, accepted, granted };

// Severity
//
// How much a finding matters: `info` is for the record, `warn` asks a human
// to look, `block` means the host should not carry out the move.
enum class Severity : std::uint8_t { info, warn, block };

// LossKind
//
// What an order cost the customer.
enum class LossKind : std::uint8_t {
  none,   // nothing was lost (the complaint is about something else)
  money,  // money lost: a charge, a fee, a price paid for nothing
  right,  // a right lost: a coupon, a voucher, points, with an expiry
};

std::string_view to_string(Stage s) noexcept;
std::string_view to_string(Priority p) noexcept;
std::string_view to_string(RemedyKind k) noexcept;
std::string_view to_string(RemedyStatus s) noexcept;
std::string_view to_string(Severity s) noexcept;
std::string_view to_string(LossKind k) noexcept;

// parse_stage(), parse_priority(), ...
//
// The enumerator spelled exactly as to_string() writes it.
// Fail with errc::invalid_argument naming the text.
result<Stage> parse_stage(std::string_view text);
result<Priority> parse_priority(std::string_view text);
result<RemedyKind> parse_remedy_kind(std::string_view text);
result<RemedyStatus> parse_remedy_status(std::string_view text);
result<Severity> parse_severity(std::string_view text);
result<LossKind> parse_loss_kind(std::string_view text);

// Right
//
// A right the customer held: a coupon, a voucher. `value` is what it was
// worth; `expires_on` the last civil day it could be used.
struct Right {
  std::string kind;  // "coupon", "voucher", ...
  Money value;
  CivilDate expires_on;
  int times_extended = 0;
  friend bool operator==(const Right&, const Right&) = default;
};

// Loss
//
// What an order cost the customer. For `money`, `amount` is the money lost;
// for `right`, `right` describes it and `amount` equals its value; for
// `none`, `amount` is zero.
struct Loss {
  LossKind kind = LossKind::none;
  Money amount;
  std::optional<Right> right;
  friend bool operator==(const Loss&, const Loss&) = default;

  // Loss::none()
  //
  // Nothing lost, in `currency`.
  static Loss nothing(Currency currency) { return Loss{LossKind::none, Money::zero(currency), std::nullopt}; }
};

// Order
//
// An order the case is about, with its loss assessment.
struct Order {
  OrderId id;
  Loss loss;
  friend bool operator==(const Order&, const Order&) = default;
};

// Remedy
//
// A remedy offered on the case and its fate. `value` is what it costs the
// company (zero for non_material). `approval_level` is the authority level
// that must decide it (0: the front line may grant it alone).
struct Remedy {
  RemedyId id;
  RemedyKind kind = RemedyKind::extra;
  Money value;
  std::optional<OrderId> order;
  RemedyStatus status = RemedyStatus::proposed;
  int approval_level = 0;
  std::optional<AgentId> decided_by;
  // While approval is requested: the number n of the approval timer
  // "<case id>#n" (0 when none is pending).
  std::uint32_t approval_timer = 0;
  // (How it is offered, the policy's gift framing for its kind, travels with
  // the `offer` action, not with the case.)
  friend bool operator==(const Remedy&, const Remedy&) = default;
};

// PromiseState
enum class PromiseState : std::uint8_t { open, kept, lapsed, broken };
std::string_view to_string(PromiseState s) noexcept;

// PromiseKind
//
// What a promise is for; the policy chooses, per kind, how "within n working
// days" is read (Settings::deadline_rules), and a callback must reach the
// customer inside their contact window.
enum class PromiseKind : std::uint8_t {
  reply,     // we will answer (by e-mail, in the app): the default
  callback,  // we will call the customer: an outbound contact
  action,    // something will be done (a refund, a repair, a delivery)
};
std::string_view to_string(PromiseKind k) noexcept;
result<PromiseKind> parse_promise_kind(std::string_view text);

// Promise
//
// Something we told the customer would happen by a deadline ("a reply within
// 2 working days"). Its follow-up fires at `due_at_utc`; if the case has not
// kept it by then, it lapses and the case escalates by itself.
struct Promise {
  FollowUpId follow_up;
  std::string what;
  Instant made_at_utc;
  Instant due_at_utc;
  PromiseState state = PromiseState::open;
  // The customer's contacts on the case when it was made: a later contact
  // asks again, so the promise no longer stands in for the updates.
  int contacts = 0;
  // The follow-up that warns before the deadline, when the policy asks for one.
  std::optional<FollowUpId> warning;
  // What it is for, and the deadline as promised (working days, else
  // working time), so that a new calendar can re-time it.
  PromiseKind kind = PromiseKind::reply;
  int working_days = 0;
  Duration working_time;
  friend bool operator==(const Promise&, const Promise&) = default;
};

// FollowUpKind
//
// Why a follow-up timer exists.
enum class FollowUpKind : std::uint8_t {
  update,              // the 20-minute rule: say how it is going
  promise,             // a promise's deadline
  satisfaction_check,  // after resolution: ask how the customer feels
  reminder,            // proactive: a right is about to expire
  approval,            // a request for approval that nobody has answered yet
  customer_reminder,   // waiting on the customer: remind them what we need
  auto_resolve,        // waiting on the customer: resolve after their silence
  third_party,         // waiting on a third party: their own deadline
  update_warning,      // warns the agent before an update is due
  promise_warning,     // warns the agent before a promise lapses
  resolution,          // the resolution target of the policy's target matrix
  public_reply,        // a negative public review or post waits for a public reply
};
std::string_view to_string(FollowUpKind k) noexcept;
result<FollowUpKind> parse_follow_up_kind(std::string_view text);

// ContactMove
//
// How a timer for an outbound contact is moved into the customer's contact
// window: not at all, earlier (a reminder's lead is a minimum) or later.
enum class ContactMove : std::uint8_t { none, earlier, later };

// ClockBasis
//
// What a follow-up's due instant was computed from on the business calendar,
// so that a new calendar (events::CalendarChanged) computes it again: from
// `from_utc`, `working_days` working days (by the policy's deadline rule),
// else `span` of service time (`service_time`) or of wall-clock time, then
// moved into the customer's contact window as `window` says. `from_utc` is
// not_a_date_time for a timer that does not depend on the calendar.
struct ClockBasis {
  Instant from_utc;
  Duration span;
  std::int16_t working_days = 0;
  bool service_time = false;
  ContactMove window = ContactMove::none;
  bool on_calendar() const noexcept { return !from_utc.is_special(); }
  friend bool operator==(const ClockBasis&, const ClockBasis&) = default;
};

// FollowUp
//
// A pending timer the host must fire back as a `TimerFired` event.
struct FollowUp {
  FollowUpId id;
  FollowUpKind kind = FollowUpKind::update;
  Instant due_at_utc;
  ClockBasis basis = {};
  friend bool operator==(const FollowUp&, const FollowUp&) = default;
};

// ThirdPartyWait
//
// A third party the case waits on (a courier, an engineer): since when,
// until when it answered (not_a_date_time while still waiting), and the
// follow-up of its own deadline, when it was given one.
struct ThirdPartyWait {
  std::string party;
  Instant since_utc;
  Instant answered_at_utc;
  std::optional<FollowUpId> deadline;
  bool waiting() const noexcept { return answered_at_utc.is_special(); }
  friend bool operator==(const ThirdPartyWait&, const ThirdPartyWait&) = default;
};

// PublicReview
//
// A contact on a public channel (a review, a social post) with a negative
// feeling, and its public-reply clock: when the contact came, when the
// public reply is due, and when it was given (not_a_date_time: not yet).
struct PublicReview {
  Instant contact_at_utc;
  Channel channel = Channel::review;
  Instant due_at_utc;
  Instant replied_at_utc;
  std::optional<FollowUpId> follow_up;
  bool replied() const noexcept { return !replied_at_utc.is_special(); }
  // Answered by its deadline.
  bool answered_on_time() const noexcept { return replied() && replied_at_utc <= due_at_utc; }
  friend bool operator==(const PublicReview&, const PublicReview&) = default;
};

// FindingCode
//
// A finding's stable code ("remedy.over_authority"; docs/engine.md lists them
// all). The codes are a fixed vocabulary, so the program holds each one once
// and a FindingCode points to it: 8 bytes, copied without allocating, and two
// codes are equal when they point to the same text. It reads as a
// `const std::string&` or a `std::string_view`, and compares with text.
//
// Example:
//   redress::FindingCode code("contact.repeat");
//   bool same = code == "contact.repeat";  // true
//   const std::string& text = code;    // "contact.repeat"
class FindingCode {
 public:
  // The empty code.
  FindingCode() noexcept;
  // The code spelled `text`; the text is kept until the program ends.
  FindingCode(std::string_view text);

  const std::string& str() const noexcept { return *text_; }
  operator const std::string&() const noexcept { return *text_; }
  operator std::string_view() const noexcept { return *text_; }
  const char* c_str() const noexcept { return text_->c_str(); }
  std::size_t size() const noexcept { return text_->size(); }
  bool empty() const noexcept { return text_->empty(); }
  bool starts_with(std::string_view prefix) const noexcept { return std::string_view(*text_).starts_with(prefix); }

  friend bool operator==(const FindingCode& a, const FindingCode& b) noexcept { return a.text_ == b.text_; }
  friend bool operator==(const FindingCode& a, std::string_view b) noexcept { return *a.text_ == b; }
  friend std::strong_ordering operator<=>(const FindingCode& a, const FindingCode& b) noexcept {
    return a.text_->compare(*b.text_) <=> 0;
  }

 private:
  const std::string* text_;
};

// SharedText
//
// A text the program holds once however many findings and root causes carry
// it: finding messages are written from a catalogue with few distinct
// values, and a taxonomy's categories repeat across thousands of cases. A
// SharedText points to the one copy of its text (8 bytes; the empty text
// points to nothing) and keeps it alive; the copy is freed with the last
// SharedText that points to it. Copying costs no allocation, two texts are
// equal when they point to the same copy, and SharedTexts may be made,
// copied and dropped from several threads at once.
//
// It reads as a `std::string_view` (view(), or converted), and `c_str()` is
// the same text NUL-terminated; `str()` is a std::string copy. It compares
// with text.
//
// Example:
//   redress::SharedText message("the problem is not resolved");
//   bool same = message == "the problem is not resolved";  // true
//   std::string_view text = message;                        // borrowed
namespace detail {
// The one copy of a SharedText's text: a count of the SharedTexts pointing to
// it and the size, then the text and a NUL, in one block.
struct SharedTextNode {
  std::atomic<std::uint32_t> refs;
  std::uint32_t size;
};
}  // namespace detail

class SharedText {
 public:
  // The empty text.
  SharedText() noexcept = default;
  // The text `text`, held once.
  SharedText(std::string_view text) : node_(text.empty() ? nullptr : intern(text)) {}
  SharedText(const std::string& text) : SharedText(std::string_view(text)) {}
  SharedText(const char* text) : SharedText(std::string_view(text)) {}
  SharedText(const SharedText& other) noexcept : node_(other.node_) {
    if (node_ != nullptr) node_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  SharedText(SharedText&& other) noexcept : node_(std::exchange(other.node_, nullptr)) {}
  SharedText& operator=(SharedText other) noexcept {
    std::swap(node_, other.node_);
    return *this;
  }
  ~SharedText() {
    if (node_ != nullptr) release(node_);
  }

  std::string_view view() const noexcept {
    return node_ == nullptr ? std::string_view() : std::string_view(chars(node_), node_->size);
  }
  operator std::string_view() const noexcept { return view(); }
  std::string str() const { return std::string(view()); }
  const char* c_str() const noexcept { return node_ == nullptr ? "" : chars(node_); }
  std::size_t size() const noexcept { return node_ == nullptr ? 0 : node_->size; }
  bool empty() const noexcept { return node_ == nullptr; }
  // Where `part` first occurs, or std::string_view::npos.
  std::size_t find(std::string_view part) const noexcept { return view().find(part); }
  bool starts_with(std::string_view prefix) const noexcept { return view().starts_with(prefix); }

  friend bool operator==(const SharedText& a, const SharedText& b) noexcept { return a.node_ == b.node_; }
  // With any text (a literal, a std::string, a std::string_view).
  template <class Text>
    requires(std::is_convertible_v<const Text&, std::string_view> && !std::is_same_v<Text, SharedText>)
  friend bool operator==(const SharedText& a, const Text& b) noexcept {
    return a.view() == std::string_view(b);
  }
  friend std::strong_ordering operator<=>(const SharedText& a, const SharedText& b) noexcept {
    return a.view().compare(b.view()) <=> 0;
  }

 private:
  using Node = detail::SharedTextNode;
  static const char* chars(const Node* n) noexcept { return reinterpret_cast<const char*>(n + 1); }
  // The copy of `text` (made if there is none), counted once more.
  static Node* intern(std::string_view text);
  // Counts one SharedText less; frees the copy with the last one.
  static void release(Node* n) noexcept;

  Node* node_ = nullptr;
};

// engine_finding_codes()
//
// Every finding code the engine reports itself, in the order docs/engine.md
// lists them; the reply lint's findings come as "lint.<code>" besides.
std::span<const std::string_view> engine_finding_codes() noexcept;

// is_finding_code()
//
// True for a code of engine_finding_codes() and for "lint." followed by one
// of lint_codes(): the codes a policy's `severities` may name.
bool is_finding_code(std::string_view code) noexcept;

// Finding
//
// Something a rule noticed, with a stable `code` ("remedy.over_authority";
// docs/engine.md lists them all), a severity, a sentence for a human, and when.
// The sentence is a SharedText: the same message on many cases is held once.
struct Finding {
  FindingCode code;
  Severity severity = Severity::info;
  SharedText message;
  Instant at_utc;
  friend bool operator==(const Finding&, const Finding&) = default;
};

// Need
//
// What the customer said they actually need, in their words.
struct Need {
  std::string text;
  Instant at_utc;
  friend bool operator==(const Need&, const Need&) = default;
};

// Escalation
//
// One escalation of the case: when, the level of the escalation ladder it
// went to (1: the first level above the front line; the policy names its
// role), and the rule that escalated it ("contact.repeat", "update.missed",
// "promise.lapsed", "precedent.outlier", "approval.timed_out"). The `escalate`
// action carried the role and the full reason.
struct Escalation {
  Instant at_utc;
  int level = 1;
  FindingCode cause;
  friend bool operator==(const Escalation&, const Escalation&) = default;
};

// RemedyContent
//
// What a non-material remedy holds: the customer's ideas, as text.
struct RemedyContent {
  RemedyId remedy;
  std::string text;
  friend bool operator==(const RemedyContent&, const RemedyContent&) = default;
};

// EmotionRecord
//
// A feeling observed at an instant; `confirmed` when the customer confirmed it
// themselves (the satisfaction check), not when an agent or model guessed it.
//
// Built as {emotion, at_utc, confirmed}; held instant first, so that a
// record takes 16 bytes.
struct EmotionRecord {
  EmotionRecord(Emotion emotion, Instant at_utc, bool confirmed = false) noexcept
      : at_utc(at_utc), emotion(emotion), confirmed(confirmed) {}
  Instant at_utc;
  Emotion emotion;
  bool confirmed = false;
  friend bool operator==(const EmotionRecord&, const EmotionRecord&) = default;
};

// RootCause
//
// Why it happened, for the pattern reports: a category from the host's
// taxonomy ("coupon.expiry", "delivery.late") and a description. Both are
// SharedTexts: the categories, and often the descriptions, repeat from case
// to case, and a closed case keeps its root cause for good.
struct RootCause {
  SharedText category;
  SharedText description;
  friend bool operator==(const RootCause&, const RootCause&) = default;
};

// Flags
//
// Facts about the case that change how it is handled.
struct Flags {
  int repeat_contacts = 0;         // contacts after the first
  bool safety = false;             // a self-harm or violence threat was reported
  bool abuse = false;              // abuse was established (never lifts `safety`)
  bool beyond_scope_help = false;  // help beyond the service's scope was given
  bool precedent_claim = false;    // the customer cited another case's remedy
  bool proactive = false;          // we opened the case before the customer complained
  friend bool operator==(const Flags&, const Flags&) = default;
};

// ChannelList
//
// The channels a case came through, each once, in the order first used. Held
// inline (there are only kChannels.size() channels): a sequence of Channel
// with size(), empty(), operator[], begin()/end() and ==.
class ChannelList {
 public:
  using value_type = Channel;
  using const_iterator = const Channel*;
  using iterator = const_iterator;

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  const Channel& operator[](std::size_t i) const noexcept { return items_[i]; }
  const Channel* begin() const noexcept { return items_.data(); }
  const Channel* end() const noexcept { return items_.data() + size_; }
  bool contains(Channel ch) const noexcept {
    for (auto c : *this) {
      if (c == ch) return true;
    }
    return false;
  }

  friend bool operator==(const ChannelList& a, const ChannelList& b) noexcept {
    if (a.size_ != b.size_) return false;
    for (std::size_t i = 0; i < a.size_; ++i) {
      if (a.items_[i] != b.items_[i]) return false;
    }
    return true;
  }

 private:
  friend struct detail_case_access;
  // Appends `ch` unless it is already there.
  void add(Channel ch) noexcept {
    if (!contains(ch) && size_ < items_.size()) items_[size_++] = ch;
  }
  std::array<Channel, kChannels.size()> items_{};
  std::uint8_t size_ = 0;
};

// SharedList
//
// One of a case's lists (contact points, orders, feelings, needs, promises,
// remedies, follow-ups, findings): a read-only sequence of T with size(),
// empty(), operator[], front()/back(), begin()/end(), rbegin()/rend(),
// data() and ==, convertible to std::span<const T> and std::vector<T>.
//
// Copies share their elements until one is changed (only the engine changes
// a case's lists), so copying a Case copies no element: apply() pays only for
// the lists an event changes. The elements sit in one block after a reference
// count and the size, exactly as many as there are; an empty list holds no
// block. Like any value, a list may be read, and copied, from several threads
// at once (the count is atomic).
//
// Example (given const redress::Case& c):
//   for (const redress::Remedy& r : c.remedies()) { /* read r */ }
//   std::vector<redress::Finding> kept = c.findings();
template <class T>
class SharedList {
 public:
  using value_type = T;
  using size_type = std::size_t;
  using const_iterator = const T*;
  using iterator = const_iterator;
  using const_reverse_iterator = std::reverse_iterator<const_iterator>;
  using reverse_iterator = const_reverse_iterator;

  SharedList() noexcept = default;
  SharedList(const SharedList& other) noexcept : block_(other.block_) {
    if (block_ != nullptr) block_->refs.fetch_add(1, std::memory_order_relaxed);
  }
  SharedList(SharedList&& other) noexcept : block_(std::exchange(other.block_, nullptr)) {}
  SharedList& operator=(SharedList other) noexcept {
    std::swap(block_, other.block_);
    return *this;
  }
  ~SharedList() { release(block_); }

  std::size_t size() const noexcept { return block_ == nullptr ? 0 : block_->size; }
  bool empty() const noexcept { return block_ == nullptr; }
  const T* data() const noexcept { return block_ == nullptr ? nullptr : elements(block_); }
  const T* begin() const noexcept { return data(); }
  const T* end() const noexcept { return data() + size(); }
  const_reverse_iterator rbegin() const noexcept { return const_reverse_iterator(end()); }
  const_reverse_iterator rend() const noexcept { return const_reverse_iterator(begin()); }
  const T& operator[](std::size_t i) const noexcept { return data()[i]; }
  const T& front() const noexcept { return data()[0]; }
  const T& back() const noexcept { return data()[size() - 1]; }

  operator std::span<const T>() const noexcept { return {data(), size()}; }
  operator std::vector<T>() const { return std::vector<T>(begin(), end()); }

  friend bool operator==(const SharedList& a, const SharedList& b) {
    return a.block_ == b.block_ || std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  friend struct detail_case_access;

  struct Block {
    std::atomic<std::uint32_t> refs;
    std::uint32_t size;
  };
  // The elements start after the header, aligned for T.
  static constexpr std::size_t kOffset = (sizeof(Block) + alignof(T) - 1) / alignof(T) * alignof(T);
  static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);

  static T* elements(Block* b) noexcept {
    return std::launder(reinterpret_cast<T*>(reinterpret_cast<unsigned char*>(b) + kOffset));
  }
  static Block* allocate(std::size_t n) {
    if (n > UINT32_MAX) throw std::length_error("redress::SharedList: too many elements");
    void* p = ::operator new(kOffset + n * sizeof(T));
    return ::new (p) Block{{1}, static_cast<std::uint32_t>(n)};
  }
  static void deallocate(Block* b) noexcept {
    b->~Block();
    ::operator delete(static_cast<void*>(b));
  }
  static void release(Block* b) noexcept {
    if (b == nullptr || b->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    std::destroy_n(elements(b), b->size);
    deallocate(b);
  }
  bool unique() const noexcept { return block_->refs.load(std::memory_order_acquire) == 1; }

  // A new block of `n` elements: the first `keep` of this list's elements,
  // except the one at `skip`, moved when this list holds the only reference
  // and copied otherwise; then `last`, when given, at the end.
  template <class... Last>
  void rebuild(std::size_t n, std::size_t skip, Last&&... last) {
    Block* b = allocate(n);
    T* out = elements(b);
    std::size_t done = 0;
    try {
      if (block_ != nullptr) {
        bool move = unique();
        T* in = elements(block_);
        for (std::size_t i = 0; i < block_->size; ++i) {
          if (i == skip) continue;
          if (move) ::new (static_cast<void*>(out + done)) T(std::move(in[i]));
          else ::new (static_cast<void*>(out + done)) T(in[i]);
          ++done;
        }
      }
      if constexpr (sizeof...(Last) > 0) {
        ::new (static_cast<void*>(out + done)) T(std::forward<Last>(last)...);
        ++done;
      }
    } catch (...) {
      std::destroy_n(out, done);
      deallocate(b);
      throw;
    }
    release(std::exchange(block_, b));
  }

  // Appends `value`.
  void push_back(T value) { rebuild(size() + 1, SIZE_MAX, std::move(value)); }
  // Removes the element at `i`.
  void erase(std::size_t i) {
    if (size() == 1) {
      release(std::exchange(block_, nullptr));
    } else {
      rebuild(size() - 1, i);
    }
  }
  // The elements, to change in place: copied first if shared.
  T* mutable_data() {
    if (block_ != nullptr && !unique()) rebuild(size(), SIZE_MAX);
    return block_ == nullptr ? nullptr : elements(block_);
  }

  Block* block_ = nullptr;
};

// Case
//
// One service failure. Created with Case::open(); changed only by apply().
//
// Example:
//   auto c = redress::Case::open(CaseId::make("C-1").value(),
//                                CustomerId::make("U-7").value(),
//                                Currency::CNY, parse_instant("2025-01-24T07:00:00Z").value());
//   redress::Stage stage = c.value().stage();  // Stage::apologise
class Case {
 public:
  // Case::open()
  //
  // A new case, at stage apologise with nothing recorded yet. `currency` is
  // the currency its remedies are valued in; `locale`, when given, the
  // language the case speaks (else the policy's default, until a contact
  // names one). Fails with errc::invalid_argument when `opened_at_utc` is
  // not a real instant.
  static result<Case> open(CaseId id, CustomerId customer, Currency currency, Instant opened_at_utc,
                           std::optional<Locale> locale = std::nullopt);

  const CaseId& id() const noexcept { return id_; }
  const CustomerId& customer() const noexcept { return customer_; }
  Currency currency() const noexcept { return currency_; }
  Instant opened_at_utc() const noexcept { return opened_at_utc_; }
  // The instant of the last event applied (opened_at_utc() before any).
  Instant last_event_at_utc() const noexcept { return last_event_at_utc_; }
  std::uint64_t events_applied() const noexcept { return events_applied_; }

  Stage stage() const noexcept { return stage_; }
  Priority priority() const noexcept { return priority_; }
  const SharedList<ContactPoint>& contact_points() const noexcept { return contact_points_; }
  const ChannelList& channels() const noexcept { return channels_; }
  int contacts() const noexcept { return contacts_; }
  const SharedList<Order>& orders() const noexcept { return orders_; }
  const std::optional<std::string>& incident_group() const noexcept {
    return incident_group_.empty() ? kNoIncidentGroup : incident_group_.front();
  }
  const SharedList<EmotionRecord>& emotions() const noexcept { return emotions_; }
  const SharedList<Need>& needs() const noexcept { return needs_; }
  const SharedList<Promise>& promises() const noexcept { return promises_; }
  const SharedList<Remedy>& remedies() const noexcept { return remedies_; }
  const SharedList<FollowUp>& pending_follow_ups() const noexcept { return pending_; }
  const SharedList<Finding>& findings() const noexcept { return findings_; }
  const Flags& flags() const noexcept { return flags_; }
  // The language the case speaks, when the case or a contact named one
  // (the engine then uses the policy's default locale).
  std::optional<Locale> locale() const noexcept {
    return locale_ == kNoLocale ? std::nullopt : std::optional<Locale>(static_cast<Locale>(locale_));
  }
  const std::optional<RootCause>& root_cause() const noexcept { return root_cause_; }
  int apologies() const noexcept { return apologies_; }
  bool forgiven() const noexcept { return forgiven_; }
  bool resolved() const noexcept { return resolved_; }
  int failure_signals() const noexcept { return failure_signals_; }
  // The escalation ladder: the level the case was last escalated to (0: never
  // escalated, with the front line) and every escalation, in order. Levels
  // only climb.
  int escalation_level() const noexcept { return escalations_.empty() ? 0 : escalations_.back().level; }
  const SharedList<Escalation>& escalations() const noexcept { return escalations_; }
  // The policy the case is decided under (<redress/policy.hpp>): the one its
  // first event was applied with, or the one an events::PolicyMoved moved it
  // to; nullptr when that policy has no identity.
  const PolicyRef* policy() const noexcept { return policy_.empty() ? nullptr : &policy_.front(); }
  // The content of the non-material remedies that carry any, in the order
  // they were proposed.
  const SharedList<RemedyContent>& remedy_contents() const noexcept { return remedy_contents_; }
  // The fingerprints of the replies linted on this case (apologies and
  // updates), in order: a new reply near one of them is `lint.reply.repeated`.
  const SharedList<ReplyFingerprint>& reply_fingerprints() const noexcept { return reply_fingerprints_; }
  // When the update the 20-minute rule asked for fell due and was missed;
  // cleared by the next update.
  std::optional<Instant> update_overdue_since() const noexcept {
    return update_overdue_since_.is_special() ? std::nullopt : std::optional<Instant>(update_overdue_since_);
  }

  // --- clocks: pauses (docs/engine.md, "Pauses")
  // Since when the case waits on the customer, if it does.
  std::optional<Instant> awaiting_customer_since() const noexcept {
    const Instant& at = clocks().awaiting_since;
    return at.is_special() ? std::nullopt : std::optional<Instant>(at);
  }
  // The time the case waited on the customer, in finished pauses.
  Duration paused_total() const noexcept { return clocks().paused_total; }
  // The third parties the case waited or waits on, in order.
  const SharedList<ThirdPartyWait>& third_parties() const noexcept { return clocks().third_parties; }
  // When the problem should be resolved, by the policy's target matrix (none
  // without a resolution target, or once resolved); moved on by pauses.
  std::optional<Instant> resolution_due_at_utc() const noexcept {
    const Instant& at = clocks().resolution_due;
    return at.is_special() ? std::nullopt : std::optional<Instant>(at);
  }
  // The customer's own time zone, when a contact gave it (outbound contacts
  // land in their contact window in this zone; else the policy's).
  const std::optional<TimeZone>& customer_time_zone() const noexcept { return clocks().customer_zone; }
  // Negative public reviews and posts, with their public-reply clocks, in order.
  const SharedList<PublicReview>& public_reviews() const noexcept { return clocks().public_reviews; }
  // The last public contact not yet replied to publicly (not_a_date_time:
  // none), and its channel.
  Instant public_contact_at() const noexcept { return clocks().public_contact_at; }
  Channel public_contact_channel() const noexcept { return clocks().public_channel; }

  // The remedy with this id, or nullptr (borrowed from the case).
  const Remedy* find_remedy(const RemedyId& id) const noexcept;
  // The order with this id, or nullptr (borrowed from the case).
  const Order* find_order(const OrderId& id) const noexcept;
  // The last feeling the customer confirmed themselves, if any.
  std::optional<Emotion> confirmed_feeling() const noexcept;

  friend bool operator==(const Case&, const Case&) = default;

 private:
  friend struct detail_case_access;
  static inline const std::optional<std::string> kNoIncidentGroup{};
  Case(CaseId id, CustomerId customer, Currency currency, Instant opened_at_utc)
      : id_(std::move(id)),
        customer_(std::move(customer)),
        opened_at_utc_(opened_at_utc),
        last_event_at_utc_(opened_at_utc),
        currency_(currency) {}

  // Eight-byte members first, then the small ones together (no padding
  // between them): sizeof(Case) is part of every closed case's footprint.
  CaseId id_;
  CustomerId customer_;
  Instant opened_at_utc_;
  Instant last_event_at_utc_;
  std::uint64_t events_applied_ = 0;
  std::uint64_t next_follow_up_ = 1;
  SharedList<ContactPoint> contact_points_;
  SharedList<Order> orders_;
  // The incident group, when there is one, shared between copies like a list.
  SharedList<std::optional<std::string>> incident_group_;
  SharedList<EmotionRecord> emotions_;
  SharedList<Need> needs_;
  SharedList<Promise> promises_;
  SharedList<Remedy> remedies_;
  SharedList<FollowUp> pending_;
  SharedList<Finding> findings_;
  std::optional<RootCause> root_cause_;
  Instant update_overdue_since_;  // not_a_date_time when no update is overdue
  Flags flags_;
  int contacts_ = 0;
  int apologies_ = 0;
  int failure_signals_ = 0;
  ChannelList channels_;
  Currency currency_;
  Stage stage_ = Stage::apologise;
  Priority priority_ = Priority::normal;
  bool forgiven_ = false;
  bool resolved_ = false;
  // A Locale, or kNoLocale (one byte, beside the other small members).
  static constexpr std::uint8_t kNoLocale = 0xff;
  std::uint8_t locale_ = kNoLocale;
  SharedList<Escalation> escalations_;
  SharedList<RemedyContent> remedy_contents_;
  SharedList<PolicyRef> policy_;  // one element, or none
  SharedList<ReplyFingerprint> reply_fingerprints_;
  // clocks: pauses and the resolution target, held apart (one element, or
  // none while the case never paused nor had a resolution target) so that a
  // case that never uses them pays 8 bytes.
  struct Clocks {
    Instant awaiting_since;  // not_a_date_time: not waiting on the customer
    Duration paused_total;
    Instant resolution_due;  // not_a_date_time: no resolution clock
    SharedList<ThirdPartyWait> third_parties;
    std::optional<TimeZone> customer_zone;
    // The last public contact not yet replied to publicly (not_a_date_time: none).
    Instant public_contact_at;
    Channel public_channel;  // value-initialised with the Clocks ({})
    SharedList<PublicReview> public_reviews;
    friend bool operator==(const Clocks&, const Clocks&) = default;
  };
  static inline const Clocks kNoClocks{};
  const Clocks& clocks() const noexcept { return clocks_.empty() ? kNoClocks : clocks_.front(); }
  SharedList<Clocks> clocks_;
};

// The engine's write access to a Case. Not public API.
struct detail_case_access;

}  // namespace v1
}  // namespace redress

#endif  // REDRESS_CASE_HPP
