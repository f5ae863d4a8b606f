// The store's schema and its migrations. Each step takes a store from one
// version to the next; a step, once released, never changes (a store written
// by that release depends on it), so a new version is a new step.
#include <iterator>

#include <fmt/format.h>

#include <redress/pg_store.hpp>

#include "conn.hpp"

namespace redress {
inline namespace v1 {
namespace detail::pg {
namespace {

// kMigrations[v] takes a store from version v to v + 1. Ids are COLLATE "C"
// so that they sort by their bytes, whatever the database's locale.
constexpr const char* kMigrations[] = {
    // 0 -> 1: case journals (each case with its header) and follow-ups, with
    // their claims.
    "CREATE TABLE meta (key text COLLATE \"C\" PRIMARY KEY, value text NOT NULL);"
    "CREATE TABLE cases ("
    "  case_id text COLLATE \"C\" PRIMARY KEY,"
    "  open boolean NOT NULL,"
    "  last_seq bigint NOT NULL CHECK (last_seq >= 1),"
    "  last_at_us bigint NOT NULL,"
    "  customer text NOT NULL,"
    "  currency text NOT NULL,"
    "  opened_at_us bigint NOT NULL);"
    "CREATE INDEX cases_open ON cases (case_id) WHERE open;"
    "CREATE TABLE events ("
    "  case_id text COLLATE \"C\" NOT NULL,"
    "  seq bigint NOT NULL CHECK (seq >= 1),"
    "  at_us bigint NOT NULL,"
    "  type text NOT NULL,"
    "  body_json text NOT NULL,"
    "  PRIMARY KEY (case_id, seq));"
    "CREATE TABLE follow_ups ("
    "  id text COLLATE \"C\" PRIMARY KEY,"
    "  case_id text COLLATE \"C\" NOT NULL,"
    "  kind text NOT NULL,"
    "  due_at_us bigint NOT NULL,"
    "  state text NOT NULL CHECK (state IN ('pending', 'claimed', 'done', 'cancelled')),"
    "  claimed_by text,"
    "  lease_until_us bigint);"
    "CREATE INDEX follow_ups_pending ON follow_ups (due_at_us, id) WHERE state = 'pending';"
    "CREATE INDEX follow_ups_claimed ON follow_ups (lease_until_us) WHERE state = 'claimed';"
    "INSERT INTO meta (key, value) VALUES ('application', 'redress'), ('schema_version', '1');",
    // 1 -> 2: the outbox (every action of a committed step, until
    // acknowledged, in commit order) and the host's event ids, for
    // idempotent commits.
    "CREATE TABLE outbox ("
    "  pos bigserial PRIMARY KEY,"
    "  id text COLLATE \"C\" NOT NULL UNIQUE,"
    "  case_id text COLLATE \"C\" NOT NULL,"
    "  seq bigint NOT NULL CHECK (seq >= 1),"
    "  n bigint NOT NULL CHECK (n >= 1),"
    "  type text NOT NULL,"
    "  body_json text NOT NULL,"
    "  state text NOT NULL CHECK (state IN ('pending', 'claimed', 'done')),"
    "  claimed_by text,"
    "  lease_until_us bigint);"
    "CREATE INDEX outbox_event ON outbox (case_id, seq);"
    "CREATE INDEX outbox_pending ON outbox (pos) WHERE state = 'pending';"
    "CREATE INDEX outbox_claimed ON outbox (lease_until_us) WHERE state = 'claimed';"
    "CREATE TABLE event_ids ("
    "  case_id text COLLATE \"C\" NOT NULL,"
    "  event_id text NOT NULL,"
    "  seq bigint NOT NULL CHECK (seq >= 1),"
    "  PRIMARY KEY (case_id, event_id));"
    "UPDATE meta SET value = '2' WHERE key = 'schema_version';",
    // 2 -> 3: personal data protected (docs/privacy.md). Events and outbox
    // actions may carry their personal part sealed with the customer's data
    // key; the data keys, wrapped by the host's master key; the contact
    // index, from keyed hashes of contact points to cases. (The index of a
    // migrated store is filled from its journals, and meta.protection
    // recorded, by the store's code in the same transaction.)
    "ALTER TABLE events ADD COLUMN sealed bytea;"
    "ALTER TABLE outbox ADD COLUMN sealed bytea;"
    "CREATE TABLE customer_keys ("
    "  customer text COLLATE \"C\" PRIMARY KEY,"
    "  wrapped bytea NOT NULL);"
    "CREATE TABLE contact_index ("
    "  hash bytea NOT NULL,"
    "  case_id text COLLATE \"C\" NOT NULL,"
    "  customer text COLLATE \"C\" NOT NULL,"
    "  PRIMARY KEY (hash, case_id));"
    "CREATE INDEX contact_index_customer ON contact_index (customer);"
    "CREATE INDEX cases_customer ON cases (customer);"
    "UPDATE meta SET value = '3' WHERE key = 'schema_version';",
    // 3 -> 4: every policy version the store was given, by content hash, in
    // the order first kept, and the version each case was opened under.
    // Cases stored before have no pin (restore_pinned() replays them under
    // the policy it is given).
    "CREATE TABLE policies ("
    "  hash text COLLATE \"C\" PRIMARY KEY,"
    "  id text NOT NULL,"
    "  version text NOT NULL,"
    "  document text NOT NULL,"
    "  seq bigserial NOT NULL UNIQUE);"
    "CREATE TABLE case_policies ("
    "  case_id text COLLATE \"C\" PRIMARY KEY,"
    "  hash text COLLATE \"C\" NOT NULL REFERENCES policies (hash));"
    "UPDATE meta SET value = '4' WHERE key = 'schema_version';",
    // 4 -> 5: root causes fixed (docs/analytics.md, "Root cause fixed"): each
    // fix, one per category and instant, and the notices to its customers,
    // one per customer, until delivered; a notice is claimed for delivery
    // until a lease ends. A notice is sealed whole with its customer's data
    // key, as an outbox action is.
    "CREATE TABLE root_cause_fixes ("
    "  id bigserial PRIMARY KEY,"
    "  category text NOT NULL,"
    "  note text NOT NULL,"
    "  fixed_at_us bigint NOT NULL,"
    "  fixed_by text NOT NULL,"
    "  UNIQUE (category, fixed_at_us));"
    "CREATE TABLE fix_notices ("
    "  fix_id bigint NOT NULL REFERENCES root_cause_fixes (id),"
    "  customer text COLLATE \"C\" NOT NULL,"
    "  id text COLLATE \"C\" NOT NULL UNIQUE,"
    "  case_id text COLLATE \"C\" NOT NULL,"
    "  send_at_us bigint NOT NULL,"
    "  body_json text NOT NULL,"
    "  sealed bytea,"
    "  delivered boolean NOT NULL,"
    "  claimed_until_us bigint,"
    "  PRIMARY KEY (fix_id, customer));"
    "CREATE INDEX fix_notices_customer ON fix_notices (customer) WHERE NOT delivered;"
    "UPDATE meta SET value = '5' WHERE key = 'schema_version';",
};
static_assert(std::size(kMigrations) == PgStore::kSchemaVersion);

// The schema version of the store in the connection's schema, 0 for a
// schema with no tables, read without writing. Refuses a schema that is not
// a redress store or is newer.
result<std::int64_t> recognise(Conn& conn, std::string_view schema) {
  BOOST_OUTCOME_TRY(auto tables, conn.run("SELECT string_agg(tablename::text, ', ' ORDER BY tablename) FROM pg_tables "
                                          "WHERE schemaname = current_schema()",
                                          "listing the tables"));
  if (tables.is_null(0, 0)) return 0;
  const auto names = std::string(tables.text(0, 0));
  const auto foreign = [&](std::string_view why) {
    return fail(store_errc::corrupt_store,
                fmt::format("{}: schema \"{}\" holds another application's tables ({}){}, not a redress store; it was "
                            "not touched",
                            conn.label(), schema, names, why));
  };
  BOOST_OUTCOME_TRY(auto has_meta, conn.run("SELECT count(*) FROM pg_attribute WHERE attrelid = to_regclass(quote_ident(current_schema()) || '.meta') "
                                            "AND attname IN ('key', 'value') AND NOT attisdropped",
                                            "looking for the meta table"));
  if (has_meta.text(0, 0) != "2") return foreign("");
  BOOST_OUTCOME_TRY(auto meta, conn.run("SELECT (SELECT value::text FROM meta WHERE key::text = 'application'), "
                                        "(SELECT value::text FROM meta WHERE key::text = 'schema_version')",
                                        "reading the meta table"));
  if (meta.text(0, 0) != PgStore::kApplication) return foreign("; its meta.application is not \"redress\"");
  auto version = meta.int64(0, 1, conn.label(), "meta.schema_version");
  if (!version || version.value() < 1) {
    return fail(store_errc::corrupt_store,
                fmt::format("{}: meta.schema_version: missing or not a positive integer; the store is damaged",
                            conn.label()));
  }
  if (version.value() > PgStore::kSchemaVersion) {
    return fail(store_errc::schema_too_new,
                fmt::format("{}: meta.schema_version: {}, written by a newer redress; this one knows versions up to {}. "
                            "Open it with that release or a newer one; it was not touched",
                            conn.label(), version.value(), PgStore::kSchemaVersion));
  }
  return version;
}

}  // namespace

result<void> prepare_schema(Conn& conn, const std::function<result<void>(Conn&, std::int64_t)>& migrated) {
  BOOST_OUTCOME_TRY(auto current, conn.run("SELECT current_schema()", "reading the search_path"));
  if (current.is_null(0, 0)) {
    return fail(errc::invalid_argument,
                fmt::format("conninfo: {}: the search_path names no schema that exists; create it first "
                            "(CREATE SCHEMA ...)",
                            conn.label()));
  }
  const std::string schema(current.text(0, 0));
  conn.name_schema(schema);
  BOOST_OUTCOME_TRY(auto version, recognise(conn, schema));
  if (version == PgStore::kSchemaVersion) return boost::outcome_v2::success();

  // Another process may be creating or migrating the store as well: take
  // the schema lock, then look again.
  BOOST_OUTCOME_TRY(auto tx, Transaction::begin(conn));
  BOOST_OUTCOME_TRYV(conn.run("SELECT pg_advisory_xact_lock($1, 0)", "waiting for the schema lock", {kSchemaLock}));
  BOOST_OUTCOME_TRY(version, recognise(conn, schema));
  for (auto v = version; v < PgStore::kSchemaVersion; ++v) {
    BOOST_OUTCOME_TRYV(conn.script(kMigrations[v], fmt::format("migrating the schema from version {} to {}", v, v + 1)));
  }
  if (migrated && version < PgStore::kSchemaVersion) {
    BOOST_OUTCOME_TRYV(migrated(conn, version));
  }
  return tx.commit();
}

}  // namespace detail::pg
}  // namespace v1
}  // namespace redress
