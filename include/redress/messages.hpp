// redress/messages.hpp: the texts the library says, in the customer's language.
//
// Every text the engine returns for an agent or a customer (reply guidance,
// offer framing, escalation reasons, the history summary, finding messages,
// suggestion reasons, warnings) comes from a message catalogue: one entry per
// key, each in English, Simplified and Traditional Chinese. The entries are
// data (data/messages/*.tsv), compiled into the library; a host overrides or
// adds entries through its policy (the `messages` section, docs/policy.md).
//
// An entry's text holds named placeholders, `{name}`, filled with values
// formatted for the locale: money ("CNY 30.00" / "30.00元"), instants in the
// case's time zone ("2025-01-27 21:00 Asia/Shanghai" / "2025年1月27日 21:00"),
// civil dates, durations ("20 minutes" / "20分钟"), numbers, plain text, and
// terms (another entry's text: a channel's or a feeling's name). Every
// locale of an entry has the same placeholders. Braces appear in entries
// only around placeholders.
//
// Finding codes stay stable English identifiers; only their messages are
// localised.
//
// Example:
//   redress::MessageCatalogue cat;  // the built-in entries
//   redress::MessageArg args[] = {{"value", Money::parse("30", Currency::CNY).value()}};
//   std::string text = cat.format("finding.remedy.beyond_all_authority", Locale::zh_hans, args,
//                                 TimeZone::utc());  // "没有任何权限级别可以批准30.00元"
#ifndef REDRESS_MESSAGES_HPP
#define REDRESS_MESSAGES_HPP

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <redress/error.hpp>
#include <redress/money.hpp>
#include <redress/time.hpp>

namespace redress {
inline namespace v1 {

// Locale
//
// The language the library speaks to a case's customer and agent.
enum class Locale : std::uint8_t { en, zh_hans, zh_hant };

// kLocales
//
// Every Locale, in declaration order.
inline constexpr std::array<Locale, 3> kLocales{Locale::en, Locale::zh_hans, Locale::zh_hant};

// "en", "zh-Hans" or "zh-Hant".
std::string_view to_string(Locale locale) noexcept;

// parse_locale()
//
// Reads "en", "zh-Hans" (also "zh", "zh-CN", "zh-SG") or "zh-Hant" (also
// "zh-TW", "zh-HK", "zh-MO"), case-insensitive. Anything else is
// errc::invalid_argument.
result<Locale> parse_locale(std::string_view text);

// MessageTerm
//
// A placeholder value that is itself an entry ("channel.phone"), in the same
// locale; `fallback` when the catalogue has no such entry (a host's own
// word, such as a role name the catalogue does not know).
struct MessageTerm {
  explicit MessageTerm(std::string_view key_, std::string_view fallback_ = {}) noexcept
      : key(key_), fallback(fallback_) {}
  std::string_view key;
  std::string_view fallback;
};

// MessageValue, MessageArg
//
// A placeholder's name and its value. Numbers are written in decimal.
using MessageValue = std::variant<std::string_view, std::int64_t, Money, Instant, CivilDate, Duration, MessageTerm>;
struct MessageArg {
  std::string_view name;
  MessageValue value;
};

// MessageCatalogue
//
// The built-in entries and the host's overrides. Default-constructed it
// holds the built-in entries only. A lookup tries the host's entry in the
// locale, then the built-in one, then English (host, built-in), then gives
// the key itself, so a missing entry never fails a step.
//
// Thread safety: const methods may be called from several threads at once.
class MessageCatalogue {
 public:
  // The keys of the built-in entries, sorted.
  static std::span<const std::string_view> builtin_keys();
  // The built-in text of `key` in `locale`, empty when there is none.
  static std::string_view builtin(std::string_view key, Locale locale) noexcept;

  // The placeholder names of `text`, in order of appearance, each once.
  static std::vector<std::string> placeholders(std::string_view text);

  // set()
  //
  // Overrides (or, for a new key, adds) the entry `key` in `locale`. A text
  // for a built-in key must use the same placeholders as the built-in entry
  // (errc::invalid_argument naming the key and the placeholder otherwise);
  // braces must pair.
  result<void> set(std::string_view key, Locale locale, std::string text);

  // The entry's text, as looked up above (unformatted).
  std::string_view text(std::string_view key, Locale locale) const noexcept;

  // format()
  //
  // The entry's text with its placeholders filled from `args` (instants in
  // `zone`). A placeholder with no argument is left as written.
  std::string format(std::string_view key, Locale locale, std::span<const MessageArg> args,
                     const TimeZone& zone) const;
  std::string format(std::string_view key, Locale locale, std::initializer_list<MessageArg> args,
                     const TimeZone& zone) const {
    return format(key, locale, std::span<const MessageArg>(args.begin(), args.size()), zone);
  }

  // The value formatted for `locale`, as format() writes it.
  std::string value_text(const MessageValue& value, Locale locale, const TimeZone& zone) const;

  // The host's entries.
  bool has_overrides() const noexcept { return !overrides_.empty(); }

 private:
  using Row = std::array<std::optional<std::string>, kLocales.size()>;
  std::map<std::string, Row, std::less<>> overrides_;
};

}  // namespace v1
}  // namespace redress

#endif  // REDRESS_MESSAGES_HPP
