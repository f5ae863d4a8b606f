// The store's schema and its migrations. Each step takes a store from one
// version to the next; a step, once released, never changes (a store written
// by that release depends on it), so a new version is a new step.
#include <iterator>

#include <fmt/format.h>

#include <redress/sqlite_store.hpp>

#include "db.hpp"

namespace redress {
inline namespace v1 {
namespace detail::sqlite {
namespace {

// kMigrations[v] takes a store from version v to v + 1.
constexpr const char* kMigrations[] = {
    // 0 -> 1: case journals. One row per event, unique by (case_id, seq); a
    // row per case with its last sequence number and whether it is open.
    "CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value ANY NOT NULL) STRICT, WITHOUT ROWID;"
    "CREATE TABLE cases ("
    "  case_id TEXT PRIMARY KEY NOT NULL,"
    "  open INTEGER NOT NULL CHECK (open IN (0, 1)),"
    "  last_seq INTEGER NOT NULL CHECK (last_seq >= 1),"
    "  last_at_us INTEGER NOT NULL"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX cases_open ON cases (case_id) WHERE open = 1;"
    "CREATE TABLE events ("
    "  case_id TEXT NOT NULL,"
    "  seq INTEGER NOT NULL CHECK (seq >= 1),"
    "  at_us INTEGER NOT NULL,"
    "  type TEXT NOT NULL,"
    "  body_json TEXT NOT NULL,"
    "  PRIMARY KEY (case_id, seq)"
    ") STRICT, WITHOUT ROWID;"
    "INSERT INTO meta (key, value) VALUES ('schema_version', 1);"
    "PRAGMA application_id = 1380209235;",
    // 1 -> 2: follow-ups, with their claims.
    "CREATE TABLE follow_ups ("
    "  id TEXT PRIMARY KEY NOT NULL,"
    "  case_id TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  due_at_us INTEGER NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('pending', 'claimed', 'done', 'cancelled')),"
    "  claimed_by TEXT,"
    "  lease_until_us INTEGER"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX follow_ups_due ON follow_ups (state, due_at_us);"
    "UPDATE meta SET value = 2 WHERE key = 'schema_version';",
    // 2 -> 3: each case's header (what Case::open was given), so a case can
    // be restored from the store alone. Cases stored before have none.
    "ALTER TABLE cases ADD COLUMN customer TEXT;"
    "ALTER TABLE cases ADD COLUMN currency TEXT;"
    "ALTER TABLE cases ADD COLUMN opened_at_us INTEGER;"
    "UPDATE meta SET value = 3 WHERE key = 'schema_version';",
    // 3 -> 4: the outbox (every action of a committed step, until
    // acknowledged) and the host's event ids, for idempotent commits.
    "CREATE TABLE outbox ("
    "  id TEXT NOT NULL UNIQUE,"
    "  case_id TEXT NOT NULL,"
    "  seq INTEGER NOT NULL CHECK (seq >= 1),"
    "  n INTEGER NOT NULL CHECK (n >= 1),"
    "  type TEXT NOT NULL,"
    "  body_json TEXT NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('pending', 'claimed', 'done')),"
    "  claimed_by TEXT,"
    "  lease_until_us INTEGER"
    ") STRICT;"
    "CREATE INDEX outbox_event ON outbox (case_id, seq);"
    "CREATE INDEX outbox_undelivered ON outbox (state, lease_until_us) WHERE state <> 'done';"
    "CREATE TABLE event_ids ("
    "  case_id TEXT NOT NULL,"
    "  event_id TEXT NOT NULL,"
    "  seq INTEGER NOT NULL CHECK (seq >= 1),"
    "  PRIMARY KEY (case_id, event_id)"
    ") STRICT, WITHOUT ROWID;"
    "UPDATE meta SET value = 4 WHERE key = 'schema_version';",
    // 4 -> 5: personal data protected (docs/privacy.md). Events and outbox
    // actions may carry their personal part sealed with the customer's data
    // key; the data keys, wrapped by the host's master key; the contact
    // index, from keyed hashes of contact points to cases. (The index of a
    // migrated store is filled from its journals by the store's code.)
    "ALTER TABLE events ADD COLUMN sealed BLOB;"
    "ALTER TABLE outbox ADD COLUMN sealed BLOB;"
    "CREATE TABLE customer_keys ("
    "  customer TEXT PRIMARY KEY NOT NULL,"
    "  wrapped BLOB NOT NULL"
    ") STRICT, WITHOUT ROWID;"
    "CREATE TABLE contact_index ("
    "  hash BLOB NOT NULL,"
    "  case_id TEXT NOT NULL,"
    "  customer TEXT NOT NULL,"
    "  PRIMARY KEY (hash, case_id)"
    ") STRICT, WITHOUT ROWID;"
    "CREATE INDEX contact_index_customer ON contact_index (customer);"
    "CREATE INDEX cases_customer ON cases (customer);"
    "UPDATE meta SET value = 5 WHERE key = 'schema_version';",
    // 5 -> 6: every policy version the store was given, by content hash, and
    // the version each case was opened under. Cases stored before have no
    // pin (restore_pinned() replays them under the policy it is given).
    "CREATE TABLE policies ("
    "  hash TEXT PRIMARY KEY NOT NULL,"
    "  id TEXT NOT NULL,"
    "  version TEXT NOT NULL,"
    "  document TEXT NOT NULL,"
    "  seq INTEGER NOT NULL UNIQUE"
    ") STRICT, WITHOUT ROWID;"
    "CREATE TABLE case_policies ("
    "  case_id TEXT PRIMARY KEY NOT NULL,"
    "  hash TEXT NOT NULL REFERENCES policies (hash)"
    ") STRICT, WITHOUT ROWID;"
    "UPDATE meta SET value = 6 WHERE key = 'schema_version';",
    // 6 -> 7: root causes fixed (docs/analytics.md, "Root cause fixed"): each
    // fix, one per category and instant, and the notices to its customers,
    // one per customer, until delivered.
    "CREATE TABLE root_cause_fixes ("
    "  id INTEGER PRIMARY KEY,"
    "  category TEXT NOT NULL,"
    "  note TEXT NOT NULL,"
    "  fixed_at_us INTEGER NOT NULL,"
    "  fixed_by TEXT NOT NULL,"
    "  UNIQUE (category, fixed_at_us)"
    ") STRICT;"
    "CREATE TABLE fix_notices ("
    "  fix_id INTEGER NOT NULL REFERENCES root_cause_fixes (id),"
    "  customer TEXT NOT NULL,"
    "  id TEXT NOT NULL UNIQUE,"
    "  case_id TEXT NOT NULL,"
    "  send_at_us INTEGER NOT NULL,"
    "  body_json TEXT NOT NULL,"
    "  delivered INTEGER NOT NULL CHECK (delivered IN (0, 1)),"
    "  PRIMARY KEY (fix_id, customer)"
    ") STRICT, WITHOUT ROWID;"
    "UPDATE meta SET value = 7 WHERE key = 'schema_version';",
    // 7 -> 8: a fix notice is claimed for delivery until a lease ends
    // (JournalStore::claim_fix_notices), so that concurrent runs do not both
    // deliver it; NULL when never claimed.
    ("ALTER TABLE fix_notices ADD COLUMN claimed_until_us INTEGER;"
     "UPDATE meta SET value = 8 WHERE key = 'schema_version';"),
};
static_assert(std::size(kMigrations) == SqliteStore::kSchemaVersion);
static_assert(SqliteStore::kApplicationId == 1380209235);

// The schema version of the store in `db`, 0 for an empty file, read
// without writing. Refuses a file that is not a redress store or is newer.
result<std::int64_t> recognise(Db& db) {
  BOOST_OUTCOME_TRY(auto application_id, db.scalar("PRAGMA application_id", "reading the file's header"));
  if (application_id == 0) {
    std::string tables;
    BOOST_OUTCOME_TRYV(db.each("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name",
                               "listing the tables", [&](const Query& q) -> result<void> {
                                 tables += tables.empty() ? "" : ", ";
                                 tables += q.text(0);
                                 return boost::outcome_v2::success();
                               }));
    if (tables.empty()) return 0;
    return fail(store_errc::corrupt_store,
                fmt::format("{}: a SQLite database of another application (tables: {}), not a redress store; "
                            "it was not touched",
                            db.label(), tables));
  }
  if (application_id != SqliteStore::kApplicationId) {
    return fail(store_errc::corrupt_store,
                fmt::format("{}: a SQLite database of another application (application_id 0x{:08x}; a redress "
                            "store's is 0x{:08x}); it was not touched",
                            db.label(), static_cast<std::uint32_t>(application_id),
                            static_cast<std::uint32_t>(SqliteStore::kApplicationId)));
  }
  BOOST_OUTCOME_TRY(auto has_meta, db.scalar("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'meta'",
                                             "looking for the meta table"));
  BOOST_OUTCOME_TRY(auto version, has_meta == 0
                                      ? result<std::int64_t>(-1)
                                      : db.scalar("SELECT coalesce((SELECT CASE typeof(value) WHEN 'integer' THEN value "
                                                  "ELSE -1 END FROM meta WHERE key = 'schema_version'), -1)",
                                                  "reading the schema version"));
  if (version < 1) {
    return fail(store_errc::corrupt_store,
                fmt::format("{}: meta.schema_version: missing or not a positive integer; the store is damaged",
                            db.label()));
  }
  if (version > SqliteStore::kSchemaVersion) {
    return fail(store_errc::schema_too_new,
                fmt::format("{}: meta.schema_version: {}, written by a newer redress; this one knows versions up to {}. "
                            "Open it with that release or a newer one; it was not touched",
                            db.label(), version, SqliteStore::kSchemaVersion));
  }
  return version;
}

}  // namespace

result<void> prepare_schema(Db& db, const std::function<result<void>(Db&, std::int64_t)>& migrated) {
  BOOST_OUTCOME_TRY(auto version, recognise(db));

  std::string mode;
  BOOST_OUTCOME_TRYV(db.each("PRAGMA journal_mode = WAL", "switching to WAL", [&](const Query& q) -> result<void> {
    mode = q.text(0);
    return boost::outcome_v2::success();
  }));
  if (mode != "wal" && mode != "memory") {
    return fail(store_errc::storage_failed,
                fmt::format("{}: the journal mode stayed \"{}\"; a store needs WAL (is the file on a network "
                            "file system?)",
                            db.label(), mode));
  }
  BOOST_OUTCOME_TRYV(db.exec("PRAGMA synchronous = FULL", "setting synchronous = FULL"));
  if (version == SqliteStore::kSchemaVersion) return boost::outcome_v2::success();

  // Another process may have created or migrated the store since we looked:
  // look again under the write lock.
  BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::write));
  BOOST_OUTCOME_TRY(version, recognise(db));
  for (auto v = version; v < SqliteStore::kSchemaVersion; ++v) {
    BOOST_OUTCOME_TRYV(db.exec(kMigrations[v], fmt::format("migrating the schema from version {} to {}", v, v + 1)));
  }
  if (migrated) {
    BOOST_OUTCOME_TRYV(migrated(db, version));
  }
  return tx.commit();
}

}  // namespace detail::sqlite
}  // namespace v1
}  // namespace redress
