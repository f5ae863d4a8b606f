// redress/ids.hpp: strong identifiers.
//
// The host owns identity: its CRM numbers customers, its shop numbers orders.
// redress carries those identifiers as opaque text, one distinct type per kind
// of thing, so a customer id can never be passed where a case id is expected.
// `BasicId<Tag>` is the template; `CaseId`, `CustomerId`, `OrderId`,
// `AgentId`, `FollowUpId`, `RemedyId` and `EventId` are its instances.
//
// An id's text is what the host gave, byte for byte (ids are case-sensitive).
// Invariant: 1 to 128 bytes, each printable ASCII other than space
// (0x21 '!' to 0x7E '~'). So an id is safe to print in a log line, to use as a
// file or key name fragment, and to put in a URL path after percent-encoding.
// Hosts whose ids are UUIDs, database integers, "ORD-2025-000123" or
// "wxid_abc" all fit.
//
// Ids are regular, ordered by their text (bytewise), hashable (std::hash) and
// formattable (<redress/fmt.hpp>). There is no arithmetic and no default
// value: an id is made only by `make()`, which validates it.
//
// An id takes 16 bytes: up to 15 bytes of text are held inline (case, order
// and remedy numbers usually fit), a longer id points to its own copy.
// `str()` is a std::string_view of the text and `c_str()` the same text
// NUL-terminated, both borrowed from the id.
#ifndef REDRESS_IDS_HPP
#define REDRESS_IDS_HPP

#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>

#include <redress/error.hpp>

namespace redress {
inline namespace v1 {

// BasicId
//
// An identifier of the kind named by `Tag`. `Tag::name` (e.g. "case_id") is
// used in error messages. Use the aliases below rather than the template.
//
// Example:
//   auto id = redress::CaseId::make("C-2025-0042");
//   if (!id) return id.error();          // errc::invalid_argument
//   std::string_view text = id.value().str();  // "C-2025-0042"
template <class Tag>
class BasicId {
 public:
  // The longest id, in bytes.
  static constexpr std::size_t kMaxBytes = 128;

  // BasicId::make()
  //
  // Validates `text` against the invariant above and keeps a copy.
  // Fails with errc::invalid_argument, naming the kind of id and the reason:
  // empty, longer than 128 bytes, or a space, control or non-ASCII byte at
  // some position.
  static result<BasicId> make(std::string_view text) {
    if (text.empty()) return detail::fail(errc::invalid_argument, std::string(Tag::name) + ": empty");
    if (text.size() > kMaxBytes) {
      return detail::fail(errc::invalid_argument, std::string(Tag::name) + ": " + std::to_string(text.size()) +
                                                      " bytes, longer than 128");
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
      auto c = static_cast<unsigned char>(text[i]);
      if (c < 0x21 || c > 0x7E) {
        return detail::fail(errc::invalid_argument,
                            std::string(Tag::name) + " \"" + std::string(text) + "\": byte " + std::to_string(i) +
                                " is a space, a control character or not ASCII");
      }
    }
    return BasicId(text);
  }

  BasicId(const BasicId& other) : BasicId(other.str()) {}
  BasicId(BasicId&& other) noexcept {
    std::memcpy(bytes_, other.bytes_, sizeof bytes_);
    other.set_inline({});
  }
  BasicId& operator=(const BasicId& other) {
    if (this != &other) *this = BasicId(other);
    return *this;
  }
  BasicId& operator=(BasicId&& other) noexcept {
    if (this != &other) {
      release();
      std::memcpy(bytes_, other.bytes_, sizeof bytes_);
      other.set_inline({});
    }
    return *this;
  }
  ~BasicId() { release(); }

  // The id's text, as given to make() (borrowed from the id).
  std::string_view str() const noexcept {
    if (on_heap()) return {heap_text(), heap_size()};
    return {bytes_, kInlineBytes - static_cast<std::size_t>(bytes_[kInlineBytes])};
  }
  // The same text, NUL-terminated (borrowed from the id).
  const char* c_str() const noexcept { return on_heap() ? heap_text() : bytes_; }

  friend bool operator==(const BasicId& a, const BasicId& b) noexcept { return a.str() == b.str(); }
  friend std::strong_ordering operator<=>(const BasicId& a, const BasicId& b) noexcept {
    return a.str().compare(b.str()) <=> 0;
  }

 private:
  // Up to 15 bytes are held inline, followed by 15 minus their length (so a
  // 15-byte id ends in the NUL c_str() needs); a longer id is a pointer to a
  // NUL-terminated copy and its length, and the last byte is kOnHeap.
  static constexpr std::size_t kInlineBytes = 15;
  static constexpr char kOnHeap = static_cast<char>(0x80);

  explicit BasicId(std::string_view text) {
    if (text.size() <= kInlineBytes) {
      set_inline(text);
      return;
    }
    char* copy = new char[text.size() + 1];
    std::memcpy(copy, text.data(), text.size());
    copy[text.size()] = '\0';
    auto size = static_cast<std::uint32_t>(text.size());
    std::memcpy(bytes_, &copy, sizeof copy);
    std::memcpy(bytes_ + sizeof copy, &size, sizeof size);
    bytes_[kInlineBytes] = kOnHeap;
  }
  void set_inline(std::string_view text) noexcept {
    std::memset(bytes_, 0, sizeof bytes_);
    if (!text.empty()) std::memcpy(bytes_, text.data(), text.size());
    bytes_[kInlineBytes] = static_cast<char>(kInlineBytes - text.size());
  }
  bool on_heap() const noexcept { return bytes_[kInlineBytes] == kOnHeap; }
  const char* heap_text() const noexcept {
    const char* p = nullptr;
    std::memcpy(&p, bytes_, sizeof p);
    return p;
  }
  std::size_t heap_size() const noexcept {
    std::uint32_t n = 0;
    std::memcpy(&n, bytes_ + sizeof(const char*), sizeof n);
    return n;
  }
  void release() noexcept {
    if (on_heap()) delete[] heap_text();
  }

  alignas(8) char bytes_[16];
};

// The tags: each names its kind of id for error messages and JSON paths.
struct CaseIdTag { static constexpr std::string_view name = "case_id"; };
struct CustomerIdTag { static constexpr std::string_view name = "customer_id"; };
struct OrderIdTag { static constexpr std::string_view name = "order_id"; };
struct AgentIdTag { static constexpr std::string_view name = "agent_id"; };
struct FollowUpIdTag { static constexpr std::string_view name = "follow_up_id"; };
struct RemedyIdTag { static constexpr std::string_view name = "remedy_id"; };
struct EventIdTag { static constexpr std::string_view name = "event_id"; };

// CaseId: one service failure as the customer lives it.
using CaseId = BasicId<CaseIdTag>;
// CustomerId: the host's customer (reachable through many ContactPoints).
using CustomerId = BasicId<CustomerIdTag>;
// OrderId: an order, booking or subscription a case is about.
using OrderId = BasicId<OrderIdTag>;
// AgentId: a human agent or a bot acting on a case.
using AgentId = BasicId<AgentIdTag>;
// FollowUpId: a scheduled follow-up (a timer the host must fire).
using FollowUpId = BasicId<FollowUpIdTag>;
// RemedyId: a remedy offered, approved or granted on a case.
using RemedyId = BasicId<RemedyIdTag>;
// EventId: one event in a case's journal.
using EventId = BasicId<EventIdTag>;

}  // namespace v1
}  // namespace redress

template <class Tag>
struct std::hash<redress::BasicId<Tag>> {
  std::size_t operator()(const redress::BasicId<Tag>& id) const noexcept {
    return std::hash<std::string_view>()(id.str());
  }
};

#endif  // REDRESS_IDS_HPP
