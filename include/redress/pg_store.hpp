// redress/pg_store.hpp: the shared store, one PostgreSQL database.
//
// `PgStore` keeps case journals and follow-ups (<redress/store.hpp>) in a
// PostgreSQL database through libpq, for hosts that run several processes
// (or machines) over one set of cases. Link redress::pg; it is a target of
// its own, so hosts without PostgreSQL do not need libpq.
//
// The database:
//   - The store's tables (`meta`, `cases`, `events`, `follow_ups`, `outbox`,
//     `event_ids`, `customer_keys`, `contact_index`, `policies`,
//     `case_policies`, `root_cause_fixes`, `fix_notices`) live in
//     the first schema of the connection's search_path, `public` unless the
//     conninfo says otherwise (`options='-c search_path=redress'`). To share
//     a database with other tables, give redress a schema of its own.
//   - `meta` says the schema is redress's (`application = redress`) and
//     records its version. Opening a schema written by an older redress
//     migrates it, in one transaction, under an advisory lock so that
//     processes opening it at once do not race; one written by a newer
//     redress is refused (store_errc::schema_too_new), and a schema holding
//     another application's tables is refused (store_errc::corrupt_store),
//     both untouched.
//   - A transaction is acknowledged once PostgreSQL has committed it: with
//     the server's default `synchronous_commit = on`, it survives a killed
//     process, a server crash and a power cut.
//   - Due follow-ups, outbox actions and fix notices are claimed with
//     `FOR UPDATE SKIP LOCKED`: claimers never wait for each other and never
//     hold the same row at once.
// docs/stores.md describes the schema.
//
// A lost connection (the server restarted, the backend was terminated, the
// network failed) fails the call under way with store_errc::storage_failed,
// whose detail says so and says whether the call's outcome is known. The
// next call reconnects once before it starts; a call is never retried
// silently. Every write can be retried after an unknown outcome: `append`
// and `persist` recognise a retry; a `cancel` or `complete` that had taken
// effect returns false the second time.
//
// Thread safety: a PgStore may be shared between threads; calls on it are
// serialised over its one connection. Each process opens its own.
#ifndef REDRESS_PG_STORE_HPP
#define REDRESS_PG_STORE_HPP

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <redress/store.hpp>

namespace redress {
inline namespace v1 {

// PgOptions
//
// How a PgStore connects.
//
// Example:
//   redress::PgOptions options;
//   options.lock_timeout = boost::posix_time::seconds(30);
struct PgOptions {
  // How long connecting (and reconnecting) may take, unless the conninfo
  // sets connect_timeout itself. Positive; rounded up to whole seconds, and
  // libpq waits at least 2. A longer wait fails with storage_failed.
  Duration connect_timeout = boost::posix_time::seconds(10);
  // How long an append waits for another process's append to the same case,
  // or a migration for another process's. Whole milliseconds; 0 means wait
  // as long as it takes. A longer wait fails with store_errc::storage_failed.
  Duration lock_timeout = boost::posix_time::seconds(5);
  // Where the master key is (docs/privacy.md): a file, or the name of an
  // environment variable, holding 64 hex digits (32 bytes). It wraps each
  // customer's data key, which seals their personal fields. Give exactly one
  // of the two, or `insecure_plaintext`; without any, open() refuses.
  std::string master_key_file;
  std::string master_key_env;
  // Keep personal fields in clear text (tests, a throwaway store). A store
  // created this way is refused with a master key, and the other way round.
  bool insecure_plaintext = false;
};

// PgStore
//
// A StepStore (journal, follow-ups, commit and outbox) and a
// PersonalDataStore (contact index, sealed personal fields, erasure) over one
// PostgreSQL database. Movable, not copyable; a moved-from store may only be
// destroyed or assigned to. Closing it (destroying it) never loses an
// acknowledged change.
//
// Example (given const redress::Case& c, const redress::Event& event):
//   redress::PgOptions options;
//   options.master_key_env = "REDRESS_MASTER_KEY";
//   auto store = redress::PgStore::open("host=db.internal dbname=cases user=redress", options);
//   if (!store) return store.error();  // redress::last_error_detail() says why
//   std::vector<redress::Event> batch{event};
//   BOOST_OUTCOME_TRY(auto last, store.value().append(redress::CaseHeader::of(c), batch, 0, redress::state_of(c)));
class PgStore final : public StepStore, public PersonalDataStore {
 public:
  // The schema version this build writes and migrates to.
  static constexpr std::int64_t kSchemaVersion = 5;
  // meta.application of every redress schema.
  static constexpr std::string_view kApplication = "redress";

  // PgStore::open()
  //
  // Connects with `conninfo`, a libpq connection string: either key=value
  // pairs ("host=127.0.0.1 port=5432 dbname=cases user=redress") or a URI
  // ("postgresql://redress@127.0.0.1:5432/cases"); whatever it leaves out
  // comes from libpq's environment variables (PGHOST, PGPASSWORD, ...).
  // Creates the schema in an empty search_path schema, migrates an older one.
  // The database must be UTF8.
  // Fails with
  //   - errc::invalid_argument for a conninfo libpq cannot parse, a bad
  //     option, a database that is not UTF8 or a search_path naming no schema
  //     that exists; no master key and no insecure_plaintext, a key file that
  //     cannot be read or does not hold 64 hex digits, an unset environment
  //     variable, a master key that is not the store's, or a clear-text store
  //     opened with a key (or the other way round);
  //   - store_errc::corrupt_store for a schema holding another application's
  //     tables, or a damaged redress schema;
  //   - store_errc::schema_too_new for a schema written by a newer redress;
  //   - store_errc::storage_failed when the server cannot be reached or
  //     refuses the connection (authentication, a missing database).
  // A refused schema is left exactly as it was. The error detail never
  // repeats a password.
  static result<PgStore> open(std::string_view conninfo, PgOptions options = {});

  PgStore(PgStore&& other) noexcept;
  PgStore& operator=(PgStore&& other) noexcept;
  PgStore(const PgStore&) = delete;
  PgStore& operator=(const PgStore&) = delete;
  ~PgStore() override;

  result<std::uint64_t> append(const CaseHeader& header, std::span<const Event> events,
                               std::uint64_t expected_last_seq, CaseState state_after) override;
  result<std::optional<CaseHeader>> header(const CaseId& case_id) const override;
  result<std::vector<Event>> events(const CaseId& case_id) const override;
  result<std::uint64_t> last_seq(const CaseId& case_id) const override;
  result<std::vector<CaseId>> open_cases() const override;
  result<std::vector<CaseId>> cases() const override;

  result<void> keep_policy(const PolicyRef& ref, std::string_view document) override;
  result<std::optional<std::string>> policy_document(std::string_view hash) const override;
  result<std::vector<PolicyRef>> policies() const override;
  result<void> pin_policy(const CaseId& case_id, std::string_view hash) override;
  result<std::optional<PolicyRef>> pinned_policy(const CaseId& case_id) const override;

  result<RecordedFix> record_fix(const RootCauseFix& fix, std::span<const FixNotice> notices) override;
  result<std::vector<RecordedFix>> fixes() const override;
  result<std::vector<StoredFixNotice>> undelivered_fix_notices(std::int64_t fix_id) const override;
  result<std::vector<StoredFixNotice>> claim_fix_notices(std::int64_t fix_id, Instant now_utc, std::size_t max_count,
                                                         const ClaimerId& claimer, Duration lease) override;
  result<bool> deliver_fix_notice(std::string_view notice_id) override;

  result<void> persist(const CaseId& case_id, const FollowUp& follow_up) override;
  result<bool> cancel(const FollowUpId& id) override;
  result<std::vector<ClaimedFollowUp>> claim_due(Instant now_utc, std::size_t max_count, const ClaimerId& claimer,
                                                 Duration lease) override;
  result<bool> complete(const FollowUpId& id, const ClaimerId& claimer) override;

  result<Committed> commit(const CaseHeader& header, const Event& event, const Step& step,
                           std::uint64_t expected_last_seq,
                           std::optional<std::string_view> event_id = std::nullopt) override;
  result<std::optional<Committed>> committed(const CaseId& case_id, std::string_view event_id) const override;
  result<std::vector<ClaimedAction>> claim_actions(Instant now_utc, std::size_t max_count, const ClaimerId& claimer,
                                                   Duration lease) override;
  result<bool> acknowledge(std::string_view action_id) override;

  result<ContactMatch> find_open_cases(const ContactPoint& point) const override;
  result<Erasure> erase(const CustomerId& customer) override;

  // PgStore::check_integrity()
  //
  // Checks every case's event count against its last sequence number. Fails
  // with store_errc::corrupt_store naming the first problems found.
  result<void> check_integrity() const;

  // Names the store in error details: `postgresql://HOST:PORT/DBNAME`, schema
  // included when it is not `public`. Never holds a password.
  const std::string& name() const noexcept;

 private:
  struct Impl;
  explicit PgStore(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace v1
}  // namespace redress

#endif  // REDRESS_PG_STORE_HPP
