// The PostgreSQL store's protection of personal data (docs/privacy.md): the
// master key, sealed personal fields, the contact index and erasure, checked
// in what `pg_dump` writes out of the database.
#include <cstdio>
#include <cstdlib>

#include "pg/pg_fixture.hpp"
#include "support/engine_fixture.hpp"

using namespace redress;
using namespace redress::testing;

namespace {

constexpr std::string_view kPhone = "+8613812345678";
constexpr std::string_view kEmail = "zhang.wei@example.com";
constexpr std::string_view kWords = "My coupon expired before my son's birthday";
constexpr std::string_view kNeed = "Refund my expired coupon to Zhang Wei";
constexpr std::string_view kPromise = "call Zhang Wei back about the coupon";

ContactPoint phone(std::string_view text = "138-1234-5678") { return ContactPoint::phone(text).value(); }
ContactPoint email() { return ContactPoint::email(kEmail).value(); }

CaseHeader header_for(std::string_view case_id, std::string_view customer) {
  return {CaseId::make(case_id).value(), CustomerId::make(customer).value(), Currency::CNY,
          instant("2025-01-24T07:00:00Z")};
}

// Everything `pg_dump` writes out of the test schema: what a backup holds.
std::string dump(const Schema& schema) {
  const std::string command = fmt::format("\"$(pg_config --bindir)/pg_dump\" -d '{}' -n {} --no-owner 2>&1",
                                          schema.server(), schema.name());
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  REQUIRE(::pclose(pipe) == 0);
  REQUIRE_MESSAGE(out.find("CREATE TABLE") != std::string::npos, out);
  return out;
}

bool holds(const std::string& text, std::string_view what) { return text.find(what) != std::string::npos; }

// A case of `customer` that contacts from kPhone and kEmail opened, with the
// customer's words, need, an apology and a promise, each step committed.
struct StoredCase {
  const Policy& policy;
  PgStore& store;
  CaseHeader header;
  Journey journey;

  StoredCase(const Policy& p, PgStore& s, std::string_view case_id, std::string_view customer)
      : policy(p),
        store(s),
        header(header_for(case_id, customer)),
        journey{p, Case::open(header.id, header.customer, Currency::CNY, header.opened_at_utc).value()} {}

  void commit(std::string_view when, EventBody body) {
    const auto seq = journey.c.events_applied();
    Event e{header.id, at(when), std::nullopt, body};
    journey.on(when, std::move(body));
    auto done = store.commit(header, e, journey.last, seq);
    REQUIRE_MESSAGE(done, why());
  }
  void tell_story() {
    commit("2025-01-24T07:00:00Z", events::ContactReceived{Channel::phone, phone(), std::string(kWords)});
    commit("2025-01-24T07:01:00Z", events::NeedStated{std::string(kNeed)});
    commit("2025-01-24T07:02:00Z", events::ApologyGiven{"I am sorry that your coupon expired before you could use it."});
    commit("2025-01-24T07:03:00Z", events::PromiseMade{std::string(kPromise), 1, Duration()});
    commit("2025-01-24T07:04:00Z", events::ContactReceived{Channel::email, email(), "Any news?"});
  }
};

}  // namespace

TEST_SUITE("pg_privacy") {
  TEST_CASE("a PostgreSQL store without a master key or an explicit insecure_plaintext is refused, untouched") {
    Schema schema;
    auto r = PgStore::open(schema.conninfo());
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_argument);
    CHECK_MESSAGE(holds(why(), "options.master_key_file, options.master_key_env: neither is given"), why());
    CHECK(schema.raw().scalar("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()") == "0");
  }

  TEST_CASE("a PostgreSQL store is refused with another master key, and a sealed one without a key, untouched") {
    Schema schema;
    { auto store = open_store(schema.conninfo(), keyed()); }
    ::setenv("REDRESS_TEST_OTHER_KEY", std::string(64, 'a').c_str(), 1);
    PgOptions other;
    other.master_key_env = "REDRESS_TEST_OTHER_KEY";
    const auto before = schema.raw().column("SELECT key || '=' || value FROM meta ORDER BY key");
    auto r = PgStore::open(schema.conninfo(), other);
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_argument);
    CHECK_MESSAGE(holds(why(), "not the master key this store was created with"), why());
    CHECK_FALSE(PgStore::open(schema.conninfo(), plaintext()));
    CHECK_MESSAGE(holds(why(), "the store seals personal data"), why());
    CHECK(schema.raw().column("SELECT key || '=' || value FROM meta ORDER BY key") == before);
    // And a clear-text store is not opened with a key.
    Schema clear;
    { auto store = open_store(clear.conninfo(), plaintext()); }
    CHECK_FALSE(PgStore::open(clear.conninfo(), keyed()));
    CHECK_MESSAGE(holds(why(), "created with insecure_plaintext"), why());
  }

  TEST_CASE("personal fields are sealed in the database and read back unchanged, actions included") {
    const auto policy = reference_policy();
    Schema schema;
    auto store = open_store(schema.conninfo());
    StoredCase c(policy, store, "C-1", "U-1");
    c.tell_story();
    auto again = open_store(schema.conninfo());
    auto journal = again.events(c.header.id);
    REQUIRE_MESSAGE(journal, why());
    REQUIRE(journal.value().size() == 5);
    const auto& contact = std::get<events::ContactReceived>(journal.value()[0].body);
    CHECK(contact.from == phone());
    CHECK(contact.text == kWords);
    CHECK(std::get<events::NeedStated>(journal.value()[1].body).text == kNeed);
    CHECK(std::get<events::ContactReceived>(journal.value()[4].body).from == email());
    auto restored = restore(again, c.header.id, policy);
    REQUIRE_MESSAGE(restored, why());
    CHECK(*restored.value() == c.journey.c);
    // A retried commit of the last step is recognised, sealed part included.
    const Event last{c.header.id, at("2025-01-24T07:04:00Z"), std::nullopt,
                     events::ContactReceived{Channel::email, email(), "Any news?"}};
    auto retried = again.commit(c.header, last, c.journey.last, 4);
    REQUIRE_MESSAGE(retried, why());
    CHECK(retried.value().replayed);
    auto claimed = again.claim_actions(instant("2025-01-24T08:00:00Z"), 100, claimer("W-1"),
                                       boost::posix_time::minutes(5));
    REQUIRE_MESSAGE(claimed, why());
    REQUIRE_FALSE(claimed.value().empty());
    for (const auto& a : claimed.value()) {
      CAPTURE(a.json);
      CHECK(boost::json::parse(a.json).at("type").as_string() == a.type);
    }
    const auto backup = dump(schema);
    CHECK_FALSE(holds(backup, "\"type\":\"reply\""));
    CHECK_FALSE(holds(backup, kPhone));
    CHECK_FALSE(holds(backup, kEmail));
    CHECK_FALSE(holds(backup, kWords));
    CHECK_FALSE(holds(backup, kNeed));
    CHECK_FALSE(holds(backup, kPromise));
    CHECK(again.check_integrity());
  }

  TEST_CASE("a contact from a phone number finds the open case of that number in PostgreSQL, in any spelling") {
    const auto policy = reference_policy();
    Schema schema;
    auto store = open_store(schema.conninfo());
    CHECK(store.find_open_cases(phone()).value() == ContactMatch{});
    StoredCase c(policy, store, "C-1", "U-1");
    c.tell_story();
    auto match = store.find_open_cases(phone("+86 138 1234 5678"));
    REQUIRE_MESSAGE(match, why());
    CHECK(match.value().case_to_attach() == c.header.id);
    CHECK(store.find_open_cases(email()).value().case_to_attach() == c.header.id);
    CHECK(store.find_open_cases(phone("13900000000")).value().case_to_attach() == std::nullopt);
    // A closed case is not found; two customers on one number are not guessed between.
    const auto other = header_for("C-2", "U-2");
    const Event contact{other.id, instant("2025-01-24T08:00:00Z"), std::nullopt,
                        events::ContactReceived{Channel::phone, phone(), "hello"}};
    REQUIRE(store.append(other, std::vector<Event>{contact}, 0, CaseState::open));
    auto both = store.find_open_cases(phone()).value();
    CHECK(both.ambiguous());
    CHECK(both.cases == std::vector<CaseId>{other.id, c.header.id});
    CHECK(both.case_to_attach() == std::nullopt);
    auto closing = contact;
    closing.at_utc = instant("2025-01-24T08:01:00Z");
    REQUIRE(store.append(other, std::vector<Event>{closing}, 1, CaseState::closed));
    CHECK(store.find_open_cases(phone()).value().case_to_attach() == c.header.id);
    // The index holds keyed hashes, not the numbers.
    CHECK_FALSE(holds(dump(schema), kPhone));
  }

  TEST_CASE("erasing a PostgreSQL customer: journals replay with [erased], and the dump holds neither text nor key") {
    const auto policy = reference_policy();
    for (const bool sealed : {true, false}) {
      CAPTURE(sealed);
      Schema schema;
      auto store = open_store(schema.conninfo(), sealed ? keyed() : plaintext());
      StoredCase erased(policy, store, "C-1", "U-1");
      erased.tell_story();
      StoredCase kept(policy, store, "C-2", "U-2");
      kept.commit("2025-01-24T07:00:00Z", events::ContactReceived{Channel::phone, phone("13900000000"), "Hi"});
      kept.commit("2025-01-24T07:01:00Z", events::NeedStated{"Kept need of the other customer"});

      // Before: the clear values are in a backup only when the store keeps
      // them in clear; a sealed store's backup holds the wrapped data key.
      const auto before = dump(schema);
      for (const auto value : {kPhone, kEmail, kWords, kNeed, kPromise}) {
        CAPTURE(value);
        CHECK(holds(before, value) == !sealed);
      }
      const auto wrapped = schema.raw().column("SELECT encode(wrapped, 'hex') FROM customer_keys WHERE customer = 'U-1'");
      REQUIRE(wrapped.size() == (sealed ? 1U : 0U));
      if (sealed) CHECK(holds(before, wrapped[0]));

      auto done = store.erase(CustomerId::make("U-1").value());
      REQUIRE_MESSAGE(done, why());
      CHECK(done.value().cases == 1);
      CHECK(done.value().index_entries == 2);
      CHECK(done.value().key_deleted == sealed);
      CHECK(done.value().events_rewritten >= 4);

      auto journal = store.events(erased.header.id);
      REQUIRE_MESSAGE(journal, why());
      REQUIRE(journal.value().size() == 5);
      const auto& contact = std::get<events::ContactReceived>(journal.value()[0].body);
      CHECK(contact.from == std::nullopt);
      CHECK(contact.text == "[erased]");
      CHECK(std::get<events::NeedStated>(journal.value()[1].body).text == "[erased]");
      CHECK(std::get<events::PromiseMade>(journal.value()[3].body).what == "[erased]");
      auto replayed = restore(store, erased.header.id, policy);
      REQUIRE_MESSAGE(replayed, why());
      CHECK(replayed.value()->stage() == erased.journey.c.stage());
      CHECK(replayed.value()->events_applied() == 5);
      CHECK(store.cases().value().size() == 2);
      CHECK(store.find_open_cases(phone()).value().cases.empty());
      CHECK(store.find_open_cases(email()).value().cases.empty());
      // Its undelivered actions are not handed out any more.
      auto claimed = store.claim_actions(instant("2025-01-24T08:00:00Z"), 100, claimer("W-1"),
                                         boost::posix_time::minutes(5));
      REQUIRE_MESSAGE(claimed, why());
      for (const auto& a : claimed.value()) CHECK(a.case_id == kept.header.id);
      // The other customer keeps everything.
      CHECK(std::get<events::NeedStated>(store.events(kept.header.id).value()[1].body).text ==
            "Kept need of the other customer");
      CHECK(store.find_open_cases(phone("13900000000")).value().case_to_attach() == kept.header.id);

      // After: nothing of the erased customer's in a backup, and no key.
      const auto after = dump(schema);
      for (const auto value : {kPhone, kEmail, kWords, kNeed, kPromise}) {
        CAPTURE(value);
        CHECK_FALSE(holds(after, value));
      }
      if (sealed) CHECK_FALSE(holds(after, wrapped[0]));
      CHECK(holds(after, "Kept need of the other customer") == !sealed);
      CHECK(store.check_integrity());
      auto twice = store.erase(CustomerId::make("U-1").value());
      REQUIRE(twice);
      CHECK(twice.value() == Erasure{1, 0, 0, false});
    }
  }

  TEST_CASE("a version 2 PostgreSQL store is migrated: its clear journals stay readable and are indexed") {
    Schema schema;
    const auto header = header_for("C-1", "U-1");
    const Event contact{header.id, instant("2025-01-24T07:00:00Z"), std::nullopt,
                        events::ContactReceived{Channel::phone, phone(), "hello"}};
    {
      auto store = open_store(schema.conninfo(), plaintext());
      REQUIRE(store.append(header, std::vector<Event>{contact}, 0, CaseState::open));
    }
    // Version 2 is the current schema without what versions 3 and 4 added.
    schema.raw().exec("DROP TABLE case_policies; DROP TABLE policies; DROP TABLE customer_keys; "
                      "DROP TABLE contact_index; DROP INDEX cases_customer; ALTER TABLE events DROP COLUMN sealed; "
                      "ALTER TABLE outbox DROP COLUMN sealed; DELETE FROM meta WHERE key = 'protection'; "
                      "UPDATE meta SET value = '2' WHERE key = 'schema_version'");
    auto store = open_store(schema.conninfo(), keyed());
    CHECK(schema.raw().scalar("SELECT value FROM meta WHERE key = 'schema_version'") ==
          std::to_string(PgStore::kSchemaVersion));
    CHECK(store.events(header.id).value() == std::vector<Event>{contact});
    CHECK(store.find_open_cases(phone()).value().case_to_attach() == header.id);
    auto done = store.erase(header.customer);
    REQUIRE_MESSAGE(done, why());
    CHECK(done.value().events_rewritten == 1);
    CHECK_FALSE(holds(dump(schema), kPhone));
    CHECK(store.check_integrity());
  }
}
