#include "support/test.hpp"

#include <array>
#include <string>
#include <vector>

#include <redress/json.hpp>

using namespace redress;
namespace json = boost::json;

namespace {

// Encodes `value`, serialises and re-parses the text, decodes it, and checks
// the result equals `value`; returns the serialised text.
template <class T>
std::string round_trip(const T& value) {
  std::string text = json::serialize(to_json(value));
  auto decoded = from_json<T>(json::parse(text), "x");
  CAPTURE(text);
  REQUIRE(decoded);
  CHECK(decoded.value() == value);
  return text;
}

// Decodes `text` as a T and checks it fails with `code` and a detail that
// starts with `detail_prefix`.
template <class T>
void check_fails(std::string_view text, errc code, std::string_view detail_prefix) {
  CAPTURE(text);
  auto r = from_json<T>(json::parse(text), "case.refund");
  REQUIRE_FALSE(r);
  CHECK(r.error() == code);
  CAPTURE(last_error_detail());
  CHECK(last_error_detail().starts_with(detail_prefix));
}

}  // namespace

TEST_SUITE("json") {
  TEST_CASE("money is written as integer minor units and a currency code") {
    auto text = round_trip(Money::from_minor_units(19999, Currency::CNY));
    CHECK(text == R"({"amount_minor":19999,"currency":"CNY"})");
    round_trip(Money::from_minor_units(INT64_MIN, Currency::JPY));
    round_trip(Money::from_minor_units(-550, Currency::USD));
    CHECK(round_trip(Currency::HKD) == R"("HKD")");
  }

  TEST_CASE("money is also read from a decimal string amount") {
    auto m = from_json<Money>(json::parse(R"({"amount":"199.99","currency":"CNY"})"));
    REQUIRE(m);
    CHECK(m.value() == Money::from_minor_units(19999, Currency::CNY));
    CHECK(from_json<Money>(json::parse(R"({"amount":"-5.5","currency":"CNY","x-note":"a host note"})")).value() ==
          Money::from_minor_units(-550, Currency::CNY));
  }

  TEST_CASE("money of the wrong shape fails with invalid_json naming the field") {
    check_fails<Money>(R"({"amount_minor":199.99,"currency":"CNY"})", errc::invalid_json,
                       "case.refund.amount_minor: expected an integer");
    check_fails<Money>(R"({"amount":199.99,"currency":"CNY"})", errc::invalid_json,
                       "case.refund.amount: expected a decimal string");
    check_fails<Money>(R"({"currency":"CNY"})", errc::invalid_json, "case.refund.amount_minor: missing");
    check_fails<Money>(R"({"amount_minor":1})", errc::invalid_json, "case.refund.currency: missing");
    check_fails<Money>(R"({"amount_minor":1,"amount":"0.01","currency":"CNY"})", errc::invalid_json,
                       "case.refund: has both");
    check_fails<Money>(R"([1,"CNY"])", errc::invalid_json, "case.refund: expected an object");
    check_fails<Money>(R"({"amount_minor":18446744073709551615,"currency":"CNY"})", errc::invalid_json,
                       "case.refund.amount_minor: expected an integer");
  }

  TEST_CASE("money the types refuse keeps their error code and gains the path") {
    check_fails<Money>(R"({"amount_minor":1,"currency":"RMB"})", errc::unknown_currency,
                       "case.refund.currency: currency \"RMB\"");
    check_fails<Money>(R"({"amount":"1.999","currency":"CNY"})", errc::invalid_amount,
                       "case.refund.amount: amount \"1.999\"");
    check_fails<Money>(R"({"amount":"99999999999999999999","currency":"CNY"})", errc::amount_overflow,
                       "case.refund.amount: amount");
  }

  TEST_CASE("ids are written as their text") {
    CHECK(round_trip(CaseId::make("C-2025-0042").value()) == R"("C-2025-0042")");
    round_trip(OrderId::make("o/1?x").value());
    check_fails<CustomerId>(R"("cust 1")", errc::invalid_argument, "case.refund: customer_id \"cust 1\"");
    check_fails<AgentId>(R"(42)", errc::invalid_json, "case.refund: expected a string");
  }

  TEST_CASE("contact points are written normalised and normalised again when read") {
    CHECK(round_trip(ContactPoint::phone("138 1234 5678").value()) ==
          R"({"kind":"phone","value":"+8613812345678"})");
    round_trip(ContactPoint::email("Alice@Example.com").value());
    round_trip(ContactPoint::account("wechat:wxid_abc").value());
    auto raw = from_json<ContactPoint>(json::parse(R"({"kind":"phone","value":"0086 (138) 1234-5678"})"));
    REQUIRE(raw);
    CHECK(raw.value() == ContactPoint::phone("+8613812345678").value());
    check_fails<ContactPoint>(R"({"kind":"phone","value":"1381234567"})", errc::invalid_contact,
                              "case.refund.value: phone (10 bytes, not repeated here)");
    check_fails<ContactPoint>(R"({"kind":"fax","value":"1"})", errc::invalid_argument,
                              "case.refund.kind: contact kind \"fax\"");
    check_fails<ContactPoint>(R"({"kind":"email"})", errc::invalid_json, "case.refund.value: missing");
  }

  TEST_CASE("channels and emotions round-trip") {
    for (Channel c : kChannels) round_trip(c);
    for (EmotionKind k : kEmotionKinds) round_trip(Emotion::make(k, 7).value());
    for (ContactKind k : kContactKinds) round_trip(k);
    CHECK(round_trip(Channel::in_person) == R"("in_person")");
    CHECK(round_trip(Emotion::make(EmotionKind::frustrated, 7).value()) == R"({"kind":"frustrated","intensity":7})");
    check_fails<Channel>(R"("fax")", errc::invalid_argument, "case.refund: channel \"fax\"");
    check_fails<Emotion>(R"({"kind":"angry","intensity":11})", errc::invalid_argument,
                         "case.refund.intensity: 11 is outside 0..10");
    check_fails<Emotion>(R"({"kind":"angry","intensity":-4294967296})", errc::invalid_argument,
                         "case.refund.intensity: -4294967296 is outside");
    check_fails<Emotion>(R"({"kind":"angry","intensity":"high"})", errc::invalid_json,
                         "case.refund.intensity: expected an integer");
    check_fails<Emotion>(R"({"kind":"furious","intensity":3})", errc::invalid_argument,
                         "case.refund.kind: emotion kind \"furious\"");
  }

  TEST_CASE("time values are written as ISO 8601 text") {
    auto at = parse_instant("2025-01-24T07:00:00Z").value();
    CHECK(round_trip(at) == R"("2025-01-24T07:00:00Z")");
    round_trip(parse_instant("2025-01-24T07:00:00.250Z").value());
    CHECK(round_trip(CivilDate(2024, 2, 29)) == R"("2024-02-29")");
    CHECK(round_trip(Duration(boost::posix_time::minutes(20))) == R"("00:20:00")");
    round_trip(Duration(boost::posix_time::hours(-49)));
    CHECK(round_trip(TimeZone::named("Asia/Shanghai").value()) == R"("Asia/Shanghai")");
    round_trip(TimeZone::fixed(-90).value());
    CHECK(from_json<Instant>(json::parse(R"("2025-01-24T15:00:00+08:00")")).value() == at);
    CHECK(from_json<Duration>(json::parse(R"("PT20M")")).value() == boost::posix_time::minutes(20));
  }

  TEST_CASE("malformed time values keep their own error code and gain the path") {
    check_fails<Instant>(R"("2025-01-24")", errc::invalid_argument, "case.refund: instant \"2025-01-24\"");
    check_fails<CivilDate>(R"("2025-02-30")", errc::invalid_argument, "case.refund: date");
    check_fails<Duration>(R"("P1D")", errc::invalid_argument, "case.refund: duration");
    check_fails<TimeZone>(R"("Mars/Olympus_Mons")", errc::unknown_time_zone,
                          "case.refund: time zone \"Mars/Olympus_Mons\"");
    check_fails<Instant>(R"(null)", errc::invalid_json, "case.refund: expected a string");
  }

  TEST_CASE("special time values are written as null") {
    CHECK(to_json(Instant(boost::posix_time::not_a_date_time)).is_null());
    CHECK(to_json(CivilDate(boost::gregorian::pos_infin)).is_null());
    CHECK(to_json(Duration(boost::posix_time::not_a_date_time)).is_null());
  }

  TEST_CASE("an error at the document root is reported as (root)") {
    auto r = from_json<Money>(json::parse("3"));
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_json);
    CHECK(last_error_detail() == "(root): expected an object");
  }

  TEST_CASE("value_from encodes containers of redress values") {
    std::vector<Money> refunds{Money::from_minor_units(100, Currency::CNY), Money::from_minor_units(5, Currency::JPY)};
    CHECK(json::serialize(json::value_from(refunds)) ==
          R"([{"amount_minor":100,"currency":"CNY"},{"amount_minor":5,"currency":"JPY"}])");
    std::vector<CaseId> ids{CaseId::make("a").value(), CaseId::make("b").value()};
    CHECK(json::serialize(json::value_from(ids)) == R"(["a","b"])");
  }

  TEST_CASE("a document with two members of the same name is refused, naming the member's path") {
    // Safety first: a second "type" must not silently turn a safety report into a contact.
    auto r = detail::json_parse(R"({"type":"safety_risk_reported","at":"2026-01-01T00:00:00Z","type":"contact_received"})",
                                "event");
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_json);
    CHECK(last_error_detail() == "event: type: duplicate member (a member may appear only once)");

    r = detail::json_parse(R"({"events":[{"a":1},{"a":1,"b":{"c":[1,{"d":2,"d":3}]}}]})", "scenario");
    REQUIRE_FALSE(r);
    CHECK(last_error_detail() == "scenario: events[1].b.c[1].d: duplicate member (a member may appear only once)");

    r = detail::json_parse(R"({"k\u0065y":1,"key":2})", "policy");  // the same name, escaped once
    REQUIRE_FALSE(r);
    CHECK(last_error_detail() == "policy: key: duplicate member (a member may appear only once)");
  }

  TEST_CASE("the same member name in different objects, and repeated array values, are accepted") {
    auto r = detail::json_parse(R"({"a":{"x":1},"b":{"x":1},"c":[1,1,{"x":1},{"x":1}],"x":[]})", "doc");
    REQUIRE(r);
    CHECK(r.value().as_object().size() == 4);
    CHECK(detail::json_first_duplicate("[]") == std::nullopt);
  }

  TEST_CASE("a duplicate among many members is found, and many distinct members pass") {
    std::string many = "{";
    for (int i = 0; i < 100; ++i) many += fmt::format("\"m{}\":{},", i, i);
    CHECK(detail::json_first_duplicate(many + "\"last\":0}") == std::nullopt);
    CHECK(detail::json_first_duplicate(many + "\"m7\":0}") == std::optional<std::string>("m7"));
    CHECK(detail::json_first_duplicate(many + "\"m99\":0}") == std::optional<std::string>("m99"));
  }

  TEST_CASE("an unknown member is named with the member it probably meant, when one is close") {
    static constexpr std::array<std::string_view, 4> known{"update_interval", "currency", "opened_at", "level"};
    CHECK(detail::json_nearest("update_intervl", known) == std::optional<std::string_view>("update_interval"));
    CHECK(detail::json_nearest("curency", known) == std::optional<std::string_view>("currency"));
    CHECK(detail::json_nearest("currnecy", known) == std::optional<std::string_view>("currency"));  // a swap
    CHECK(detail::json_nearest("opened", known) == std::optional<std::string_view>("opened_at"));   // cut short
    CHECK(detail::json_nearest("colour", known) == std::nullopt);
    CHECK(detail::json_nearest("lvl", known) == std::nullopt);  // two slips in three letters is another word
    auto obj = boost::json::parse(R"({"level": 1, "levle": 2})").as_object();
    auto r = detail::json_known_members(obj, "policy.authority[0]", known);
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_json);
    CHECK(std::string(last_error_detail()) == "policy.authority[0].levle: unknown member; did you mean level?");
  }

  TEST_CASE("members starting with x- are a host's own and pass; a long unknown name is cut in the error") {
    static constexpr std::array<std::string_view, 1> known{"level"};
    auto hosted = boost::json::parse(R"({"level": 1, "x-crm": {"ticket": 7}, "x-": 0})").as_object();
    CHECK(detail::json_known_members(hosted, "", known));
    boost::json::object long_name{{std::string(200, 'q'), 1}};
    REQUIRE_FALSE(detail::json_known_members(long_name, "doc", known));
    CHECK(std::string(last_error_detail()) == "doc." + std::string(64, 'q') + "...: unknown member");
  }

  TEST_CASE("a document's schema version: missing is 1, the known one passes, a newer or foreign one is refused") {
    auto version = [](std::string_view text) {
      return detail::json_schema_version(boost::json::parse(text).as_object(), "policy", "policy");
    };
    CHECK(version("{}").value() == 1);
    CHECK(version(R"({"schema": "redress.policy/1"})").value() == 1);
    REQUIRE_FALSE(version(R"({"schema": "redress.policy/2"})"));
    CHECK(std::string(last_error_detail()) ==
          "policy.schema: redress.policy/2 is newer than this version of redress reads (up to redress.policy/1); "
          "upgrade redress to read it");
    REQUIRE_FALSE(version(R"({"schema": "redress.calendar/1"})"));
    CHECK(std::string(last_error_detail()) == "policy.schema: expected \"redress.policy/1\"");
    CHECK_FALSE(version(R"({"schema": "redress.policy/1x"})"));
    CHECK_FALSE(version(R"({"schema": "redress.policy/99999999999999999999"})"));
    CHECK_FALSE(version(R"({"schema": 1})"));
  }

  TEST_CASE("a money value with an unknown member is refused naming it") {
    auto m = from_json<Money>(boost::json::parse(R"({"amount_minor": 100, "currency": "CNY", "curency": "USD"})"),
                              "refund");
    REQUIRE_FALSE(m);
    CHECK(std::string(last_error_detail()) == "refund.curency: unknown member; did you mean currency?");
  }
}

