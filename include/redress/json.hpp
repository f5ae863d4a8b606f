// redress/json.hpp: JSON forms of redress's value types (Boost.JSON).
//
// Encoding is `redress::to_json(x)`, an overload per type returning a
// boost::json::value. Decoding is `redress::from_json<T>(v, path)`, returning
// result<T>; `path` is where `v` sits in the enclosing document
// ("case.contacts[2]") and prefixes every error detail.
//
//   type          JSON
//   Money         {"amount_minor": 19999, "currency": "CNY"}
//                 (decoding also accepts {"amount": "199.99", "currency": "CNY"},
//                 a decimal *string*; never a JSON number with a fraction)
//   Currency      "CNY"
//   BasicId<Tag>  "C-2025-0042"
//   ContactPoint  {"kind": "phone", "value": "+8613812345678"}
//                 (decoding normalises "value" again, so a host may send
//                 "138 1234 5678"; phones default to +86)
//   Channel       "in_person";  EmotionKind "frustrated";  ContactKind "email"
//   Emotion       {"kind": "frustrated", "intensity": 7}
//   Instant       "2025-01-24T07:00:00Z" (RFC 3339, UTC; decoding accepts offsets)
//   CivilDate     "2025-01-24"
//   Duration      "00:20:00" (decoding also accepts "PT20M"); whole seconds:
//                 a fraction of a second is not written
//   TimeZone      "Asia/Shanghai" (its name)
//
// Special time values (not_a_date_time, infinities) encode as null, which no
// decoder accepts. A member the decoder does not know is refused, naming its
// path (and the member it probably meant); members starting with "x-" are
// ignored (docs/contracts.md).
//
// Errors: a value of the wrong JSON shape (not an object, a missing member, a
// number where a string belongs) is errc::invalid_json. A value of the right
// shape that the type refuses keeps that type's own code: unknown_currency,
// invalid_amount, amount_overflow, invalid_contact, unknown_time_zone, or
// invalid_argument (ids, enum names, intensity, dates, instants, durations).
// Either way last_error_detail() starts with the path:
//   "refund.currency: currency \"RMB\": not an ISO 4217 code redress knows".
//
// boost::json::value_from() works on every redress type here (and so on
// containers of them), through tag_invoke.
//
// Example:
//   auto v = redress::to_json(redress::Money::from_minor_units(19999, redress::Currency::CNY));
//   std::string text = boost::json::serialize(v);     // {"amount_minor":19999,"currency":"CNY"}
//   auto m = redress::from_json<redress::Money>(v);  // CNY 199.99
#ifndef REDRESS_JSON_HPP
#define REDRESS_JSON_HPP

#include <concepts>
#include <string_view>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <redress/channel.hpp>
#include <redress/contact.hpp>
#include <redress/detail/json_read.hpp>
#include <redress/error.hpp>
#include <redress/ids.hpp>
#include <redress/money.hpp>
#include <redress/time.hpp>

namespace redress {
inline namespace v1 {

// to_json()
//
// The JSON form of a value, as tabled above.
boost::json::value to_json(Currency currency);
boost::json::value to_json(Money money);
boost::json::value to_json(const ContactPoint& contact);
boost::json::value to_json(Channel channel);
boost::json::value to_json(EmotionKind kind);
boost::json::value to_json(ContactKind kind);
boost::json::value to_json(Emotion emotion);
boost::json::value to_json(Instant at_utc);
boost::json::value to_json(CivilDate date);
boost::json::value to_json(Duration duration);
boost::json::value to_json(const TimeZone& zone);
template <class Tag>
boost::json::value to_json(const BasicId<Tag>& id) {
  return boost::json::string(id.str());
}

namespace detail {

// JsonCodec<T>::decode: one specialisation per type from_json() reads.
template <class T>
struct JsonCodec;

// Re-reports a failure with `path: ` before its detail, keeping its code.
template <class T>
result<T> at_path(result<T> r, std::string_view path) {
  if (r || r.error().category() != error_category()) return r;
  return fail(static_cast<errc>(r.error().value()),
              fmt::format("{}: {}", path.empty() ? "(root)" : path, last_error_detail()));
}

// The codec of a type whose JSON form is a string read by `parse`.
template <class T, auto parse>
struct StringCodec {
  static result<T> decode(const boost::json::value& v, std::string_view path) {
    BOOST_OUTCOME_TRY(auto text, json_string(v, path));
    return at_path<T>(parse(text), path);
  }
};

template <class Tag>
struct JsonCodec<BasicId<Tag>> : StringCodec<BasicId<Tag>, &BasicId<Tag>::make> {};
template <>
struct JsonCodec<Currency> : StringCodec<Currency, &Currency::from_code> {};
template <>
struct JsonCodec<Channel> : StringCodec<Channel, &parse_channel> {};
template <>
struct JsonCodec<EmotionKind> : StringCodec<EmotionKind, &parse_emotion_kind> {};
template <>
struct JsonCodec<ContactKind> : StringCodec<ContactKind, &parse_contact_kind> {};
template <>
struct JsonCodec<Instant> : StringCodec<Instant, &parse_instant> {};
template <>
struct JsonCodec<CivilDate> : StringCodec<CivilDate, &parse_date> {};
template <>
struct JsonCodec<Duration> : StringCodec<Duration, &parse_duration> {};
template <>
struct JsonCodec<TimeZone> : StringCodec<TimeZone, &TimeZone::named> {};

// The codecs of object-valued types, compiled in json.cpp.
template <>
struct JsonCodec<Money> {
  static result<Money> decode(const boost::json::value& v, std::string_view path);
};
template <>
struct JsonCodec<ContactPoint> {
  static result<ContactPoint> decode(const boost::json::value& v, std::string_view path);
};
template <>
struct JsonCodec<Emotion> {
  static result<Emotion> decode(const boost::json::value& v, std::string_view path);
};

}  // namespace detail

// from_json()
//
// Decodes a T from its JSON form (see the table above). `path` names `v` in
// error details; empty means the document root.
//
// Example:
//   auto v = boost::json::parse(R"({"kind":"angry","intensity":11})");
//   auto e = redress::from_json<redress::Emotion>(v, "contact.emotion");
//   // e.error() == errc::invalid_argument;
//   // last_error_detail(): "contact.emotion.intensity: 11 is outside 0..10"
template <class T>
result<T> from_json(const boost::json::value& v, std::string_view path = {}) {
  return detail::JsonCodec<T>::decode(v, path);
}

// tag_invoke(value_from_tag, ...)
//
// Lets boost::json::value_from() encode any redress type that has a to_json()
// overload, e.g. `boost::json::value_from(std::vector<redress::Money>{...})`.
template <class T>
  requires requires(const T& t) {
    { to_json(t) } -> std::same_as<boost::json::value>;
  }
void tag_invoke(boost::json::value_from_tag, boost::json::value& out, const T& value) {
  out = to_json(value);
}

}  // namespace v1
}  // namespace redress

#endif  // REDRESS_JSON_HPP
