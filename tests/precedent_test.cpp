// Cited precedents: judged on facts the host or the store gave; a citation
// nobody could look up is recorded as unverified and never believed.
#include "support/engine_fixture.hpp"

#include <redress/journal.hpp>
#include <redress/messages.hpp>

using namespace redress;
using namespace redress::testing;
namespace ev = redress::events;

namespace {

const Finding* finding(const Journey& j, std::string_view code) {
  for (const auto& f : j.last.findings) {
    if (f.code == code) return &f;
  }
  return nullptr;
}

bool traced(const Journey& j, std::string_view rule, std::string_view part) {
  for (const auto& t : j.last.trace) {
    if (t.rule == rule && t.detail.find(part) != std::string::npos) return true;
  }
  return false;
}

ev::PrecedentCited unverified(std::string reference) {
  return ev::PrecedentCited{std::move(reference), RemedyKind::cash, cny("0"), Loss::nothing(Currency::CNY),
                            ev::PrecedentSource::none};
}

result<Event> read(std::string_view json) {
  return event_from_json(boost::json::parse(json), "events[0]", JournalDefaults{case_id("C-9"), Currency::CNY});
}

}  // namespace

TEST_SUITE("precedents") {
  TEST_CASE("a precedent cited by an id nobody could look up is recorded as unverified, not believed") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", order_with_loss("O-2", Loss::nothing(Currency::CNY)));
    j.on("2025-01-24T07:01:00Z", unverified("C-friend"));
    const Finding* f = finding(j, "precedent.unverified");
    REQUIRE(f != nullptr);
    CHECK(f->severity == Severity::warn);
    CHECK(f->message.find("C-friend") != std::string::npos);
    CHECK_FALSE(j.found("precedent.outlier"));
    CHECK_FALSE(j.found("precedent.consistent"));
    CHECK(j.c.flags().precedent_claim);
    // Not believed, and not escalated as an outlier either: nothing is known of it.
    CHECK(j.action<actions::Escalate>() == nullptr);
    REQUIRE(j.action<actions::Reply>() != nullptr);
    CHECK(j.action<actions::Reply>()->text == MessageCatalogue::builtin("reply.precedent.unverified", Locale::en));
    CHECK(traced(j, "precedent.unverified", "store"));
  }

  TEST_CASE("an unverified citation does not make cash without loss acceptable afterwards") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", order_with_loss("O-2", Loss::nothing(Currency::CNY)));
    j.on("2025-01-24T07:01:00Z", unverified("order O-77"));
    j.on("2025-01-24T07:02:00Z", ev::NeedStated{"200 cash like my friend"});
    j.on("2025-01-24T07:03:00Z", ev::RemedyProposed{remedy_id("R-1"), RemedyKind::cash, cny("200"), order_id("O-2")});
    CHECK(j.found("remedy.cash_without_loss"));
  }

  TEST_CASE("facts the store gave are judged as the host's are: cash far above the cited loss is an outlier") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:01:00Z", ev::PrecedentCited{"C-friend", RemedyKind::cash, cny("300"),
                                                    Loss{LossKind::money, cny("50"), std::nullopt},
                                                    ev::PrecedentSource::store});
    CHECK(j.found("precedent.outlier"));
    CHECK_FALSE(j.found("precedent.unverified"));
    CHECK(j.action<actions::Escalate>() != nullptr);
    CHECK(traced(j, "precedent.judged", "the store's journal"));
  }

  TEST_CASE("facts the store gave within the loss and the goodwill cap are consistent") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    // At the limit: the cited loss plus the policy's goodwill cap.
    const Money cap = policy.settings(j.c).value()->goodwill_cap;
    const Money limit = add(cny("50"), cap).value();
    j.on("2025-01-24T07:01:00Z", ev::PrecedentCited{"O-5001", RemedyKind::extra, limit,
                                                    Loss{LossKind::money, cny("50"), std::nullopt},
                                                    ev::PrecedentSource::store});
    CHECK(j.found("precedent.consistent"));
    CHECK(traced(j, "precedent.judged", "store"));
  }

  TEST_CASE("the unverified finding and its reply are written in the case's language") {
    auto policy = reference_policy();
    Journey j{policy, new_case()};
    j.on("2025-01-24T07:00:00Z", ev::ContactReceived{Channel::chat, std::nullopt, "你们上次给我朋友赔了两百", Locale::zh_hans});
    j.on("2025-01-24T07:01:00Z", unverified("C-friend"));
    const Finding* f = finding(j, "precedent.unverified");
    REQUIRE(f != nullptr);
    CHECK(f->message == "无法查到C-friend:没有它给了什么、损失了什么的记录;未经核实,不可采信");
    REQUIRE(j.action<actions::Reply>() != nullptr);
    CHECK(j.action<actions::Reply>()->text == MessageCatalogue::builtin("reply.precedent.unverified", Locale::zh_hans));
  }

  TEST_CASE("a precedent_cited with only a reference reads as a citation without facts") {
    auto e = read(R"({"at": "2025-01-24T07:00:00Z", "type": "precedent_cited", "reference": "C-friend"})");
    REQUIRE_MESSAGE(e, std::string(last_error_detail()));
    const auto& p = std::get<ev::PrecedentCited>(e.value().body);
    CHECK(p.reference == "C-friend");
    CHECK(p.source == ev::PrecedentSource::none);
    auto back = to_json(e.value()).as_object();
    CHECK_FALSE(back.contains("value"));
    CHECK_FALSE(back.contains("source"));
  }

  TEST_CASE("facts marked as the store's read back as the store's, and facts without a source as the host's") {
    auto store = read(R"({"at": "2025-01-24T07:00:00Z", "type": "precedent_cited", "reference": "C-1", "kind": "cash",
                          "value": "20", "cited_loss": {"kind": "none"}, "source": "store"})");
    REQUIRE_MESSAGE(store, std::string(last_error_detail()));
    CHECK(std::get<ev::PrecedentCited>(store.value().body).source == ev::PrecedentSource::store);
    CHECK(to_json(store.value()).as_object().at("source") == "store");
    auto host = read(R"({"at": "2025-01-24T07:00:00Z", "type": "precedent_cited", "reference": "C-1", "kind": "cash",
                         "value": "20", "cited_loss": {"kind": "none"}})");
    REQUIRE(host);
    CHECK(std::get<ev::PrecedentCited>(host.value().body).source == ev::PrecedentSource::host);
    CHECK_FALSE(to_json(host.value()).as_object().contains("source"));
  }

  TEST_CASE("part of a precedent's facts, or a source without them, is refused naming the member") {
    SUBCASE("a value without a kind and a cited loss") {
      auto e = read(R"({"at": "2025-01-24T07:00:00Z", "type": "precedent_cited", "reference": "C-1", "value": "20"})");
      REQUIRE_FALSE(e);
      CHECK(last_error_detail().find("events[0].kind") != std::string_view::npos);
    }
    SUBCASE("neither facts nor a reference") {
      auto e = read(R"({"at": "2025-01-24T07:00:00Z", "type": "precedent_cited"})");
      REQUIRE_FALSE(e);
      CHECK(last_error_detail().find("events[0].reference") != std::string_view::npos);
    }
    SUBCASE("a source without the facts") {
      auto e = read(R"({"at": "2025-01-24T07:00:00Z", "type": "precedent_cited", "reference": "C-1", "source": "store"})");
      REQUIRE_FALSE(e);
      CHECK(last_error_detail().find("events[0].source") != std::string_view::npos);
    }
    SUBCASE("a source that is neither the host nor the store") {
      auto e = read(R"({"at": "2025-01-24T07:00:00Z", "type": "precedent_cited", "reference": "C-1", "kind": "cash",
                        "value": "20", "cited_loss": {"kind": "none"}, "source": "rumour"})");
      REQUIRE_FALSE(e);
      CHECK(last_error_detail().find("events[0].source") != std::string_view::npos);
    }
  }
}
