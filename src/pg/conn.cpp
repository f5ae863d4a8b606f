#include "conn.hpp"

#include <charconv>
#include <climits>

#include <fmt/format.h>

#include <redress/detail/redact.hpp>

#include "store/store_rows.hpp"

namespace redress {
inline namespace v1 {
namespace detail::pg {
namespace {

// libpq's message as one line: "FATAL:  terminating connection ...; server
// closed the connection unexpectedly".
std::string one_line(const char* message) {
  std::string out;
  for (const char* p = message != nullptr ? message : ""; *p != '\0'; ++p) {
    if (*p != '\n') {
      out += *p;
      continue;
    }
    out += "; ";
    while (p[1] == '\t' || p[1] == ' ') ++p;
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == ';')) out.pop_back();
  return out.empty() ? std::string("no message") : out;
}

// Keeps the server's last notice. An error the server sends while the
// connection is idle (the backend being terminated, the server shutting
// down) arrives as one, just before the connection ends.
void keep_notice(void* last, const char* message) noexcept {
  try {
    *static_cast<std::string*>(last) = one_line(message);
  } catch (...) {
  }
}

struct ConninfoOptionsFree {
  void operator()(PQconninfoOption* o) const noexcept { PQconninfoFree(o); }
};

}  // namespace

result<std::int64_t> Rows::int64(int row, int column, std::string_view label, std::string_view field) const {
  const auto t = text(row, column);
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
  if (is_null(row, column) || ec != std::errc() || end != t.data() + t.size()) {
    return fail(store_errc::corrupt_store,
                fmt::format("{}: {}: \"{}\" is not an integer; the store is damaged", label, field, t));
  }
  return value;
}

std::int64_t Rows::changed() const noexcept {
  const char* n = PQcmdTuples(res_.get());
  std::int64_t value = 0;
  std::from_chars(n, n + std::char_traits<char>::length(n), value);
  return value;
}

Conn::Conn(PGconn* conn, std::string setup)
    : conn_(conn), setup_(std::move(setup)), notice_(std::make_unique<std::string>()) {
  const char* host = PQhost(conn_);
  const char* port = PQport(conn_);
  const char* db = PQdb(conn_);
  name_ = fmt::format("postgresql://{}:{}/{}", host != nullptr ? host : "", port != nullptr ? port : "",
                      db != nullptr ? db : "");
  label_ = fmt::format("store \"{}\"", name_);
}

Conn& Conn::operator=(Conn&& other) noexcept {
  if (this != &other) {
    PQfinish(std::exchange(conn_, std::exchange(other.conn_, nullptr)));
    name_ = std::move(other.name_);
    label_ = std::move(other.label_);
    setup_ = std::move(other.setup_);
    notice_ = std::move(other.notice_);
    ending_ = other.ending_;
  }
  return *this;
}

void Conn::name_schema(std::string_view schema) {
  if (schema != "public") name_ += fmt::format(" schema {}", schema);
  label_ = fmt::format("store \"{}\"", name_);
}

result<Conn> Conn::connect(std::string_view conninfo, const PgOptions& options) {
  if (conninfo.find('\0') != std::string_view::npos) {
    return fail(errc::invalid_argument, "conninfo: contains a NUL byte");
  }
  const auto& connect = options.connect_timeout;
  if (connect.is_special() || connect <= Duration(0, 0, 0) || connect.total_seconds() > INT_MAX - 1) {
    return fail(errc::invalid_argument, fmt::format("options.connect_timeout: {} is not positive and at most {} s",
                                                    store::describe(connect), INT_MAX - 1));
  }
  const auto& lock = options.lock_timeout;
  if (lock.is_special() || lock.is_negative() || lock.total_milliseconds() > INT_MAX) {
    return fail(errc::invalid_argument,
                fmt::format("options.lock_timeout: {} is not between 0 and {} ms", store::describe(lock), INT_MAX));
  }
  const std::string info(conninfo);
  {
    char* message = nullptr;
    std::unique_ptr<PQconninfoOption, ConninfoOptionsFree> parsed(PQconninfoParse(info.c_str(), &message));
    if (!parsed) {
      std::string why = one_line(message);
      PQfreemem(message);
      // libpq's message may quote the string, password and all.
      return fail(errc::invalid_argument, fmt::format("conninfo: libpq cannot parse it: {}", redact(why, conninfo)));
    }
  }
  // Ours first, so that the conninfo (expanded from "dbname") overrides
  // them; the client encoding last, because every text is UTF-8.
  const auto seconds = std::to_string(std::max<std::int64_t>(2, (connect.total_milliseconds() + 999) / 1000));
  const char* keys[] = {"connect_timeout", "fallback_application_name", "dbname", "client_encoding", nullptr};
  const char* values[] = {seconds.c_str(), "redress", info.c_str(), "UTF8", nullptr};
  Conn conn(PQconnectdbParams(keys, values, 1),
            fmt::format("SET lock_timeout = {}", lock.total_milliseconds()));
  if (conn.conn_ == nullptr) return fail(errc::internal_error, "conninfo: libpq could not allocate a connection");
  if (PQstatus(conn.conn_) != CONNECTION_OK) {
    return fail(store_errc::storage_failed,
                fmt::format("{}: cannot connect: {}", conn.label(),
                            redact(one_line(PQerrorMessage(conn.conn_)), conninfo)));
  }
  PQsetNoticeProcessor(conn.conn_, keep_notice, conn.notice_.get());
  const char* encoding = PQparameterStatus(conn.conn_, "server_encoding");
  if (encoding == nullptr || std::string_view(encoding) != "UTF8") {
    return fail(errc::invalid_argument,
                fmt::format("conninfo: {}: the database's encoding is {}; a redress store needs UTF8 "
                            "(CREATE DATABASE ... ENCODING 'UTF8')",
                            conn.label(), encoding != nullptr ? encoding : "unknown"));
  }
  BOOST_OUTCOME_TRYV(conn.run(conn.setup_, "setting lock_timeout"));
  return conn;
}

std::error_code Conn::lost(std::string_view what, std::string_view message, Effect effect) const {
  // The server's reason, when it gave one, comes first.
  const auto& notice = *notice_;
  const bool reason = notice.starts_with("FATAL") && message.find(notice) == std::string_view::npos;
  return fail(store_errc::storage_failed,
              fmt::format("{}: {}: the connection to the server was lost: {}{}{}; {}; the next call reconnects", label_,
                          what, reason ? notice : "", reason ? "; " : "", message,
                          effect == Effect::write
                              ? "the outcome is unknown (the change may or may not have been made; retrying the "
                                "call is safe)"
                              : "nothing was changed"));
}

result<void> Conn::ready() {
  if (PQstatus(conn_) == CONNECTION_OK && !ending_) {
    // Reads what the server sent while the connection was idle, so that a
    // connection it is ending (a FATAL error) is noticed before anything is
    // sent on it.
    notice_->clear();
    PQconsumeInput(conn_);
    (void)PQisBusy(conn_);
    ending_ = notice_->starts_with("FATAL");
    if (PQstatus(conn_) == CONNECTION_OK && !ending_) return boost::outcome_v2::success();
    return lost("checking the connection",
                PQstatus(conn_) == CONNECTION_OK ? "the server is ending it" : one_line(PQerrorMessage(conn_)),
                Effect::read);
  }
  ending_ = false;
  PQreset(conn_);
  if (PQstatus(conn_) != CONNECTION_OK) {
    return fail(store_errc::storage_failed,
                fmt::format("{}: the connection was lost, and reconnecting failed: {}; nothing was changed", label_,
                            one_line(PQerrorMessage(conn_))));
  }
  BOOST_OUTCOME_TRYV(run(setup_, "setting lock_timeout after reconnecting"));
  return boost::outcome_v2::success();
}

result<Rows> Conn::run(std::string_view sql, std::string_view what, std::initializer_list<Param> params,
                       Effect effect) {
  return run(sql, what, std::span<const Param>(params.begin(), params.size()), effect);
}

result<Rows> Conn::run(std::string_view sql, std::string_view what, std::span<const Param> params, Effect effect) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p.c_str());
  const std::string text(sql);
  return check(PQexecParams(conn_, text.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                            nullptr, 0),
               what, effect);
}

result<void> Conn::script(const char* sql, std::string_view what) {
  BOOST_OUTCOME_TRYV(check(PQexec(conn_, sql), what, Effect::write));
  return boost::outcome_v2::success();
}

void Conn::rollback() noexcept {
  const auto state = PQtransactionStatus(conn_);
  if (state == PQTRANS_INTRANS || state == PQTRANS_INERROR) PQclear(PQexec(conn_, "ROLLBACK"));
}

result<Rows> Conn::check(PGresult* res, std::string_view what, Effect effect) {
  Rows rows(res);
  const auto status = PQresultStatus(res);
  if (res != nullptr && (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)) return rows;

  const std::string message = one_line(res != nullptr ? PQresultErrorMessage(res) : PQerrorMessage(conn_));
  const char* field = res != nullptr ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const std::string_view state = field != nullptr ? field : "";
  const auto code = state.empty() ? std::string() : fmt::format(" (SQLSTATE {})", state);
  // The connection's message holds the server's reason as well.
  if (PQstatus(conn_) == CONNECTION_BAD) return lost(what, one_line(PQerrorMessage(conn_)), effect);
  const auto detail = fmt::format("{}: {}: {}{}", label_, what, message, code);
  if (state == "55P03") {
    return fail(store_errc::storage_failed,
                detail + "; another connection held the lock past lock_timeout; nothing was changed");
  }
  if (state.starts_with("23")) {
    return fail(store_errc::corrupt_store, detail + "; the store's tables disagree with each other");
  }
  if (state == "42P01" || state == "42703" || state == "42804") {
    return fail(store_errc::corrupt_store, detail + "; the store's tables are not what redress made (altered?)");
  }
  return fail(store_errc::storage_failed, detail);
}

result<Transaction> Transaction::begin(Conn& conn, Mode mode) {
  BOOST_OUTCOME_TRYV(conn.run(mode == Mode::write ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                              "starting a transaction"));
  return Transaction(conn);
}

result<void> Transaction::commit() {
  BOOST_OUTCOME_TRYV(conn_->run("COMMIT", "committing", {}, Effect::write));
  conn_ = nullptr;
  return boost::outcome_v2::success();
}

Transaction::~Transaction() {
  if (conn_ != nullptr) conn_->rollback();
}

}  // namespace detail::pg
}  // namespace v1
}  // namespace redress
