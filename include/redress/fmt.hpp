// redress/fmt.hpp: {fmt} formatters for redress's value types.
//
// Include this header to pass redress values to fmt::format and fmt::print.
// It is separate from the types' own headers, as fmt keeps chrono.h apart,
// so that code which never formats does not pay for <fmt/format.h>.
//
//   type          {}                     other presentations
//   Money         "CNY 199.99"           {:s} "¥199.99", {:a} "199.99"
//   Currency      "CNY"
//   BasicId<Tag>  the id's text
//   ContactPoint  value(): "+8613812345678", "alice@example.com", "wechat:wxid_abc"
//   Channel, EmotionKind, ContactKind     to_string(): "in_person"
//   Emotion       "frustrated 7/10"
//
// Every formatter accepts the standard fill, alignment and width of a string
// ("{:>14}"); the strings and ids accept all string specs. Money's
// presentation letter comes last ("{:>10s}"). Dynamic widths ("{:{}}") are
// not supported for Money.
//
// Example:
//   std::string text = fmt::format("{} / {:s}", redress::Money::from_minor_units(-550, redress::Currency::CNY),
//                                  redress::Money::from_minor_units(1500, redress::Currency::JPY));
//   // "CNY -5.50 / JP¥1500"
#ifndef REDRESS_FMT_HPP
#define REDRESS_FMT_HPP

#include <string>
#include <string_view>

#include <fmt/format.h>

#include <redress/channel.hpp>
#include <redress/contact.hpp>
#include <redress/ids.hpp>
#include <redress/money.hpp>

namespace redress {
inline namespace v1 {
namespace detail {

// A formatter that writes a value as text (`to_text(value)`) with the
// standard string specs.
template <class T, auto to_text>
struct TextFormatter : fmt::formatter<fmt::string_view> {
  template <class FormatContext>
  auto format(const T& value, FormatContext& ctx) const -> decltype(ctx.out()) {
    const auto& text = to_text(value);
    return fmt::formatter<fmt::string_view>::format(fmt::string_view(text.data(), text.size()), ctx);
  }
};

inline std::string_view id_text(const auto& id) { return id.str(); }
inline std::string_view contact_text(const ContactPoint& p) { return p.value(); }
inline std::string_view currency_text(Currency c) { return c.code(); }
inline std::string_view enum_text(auto e) { return to_string(e); }
inline std::string emotion_text(const Emotion& e) {
  return std::string(to_string(e.kind())) + " " + std::to_string(e.intensity()) + "/10";
}

}  // namespace detail
}  // namespace v1
}  // namespace redress

template <class Tag>
struct fmt::formatter<redress::BasicId<Tag>>
    : redress::detail::TextFormatter<redress::BasicId<Tag>, redress::detail::id_text<redress::BasicId<Tag>>> {};

template <>
struct fmt::formatter<redress::ContactPoint>
    : redress::detail::TextFormatter<redress::ContactPoint, redress::detail::contact_text> {};

template <>
struct fmt::formatter<redress::Currency>
    : redress::detail::TextFormatter<redress::Currency, redress::detail::currency_text> {};

template <>
struct fmt::formatter<redress::Channel>
    : redress::detail::TextFormatter<redress::Channel, redress::detail::enum_text<redress::Channel>> {};

template <>
struct fmt::formatter<redress::EmotionKind>
    : redress::detail::TextFormatter<redress::EmotionKind, redress::detail::enum_text<redress::EmotionKind>> {};

template <>
struct fmt::formatter<redress::ContactKind>
    : redress::detail::TextFormatter<redress::ContactKind, redress::detail::enum_text<redress::ContactKind>> {};

template <>
struct fmt::formatter<redress::Emotion>
    : redress::detail::TextFormatter<redress::Emotion, redress::detail::emotion_text> {};

// Money: "[[fill]align][width][c|s|a]"; c (the default) "CNY -5.50",
// s "-¥5.50", a "-5.50".
template <>
struct fmt::formatter<redress::Money> {
  char form = 'c';
  fmt::string_view layout;  // "[[fill]align][width]", passed on to the string formatter

  constexpr auto parse(fmt::format_parse_context& ctx) -> decltype(ctx.begin()) {
    auto it = ctx.begin(), end = ctx.end();
    auto start = it;
    auto is_align = [](char c) { return c == '<' || c == '>' || c == '^'; };
    if (it != end && it + 1 != end && is_align(it[1]) && *it != '{' && *it != '}') {
      it += 2;
    } else if (it != end && is_align(*it)) {
      ++it;
    }
    while (it != end && *it >= '0' && *it <= '9') ++it;
    layout = fmt::string_view(start, static_cast<std::size_t>(it - start));
    if (it != end && (*it == 'c' || *it == 's' || *it == 'a')) form = *it++;
    if (it != end && *it != '}') ctx.on_error("redress::Money takes [[fill]align][width][c|s|a]");
    return it;
  }

  template <class FormatContext>
  auto format(redress::Money m, FormatContext& ctx) const -> decltype(ctx.out()) {
    std::string amount = redress::format_amount(m);
    std::string text;
    if (form == 'a') {
      text = std::move(amount);
    } else if (form == 's') {
      auto symbol = m.currency().symbol();
      text = m.is_negative() ? fmt::format("-{}{}", symbol, std::string_view(amount).substr(1))
                             : fmt::format("{}{}", symbol, amount);
    } else {
      text = fmt::format("{} {}", m.currency().code(), amount);
    }
    if (layout.size() == 0) return std::copy(text.begin(), text.end(), ctx.out());
    return fmt::format_to(ctx.out(), fmt::runtime(fmt::format("{{:{}}}", std::string_view(layout.data(), layout.size()))),
                          text);
  }
};

#endif  // REDRESS_FMT_HPP
