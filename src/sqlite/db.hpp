// The thin layer over SQLite's C API that SqliteStore is written in: an owned
// connection, cached prepared statements, a statement in use (binds, steps,
// columns; reset when done), a transaction that rolls back unless committed,
// and the one place SQLite's result codes become redress errors.
#ifndef REDRESS_SRC_SQLITE_DB_HPP
#define REDRESS_SRC_SQLITE_DB_HPP

#include <array>
#include <functional>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <sqlite3.h>

#include <redress/store.hpp>

namespace redress {
inline namespace v1 {
namespace detail::sqlite {

// Reports SQLite's failure `rc` while doing `what` on the store `label`:
// corruption and "not a database" as store_errc::corrupt_store, everything
// else (I/O, a full disk, a lock held too long) as storage_failed.
std::error_code fail_sqlite(sqlite3* db, int rc, std::string_view label, std::string_view what);

// The statements SqliteStore runs, prepared once per connection.
enum class Sql : std::size_t {
  begin_read,
  begin_write,
  commit,
  case_last_seq,
  case_header,
  case_upsert,
  event_insert,
  events_after,
  open_cases,
  all_cases,
  journal_scan,
  case_count,
  case_at,
  follow_up_get,
  follow_up_insert,
  follow_up_cancel,
  follow_ups_due,
  follow_up_claim,
  follow_up_complete,
  event_id_get,
  event_id_insert,
  outbox_count,
  outbox_insert,
  outbox_due,
  outbox_claim,
  outbox_ack,
  key_get,
  key_insert,
  key_delete,
  index_insert,
  index_find,
  index_delete,
  customer_case_count,
  customer_events,
  event_rewrite,
  outbox_erase,
  policy_get,
  policy_insert,
  policies_all,
  case_policy_insert,
  case_policy_get,
  fix_get,
  fix_insert,
  fixes_all,
  fix_notice_insert,
  fix_notices_undelivered,
  fix_notice_deliver,
  fix_notices_claimable,
  fix_notice_claim,
  fix_notices_erase,
  count_,
};

// Query
//
// A prepared statement in use. Binds go to parameters 1, 2, ... in call
// order; text is bound without a copy, so it must outlive the Query. The
// statement is reset and its bindings cleared when the Query goes away.
class Query {
 public:
  Query(sqlite3_stmt* stmt, const std::string& label) noexcept : stmt_(stmt), label_(&label) {}
  Query(Query&& other) noexcept
      : stmt_(std::exchange(other.stmt_, nullptr)), label_(other.label_), bound_(other.bound_), bind_rc_(other.bind_rc_) {}
  Query& operator=(Query&&) = delete;
  ~Query() {
    if (stmt_ == nullptr) return;
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  Query& bind(std::int64_t value) noexcept { return note(sqlite3_bind_int64(stmt_, ++bound_, value)); }
  Query& bind(std::string_view text) noexcept {
    return note(sqlite3_bind_text64(stmt_, ++bound_, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8));
  }
  Query& bind_null() noexcept { return note(sqlite3_bind_null(stmt_, ++bound_)); }
  // Bytes bound as a BLOB (not copied; they must outlive the Query).
  Query& bind_blob(std::string_view bytes) noexcept {
    return note(sqlite3_bind_blob64(stmt_, ++bound_, bytes.data(), bytes.size(), SQLITE_STATIC));
  }
  // A BLOB column's bytes (valid until the next step or reset).
  std::string_view blob(int column) const noexcept {
    const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, column));
    if (p == nullptr) return {};
    return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
  }

  // Makes the statement ready to run again, with new bindings.
  void reset() noexcept {
    sqlite3_reset(stmt_);
    bound_ = 0;
    bind_rc_ = SQLITE_OK;
  }

  // Steps once: true when a row is ready, false when done.
  result<bool> step(std::string_view what);
  // Steps a statement that returns no row.
  result<void> run(std::string_view what);

  std::int64_t int64(int column) const noexcept { return sqlite3_column_int64(stmt_, column); }
  bool is_null(int column) const noexcept { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::string_view text(int column) const noexcept;

 private:
  Query& note(int rc) noexcept {
    if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
    return *this;
  }
  sqlite3_stmt* stmt_;
  const std::string* label_;
  int bound_ = 0;
  int bind_rc_ = SQLITE_OK;
};

// Db
//
// An open connection and its statement cache. `label` names the store in
// every error detail: `store "cases.db"`.
class Db {
 public:
  static result<Db> open(const std::string& path, bool create_if_missing);

  Db(Db&& other) noexcept;
  Db& operator=(Db&& other) noexcept;
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db();

  sqlite3* handle() const noexcept { return db_; }
  const std::string& label() const noexcept { return label_; }
  const std::string& path() const noexcept { return path_; }

  // The cached statement `sql`, prepared on first use.
  result<Query> query(Sql sql);
  // A one-off statement, prepared each time (pragmas, DDL, checks), run to
  // completion; `on_row` sees each row.
  template <class OnRow>
  result<void> each(std::string_view sql, std::string_view what, OnRow&& on_row);
  // A one-off statement with no row, or several separated by ';'.
  result<void> exec(const char* sql, std::string_view what);
  // The first column of the first row of a one-off statement.
  result<std::int64_t> scalar(std::string_view sql, std::string_view what);

  std::error_code error(int rc, std::string_view what) const { return fail_sqlite(db_, rc, label_, what); }

 private:
  Db(sqlite3* db, std::string path) noexcept;
  void close() noexcept;
  sqlite3* db_ = nullptr;
  std::string path_;
  std::string label_;
  std::array<sqlite3_stmt*, static_cast<std::size_t>(Sql::count_)> cache_{};
};

// An owned one-off statement.
struct StmtDeleter {
  void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};

template <class OnRow>
result<void> Db::each(std::string_view sql, std::string_view what, OnRow&& on_row) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  std::unique_ptr<sqlite3_stmt, StmtDeleter> owned(raw);
  if (rc != SQLITE_OK) return error(rc, what);
  Query q(raw, label_);
  for (;;) {
    BOOST_OUTCOME_TRY(bool row, q.step(what));
    if (!row) return boost::outcome_v2::success();
    BOOST_OUTCOME_TRYV(on_row(q));
  }
}

// Transaction
//
// BEGIN IMMEDIATE (a write: takes the write lock at once, waiting up to the
// busy timeout) or BEGIN (a read: one snapshot for several statements).
// Rolls back on destruction unless committed, so a failed call leaves
// nothing behind.
class Transaction {
 public:
  enum class Mode { read, write };
  static result<Transaction> begin(Db& db, Mode mode);
  Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  result<void> commit();

 private:
  explicit Transaction(Db& db) noexcept : db_(&db) {}
  Db* db_;
};

// Recognises the file as a redress store (or an empty file), switches it to
// WAL with synchronous=FULL and migrates its schema to the current version in
// one transaction. A foreign, damaged or newer file is refused before
// anything is written to it. (schema.cpp)
// `migrated(db, from_version)` runs inside the migration's transaction, after
// the last step (from_version 0 when the store was just created): what SQL
// alone cannot migrate.
result<void> prepare_schema(Db& db, const std::function<result<void>(Db&, std::int64_t)>& migrated);

}  // namespace detail::sqlite
}  // namespace v1
}  // namespace redress

#endif  // REDRESS_SRC_SQLITE_DB_HPP
