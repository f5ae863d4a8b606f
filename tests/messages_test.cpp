// The message catalogue (<redress/messages.hpp>): its entries, the values it
// formats for a locale, the host's overrides, and the engine speaking the
// case's language.
#include "support/engine_fixture.hpp"

#include <algorithm>

#include <redress/journal.hpp>
#include <redress/messages.hpp>

using namespace redress;
using namespace redress::testing;
namespace ev = redress::events;

namespace {

const MessageCatalogue kCatalogue;

bool has_han(std::string_view s) {
  // U+4E00..U+9FFF in UTF-8: lead bytes E4..E9.
  return std::any_of(s.begin(), s.end(), [](char ch) {
    auto b = static_cast<unsigned char>(ch);
    return b >= 0xE4 && b <= 0xE9;
  });
}

bool has_ascii_word(std::string_view s) {
  for (std::size_t i = 0; i + 1 < s.size(); ++i) {
    auto a = static_cast<unsigned char>(s[i]);
    auto b = static_cast<unsigned char>(s[i + 1]);
    if (std::isalpha(a) && std::isalpha(b)) return true;
  }
  return false;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

boost::json::object zh_policy(std::string_view locale) {
  boost::json::object extra;
  extra["locale"] = locale;
  return extra;
}

}  // namespace

TEST_SUITE("messages") {
  TEST_CASE("every catalogue key exists in all three locales with the same placeholders") {
    auto keys = MessageCatalogue::builtin_keys();
    REQUIRE(keys.size() > 50);
    for (std::string_view key : keys) {
      CAPTURE(key);
      auto en = MessageCatalogue::builtin(key, Locale::en);
      REQUIRE_FALSE(en.empty());
      for (Locale l : {Locale::zh_hans, Locale::zh_hant}) {
        CAPTURE(to_string(l));
        auto text = MessageCatalogue::builtin(key, l);
        CHECK_FALSE(text.empty());
        CHECK(sorted(MessageCatalogue::placeholders(text)) == sorted(MessageCatalogue::placeholders(en)));
      }
    }
  }

  TEST_CASE("the Chinese entries are Chinese: no English word outside their placeholders") {
    for (std::string_view key : MessageCatalogue::builtin_keys()) {
      for (Locale l : {Locale::zh_hans, Locale::zh_hant}) {
        std::string text(MessageCatalogue::builtin(key, l));
        for (const auto& name : MessageCatalogue::placeholders(text)) {
          std::string ph = "{" + name + "}";
          for (auto at = text.find(ph); at != std::string::npos; at = text.find(ph)) text.erase(at, ph.size());
        }
        CAPTURE(key);
        CHECK_FALSE(has_ascii_word(text));
      }
    }
  }

  TEST_CASE("money, instants and durations are written for the locale, instants in the given zone") {
    auto zone = TimeZone::named("Asia/Shanghai").value();
    std::initializer_list<MessageArg> args = {{"value", cny("30")}};
    CHECK(kCatalogue.format("finding.remedy.beyond_all_authority", Locale::en, args, zone) ==
          "no authority level may grant CNY 30.00");
    CHECK(kCatalogue.format("finding.remedy.beyond_all_authority", Locale::zh_hans, args, zone) ==
          "没有任何权限级别可以批准30.00元");
    CHECK(kCatalogue.value_text(at("2025-01-27T13:00:00Z"), Locale::zh_hans, zone) == "2025年1月27日 21:00");
    CHECK(kCatalogue.value_text(at("2025-01-27T13:00:00Z"), Locale::en, zone) == "2025-01-27 21:00 Asia/Shanghai");
    CHECK(kCatalogue.value_text(Duration(boost::posix_time::minutes(20)), Locale::zh_hant, zone) == "20分鐘");
    CHECK(kCatalogue.value_text(Duration(boost::posix_time::minutes(90)), Locale::en, zone) == "1 hour 30 minutes");
    CHECK(kCatalogue.value_text(Duration(boost::posix_time::hours(720)), Locale::zh_hans, zone) == "30天");
    CHECK(kCatalogue.value_text(MessageTerm("channel.phone"), Locale::zh_hant, zone) == "電話");
    CHECK(kCatalogue.value_text(MessageTerm("role.duty desk", "duty desk"), Locale::zh_hans, zone) == "duty desk");
  }

  TEST_CASE("a host's entry overrides the built-in one in its locale only, and a new key can be added") {
    MessageCatalogue cat;
    REQUIRE(cat.set("reply.apologise_first", Locale::zh_hans, "请先道歉。").has_value());
    REQUIRE(cat.set("reply.house_rule", Locale::en, "Offer tea.").has_value());
    CHECK(cat.text("reply.apologise_first", Locale::zh_hans) == "请先道歉。");
    CHECK(cat.text("reply.apologise_first", Locale::zh_hant) ==
          MessageCatalogue::builtin("reply.apologise_first", Locale::zh_hant));
    CHECK(cat.text("reply.house_rule", Locale::zh_hant) == "Offer tea.");  // falls back to English
    CHECK(cat.format("no.such.key", Locale::en, {}, TimeZone::utc()) == "no.such.key");
  }

  TEST_CASE("an override whose placeholders differ from the built-in entry's is refused, naming them") {
    MessageCatalogue cat;
    auto missing = cat.set("finding.remedy.beyond_all_authority", Locale::en, "too much");
    REQUIRE_FALSE(missing.has_value());
    CHECK(std::string(last_error_detail()).find("{value} is missing") != std::string::npos);
    auto unknown = cat.set("finding.remedy.beyond_all_authority", Locale::en, "{value} for {customer_name}");
    REQUIRE_FALSE(unknown.has_value());
    CHECK(std::string(last_error_detail()).find("unknown placeholder {customer_name}") != std::string::npos);
    CHECK_FALSE(cat.set("reply.x", Locale::en, "an { open brace").has_value());
  }

  TEST_CASE("a policy's messages section overrides entries; a bad one is refused naming its path") {
    boost::json::object extra;
    extra["messages"] = boost::json::object{
        {"reply.apologise_first", boost::json::object{{"en", "Say sorry first."}, {"zh-Hans", "先说对不起。"}}}};
    auto policy = reference_policy(extra);
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::chat, std::nullopt, "hello"});
    REQUIRE(j.action<actions::Reply>() != nullptr);
    CHECK(j.action<actions::Reply>()->text == "Say sorry first.");

    boost::json::object bad;
    bad["messages"] = boost::json::object{
        {"finding.remedy.beyond_all_authority", boost::json::object{{"zh-Hans", "太多了"}}}};
    CHECK_FALSE(ReferencePolicy::from_json(policy_document(bad)).has_value());
    boost::json::object bad_locale;
    bad_locale["locale"] = "fr";
    auto refused = ReferencePolicy::from_json(policy_document(bad_locale));
    REQUIRE_FALSE(refused.has_value());
    CHECK(std::string(last_error_detail()).find("locale") != std::string::npos);
  }

  TEST_CASE("a case under a zh-Hans policy is told what to do in Simplified Chinese") {
    auto policy = reference_policy(zh_policy("zh-Hans"));
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::phone, std::nullopt, "电视没有画面"});
    REQUIRE(j.action<actions::Reply>() != nullptr);
    CHECK(j.action<actions::Reply>()->text == MessageCatalogue::builtin("reply.apologise_first", Locale::zh_hans));
    j.on("2025-01-24T07:05:00Z", ev::ContactReceived{Channel::chat, std::nullopt, "还是没有画面"});
    REQUIRE(j.action<actions::SurfaceHistory>() != nullptr);
    const std::string& summary = j.action<actions::SurfaceHistory>()->summary;
    CHECK(has_han(summary));
    CHECK_FALSE(has_ascii_word(summary));
    CHECK(summary.find("电话、在线聊天") != std::string::npos);
    for (const auto& f : j.last.findings) {
      CHECK(f.code == "contact.repeat");  // the code stays English
      CHECK(has_han(f.message));
    }
  }

  TEST_CASE("a contact in Traditional Chinese switches an English case to zh-Hant from then on") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    ev::ContactReceived first{Channel::phone, std::nullopt, "電視沒有畫面"};
    first.locale = Locale::zh_hant;
    j.on("2025-01-24T07:00:00Z", first);
    CHECK(j.c.locale() == Locale::zh_hant);
    CHECK(j.action<actions::Reply>()->text == MessageCatalogue::builtin("reply.apologise_first", Locale::zh_hant));
  }

  TEST_CASE("a case opened with a locale speaks it whatever the policy's default") {
    auto policy = reference_policy(zh_policy("zh-Hans"));
    auto c = Case::open(case_id(), CustomerId::make("U-1").value(), Currency::CNY, at("2025-01-24T07:00:00Z"),
                        Locale::en)
                 .value();
    Journey j{policy, c};
    j.on("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::phone, std::nullopt, "no picture"});
    CHECK(j.action<actions::Reply>()->text == MessageCatalogue::builtin("reply.apologise_first", Locale::en));
  }

  TEST_CASE("in Chinese, a front-line offer never says a supervisor was asked; an approved one does") {
    auto policy = reference_policy(zh_policy("zh-Hans"));
    auto j = money_loss_case(policy, "300");
    j.propose("2025-01-24T07:02:00Z", "R-1", RemedyKind::cash, "100");
    REQUIRE(j.action<actions::Offer>() != nullptr);
    CHECK(j.action<actions::Offer>()->framing.find("主管") == std::string::npos);
    j.propose("2025-01-24T07:03:00Z", "R-2", RemedyKind::cash, "250");
    REQUIRE(j.action<actions::RequestApproval>() != nullptr);
    j.on("2025-01-24T07:04:00Z", ev::RemedyApproved{RemedyId::make("R-2").value(), AgentId::make("A-9").value(), 1});
    REQUIRE(j.action<actions::Offer>() != nullptr);
    CHECK(j.action<actions::Offer>()->framing == MessageCatalogue::builtin("framing.approved", Locale::zh_hans));
    CHECK(j.action<actions::Offer>()->framing.find("主管") != std::string::npos);
  }

  TEST_CASE("a policy's own framing is used as written, in every locale") {
    boost::json::object extra = zh_policy("zh-Hant");
    extra["framing"] = boost::json::object{{"cash", "A gift from the house."}};
    auto policy = reference_policy(extra);
    auto j = money_loss_case(policy, "300");
    j.propose("2025-01-24T07:02:00Z", "R-1", RemedyKind::cash, "100");
    REQUIRE(j.action<actions::Offer>() != nullptr);
    CHECK(j.action<actions::Offer>()->framing == "A gift from the house.");
  }

  TEST_CASE("a contact's locale is kept in the journal's JSON, and an unknown one is refused naming the field") {
    ev::ContactReceived contact{Channel::phone, std::nullopt, "電視沒有畫面"};
    contact.locale = Locale::zh_hant;
    Event e{case_id(), at("2025-01-24T07:00:00Z"), std::nullopt, contact};
    auto json = to_json(e);
    CHECK(json.as_object().at("locale") == "zh-Hant");
    auto back = event_from_json(json);
    REQUIRE(back.has_value());
    CHECK(back.value() == e);
    json.as_object()["locale"] = "klingon";
    REQUIRE_FALSE(event_from_json(json, "events[0]").has_value());
    CHECK(std::string(last_error_detail()).find("events[0].locale") != std::string::npos);
  }
}
