// redress/sqlite_store.hpp: the embedded store, one SQLite file.
//
// `SqliteStore` keeps case journals and follow-ups (<redress/store.hpp>) in a
// SQLite database file. It is the default store: nothing to run beside the
// host, and several processes may open the same file. Link redress::sqlite.
//
// The file:
//   - carries `PRAGMA application_id` 0x52445253 ("RDRS"), so a SQLite file
//     of another application is refused rather than written into;
//   - records its schema version in a `meta` table. Opening a store written
//     by an older redress migrates it, in one transaction; one written by a
//     newer redress is refused (store_errc::schema_too_new), never touched;
//   - runs in WAL mode with `synchronous=FULL`: an append is acknowledged
//     only once it is in the write-ahead log on disk, so it survives a killed
//     process and a power cut. (`NORMAL` would survive the first, not the
//     second.)
//   - keeps events as their journal JSON, one row per event, unique by
//     (case_id, seq), so nothing is stored twice.
// docs/stores.md describes the schema.
//
// Thread safety: a SqliteStore may be shared between threads; calls on it
// are serialised. Each process opens its own; a write waits up to
// `busy_timeout` for another process's write to finish.
#ifndef REDRESS_SQLITE_STORE_HPP
#define REDRESS_SQLITE_STORE_HPP

#include <cstdint>
#include <memory>
#include <string>

#include <redress/store.hpp>

namespace redress {
inline namespace v1 {

// SqliteOptions
//
// How a SqliteStore opens its file.
//
// Example:
//   redress::SqliteOptions options;
//   options.busy_timeout = boost::posix_time::seconds(30);
//   options.create_if_missing = false;  // a typo in the path is an error, not a new store
struct SqliteOptions {
  // How long a write waits for another connection's write lock. Whole
  // milliseconds; 0 means fail at once with store_errc::storage_failed.
  Duration busy_timeout = boost::posix_time::seconds(5);
  // Create the file (and the schema) when it does not exist.
  bool create_if_missing = true;
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

// SqliteStore
//
// A StepStore (journal, follow-ups, commit and outbox) over one SQLite file. Movable, not
// copyable; a moved-from store may only be destroyed or assigned to.
// Closing it (destroying it) never loses an acknowledged change.
//
// Example (given const redress::Case& c, const redress::Event& event):
//   redress::SqliteOptions options;
//   options.master_key_env = "REDRESS_MASTER_KEY";
//   auto store = redress::SqliteStore::open("cases.db", options);
//   if (!store) return store.error();  // redress::last_error_detail() says why
//   std::vector<redress::Event> batch{event};
//   BOOST_OUTCOME_TRY(auto last, store.value().append(redress::CaseHeader::of(c), batch, 0, redress::state_of(c)));
class SqliteStore final : public StepStore, public PersonalDataStore {
 public:
  // The schema version this build writes and migrates to.
  static constexpr std::int64_t kSchemaVersion = 8;
  // PRAGMA application_id of every redress store: "RDRS".
  static constexpr std::int32_t kApplicationId = 0x52445253;

  // SqliteStore::open()
  //
  // Opens (or creates) the store at `path`, migrating an older schema.
  // Fails with
  //   - errc::invalid_argument for an empty path or a bad option: no master
  //     key and no insecure_plaintext, a key file that cannot be read or does
  //     not hold 64 hex digits, an unset environment variable, a master key
  //     that is not the store's, or a clear-text store opened with a key (or
  //     the other way round);
  //   - store_errc::corrupt_store for a file that is not a SQLite database, a
  //     SQLite database of another application, or a damaged store;
  //   - store_errc::schema_too_new for a store written by a newer redress;
  //   - store_errc::storage_failed when the file cannot be opened or created
  //     (a missing directory, permissions, create_if_missing = false).
  // A refused file is left exactly as it was.
  static result<SqliteStore> open(const std::string& path, const SqliteOptions& options = {});

  SqliteStore(SqliteStore&& other) noexcept;
  SqliteStore& operator=(SqliteStore&& other) noexcept;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;
  ~SqliteStore() override;

  result<std::uint64_t> append(const CaseHeader& header, std::span<const Event> events,
                               std::uint64_t expected_last_seq, CaseState state_after) override;
  result<std::optional<CaseHeader>> header(const CaseId& case_id) const override;
  result<std::vector<Event>> events(const CaseId& case_id) const override;
  result<std::uint64_t> last_seq(const CaseId& case_id) const override;
  result<std::vector<CaseId>> open_cases() const override;
  result<std::vector<CaseId>> cases() const override;
  // One statement's rows, in one read transaction, holding the store's lock.
  result<void> scan(const CaseRange& range, const JournalVisitor& visit) const override;
  result<std::vector<CaseRange>> split(std::size_t parts) const override;

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

  // SqliteStore::check_integrity()
  //
  // Runs SQLite's `PRAGMA integrity_check` over the whole file (slow on a
  // large store) and checks every case's event count against its last
  // sequence number. Fails with store_errc::corrupt_store naming the first
  // problems found.
  result<void> check_integrity() const;

  // The path the store was opened with.
  const std::string& path() const noexcept;

 private:
  struct Impl;
  explicit SqliteStore(std::unique_ptr<Impl> impl) noexcept;
  std::unique_ptr<Impl> impl_;
};

}  // namespace v1
}  // namespace redress

#endif  // REDRESS_SQLITE_STORE_HPP
