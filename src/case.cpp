// Names of the case model's enumerators, events and actions.
#include <algorithm>
#include <array>
#include <cstring>
#include <new>
#include <stdexcept>
#include <mutex>
#include <unordered_set>

#include <fmt/format.h>

#include <redress/case.hpp>
#include <redress/engine.hpp>
#include <redress/event.hpp>
#include <redress/lint.hpp>

namespace redress {
inline namespace v1 {
namespace {

constexpr std::array<std::string_view, 5> kStages{"apologise", "review", "solve", "record", "closed"};
constexpr std::array<std::string_view, 4> kPriorities{"normal", "high", "urgent", "emergency"};
constexpr std::array<std::string_view, 5> kRemedyKinds{"extension", "replacement", "extra", "cash", "non_material"};
constexpr std::array<std::string_view, 6> kRemedyStatuses{"proposed", "approval_requested", "approved",
                                                          "rejected", "accepted",          "granted"};
constexpr std::array<std::string_view, 3> kSeverities{"info", "warn", "block"};
constexpr std::array<std::string_view, 3> kLossKinds{"none", "money", "right"};
constexpr std::array<std::string_view, 4> kPromiseStates{"open", "kept", "lapsed", "broken"};
constexpr std::array<std::string_view, 12> kFollowUpKinds{
    "update",      "promise",        "satisfaction_check", "reminder",        "approval",  "customer_reminder",
    "auto_resolve", "third_party",   "update_warning",     "promise_warning", "resolution", "public_reply"};
constexpr std::array<std::string_view, 3> kPromiseKinds{"reply", "callback", "action"};

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::string_view, N>& names, E e) noexcept {
  auto i = static_cast<std::size_t>(e);
  return i < N ? names[i] : std::string_view("unknown");
}

template <class E, std::size_t N>
result<E> parse_name(const std::array<std::string_view, N>& names, std::string_view text, std::string_view what) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<E>(i);
  }
  return detail::fail(errc::invalid_argument,
                      fmt::format("{} \"{}\": expected one of {}", what, text, fmt::join(names, ", ")));
}

constexpr std::array<std::string_view, std::variant_size_v<EventBody>> kEventTypes{
    "contact_received",  "emotion_observed",     "apology_given",       "forgiveness_signalled",
    "need_stated",       "question_asked",       "facts_reviewed",      "order_linked",
    "remedy_proposed",   "remedy_approved",      "remedy_rejected",     "remedy_accepted",
    "remedy_granted",    "progress_update_sent", "promise_made",        "resolved",
    "satisfaction_confirmed", "root_cause_recorded", "close_requested", "timer_fired",
    "safety_risk_reported",   "abuse_established",   "precedent_cited", "out_of_scope_request",
    "failure_signal",    "right_expiring",
    "promise_kept",      "promise_broken",       "awaiting_customer",   "awaiting_third_party",
    "third_party_answered", "policy_moved", "public_reply_sent",  "calendar_changed", "customer_time_zone"};

constexpr std::array<std::string_view, std::variant_size_v<Action>> kActionTypes{
    "reply", "offer", "request_approval", "schedule_follow_up", "cancel_follow_up", "escalate", "emergency",
    "surface_history", "close", "warn", "reschedule_follow_up"};

// Every finding code the program has seen, each held once; never freed, so
// a FindingCode stays valid until the program ends.
class CodeTable {
 public:
  static CodeTable& instance() {
    static CodeTable* table = new CodeTable;
    return *table;
  }
  const std::string* intern(std::string_view text) {
    std::lock_guard lock(mutex_);
    auto it = codes_.find(text);
    if (it == codes_.end()) it = codes_.emplace(text).first;
    return &*it;
  }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>()(s); }
  };
  std::mutex mutex_;
  std::unordered_set<std::string, Hash, std::equal_to<>> codes_;
};

const std::string kEmptyCode;

// Every text a SharedText holds, each once, while one points to it. A count
// reaches 0 only under the table's lock (release() takes the lock for the
// last reference), and intern() counts a found copy under the same lock, so
// a copy is never found while it is being freed.
class TextTable {
 public:
  using Node = detail::SharedTextNode;
  static TextTable& instance() {
    static TextTable* table = new TextTable;  // never destroyed: texts may outlive static destructors
    return *table;
  }
  static std::string_view view(const Node* n) noexcept {
    return {reinterpret_cast<const char*>(n + 1), n->size};
  }
  Node* intern(std::string_view text) {
    if (text.size() >= UINT32_MAX) throw std::length_error("redress::SharedText: text too long");
    std::lock_guard lock(mutex_);
    auto it = texts_.find(text);
    if (it != texts_.end()) {
      (*it)->refs.fetch_add(1, std::memory_order_relaxed);
      return *it;
    }
    void* p = ::operator new(sizeof(Node) + text.size() + 1);
    Node* n = ::new (p) Node{{1}, static_cast<std::uint32_t>(text.size())};
    char* chars = reinterpret_cast<char*>(n + 1);
    std::memcpy(chars, text.data(), text.size());
    chars[text.size()] = '\0';
    try {
      texts_.insert(n);
    } catch (...) {
      free(n);
      throw;
    }
    return n;
  }
  void release(Node* n) noexcept {
    std::uint32_t refs = n->refs.load(std::memory_order_relaxed);
    while (refs > 1) {
      if (n->refs.compare_exchange_weak(refs, refs - 1, std::memory_order_acq_rel)) return;
    }
    std::lock_guard lock(mutex_);
    if (n->refs.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    texts_.erase(n);
    free(n);
  }

 private:
  static void free(Node* n) noexcept {
    n->~Node();
    ::operator delete(static_cast<void*>(n));
  }
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>()(s); }
    std::size_t operator()(const Node* n) const noexcept { return (*this)(view(n)); }
  };
  struct Equal {
    using is_transparent = void;
    static std::string_view of(std::string_view s) noexcept { return s; }
    static std::string_view of(const Node* n) noexcept { return view(n); }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const noexcept {
      return of(a) == of(b);
    }
  };
  std::mutex mutex_;
  std::unordered_set<Node*, Hash, Equal> texts_;
};

// docs/engine.md's "Every finding code", in its order.
constexpr auto kEngineFindingCodes = std::to_array<std::string_view>({
    "review.before_apology",    "remedy.before_need",         "remedy.extension_ineligible",
    "remedy.cash_without_loss", "remedy.over_cap",            "remedy.skipped_rung",
    "remedy.below_lost_value",  "remedy.cash_out_of_proportion", "approval.timed_out",
    "priority.at_top",          "remedy.over_authority",      "remedy.beyond_all_authority",
    "update.missed",            "update.late",                "promise.lapsed",
    "promise.broken",           "promise.kept_late",          "pause.auto_resolved",
    "update.due_soon",          "promise.due_soon",           "resolution.missed",
    "third_party.late",         "contact.repeat",             "emotion.rising",
    "safety.emergency",         "abuse.recorded",             "precedent.outlier",
    "precedent.consistent",     "precedent.unverified",       "scope.out_of_scope",
    "scope.beyond_help",          
    "proactive.opened",         "reminder.too_late",          "callback.outside_window",
    "calendar.provisional",     "public_reply.missed",        "public_reply.late",
    "close.unresolved",         "close.feeling_unconfirmed",  "close.root_cause_missing",
    "close.feeling_negative",   "root_cause.fixed"});

}  // namespace

std::span<const std::string_view> engine_finding_codes() noexcept { return kEngineFindingCodes; }

bool is_finding_code(std::string_view code) noexcept {
  auto in = [](std::span<const std::string_view> codes, std::string_view c) {
    return std::find(codes.begin(), codes.end(), c) != codes.end();
  };
  if (code.starts_with("lint.")) return in(lint_codes(), code.substr(5));
  return in(kEngineFindingCodes, code);
}

FindingCode::FindingCode() noexcept : text_(&kEmptyCode) {}
FindingCode::FindingCode(std::string_view text)
    : text_(text.empty() ? &kEmptyCode : CodeTable::instance().intern(text)) {}

detail::SharedTextNode* SharedText::intern(std::string_view text) { return TextTable::instance().intern(text); }
void SharedText::release(Node* n) noexcept { TextTable::instance().release(n); }

std::string_view to_string(Stage s) noexcept { return name_of(kStages, s); }
std::string_view to_string(Priority p) noexcept { return name_of(kPriorities, p); }
std::string_view to_string(RemedyKind k) noexcept { return name_of(kRemedyKinds, k); }
std::string_view to_string(RemedyStatus s) noexcept { return name_of(kRemedyStatuses, s); }
std::string_view to_string(Severity s) noexcept { return name_of(kSeverities, s); }
std::string_view to_string(LossKind k) noexcept { return name_of(kLossKinds, k); }
std::string_view to_string(PromiseState s) noexcept { return name_of(kPromiseStates, s); }
std::string_view to_string(FollowUpKind k) noexcept { return name_of(kFollowUpKinds, k); }
std::string_view to_string(PromiseKind k) noexcept { return name_of(kPromiseKinds, k); }

result<Stage> parse_stage(std::string_view t) { return parse_name<Stage>(kStages, t, "stage"); }
result<Priority> parse_priority(std::string_view t) { return parse_name<Priority>(kPriorities, t, "priority"); }
result<RemedyKind> parse_remedy_kind(std::string_view t) {
  return parse_name<RemedyKind>(kRemedyKinds, t, "remedy kind");
}
result<RemedyStatus> parse_remedy_status(std::string_view t) {
  return parse_name<RemedyStatus>(kRemedyStatuses, t, "remedy status");
}
result<Severity> parse_severity(std::string_view t) { return parse_name<Severity>(kSeverities, t, "severity"); }
result<LossKind> parse_loss_kind(std::string_view t) { return parse_name<LossKind>(kLossKinds, t, "loss kind"); }
result<PromiseKind> parse_promise_kind(std::string_view t) {
  return parse_name<PromiseKind>(kPromiseKinds, t, "promise kind");
}
result<FollowUpKind> parse_follow_up_kind(std::string_view t) {
  return parse_name<FollowUpKind>(kFollowUpKinds, t, "follow-up kind");
}

std::string_view event_type(const EventBody& body) noexcept { return kEventTypes[body.index()]; }
std::string_view action_type(const Action& action) noexcept { return kActionTypes[action.index()]; }

}  // namespace v1
}  // namespace redress
