// The SQLite store's protection of personal data (docs/privacy.md): the
// master key, sealed personal fields, the contact index and erasure.
#include <redress/sqlite_store.hpp>

#include <cstdlib>

#include "sqlite/sqlite_fixture.hpp"
#include "support/engine_fixture.hpp"

using namespace redress;
using namespace redress::testing;

namespace {

constexpr std::string_view kPhone = "+8613812345678";
constexpr std::string_view kNeed = "Refund my expired coupon to Zhang Wei";
constexpr std::string_view kPromise = "call Zhang Wei back about the coupon";

SqliteStore open_with(const std::string& path, const SqliteOptions& options) {
  auto s = SqliteStore::open(path, options);
  REQUIRE_MESSAGE(s.has_value(), why());
  return std::move(s).value();
}

ContactPoint phone(std::string_view text = "138-1234-5678") { return ContactPoint::phone(text).value(); }

CaseHeader header_for(std::string_view case_id, std::string_view customer) {
  return {CaseId::make(case_id).value(), CustomerId::make(customer).value(), Currency::CNY,
          instant("2025-01-24T07:00:00Z")};
}

// Whether the file, its write-ahead log included, holds `text` anywhere.
bool file_holds(const std::string& path, std::string_view text) {
  for (const auto& p : {path, path + "-wal"}) {
    if (std::filesystem::exists(p) && slurp(p).find(text) != std::string::npos) return true;
  }
  return false;
}

// A case of `customer` that a contact from kPhone opened, with the
// customer's need, an apology and a promise, each step committed.
struct StoredCase {
  const Policy& policy;
  SqliteStore& store;
  CaseHeader header;
  Journey journey;

  StoredCase(const Policy& p, SqliteStore& s, std::string_view case_id, std::string_view customer)
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
    commit("2025-01-24T07:00:00Z", events::ContactReceived{Channel::phone, phone(), "My coupon expired"});
    commit("2025-01-24T07:01:00Z", events::NeedStated{std::string(kNeed)});
    commit("2025-01-24T07:02:00Z", events::ApologyGiven{"I am sorry that your coupon expired before you could use it."});
    commit("2025-01-24T07:03:00Z", events::PromiseMade{std::string(kPromise), 1, Duration()});
  }
};

}  // namespace

TEST_SUITE("sqlite_privacy") {
  TEST_CASE("a store without a master key or an explicit insecure_plaintext is refused, and no file is made") {
    TempDir dir;
    auto r = SqliteStore::open(dir.file("cases.db"));
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_argument);
    CHECK_MESSAGE(why().find("options.master_key_file, options.master_key_env: neither is given") != std::string::npos,
                  why());
    CHECK_FALSE(std::filesystem::exists(dir.file("cases.db")));
  }

  TEST_CASE("a master key that cannot be read or is not 64 hex digits is refused without quoting it") {
    TempDir dir;
    SqliteOptions options;
    std::string expected;
    SUBCASE("a key file that does not exist") {
      options.master_key_file = dir.file("no-such.key");
      expected = "options.master_key_file: ";
    }
    SUBCASE("a key file holding a short secret") {
      write_file(dir.file("short.key"), "s3cr3t-passphrase\n");
      options.master_key_file = dir.file("short.key");
      expected = "not 64 hex digits";
    }
    SUBCASE("an environment variable that is not set") {
      options.master_key_env = "REDRESS_TEST_UNSET_KEY";
      ::unsetenv("REDRESS_TEST_UNSET_KEY");
      expected = "\"REDRESS_TEST_UNSET_KEY\" is not set";
    }
    SUBCASE("a key and insecure_plaintext together") {
      options = keyed(options);
      options.insecure_plaintext = true;
      expected = "not several";
    }
    auto r = SqliteStore::open(dir.file("cases.db"), options);
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_argument);
    CHECK_MESSAGE(why().find(expected) != std::string::npos, why());
    CHECK(why().find("s3cr3t") == std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir.file("cases.db")));
  }

  TEST_CASE("a store is refused with another master key, and a sealed store without one, and left untouched") {
    TempDir dir;
    const auto path = dir.file("cases.db");
    { auto store = open_with(path, keyed()); }
    write_file(dir.file("other.key"), std::string(64, 'a') + "\n");
    SqliteOptions other;
    other.master_key_file = dir.file("other.key");
    const auto before = slurp(path);
    auto r = SqliteStore::open(path, other);
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_argument);
    CHECK_MESSAGE(why().find("not the master key this store was created with") != std::string::npos, why());
    CHECK_FALSE(SqliteStore::open(path, plaintext()));
    CHECK_MESSAGE(why().find("the store seals personal data") != std::string::npos, why());
    CHECK(slurp(path) == before);
    // And a clear-text store is not opened with a key.
    const auto clear = dir.file("clear.db");
    { auto store = open_with(clear, plaintext()); }
    CHECK_FALSE(SqliteStore::open(clear, keyed()));
    CHECK_MESSAGE(why().find("created with insecure_plaintext") != std::string::npos, why());
  }

  TEST_CASE("personal fields are sealed in the file and read back unchanged, actions included") {
    const auto policy = reference_policy();
    TempDir dir;
    const auto path = dir.file("cases.db");
    auto store = open_with(path, keyed());
    StoredCase c(policy, store, "C-1", "U-1");
    c.tell_story();
    auto again = open_with(path, keyed());
    auto journal = again.events(c.header.id);
    REQUIRE_MESSAGE(journal, why());
    REQUIRE(journal.value().size() == 4);
    const auto& contact = std::get<events::ContactReceived>(journal.value()[0].body);
    CHECK(contact.from == phone());
    CHECK(contact.text == "My coupon expired");
    CHECK(std::get<events::NeedStated>(journal.value()[1].body).text == kNeed);
    auto restored = restore(again, c.header.id, policy);
    REQUIRE_MESSAGE(restored, why());
    CHECK(restored.value()->events_applied() == 4);
    // An action's text may quote the customer: actions are sealed too, and
    // opened when claimed.
    auto claimed = again.claim_actions(instant("2025-01-24T08:00:00Z"), 100, claimer("W-1"),
                                       boost::posix_time::minutes(5));
    REQUIRE_MESSAGE(claimed, why());
    REQUIRE_FALSE(claimed.value().empty());
    for (const auto& a : claimed.value()) {
      CAPTURE(a.json);
      CHECK(boost::json::parse(a.json).at("type").as_string() == a.type);
    }
    CHECK_FALSE(file_holds(path, "\"type\":\"reply\""));
    CHECK_FALSE(file_holds(path, kPhone));
    CHECK_FALSE(file_holds(path, kNeed));
    CHECK_FALSE(file_holds(path, kPromise));
    CHECK(again.check_integrity());
  }

  TEST_CASE("a clear-text store keeps personal fields readable in the file: what the erasure test greps for") {
    const auto policy = reference_policy();
    TempDir dir;
    const auto path = dir.file("cases.db");
    auto store = open_with(path, plaintext());
    StoredCase c(policy, store, "C-1", "U-1");
    c.tell_story();
    CHECK(file_holds(path, kPhone));
    CHECK(file_holds(path, kNeed));
  }

  TEST_CASE("a contact from a phone number finds the open case of that number, in any spelling") {
    const auto policy = reference_policy();
    TempDir dir;
    auto store = open_with(dir.file("cases.db"), keyed());
    CHECK(store.find_open_cases(phone()).value() == ContactMatch{});
    StoredCase c(policy, store, "C-1", "U-1");
    c.tell_story();
    auto match = store.find_open_cases(phone("+86 138 1234 5678"));
    REQUIRE_MESSAGE(match, why());
    CHECK(match.value().case_to_attach() == c.header.id);
    CHECK_FALSE(match.value().ambiguous());
    CHECK(store.find_open_cases(phone("13900000000")).value().case_to_attach() == std::nullopt);
    // The index holds a keyed hash, not the number.
    CHECK_FALSE(file_holds(dir.file("cases.db"), kPhone));
  }

  TEST_CASE("a closed case is not found by its contact point; a later open case of the customer is") {
    TempDir dir;
    auto store = open_with(dir.file("cases.db"), keyed());
    const auto first = header_for("C-1", "U-1");
    const Event contact{first.id, instant("2025-01-24T07:00:00Z"), std::nullopt,
                        events::ContactReceived{Channel::phone, phone(), "hello"}};
    REQUIRE(store.append(first, std::vector<Event>{contact}, 0, CaseState::closed));
    CHECK(store.find_open_cases(phone()).value().cases.empty());
    const auto second = header_for("C-2", "U-1");
    auto later = contact;
    later.case_id = second.id;
    REQUIRE(store.append(second, std::vector<Event>{later}, 0, CaseState::open));
    CHECK(store.find_open_cases(phone()).value().case_to_attach() == second.id);
  }

  TEST_CASE("a contact point on open cases of two customers is not attached to either: the match says so") {
    TempDir dir;
    auto store = open_with(dir.file("cases.db"), keyed());
    for (const auto& [case_id, customer] : {std::pair{"C-1", "U-1"}, std::pair{"C-2", "U-2"}}) {
      const auto header = header_for(case_id, customer);
      const Event contact{header.id, instant("2025-01-24T07:00:00Z"), std::nullopt,
                          events::ContactReceived{Channel::phone, phone(), "hello"}};
      REQUIRE(store.append(header, std::vector<Event>{contact}, 0, CaseState::open));
    }
    auto match = store.find_open_cases(phone()).value();
    CHECK(match.ambiguous());
    CHECK(match.customers.size() == 2);
    CHECK(match.case_to_attach() == std::nullopt);
  }

  TEST_CASE("erasing a customer: the journal replays with [erased], the cases still count, nothing is left to read") {
    const auto policy = reference_policy();
    for (const bool sealed : {true, false}) {
      CAPTURE(sealed);
      TempDir dir;
      const auto path = dir.file("cases.db");
      const auto options = sealed ? keyed() : plaintext();
      auto store = open_with(path, options);
      StoredCase erased(policy, store, "C-1", "U-1");
      erased.tell_story();
      StoredCase kept(policy, store, "C-2", "U-2");
      kept.commit("2025-01-24T07:00:00Z", events::ContactReceived{Channel::phone, phone("13900000000"), "Hi"});
      kept.commit("2025-01-24T07:01:00Z", events::NeedStated{"Kept need of the other customer"});
      CHECK(file_holds(path, kNeed) == !sealed);

      auto done = store.erase(CustomerId::make("U-1").value());
      REQUIRE_MESSAGE(done, why());
      CHECK(done.value().cases == 1);
      CHECK(done.value().index_entries == 1);
      CHECK(done.value().key_deleted == sealed);
      CHECK(done.value().events_rewritten >= 3);

      auto journal = store.events(erased.header.id);
      REQUIRE_MESSAGE(journal, why());
      REQUIRE(journal.value().size() == 4);
      const auto& contact = std::get<events::ContactReceived>(journal.value()[0].body);
      CHECK(contact.from == std::nullopt);
      CHECK(contact.text == "[erased]");
      CHECK(std::get<events::NeedStated>(journal.value()[1].body).text == "[erased]");
      CHECK(std::get<events::PromiseMade>(journal.value()[3].body).what == "[erased]");
      auto replayed = restore(store, erased.header.id, policy);
      REQUIRE_MESSAGE(replayed, why());
      CHECK(replayed.value()->stage() == erased.journey.c.stage());
      CHECK(replayed.value()->events_applied() == 4);
      CHECK(store.cases().value().size() == 2);
      CHECK(store.find_open_cases(phone()).value().cases.empty());
      // The other customer keeps everything.
      CHECK(std::get<events::NeedStated>(store.events(kept.header.id).value()[1].body).text ==
            "Kept need of the other customer");
      CHECK(store.find_open_cases(phone("13900000000")).value().case_to_attach() == kept.header.id);
      // Nothing of the erased customer's is left to read in the file.
      CHECK_FALSE(file_holds(path, kPhone));
      CHECK_FALSE(file_holds(path, kNeed));
      CHECK_FALSE(file_holds(path, kPromise));
      CHECK(store.check_integrity());
      // Erasing again changes nothing more.
      auto twice = store.erase(CustomerId::make("U-1").value());
      REQUIRE(twice);
      CHECK(twice.value() == Erasure{1, 0, 0, false});
    }
  }

  TEST_CASE("an erased customer's undelivered actions are not handed out") {
    const auto policy = reference_policy();
    TempDir dir;
    auto store = open_with(dir.file("cases.db"), keyed());
    StoredCase c(policy, store, "C-1", "U-1");
    c.tell_story();
    REQUIRE(store.erase(CustomerId::make("U-1").value()));
    auto claimed = store.claim_actions(instant("2025-01-24T08:00:00Z"), 100, claimer("W-1"),
                                       boost::posix_time::minutes(5));
    REQUIRE(claimed);
    CHECK(claimed.value().empty());
  }

  TEST_CASE("a version 4 store is migrated to 5: its clear journals stay readable and its contact points are indexed") {
    TempDir dir;
    const auto path = dir.file("cases.db");
    const auto header = header_for("C-1", "U-1");
    const Event contact{header.id, instant("2025-01-24T07:00:00Z"), std::nullopt,
                        events::ContactReceived{Channel::phone, phone(), "hello"}};
    {
      auto store = open_with(path, plaintext());
      REQUIRE(store.append(header, std::vector<Event>{contact}, 0, CaseState::open));
    }
    // Version 4 is the current file without what versions 5 to 7 added.
    raw_exec(path,
             "DROP TABLE fix_notices; DROP TABLE root_cause_fixes; "
             "DROP TABLE case_policies; DROP TABLE policies; DROP TABLE customer_keys; DROP TABLE contact_index; DROP INDEX cases_customer; "
             "ALTER TABLE events DROP COLUMN sealed; ALTER TABLE outbox DROP COLUMN sealed; "
             "DELETE FROM meta WHERE key = 'protection'; UPDATE meta SET value = 4 WHERE key = 'schema_version';");
    auto store = open_with(path, keyed());
    CHECK(store.events(header.id).value() == std::vector<Event>{contact});
    CHECK(store.find_open_cases(phone()).value().case_to_attach() == header.id);
    // Its clear rows are erased by rewriting them.
    auto done = store.erase(header.customer);
    REQUIRE_MESSAGE(done, why());
    CHECK(done.value().events_rewritten == 1);
    CHECK_FALSE(file_holds(path, kPhone));
    CHECK(store.check_integrity());
  }
}
