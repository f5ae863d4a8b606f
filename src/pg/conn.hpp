// The thin layer over libpq that PgStore is written in: an owned connection
// that reconnects once at the start of a call when it was lost, statements
// run with text parameters, their rows, a transaction that rolls back unless
// committed, and the one place PostgreSQL's errors become redress errors.
#ifndef REDRESS_SRC_PG_CONN_HPP
#define REDRESS_SRC_PG_CONN_HPP

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <libpq-fe.h>

#include <redress/pg_store.hpp>

namespace redress {
inline namespace v1 {
namespace detail::pg {

// Whether a statement can commit a change: a lost connection while it ran
// leaves the outcome of a `write` unknown, of a `read` harmless.
enum class Effect { read, write };

// Param
//
// A statement's parameter in PostgreSQL's text form.
class Param {
 public:
  Param(std::string_view text) : text_(text) {}  // NOLINT: implicit, as a literal would be
  Param(const std::string& text) : text_(text) {}
  Param(const char* text) : text_(text) {}
  Param(std::int64_t value) : text_(std::to_string(value)) {}
  Param(bool value) : text_(value ? "true" : "false") {}
  // SQL NULL.
  static Param null() {
    Param p("");
    p.null_ = true;
    return p;
  }
  // The text libpq is given: nullptr for NULL.
  const char* c_str() const noexcept { return null_ ? nullptr : text_.c_str(); }

 private:
  std::string text_;
  bool null_ = false;
};

// Rows
//
// What a statement returned: its rows in text form and, for an UPDATE,
// how many rows it changed.
class Rows {
 public:
  explicit Rows(PGresult* res) noexcept : res_(res) {}
  int size() const noexcept { return PQntuples(res_.get()); }
  std::string_view text(int row, int column) const noexcept {
    return {PQgetvalue(res_.get(), row, column), static_cast<std::size_t>(PQgetlength(res_.get(), row, column))};
  }
  bool is_null(int row, int column) const noexcept { return PQgetisnull(res_.get(), row, column) != 0; }
  // A bigint column; anything else (or NULL) is a damaged store, reported
  // naming `field`.
  result<std::int64_t> int64(int row, int column, std::string_view label, std::string_view field) const;
  std::int64_t changed() const noexcept;

 private:
  struct Clear {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
  };
  std::unique_ptr<PGresult, Clear> res_;
};

// Conn
//
// An open connection. `label` names the store in every error detail:
// `store "postgresql://127.0.0.1:5432/cases"`, never with a password.
class Conn {
 public:
  static result<Conn> connect(std::string_view conninfo, const PgOptions& options);

  Conn(Conn&& other) noexcept
      : conn_(std::exchange(other.conn_, nullptr)),
        name_(std::move(other.name_)),
        label_(std::move(other.label_)),
        setup_(std::move(other.setup_)),
        notice_(std::move(other.notice_)),
        ending_(other.ending_) {}
  Conn& operator=(Conn&& other) noexcept;
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  ~Conn() { PQfinish(conn_); }

  const std::string& name() const noexcept { return name_; }
  const std::string& label() const noexcept { return label_; }

  // Called first by every call. Reconnects (once) when an earlier call found
  // the connection lost; fails with storage_failed, saying why, when the
  // server ended the connection since the last call (the next call then
  // reconnects).
  result<void> ready();

  // Runs `sql` with `params` ($1, $2, ...). A failure is reported as doing
  // `what`; if the connection was lost while a `write` ran, the detail says
  // its outcome is unknown.
  result<Rows> run(std::string_view sql, std::string_view what, std::initializer_list<Param> params = {},
                   Effect effect = Effect::read);
  result<Rows> run(std::string_view sql, std::string_view what, std::span<const Param> params, Effect effect);
  // Runs several statements with no parameters (DDL).
  result<void> script(const char* sql, std::string_view what);

  // Ends an open transaction without committing it; reports nothing (the
  // connection may be gone).
  void rollback() noexcept;

  // Adds the schema the store lives in to its name, unless it is `public`.
  void name_schema(std::string_view schema);

 private:
  Conn(PGconn* conn, std::string setup);
  result<Rows> check(PGresult* res, std::string_view what, Effect effect);
  // The failure of `what` on a connection that was lost.
  std::error_code lost(std::string_view what, std::string_view message, Effect effect) const;
  PGconn* conn_;
  std::string name_;
  std::string label_;
  std::string setup_;  // run after every (re)connection: SET lock_timeout ...
  std::unique_ptr<std::string> notice_;  // the server's last notice; its address is libpq's
  bool ending_ = false;                  // the server said it is ending the connection
};

// Transaction
//
// BEGIN (read committed; `snapshot` for repeatable read, one snapshot for
// several statements). Rolls back on destruction unless committed, so a
// failed call leaves nothing behind.
class Transaction {
 public:
  enum class Mode { write, snapshot };
  static result<Transaction> begin(Conn& conn, Mode mode = Mode::write);
  Transaction(Transaction&& other) noexcept : conn_(std::exchange(other.conn_, nullptr)) {}
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  result<void> commit();

 private:
  explicit Transaction(Conn& conn) noexcept : conn_(&conn) {}
  Conn* conn_;
};

// Advisory lock keys, the first of two int4 keys: kSchemaLock guards
// creating and migrating the schema, kCaseLock (with the case id's hash)
// appends to one case.
inline constexpr std::int64_t kSchemaLock = 0x52445253;  // "RDRS"
inline constexpr std::int64_t kCaseLock = 0x52445254;

// Recognises the schema as a redress store (or an empty schema) and migrates
// it to the current version in one transaction, under kSchemaLock, calling
// `migrated(conn, from_version)` inside it when it migrated. A foreign,
// damaged or newer schema is refused before anything is written.
// (schema.cpp)
result<void> prepare_schema(Conn& conn, const std::function<result<void>(Conn&, std::int64_t)>& migrated = {});

}  // namespace detail::pg
}  // namespace v1
}  // namespace redress

#endif  // REDRESS_SRC_PG_CONN_HPP
