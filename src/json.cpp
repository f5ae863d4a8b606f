// The JSON codec of redress's value types.
#include <redress/json.hpp>

#include <utility>

namespace redress {
inline namespace v1 {
namespace detail {
namespace {

namespace json = boost::json;

// The member `key` of the object `v`, read as a T.
template <class T>
result<T> member(const json::object& obj, std::string_view path, std::string_view key) {
  BOOST_OUTCOME_TRY(auto value, json_member(obj, path, key));
  return from_json<T>(*value, json_child(path, key));
}

// The member `key` of `obj` read by `read` (json_string, json_int64).
template <class Read>
auto member_as(const json::object& obj, std::string_view path, std::string_view key, Read read)
    -> decltype(read(std::declval<const json::value&>(), path)) {
  BOOST_OUTCOME_TRY(auto value, json_member(obj, path, key));
  return read(*value, json_child(path, key));
}

// A time value as text, or null when it is special (not_a_date_time, ±infinity).
template <class T, class Format>
json::value text_or_null(const T& t, Format format) {
  if (t.is_special()) return nullptr;
  return json::string(format(t));
}

}  // namespace

result<Money> JsonCodec<Money>::decode(const json::value& v, std::string_view path) {
  BOOST_OUTCOME_TRY(auto obj, json_object(v, path));
  BOOST_OUTCOME_TRY(auto currency, member<Currency>(*obj, path, "currency"));
  const json::value* decimal = obj->if_contains("amount");
  if (decimal && obj->contains("amount_minor")) return json_fail(path, "has both amount_minor and amount; give one");
  if (decimal) {
    std::string amount_path = json_child(path, "amount");
    if (!decimal->is_string()) {
      return json_fail(amount_path, "expected a decimal string like \"199.99\" (JSON numbers are not exact)");
    }
    BOOST_OUTCOME_TRY(auto text, json_string(*decimal, amount_path));
    return at_path(Money::parse(text, currency), amount_path);
  }
  BOOST_OUTCOME_TRY(auto units, member_as(*obj, path, "amount_minor", json_int64));
  return Money::from_minor_units(units, currency);
}

result<ContactPoint> JsonCodec<ContactPoint>::decode(const json::value& v, std::string_view path) {
  BOOST_OUTCOME_TRY(auto obj, json_object(v, path));
  BOOST_OUTCOME_TRY(auto kind, member<ContactKind>(*obj, path, "kind"));
  BOOST_OUTCOME_TRY(auto text, member_as(*obj, path, "value", json_string));
  return at_path(ContactPoint::make(kind, text), json_child(path, "value"));
}

result<Emotion> JsonCodec<Emotion>::decode(const json::value& v, std::string_view path) {
  BOOST_OUTCOME_TRY(auto obj, json_object(v, path));
  BOOST_OUTCOME_TRY(auto kind, member<EmotionKind>(*obj, path, "kind"));
  BOOST_OUTCOME_TRY(auto intensity, member_as(*obj, path, "intensity", json_int64));
  if (intensity < 0 || intensity > Emotion::kMaxIntensity) {
    return fail(errc::invalid_argument,
                fmt::format("{}: {} is outside 0..10", json_child(path, "intensity"), intensity));
  }
  return Emotion::make(kind, static_cast<int>(intensity));
}

}  // namespace detail

boost::json::value to_json(Currency currency) { return boost::json::string(currency.code()); }

boost::json::value to_json(Money money) {
  return boost::json::object{{"amount_minor", money.minor_units()}, {"currency", money.currency().code()}};
}

boost::json::value to_json(const ContactPoint& contact) {
  return boost::json::object{{"kind", to_string(contact.kind())}, {"value", contact.value()}};
}

boost::json::value to_json(Channel channel) { return boost::json::string(to_string(channel)); }
boost::json::value to_json(EmotionKind kind) { return boost::json::string(to_string(kind)); }
boost::json::value to_json(ContactKind kind) { return boost::json::string(to_string(kind)); }

boost::json::value to_json(Emotion emotion) {
  return boost::json::object{{"kind", to_string(emotion.kind())}, {"intensity", emotion.intensity()}};
}

boost::json::value to_json(Instant at_utc) {
  return detail::text_or_null(at_utc, format_instant);
}

boost::json::value to_json(CivilDate date) {
  return detail::text_or_null(date, format_date);
}

boost::json::value to_json(Duration duration) {
  return detail::text_or_null(duration, format_duration);
}

boost::json::value to_json(const TimeZone& zone) { return boost::json::string(zone.name()); }

}  // namespace v1
}  // namespace redress
