// The JSON codec of redress's value types.
#include <redress/json.hpp>

#include <algorithm>
#include <charconv>
#include <unordered_set>
#include <utility>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>

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
  BOOST_OUTCOME_TRYV(json_known_members(*obj, path, {"amount_minor", "amount", "currency"}));
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
  BOOST_OUTCOME_TRYV(json_known_members(*obj, path, {"kind", "value"}));
  BOOST_OUTCOME_TRY(auto kind, member<ContactKind>(*obj, path, "kind"));
  BOOST_OUTCOME_TRY(auto text, member_as(*obj, path, "value", json_string));
  return at_path(ContactPoint::make(kind, text), json_child(path, "value"));
}

result<Emotion> JsonCodec<Emotion>::decode(const json::value& v, std::string_view path) {
  BOOST_OUTCOME_TRY(auto obj, json_object(v, path));
  BOOST_OUTCOME_TRYV(json_known_members(*obj, path, {"kind", "intensity"}));
  BOOST_OUTCOME_TRY(auto kind, member<EmotionKind>(*obj, path, "kind"));
  BOOST_OUTCOME_TRY(auto intensity, member_as(*obj, path, "intensity", json_int64));
  if (intensity < 0 || intensity > Emotion::kMaxIntensity) {
    return fail(errc::invalid_argument,
                fmt::format("{}: {} is outside 0..10", json_child(path, "intensity"), intensity));
  }
  return Emotion::make(kind, static_cast<int>(intensity));
}

namespace {

// A boost::json::basic_parser handler that builds nothing: it keeps, per open
// object, the names of its members so far, and stops at the first repeat.
// Frames are reused from one object to the next, and names are compared by a
// linear scan while an object is small (redress documents have a few members
// per object), by a hash set beyond, so a hostile object stays linear.
struct DuplicateFinder {
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);
  static constexpr std::size_t kLinear = 32;

  struct Frame {
    bool array = false;
    std::size_t index = 0;               // arrays: elements completed so far
    std::string current;                 // objects: the member being read
    std::vector<std::string> keys;       // objects: the members so far, while few
    std::unordered_set<std::string> many;  // ... and once there are kLinear of them

    void reset(bool is_array) {
      array = is_array;
      index = 0;
      keys.clear();
      many.clear();
    }
    // False when `name` was seen before in this object.
    bool add(std::string_view name) {
      current.assign(name.data(), name.size());
      if (many.empty() && keys.size() < kLinear) {
        for (const auto& k : keys) {
          if (k == name) return false;
        }
        keys.push_back(current);
        if (keys.size() == kLinear) {
          for (auto& k : keys) many.insert(std::move(k));
          keys.clear();
        }
        return true;
      }
      return many.insert(current).second;
    }
  };
  std::vector<Frame> frames;  // frames[0, depth) are open
  std::size_t depth = 0;
  std::string key;
  std::optional<std::string> duplicate;

  std::string path() const {
    std::string p;
    for (std::size_t i = 0; i < depth; ++i) {
      const Frame& f = frames[i];
      p = f.array ? json_index(p, f.index) : json_child(p, f.current);
    }
    return p;
  }
  void value_done() {
    if (depth > 0 && frames[depth - 1].array) ++frames[depth - 1].index;
  }
  void open(bool is_array) {
    if (frames.size() == depth) frames.emplace_back();
    frames[depth++].reset(is_array);
  }
  void close() {
    --depth;
    value_done();
  }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_array_begin(json::error_code&) {
    open(true);
    return true;
  }
  bool on_array_end(std::size_t, json::error_code&) {
    close();
    return true;
  }
  bool on_object_begin(json::error_code&) {
    open(false);
    return true;
  }
  bool on_object_end(std::size_t, json::error_code&) {
    close();
    return true;
  }
  bool on_string_part(json::string_view, std::size_t, json::error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, json::error_code&) {
    value_done();
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    key.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
    Frame& f = frames[depth - 1];
    bool fresh = true;
    if (key.empty()) {
      fresh = f.add(std::string_view(s.data(), s.size()));
    } else {  // the name came in parts
      key.append(s.data(), s.size());
      fresh = f.add(key);
      key.clear();
    }
    if (!fresh) {
      duplicate = path();
      ec = json::error::extra_data;  // any error stops the parser
      return false;
    }
    return true;
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t, json::string_view, json::error_code&) {
    value_done();
    return true;
  }
  bool on_uint64(std::uint64_t, json::string_view, json::error_code&) {
    value_done();
    return true;
  }
  bool on_double(double, json::string_view, json::error_code&) {
    value_done();
    return true;
  }
  bool on_bool(bool, json::error_code&) {
    value_done();
    return true;
  }
  bool on_null(json::error_code&) {
    value_done();
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }
};

}  // namespace

std::optional<std::string> json_first_duplicate(std::string_view text) {
  json::basic_parser<DuplicateFinder> p{json::parse_options{}};
  json::error_code ec;
  p.write_some(false, text.data(), text.size(), ec);
  return std::move(p.handler().duplicate);
}

namespace {

// The edit distance between a and b (both short: member names): insertions,
// deletions, substitutions and swaps of two neighbours ("txet" is one from
// "text"), each counting one (optimal string alignment).
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> before(b.size() + 1), above(b.size() + 1), row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) above[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      row[j] = std::min({above[j] + 1, row[j - 1] + 1, above[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) row[j] = std::min(row[j], before[j - 2] + 1);
    }
    std::swap(before, above);
    std::swap(above, row);
  }
  return above[b.size()];
}

// A member name as it may appear in an error: at most 64 bytes of it.
std::string shown_key(std::string_view key) {
  constexpr std::size_t kMax = 64;
  if (key.size() <= kMax) return std::string(key);
  return fmt::format("{}...", key.substr(0, kMax));
}

}  // namespace

std::optional<std::string_view> json_nearest(std::string_view word, std::span<const std::string_view> candidates) {
  if (word.size() > 128) return std::nullopt;  // no member name is that long
  // A misspelling is a slip or two: at most a third of the word, and 3.
  const std::size_t limit = std::clamp<std::size_t>(word.size() / 3, 1, 3);
  std::optional<std::string_view> best;
  std::size_t best_distance = limit + 1;
  for (std::string_view c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  if (best) return best;
  // A member cut short or run on ("opened" for opened_at, "holidays_cn").
  for (std::string_view c : candidates) {
    if (std::min(word.size(), c.size()) >= 4 && (c.starts_with(word) || word.starts_with(c))) return c;
  }
  return best;
}

result<void> json_known_members(const json::object& obj, std::string_view path,
                                std::span<const std::string_view> known) {
  for (const auto& member : obj) {
    std::string_view key(member.key().data(), member.key().size());
    if (key.starts_with("x-")) continue;
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string where = json_child(path, shown_key(key));
    if (auto near = json_nearest(key, known)) {
      return json_fail(where, fmt::format("unknown member; did you mean {}?", *near));
    }
    return json_fail(where, "unknown member");
  }
  return boost::outcome_v2::success();
}

result<int> json_schema_version(const json::object& obj, std::string_view path, std::string_view kind) {
  auto it = obj.find("schema");
  if (it == obj.end()) return 1;
  // The usual case, "redress.<kind>/1", read without building a text: every
  // stored event is read through here.
  if (const auto* given = it->value().if_string(); given != nullptr && kSchemaVersion == 1) {
    const std::string_view text(given->data(), given->size());
    constexpr std::string_view head = "redress.", tail = "/1";
    if (text.size() == head.size() + kind.size() + tail.size() && text.starts_with(head) && text.ends_with(tail) &&
        text.substr(head.size(), kind.size()) == kind) {
      return 1;
    }
  }
  std::string where = json_child(path, "schema");
  BOOST_OUTCOME_TRY(auto text, json_string(it->value(), where));
  const std::string expected = json_schema_name(kind);
  const std::string prefix = fmt::format("redress.{}/", kind);
  int version = 0;
  if (text.starts_with(prefix)) {
    std::string_view digits = text.substr(prefix.size());
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), version);
    if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() || digits[0] == '0' ||
        version < 1) {
      version = 0;
    }
  }
  if (version == 0) {
    // The text is not echoed: it could be anything a host put there.
    return json_fail(where, fmt::format("expected \"{}\"", expected));
  }
  if (version > kSchemaVersion) {
    return json_fail(where, fmt::format("{} is newer than this version of redress reads (up to {}); "
                                        "upgrade redress to read it",
                                        json_schema_name(kind, version), expected));
  }
  return version;
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
