#include "db.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

namespace redress {
inline namespace v1 {
namespace detail::sqlite {
namespace {

// The text of each cached statement, by Sql.
const char* sql_text(Sql sql) noexcept {
  switch (sql) {
    case Sql::begin_read: return "BEGIN";
    case Sql::begin_write: return "BEGIN IMMEDIATE";
    case Sql::commit: return "COMMIT";
    case Sql::case_last_seq: return "SELECT last_seq FROM cases WHERE case_id = ?";
    case Sql::case_header: return "SELECT customer, currency, opened_at_us FROM cases WHERE case_id = ?";
    case Sql::case_upsert:
      return "INSERT INTO cases (case_id, open, last_seq, last_at_us, customer, currency, opened_at_us) "
             "VALUES (?, ?, ?, ?, ?, ?, ?) "
             "ON CONFLICT (case_id) DO UPDATE SET open = excluded.open, last_seq = excluded.last_seq, "
             "last_at_us = excluded.last_at_us";
    case Sql::event_insert:
      return "INSERT INTO events (case_id, seq, at_us, type, body_json, sealed) VALUES (?, ?, ?, ?, ?, ?)";
    case Sql::events_after:
      return "SELECT seq, type, body_json, sealed FROM events WHERE case_id = ? AND seq > ? ORDER BY seq";
    case Sql::open_cases: return "SELECT case_id FROM cases WHERE open = 1 ORDER BY case_id";
    case Sql::all_cases: return "SELECT case_id FROM cases ORDER BY case_id";
    // One pass over a range of cases: each case's row, then its events in order.
    case Sql::journal_scan:
      // The customer's wrapped data key is looked up once per case (the
      // join order is the written one), not once per event.
      return "SELECT c.case_id, c.customer, c.currency, c.opened_at_us, c.last_seq, e.seq, e.type, e.body_json, e.sealed, "
             "k.wrapped FROM cases c LEFT JOIN customer_keys k ON k.customer = c.customer "
             "CROSS JOIN events e ON e.case_id = c.case_id "
             "WHERE c.case_id >= ? AND c.case_id < ? ORDER BY c.case_id, e.seq";
    case Sql::case_count: return "SELECT count(*) FROM cases";
    case Sql::case_at: return "SELECT case_id FROM cases ORDER BY case_id LIMIT 1 OFFSET ?";
    case Sql::follow_up_get: return "SELECT case_id, kind, due_at_us FROM follow_ups WHERE id = ?";
    case Sql::follow_up_insert:
      return "INSERT INTO follow_ups (id, case_id, kind, due_at_us, state) VALUES (?, ?, ?, ?, 'pending')";
    case Sql::follow_up_cancel:
      return "UPDATE follow_ups SET state = 'cancelled', claimed_by = NULL, lease_until_us = NULL "
             "WHERE id = ? AND state IN ('pending', 'claimed')";
    case Sql::follow_ups_due:
      return "SELECT id, case_id, kind, due_at_us FROM follow_ups "
             "WHERE (state = 'pending' AND due_at_us <= ?1) OR (state = 'claimed' AND lease_until_us <= ?1) "
             "ORDER BY due_at_us, id LIMIT ?2";
    case Sql::follow_up_claim:
      return "UPDATE follow_ups SET state = 'claimed', claimed_by = ?, lease_until_us = ? WHERE id = ?";
    case Sql::follow_up_complete:
      return "UPDATE follow_ups SET state = 'done', lease_until_us = NULL "
             "WHERE id = ? AND state = 'claimed' AND claimed_by = ?";
    case Sql::event_id_get: return "SELECT seq FROM event_ids WHERE case_id = ? AND event_id = ?";
    case Sql::event_id_insert: return "INSERT INTO event_ids (case_id, event_id, seq) VALUES (?, ?, ?)";
    case Sql::outbox_count: return "SELECT count(*) FROM outbox WHERE case_id = ? AND seq = ?";
    case Sql::outbox_insert:
      return "INSERT INTO outbox (id, case_id, seq, n, type, body_json, sealed, state) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')";
    case Sql::outbox_due:
      return "SELECT o.rowid, o.id, o.case_id, o.seq, o.n, o.type, o.body_json, o.sealed, c.customer FROM outbox o "
             "LEFT JOIN cases c ON c.case_id = o.case_id "
             "WHERE o.state = 'pending' OR (o.state = 'claimed' AND o.lease_until_us <= ?1) ORDER BY o.rowid LIMIT ?2";
    case Sql::outbox_claim:
      return "UPDATE outbox SET state = 'claimed', claimed_by = ?, lease_until_us = ? WHERE rowid = ?";
    case Sql::outbox_ack:
      return "UPDATE outbox SET state = 'done', lease_until_us = NULL WHERE id = ? AND state <> 'done'";
    case Sql::key_get: return "SELECT wrapped FROM customer_keys WHERE customer = ?";
    case Sql::key_insert: return "INSERT INTO customer_keys (customer, wrapped) VALUES (?, ?)";
    case Sql::key_delete: return "DELETE FROM customer_keys WHERE customer = ?";
    case Sql::index_insert: return "INSERT OR IGNORE INTO contact_index (hash, case_id, customer) VALUES (?, ?, ?)";
    case Sql::index_find:
      return "SELECT i.case_id, i.customer FROM contact_index i JOIN cases c ON c.case_id = i.case_id "
             "WHERE i.hash = ? AND c.open = 1 ORDER BY c.last_at_us DESC, i.case_id";
    case Sql::index_delete: return "DELETE FROM contact_index WHERE customer = ?";
    case Sql::customer_case_count: return "SELECT count(*) FROM cases WHERE customer = ?";
    case Sql::customer_events:
      return "SELECT e.case_id, e.seq, e.body_json, e.sealed IS NOT NULL FROM events e "
             "JOIN cases c ON c.case_id = e.case_id WHERE c.customer = ? ORDER BY e.case_id, e.seq";
    case Sql::event_rewrite: return "UPDATE events SET body_json = ?, sealed = NULL WHERE case_id = ? AND seq = ?";
    case Sql::outbox_erase:
      return "UPDATE outbox SET body_json = json_object('type', type), sealed = NULL, state = 'done', "
             "lease_until_us = NULL WHERE case_id IN (SELECT case_id FROM cases WHERE customer = ?)";
    case Sql::policy_get: return "SELECT id, version, document FROM policies WHERE hash = ?";
    case Sql::policy_insert:
      return "INSERT INTO policies (hash, id, version, document, seq) "
             "VALUES (?, ?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM policies))";
    case Sql::policies_all: return "SELECT hash, id, version FROM policies ORDER BY seq";
    case Sql::case_policy_insert:
      return "INSERT INTO case_policies (case_id, hash) VALUES (?, ?) ON CONFLICT (case_id) DO NOTHING";
    case Sql::case_policy_get:
      return "SELECT p.hash, p.id, p.version FROM case_policies c JOIN policies p ON p.hash = c.hash "
             "WHERE c.case_id = ?";
    case Sql::fix_get: return "SELECT id FROM root_cause_fixes WHERE category = ? AND fixed_at_us = ?";
    case Sql::fix_insert:
      return "INSERT INTO root_cause_fixes (category, note, fixed_at_us, fixed_by) VALUES (?, ?, ?, ?)";
    case Sql::fixes_all:
      return "SELECT f.id, f.category, f.note, f.fixed_at_us, f.fixed_by, "
             "(SELECT count(*) FROM fix_notices n WHERE n.fix_id = f.id), "
             "(SELECT count(*) FROM fix_notices n WHERE n.fix_id = f.id AND n.delivered = 1) "
             "FROM root_cause_fixes f WHERE ?1 = 0 OR f.id = ?1 ORDER BY f.id";
    case Sql::fix_notice_insert:
      return "INSERT INTO fix_notices (fix_id, customer, id, case_id, send_at_us, body_json, delivered) "
             "VALUES (?, ?, ?, ?, ?, ?, 0) ON CONFLICT DO NOTHING";
    case Sql::fix_notices_undelivered:
      return "SELECT id, customer, case_id, send_at_us, body_json, fix_id FROM fix_notices "
             "WHERE fix_id = ? AND delivered = 0 ORDER BY customer";
    case Sql::fix_notice_deliver: return "UPDATE fix_notices SET delivered = 1 WHERE id = ? AND delivered = 0";
    case Sql::fix_notices_claimable:
      return "SELECT id, customer, case_id, send_at_us, body_json, fix_id FROM fix_notices "
             "WHERE (?1 = 0 OR fix_id = ?1) AND delivered = 0 AND (claimed_until_us IS NULL OR claimed_until_us <= ?2) "
             "ORDER BY fix_id, customer LIMIT ?3";
    case Sql::fix_notice_claim: return "UPDATE fix_notices SET claimed_until_us = ? WHERE id = ?";
    case Sql::fix_notices_erase: return "DELETE FROM fix_notices WHERE customer = ? AND delivered = 0";
    case Sql::count_: break;
  }
  return "";
}

}  // namespace

std::error_code fail_sqlite(sqlite3* db, int rc, std::string_view label, std::string_view what) {
  const int primary = rc & 0xFF;
  const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string detail = fmt::format("{}: {}: {} (SQLite code {})", label, what, message, rc);
  if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) {
    return fail(store_errc::corrupt_store, detail + "; the file is not a redress store or is damaged");
  }
  if (primary == SQLITE_CONSTRAINT) {
    return fail(store_errc::corrupt_store, detail + "; the store's tables disagree with each other");
  }
  return fail(store_errc::storage_failed, std::move(detail));
}

result<bool> Query::step(std::string_view what) {
  if (bind_rc_ != SQLITE_OK) return fail_sqlite(sqlite3_db_handle(stmt_), bind_rc_, *label_, what);
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return fail_sqlite(sqlite3_db_handle(stmt_), rc, *label_, what);
}

result<void> Query::run(std::string_view what) {
  BOOST_OUTCOME_TRY(bool row, step(what));
  if (row) return fail(errc::internal_error, fmt::format("{}: {}: a statement returned a row", *label_, what));
  return boost::outcome_v2::success();
}

std::string_view Query::text(int column) const noexcept {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (p == nullptr) return {};
  return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

Db::Db(sqlite3* db, std::string path) noexcept
    : db_(db), path_(std::move(path)), label_(fmt::format("store \"{}\"", path_)) {}

Db::Db(Db&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      path_(std::move(other.path_)),
      label_(std::move(other.label_)),
      cache_(std::exchange(other.cache_, {})) {}

Db& Db::operator=(Db&& other) noexcept {
  if (this != &other) {
    close();
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    label_ = std::move(other.label_);
    cache_ = std::exchange(other.cache_, {});
  }
  return *this;
}

Db::~Db() { close(); }

void Db::close() noexcept {
  for (auto& s : cache_) sqlite3_finalize(std::exchange(s, nullptr));
  // Every statement is finalised, so close cannot be refused as busy.
  sqlite3_close(std::exchange(db_, nullptr));
}

result<Db> Db::open(const std::string& path, bool create_if_missing) {
  // A new store file is readable by its owner only (0600, whatever the
  // umask): it holds personal data. SQLite gives its -wal and -shm files the
  // mode of the database file. An empty file is an empty database.
  if (create_if_missing && !path.empty() && path != ":memory:" && !path.starts_with("file:")) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) ::close(fd);  // EEXIST and other failures: sqlite3_open_v2 says what is wrong
  }
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create_if_missing ? SQLITE_OPEN_CREATE : 0);
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Db db(raw, path);  // owns the handle even when opening failed
  if (rc != SQLITE_OK) {
    return fail(store_errc::storage_failed,
                fmt::format("{}: cannot open the file: {}{}", db.label(), raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc),
                            create_if_missing ? "" : " (create_if_missing is off)"));
  }
  sqlite3_extended_result_codes(raw, 1);
  return db;
}

result<Query> Db::query(Sql sql) {
  auto& slot = cache_[static_cast<std::size_t>(sql)];
  if (slot == nullptr) {
    const int rc = sqlite3_prepare_v3(db_, sql_text(sql), -1, SQLITE_PREPARE_PERSISTENT, &slot, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(std::exchange(slot, nullptr));
      return error(rc, fmt::format("preparing \"{}\"", sql_text(sql)));
    }
  }
  return result<Query>(boost::outcome_v2::in_place_type<Query>, slot, label_);
}

result<void> Db::exec(const char* sql, std::string_view what) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return error(rc, what);
  return boost::outcome_v2::success();
}

result<std::int64_t> Db::scalar(std::string_view sql, std::string_view what) {
  std::int64_t value = 0;
  bool seen = false;
  BOOST_OUTCOME_TRYV(each(sql, what, [&](const Query& q) -> result<void> {
    if (!seen) value = q.int64(0);
    seen = true;
    return boost::outcome_v2::success();
  }));
  return value;
}

result<Transaction> Transaction::begin(Db& db, Mode mode) {
  BOOST_OUTCOME_TRY(auto q, db.query(mode == Mode::write ? Sql::begin_write : Sql::begin_read));
  BOOST_OUTCOME_TRYV(q.run(mode == Mode::write ? "starting a write transaction" : "starting a read"));
  return Transaction(db);
}

result<void> Transaction::commit() {
  {
    BOOST_OUTCOME_TRY(auto q, db_->query(Sql::commit));
    BOOST_OUTCOME_TRYV(q.run("committing"));
  }
  db_ = nullptr;
  return boost::outcome_v2::success();
}

Transaction::~Transaction() {
  if (db_ != nullptr && sqlite3_get_autocommit(db_->handle()) == 0) {
    sqlite3_exec(db_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

}  // namespace detail::sqlite
}  // namespace v1
}  // namespace redress
