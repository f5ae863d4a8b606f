#include <redress/sqlite_store.hpp>

#include <algorithm>
#include <climits>
#include <exception>
#include <span>
#include <tuple>
#include <limits>
#include <mutex>
#include <optional>
#include <utility>

#include <fmt/format.h>
#include <boost/json/serialize.hpp>

#include <redress/journal.hpp>
#include <redress/json.hpp>

#include "db.hpp"
#include "store/store_rows.hpp"

namespace redress {
inline namespace v1 {

using detail::fail;
using detail::sqlite::Db;
using detail::sqlite::Query;
using detail::sqlite::Sql;
using detail::sqlite::Transaction;

struct SqliteStore::Impl {
  Impl(Db db, detail::store::Sealer sealer) : db(std::move(db)), sealer(std::move(sealer)) {}
  Db db;
  detail::store::Sealer sealer;
  std::mutex mutex;
};

namespace {

using boost::outcome_v2::success;

using namespace detail::store;

// The data key of `customer`, unwrapped; nullptr when they have none and
// `create` is false. With `create`, a customer without one gets a new one,
// stored inside the caller's transaction.
result<const SecretKey*> customer_key(Db& db, Sealer& sealer, const CustomerId& customer, bool create) {
  return detail::store::customer_key(
      sealer, customer, create, db.label(),
      [&]() -> result<std::string> {
        BOOST_OUTCOME_TRY(auto q, db.query(Sql::key_get));
        q.bind(customer.str());
        BOOST_OUTCOME_TRY(bool row, q.step("reading the customer's data key"));
        return row ? std::string(q.blob(0)) : std::string();
      },
      [&](std::string wrapped) -> result<std::string> {
        BOOST_OUTCOME_TRY(auto q, db.query(Sql::key_insert));
        q.bind(customer.str()).bind_blob(wrapped);
        BOOST_OUTCOME_TRYV(q.run("storing the customer's data key"));
        return wrapped;
      });
}

// The data key of a case's customer, looked up once: what reading a case's
// sealed rows needs. `wrapped`: the customer's wrapped key when the caller
// read it already (empty: they have none), so it is not looked up again.
auto case_key(Db& db, Sealer& sealer, const CustomerId* customer,
              std::optional<std::string_view> wrapped = std::nullopt) {
  auto lookup = [&db, &sealer, pre = wrapped ? std::optional<std::string>(*wrapped) : std::nullopt](
                    const CustomerId& c) -> result<const SecretKey*> {
    if (!pre) return customer_key(db, sealer, c, false);
    if (pre->empty()) return static_cast<const SecretKey*>(nullptr);
    return unwrap_key(sealer, c, *pre, db.label());
  };
  return detail::store::CaseKey<decltype(lookup)>(lookup, customer, db.label());
}

// Whether the case already holds exactly `rows` after `expected_last_seq`:
// a batch retried after its first attempt was stored.
result<bool> is_retry(Db& db, Sealer& sealer, const CaseHeader& header, std::uint64_t expected_last_seq,
                      std::span<const Row> rows) {
  auto key = case_key(db, sealer, &header.customer);
  BOOST_OUTCOME_TRY(auto q, db.query(Sql::events_after));
  q.bind(header.id.str()).bind(static_cast<std::int64_t>(expected_last_seq));
  std::size_t k = 0;
  for (;; ++k) {
    BOOST_OUTCOME_TRY(bool row, q.step("reading the case's last events"));
    if (!row) return k == rows.size();
    if (k >= rows.size() || q.text(2) != rows[k].body_json || q.is_null(3) != rows[k].personal_json.empty()) {
      return false;
    }
    if (!q.is_null(3)) {
      BOOST_OUTCOME_TRY(const auto* data_key, key.get());
      BOOST_OUTCOME_TRY(auto clear, unseal(data_key, q.blob(3), event_ad(header.id.str(), q.int64(0)), db.label(),
                                           "events.sealed"));
      if (clear != rows[k].personal_json) return false;
    }
  }
}

// Stores `rows` as events `first_seq` onwards of the case, inside the
// caller's transaction: their personal parts sealed with the customer's data
// key (made when they have none), and their contact points indexed.
// `key`: the customer's data key when the caller has it already.
result<void> store_events(Db& db, Sealer& sealer, const CaseHeader& header, std::span<const Row> rows,
                          std::int64_t first_seq, const SecretKey* key = nullptr) {
  if (key == nullptr &&
      std::any_of(rows.begin(), rows.end(), [](const Row& r) { return !r.personal_json.empty(); })) {
    BOOST_OUTCOME_TRY(key, customer_key(db, sealer, header.customer, true));
  }
  {
    BOOST_OUTCOME_TRY(auto insert, db.query(Sql::event_insert));
    auto seq = first_seq;
    std::string sealed;
    for (const auto& row : rows) {
      insert.bind(header.id.str()).bind(seq).bind(row.at_us).bind(row.type).bind(row.body_json);
      if (row.personal_json.empty()) {
        insert.bind_null();
      } else {
        sealed = Sealer::seal_with(key->bytes, row.personal_json, event_ad(header.id.str(), seq));
        insert.bind_blob(sealed);
      }
      BOOST_OUTCOME_TRYV(insert.run("storing an event"));
      insert.reset();
      ++seq;
    }
  }
  for (const auto& row : rows) {
    if (!row.from) continue;
    const auto hash = sealer.contact_hash(*row.from);
    BOOST_OUTCOME_TRY(auto q, db.query(Sql::index_insert));
    q.bind_blob(std::string_view(reinterpret_cast<const char*>(hash.data()), hash.size()))
        .bind(header.id.str())
        .bind(header.customer.str());
    BOOST_OUTCOME_TRYV(q.run("indexing the contact point"));
  }
  return success();
}

result<std::int64_t> read_last_seq(Db& db, const CaseId& case_id) {
  BOOST_OUTCOME_TRY(auto q, db.query(Sql::case_last_seq));
  q.bind(case_id.str());
  BOOST_OUTCOME_TRY(bool row, q.step("reading the case's last sequence number"));
  return row ? q.int64(0) : 0;
}

// The case's stored header; nullopt when the store has no row for it.
result<std::optional<CaseHeader>> read_header(Db& db, const CaseId& case_id) {
  BOOST_OUTCOME_TRY(auto q, db.query(Sql::case_header));
  q.bind(case_id.str());
  BOOST_OUTCOME_TRY(bool row, q.step("reading the case's header"));
  if (!row) return std::optional<CaseHeader>();
  const auto field = [&](std::string_view column) { return fmt::format("cases[\"{}\"].{}", case_id.str(), column); };
  if (q.is_null(0) || q.is_null(1) || q.is_null(2)) {
    return fail(store_errc::corrupt_store,
                fmt::format("{}: {}: missing; the case was stored by a redress that kept no headers (schema 2) "
                            "and cannot be restored from the store alone",
                            db.label(), field("customer")));
  }
  BOOST_OUTCOME_TRY(auto header, decode_header(case_id, q.text(0), q.text(1), q.int64(2), db.label()));
  return std::optional<CaseHeader>(std::move(header));
}

// Persists a follow-up inside the caller's transaction, as persist() does.
result<void> persist_in(Db& db, const CaseId& case_id, const FollowUp& follow_up, std::string_view kind) {
  const auto due_us = to_us(follow_up.due_at_utc);
  {
    BOOST_OUTCOME_TRY(auto q, db.query(Sql::follow_up_get));
    q.bind(follow_up.id.str());
    BOOST_OUTCOME_TRY(bool row, q.step("looking the follow-up up"));
    if (row) {
      if (q.text(0) == case_id.str() && q.text(1) == kind && q.int64(2) == due_us) return success();
      return id_taken(follow_up, q.text(0), q.text(1), q.int64(2), db.label());
    }
  }
  BOOST_OUTCOME_TRY(auto q, db.query(Sql::follow_up_insert));
  q.bind(follow_up.id.str()).bind(case_id.str()).bind(kind).bind(due_us);
  return q.run("storing the follow-up");
}

// A follow-up row's columns (id, case_id, kind, due_at_us), decoded.
result<ClaimedFollowUp> decode_follow_up(const Query& q, std::string_view label) {
  return detail::store::decode_follow_up(q.text(0), q.text(1), q.text(2), q.int64(3), label);
}

}  // namespace

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
SqliteStore::SqliteStore(SqliteStore&& other) noexcept = default;
SqliteStore& SqliteStore::operator=(SqliteStore&& other) noexcept = default;
SqliteStore::~SqliteStore() = default;

const std::string& SqliteStore::path() const noexcept { return impl_->db.path(); }

namespace {

// The store's `protection` (meta): "plaintext", or "encrypted:" and a check
// value of its master key. Empty when the row is missing.
result<std::string> read_protection(Db& db) {
  std::string out;
  BOOST_OUTCOME_TRYV(db.each("SELECT value FROM meta WHERE key = 'protection'", "reading how the store is protected",
                             [&](const Query& q) -> result<void> {
                               out = q.text(0);
                               return success();
                             }));
  return out;
}

// What runs inside the migration's transaction: records how the store is
// protected, and fills the contact index from the journals of a store
// written by an older redress.
result<void> finish_migration(Db& db, Sealer& sealer, std::int64_t from_version) {
  const auto protection = sealer.protection();
  {
    sqlite3_stmt* raw = nullptr;
    const char* sql = "INSERT OR IGNORE INTO meta (key, value) VALUES ('protection', ?)";
    int rc = sqlite3_prepare_v2(db.handle(), sql, -1, &raw, nullptr);
    std::unique_ptr<sqlite3_stmt, detail::sqlite::StmtDeleter> owned(raw);
    if (rc != SQLITE_OK) return db.error(rc, "recording how the store is protected");
    Query insert(raw, db.label());
    insert.bind(protection);
    BOOST_OUTCOME_TRYV(insert.run("recording how the store is protected"));
  }
  // A store from before version 5 (the contact index) has its journals'
  // contact points indexed; a newer one has them already (and its rows may
  // be sealed).
  if (from_version < 1 || from_version >= 5) return success();
  std::vector<std::tuple<std::string, std::string, ContactPoint>> found;
  BOOST_OUTCOME_TRYV(db.each(
      "SELECT e.case_id, c.customer, e.body_json FROM events e JOIN cases c ON c.case_id = e.case_id "
      "WHERE e.type = 'contact_received' AND c.customer IS NOT NULL",
      "indexing the contact points of the stored journals", [&](const Query& row) -> result<void> {
        BOOST_OUTCOME_TRY(auto from, stored_contact(row.text(2), db.label()));
        if (from) found.emplace_back(std::string(row.text(0)), std::string(row.text(1)), std::move(*from));
        return success();
      }));
  for (const auto& [case_id, customer, point] : found) {
    const auto hash = sealer.contact_hash(point);
    BOOST_OUTCOME_TRY(auto insert, db.query(Sql::index_insert));
    insert.bind_blob(std::string_view(reinterpret_cast<const char*>(hash.data()), hash.size()))
        .bind(case_id)
        .bind(customer);
    BOOST_OUTCOME_TRYV(insert.run("indexing a stored contact point"));
  }
  return success();
}

// Refuses a store protected otherwise than the options say.
result<void> check_protection(Db& db, const Sealer& sealer) {
  BOOST_OUTCOME_TRY(auto stored, read_protection(db));
  return detail::store::check_protection(stored, sealer, db.label());
}

}  // namespace

result<SqliteStore> SqliteStore::open(const std::string& path, const SqliteOptions& options) {
  return guarded(path, "open", [&]() -> result<SqliteStore> {
    if (path.empty()) return fail(errc::invalid_argument, "path: empty; name the store's file");
    if (path.find('\0') != std::string::npos) return fail(errc::invalid_argument, "path: contains a NUL byte");
    const auto& timeout = options.busy_timeout;
    if (timeout.is_special() || timeout.is_negative() || timeout.total_milliseconds() > INT_MAX) {
      return fail(errc::invalid_argument,
                  fmt::format("options.busy_timeout: {} is not between 0 and {} ms", describe(timeout), INT_MAX));
    }
    BOOST_OUTCOME_TRY(auto master,
                      load_master_key(options.master_key_file, options.master_key_env, options.insecure_plaintext));
    Sealer sealer(std::move(master));
    BOOST_OUTCOME_TRY(auto db, Db::open(path, options.create_if_missing));
    sqlite3_busy_timeout(db.handle(), static_cast<int>(timeout.total_milliseconds()));
    BOOST_OUTCOME_TRYV(detail::sqlite::prepare_schema(
        db, [&](Db& d, std::int64_t from) { return finish_migration(d, sealer, from); }));
    BOOST_OUTCOME_TRYV(check_protection(db, sealer));
    // What is deleted or overwritten (an erased customer's key and texts) is
    // zeroed in the file, not left in free pages.
    BOOST_OUTCOME_TRYV(db.exec("PRAGMA secure_delete = ON", "turning secure_delete on"));
    return SqliteStore(std::make_unique<Impl>(std::move(db), std::move(sealer)));
  });
}

result<std::uint64_t> SqliteStore::append(const CaseHeader& header, std::span<const Event> events,
                                          std::uint64_t expected_last_seq, CaseState state_after) {
  auto& db = impl_->db;
  const CaseId& case_id = header.id;
  return guarded(db.label(), "append", [&]() -> result<std::uint64_t> {
    auto& sealer = impl_->sealer;
    BOOST_OUTCOME_TRY(auto rows, to_rows(header, events, expected_last_seq, state_after, sealer.encrypting()));
    const auto new_last = static_cast<std::int64_t>(expected_last_seq + rows.size());

    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::write));
    BOOST_OUTCOME_TRY(auto last, read_last_seq(db, case_id));
    if (last > 0) {
      BOOST_OUTCOME_TRY(auto stored, read_header(db, case_id));
      if (stored && *stored != header) return header_conflict(*stored, header);
    }
    if (static_cast<std::uint64_t>(last) != expected_last_seq) {
      if (last == new_last) {
        BOOST_OUTCOME_TRY(bool retry, is_retry(db, sealer, header, expected_last_seq, rows));
        if (retry) return static_cast<std::uint64_t>(last);
      }
      return stale(case_id, expected_last_seq, last);
    }
    BOOST_OUTCOME_TRYV(store_events(db, sealer, header, rows, static_cast<std::int64_t>(expected_last_seq) + 1));
    {
      BOOST_OUTCOME_TRY(auto upsert, db.query(Sql::case_upsert));
      upsert.bind(case_id.str())
          .bind(std::int64_t{state_after == CaseState::open ? 1 : 0})
          .bind(new_last)
          .bind(rows.back().at_us)
          .bind(header.customer.str())
          .bind(header.currency.code())
          .bind(to_us(header.opened_at_utc));
      BOOST_OUTCOME_TRYV(upsert.run("recording the case's last sequence number"));
    }
    BOOST_OUTCOME_TRYV(tx.commit());
    return static_cast<std::uint64_t>(new_last);
  });
}

result<std::vector<Event>> SqliteStore::events(const CaseId& case_id) const {
  auto& db = impl_->db;
  return guarded(db.label(), "events", [&]() -> result<std::vector<Event>> {
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::read));
    BOOST_OUTCOME_TRY(auto last, read_last_seq(db, case_id));
    std::optional<CustomerId> customer;
    Currency currency = Currency::CNY;  // a journal without a header row is refused below as short
    if (last > 0) {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::case_header));
      q.bind(case_id.str());
      BOOST_OUTCOME_TRY(bool row, q.step("reading the case's customer"));
      if (row && !q.is_null(0)) {
        auto id = CustomerId::make(q.text(0));
        if (!id) return corrupt(db.label(), fmt::format("cases[\"{}\"].customer", case_id.str()));
        customer = std::move(id).value();
      }
      if (row && !q.is_null(1)) {
        auto code = Currency::from_code(q.text(1));
        if (!code) return corrupt(db.label(), fmt::format("cases[\"{}\"].currency", case_id.str()));
        currency = code.value();
      }
    }
    auto key = case_key(db, impl_->sealer, customer ? &*customer : nullptr);
    std::vector<Event> out;
    {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::events_after));
      q.bind(case_id.str()).bind(std::int64_t{0});
      for (;;) {
        BOOST_OUTCOME_TRY(bool row, q.step("reading the case's events"));
        if (!row) break;
        const auto seq = q.int64(0);
        auto put_back = [&](boost::json::object& event) -> result<void> {
          if (q.is_null(3)) return success();
          BOOST_OUTCOME_TRY(const auto* data_key, key.get());
          return merge_sealed(event, data_key, q.blob(3), case_id.str(), seq, db.label());
        };
        BOOST_OUTCOME_TRY(auto e, decode_event(case_id, currency, seq, out.size(), q.text(1), q.text(2), db.label(), put_back));
        out.push_back(std::move(e));
      }
    }
    if (static_cast<std::int64_t>(out.size()) != last) return short_journal(case_id, last, out.size(), db.label());
    BOOST_OUTCOME_TRYV(tx.commit());
    return out;
  });
}

result<std::uint64_t> SqliteStore::last_seq(const CaseId& case_id) const {
  auto& db = impl_->db;
  return guarded(db.label(), "last_seq", [&]() -> result<std::uint64_t> {
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto last, read_last_seq(db, case_id));
    if (last < 0) {
      return fail(store_errc::corrupt_store,
                  fmt::format("{}: cases[\"{}\"].last_seq: {} is negative", db.label(), case_id.str(), last));
    }
    return static_cast<std::uint64_t>(last);
  });
}

result<std::optional<CaseHeader>> SqliteStore::header(const CaseId& case_id) const {
  auto& db = impl_->db;
  return guarded(db.label(), "header", [&]() -> result<std::optional<CaseHeader>> {
    std::lock_guard lock(impl_->mutex);
    return read_header(db, case_id);
  });
}

namespace {

result<std::vector<CaseId>> list_cases(Db& db, Sql sql, const char* what) {
  BOOST_OUTCOME_TRY(auto q, db.query(sql));
  std::vector<CaseId> out;
  for (;;) {
    BOOST_OUTCOME_TRY(bool row, q.step(what));
    if (!row) return out;
    auto id = CaseId::make(q.text(0));
    if (!id) return corrupt(db.label(), "cases.case_id");
    out.push_back(std::move(id).value());
  }
}

}  // namespace

result<std::vector<CaseId>> SqliteStore::open_cases() const {
  auto& db = impl_->db;
  return guarded(db.label(), "open_cases", [&]() -> result<std::vector<CaseId>> {
    std::lock_guard lock(impl_->mutex);
    return list_cases(db, Sql::open_cases, "listing the open cases");
  });
}

result<std::vector<CaseId>> SqliteStore::cases() const {
  auto& db = impl_->db;
  return guarded(db.label(), "cases", [&]() -> result<std::vector<CaseId>> {
    std::lock_guard lock(impl_->mutex);
    return list_cases(db, Sql::all_cases, "listing the cases");
  });
}

result<void> SqliteStore::scan(const CaseRange& range, const JournalVisitor& visit) const {
  auto& db = impl_->db;
  return guarded(db.label(), "scan", [&]() -> result<void> {
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::read));
    // Ids are printable ASCII (0x21 to 0x7e): "" is below every id, "\x7f" above.
    const std::string_view from = range.from ? range.from->str() : std::string_view("");
    const std::string_view to = range.to ? range.to->str() : std::string_view("\x7f");
    std::optional<CaseHeader> header;
    std::int64_t last = 0;
    std::vector<Event> journal;
    std::optional<decltype(case_key(db, impl_->sealer, nullptr))> key;  // the data key of the current case's customer
    auto finish = [&]() -> result<void> {
      if (!header) return success();
      if (static_cast<std::int64_t>(journal.size()) != last) {
        return short_journal(header->id, last, journal.size(), db.label());
      }
      return visit(*header, journal);
    };
    {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::journal_scan));
      q.bind(from).bind(to);
      for (;;) {
        BOOST_OUTCOME_TRY(bool row, q.step("reading the cases' journals"));
        if (!row) break;
        if (!header || q.text(0) != header->id.str()) {
          BOOST_OUTCOME_TRYV(finish());
          auto id = CaseId::make(q.text(0));
          if (!id) return corrupt(db.label(), "cases.case_id");
          if (q.is_null(1) || q.is_null(2) || q.is_null(3)) {
            header.reset();
            BOOST_OUTCOME_TRYV(read_header(db, id.value()));  // names the missing column
            return corrupt(db.label(), fmt::format("cases[\"{}\"].customer", id.value().str()));
          }
          BOOST_OUTCOME_TRY(auto h, decode_header(id.value(), q.text(1), q.text(2), q.int64(3), db.label()));
          header = std::move(h);
          key.emplace(case_key(db, impl_->sealer, &header->customer,
                               q.is_null(9) ? std::string_view() : q.blob(9)));
          last = q.int64(4);
          journal.clear();
        }
        const auto seq = q.int64(5);
        auto put_back = [&](boost::json::object& event) -> result<void> {
          if (q.is_null(8)) return success();
          BOOST_OUTCOME_TRY(const auto* data_key, key->get());
          return merge_sealed(event, data_key, q.blob(8), header->id.str(), seq, db.label());
        };
        BOOST_OUTCOME_TRY(auto e,
                          decode_event(header->id, header->currency, seq, journal.size(), q.text(6), q.text(7), db.label(),
                                       put_back));
        journal.push_back(std::move(e));
      }
    }
    BOOST_OUTCOME_TRYV(finish());
    return tx.commit();
  });
}

// --- policy versions ---------------------------------------------------------

result<void> SqliteStore::keep_policy(const PolicyRef& ref, std::string_view document) {
  BOOST_OUTCOME_TRYV(JournalStore::keep_policy(ref, document));
  auto& db = impl_->db;
  return guarded(db.label(), "keep_policy", [&]() -> result<void> {
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::write));
    {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::policy_get));
      q.bind(ref.hash);
      BOOST_OUTCOME_TRY(bool row, q.step("looking the policy up"));
      if (row) {
        if (q.text(2) == document) return success();
        return fail(store_errc::conflict,
                    fmt::format("{}: policy {} is kept with another document", db.label(), ref.hash));
      }
    }
    BOOST_OUTCOME_TRY(auto q, db.query(Sql::policy_insert));
    q.bind(ref.hash).bind(ref.id).bind(ref.version).bind(document);
    BOOST_OUTCOME_TRYV(q.run("keeping the policy"));
    return tx.commit();
  });
}

result<std::vector<CaseRange>> SqliteStore::split(std::size_t parts) const {
  if (parts == 0) return fail(errc::invalid_argument, "parts: 0; split into at least one range");
  auto& db = impl_->db;
  return guarded(db.label(), "split", [&]() -> result<std::vector<CaseRange>> {
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::read));
    std::int64_t count = 0;
    {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::case_count));
      BOOST_OUTCOME_TRY(bool row, q.step("counting the cases"));
      if (row) count = q.int64(0);
    }
    std::vector<CaseId> bounds;
    for (std::size_t at : split_points(static_cast<std::size_t>(std::max<std::int64_t>(count, 0)), parts)) {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::case_at));
      q.bind(static_cast<std::int64_t>(at));
      BOOST_OUTCOME_TRY(bool row, q.step("finding where a range of cases begins"));
      if (!row) continue;
      auto id = CaseId::make(q.text(0));
      if (!id) return corrupt(db.label(), "cases.case_id");
      bounds.push_back(std::move(id).value());
    }
    BOOST_OUTCOME_TRYV(tx.commit());
    return ranges_between(std::move(bounds));
  });
}

result<std::optional<std::string>> SqliteStore::policy_document(std::string_view hash) const {
  auto& db = impl_->db;
  return guarded(db.label(), "policy_document", [&]() -> result<std::optional<std::string>> {
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto q, db.query(Sql::policy_get));
    q.bind(hash);
    BOOST_OUTCOME_TRY(bool row, q.step("reading the policy"));
    if (!row) return std::optional<std::string>();
    return std::optional<std::string>(std::string(q.text(2)));
  });
}

result<std::vector<PolicyRef>> SqliteStore::policies() const {
  auto& db = impl_->db;
  return guarded(db.label(), "policies", [&]() -> result<std::vector<PolicyRef>> {
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto q, db.query(Sql::policies_all));
    std::vector<PolicyRef> out;
    for (;;) {
      BOOST_OUTCOME_TRY(bool row, q.step("listing the policies"));
      if (!row) return out;
      out.push_back({std::string(q.text(1)), std::string(q.text(2)), std::string(q.text(0))});
    }
  });
}

result<void> SqliteStore::pin_policy(const CaseId& case_id, std::string_view hash) {
  BOOST_OUTCOME_TRYV(JournalStore::pin_policy(case_id, hash));
  auto& db = impl_->db;
  return guarded(db.label(), "pin_policy", [&]() -> result<void> {
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::write));
    {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::policy_get));
      q.bind(hash);
      BOOST_OUTCOME_TRY(bool row, q.step("looking the policy up"));
      if (!row) return fail(errc::invalid_argument, "hash: no policy is kept under it (keep_policy first)");
    }
    BOOST_OUTCOME_TRY(auto q, db.query(Sql::case_policy_insert));
    q.bind(case_id.str()).bind(hash);
    BOOST_OUTCOME_TRYV(q.run("pinning the case's policy"));
    return tx.commit();
  });
}

result<std::optional<PolicyRef>> SqliteStore::pinned_policy(const CaseId& case_id) const {
  auto& db = impl_->db;
  return guarded(db.label(), "pinned_policy", [&]() -> result<std::optional<PolicyRef>> {
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto q, db.query(Sql::case_policy_get));
    q.bind(case_id.str());
    BOOST_OUTCOME_TRY(bool row, q.step("reading the case's policy"));
    if (!row) return std::optional<PolicyRef>();
    return std::optional<PolicyRef>(PolicyRef{std::string(q.text(1)), std::string(q.text(2)), std::string(q.text(0))});
  });
}

// --- root causes fixed -------------------------------------------------------

namespace {

// The fix in the row `q` is on (fixes_all's columns).
result<RecordedFix> read_fix(const Query& q, std::string_view label) {
  BOOST_OUTCOME_TRY(auto at, from_us(q.int64(3), label, "root_cause_fixes.fixed_at_us"));
  return RecordedFix{q.int64(0),
                     RootCauseFix{std::string(q.text(1)), std::string(q.text(2)), at, std::string(q.text(4))},
                     static_cast<std::size_t>(q.int64(5)), static_cast<std::size_t>(q.int64(6))};
}

// The notice in the row `q` is on (columns: id, customer, case_id,
// send_at_us, body_json, fix_id), claimed until `lease_until`.
result<StoredFixNotice> read_fix_notice(const Query& q, std::string_view label, Instant lease_until) {
  auto customer = CustomerId::make(q.text(1));
  if (!customer) return corrupt(label, "fix_notices.customer");
  auto case_id = CaseId::make(q.text(2));
  if (!case_id) return corrupt(label, "fix_notices.case_id");
  BOOST_OUTCOME_TRY(auto at, from_us(q.int64(3), label, "fix_notices.send_at_us"));
  return StoredFixNotice{std::string(q.text(0)), q.int64(5), std::move(customer).value(), std::move(case_id).value(),
                         at, std::string(q.text(4)), lease_until};
}

}  // namespace

result<RecordedFix> SqliteStore::record_fix(const RootCauseFix& fix, std::span<const FixNotice> notices) {
  BOOST_OUTCOME_TRYV(check_fix(fix));
  BOOST_OUTCOME_TRYV(detail::store::check_fix_notices(notices));
  auto& db = impl_->db;
  return guarded(db.label(), "record_fix", [&]() -> result<RecordedFix> {
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::write));
    std::int64_t fix_id = 0;
    {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::fix_get));
      q.bind(fix.category).bind(to_us(fix.fixed_at_utc));
      BOOST_OUTCOME_TRY(bool row, q.step("looking the fix up"));
      if (row) fix_id = q.int64(0);
    }
    if (fix_id == 0) {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::fix_insert));
      q.bind(fix.category).bind(fix.note).bind(to_us(fix.fixed_at_utc)).bind(fix.fixed_by);
      BOOST_OUTCOME_TRYV(q.run("keeping the fix"));
      fix_id = sqlite3_last_insert_rowid(db.handle());
    }
    for (const auto& n : notices) {
      const std::string id = detail::store::fix_notice_id(fix_id, n.customer);
      const std::string body = boost::json::serialize(to_json(n));
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::fix_notice_insert));
      q.bind(fix_id).bind(n.customer.str()).bind(id).bind(n.case_id.str()).bind(to_us(n.send_at_utc)).bind(body);
      BOOST_OUTCOME_TRYV(q.run("keeping a fix notice"));
    }
    BOOST_OUTCOME_TRY(auto q, db.query(Sql::fixes_all));
    q.bind(fix_id);
    BOOST_OUTCOME_TRY(bool row, q.step("reading the fix back"));
    if (!row) return corrupt(db.label(), "root_cause_fixes");
    BOOST_OUTCOME_TRY(auto recorded, read_fix(q, db.label()));
    BOOST_OUTCOME_TRYV(tx.commit());
    return recorded;
  });
}

result<std::vector<RecordedFix>> SqliteStore::fixes() const {
  auto& db = impl_->db;
  return guarded(db.label(), "fixes", [&]() -> result<std::vector<RecordedFix>> {
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto q, db.query(Sql::fixes_all));
    q.bind(std::int64_t{0});
    std::vector<RecordedFix> out;
    for (;;) {
      BOOST_OUTCOME_TRY(bool row, q.step("listing the fixes"));
      if (!row) return out;
      BOOST_OUTCOME_TRY(auto f, read_fix(q, db.label()));
      out.push_back(std::move(f));
    }
  });
}

result<std::vector<StoredFixNotice>> SqliteStore::undelivered_fix_notices(std::int64_t fix_id) const {
  auto& db = impl_->db;
  return guarded(db.label(), "undelivered_fix_notices", [&]() -> result<std::vector<StoredFixNotice>> {
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto q, db.query(Sql::fix_notices_undelivered));
    q.bind(fix_id);
    std::vector<StoredFixNotice> out;
    for (;;) {
      BOOST_OUTCOME_TRY(bool row, q.step("listing the fix notices"));
      if (!row) return out;
      BOOST_OUTCOME_TRY(auto n, read_fix_notice(q, db.label(), Instant()));
      out.push_back(std::move(n));
    }
  });
}

result<std::vector<StoredFixNotice>> SqliteStore::claim_fix_notices(std::int64_t fix_id, Instant now_utc,
                                                                    std::size_t max_count, const ClaimerId& claimer,
                                                                    Duration lease) {
  BOOST_OUTCOME_TRYV(JournalStore::claim_fix_notices(fix_id, now_utc, max_count, claimer, lease));
  auto& db = impl_->db;
  return guarded(db.label(), "claim_fix_notices", [&]() -> result<std::vector<StoredFixNotice>> {
    const auto until = now_utc + lease;
    const auto limit = static_cast<std::int64_t>(std::min<std::uint64_t>(max_count, INT64_MAX));
    std::lock_guard lock(impl_->mutex);
    // One write transaction: another connection's claim waits for this one
    // and then sees the lease.
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::write));
    std::vector<StoredFixNotice> out;
    {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::fix_notices_claimable));
      q.bind(fix_id).bind(to_us(now_utc)).bind(limit);
      for (;;) {
        BOOST_OUTCOME_TRY(bool row, q.step("claiming the fix notices"));
        if (!row) break;
        BOOST_OUTCOME_TRY(auto n, read_fix_notice(q, db.label(), until));
        out.push_back(std::move(n));
      }
    }
    for (const auto& n : out) {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::fix_notice_claim));
      q.bind(to_us(until)).bind(n.id);
      BOOST_OUTCOME_TRYV(q.run("claiming a fix notice"));
    }
    BOOST_OUTCOME_TRYV(tx.commit());
    return out;
  });
}

result<bool> SqliteStore::deliver_fix_notice(std::string_view notice_id) {
  auto& db = impl_->db;
  return guarded(db.label(), "deliver_fix_notice", [&]() -> result<bool> {
    if (notice_id.empty()) return fail(errc::invalid_argument, "notice_id: empty");
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto q, db.query(Sql::fix_notice_deliver));
    q.bind(notice_id);
    BOOST_OUTCOME_TRYV(q.run("marking the fix notice delivered"));
    return sqlite3_changes(db.handle()) > 0;
  });
}

result<void> SqliteStore::persist(const CaseId& case_id, const FollowUp& follow_up) {
  auto& db = impl_->db;
  return guarded(db.label(), "persist", [&]() -> result<void> {
    BOOST_OUTCOME_TRY(auto kind, check_follow_up(follow_up));
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::write));
    BOOST_OUTCOME_TRYV(persist_in(db, case_id, follow_up, kind));
    return tx.commit();
  });
}

result<bool> SqliteStore::cancel(const FollowUpId& id) {
  auto& db = impl_->db;
  return guarded(db.label(), "cancel", [&]() -> result<bool> {
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto q, db.query(Sql::follow_up_cancel));
    q.bind(id.str());
    BOOST_OUTCOME_TRYV(q.run("cancelling the follow-up"));
    return sqlite3_changes(db.handle()) > 0;
  });
}

result<std::vector<ClaimedFollowUp>> SqliteStore::claim_due(Instant now_utc, std::size_t max_count,
                                                            const ClaimerId& claimer, Duration lease) {
  auto& db = impl_->db;
  return guarded(db.label(), "claim_due", [&]() -> result<std::vector<ClaimedFollowUp>> {
    BOOST_OUTCOME_TRYV(check_claim(now_utc, max_count, lease));
    const auto now_us = to_us(now_utc);
    const auto until = now_utc + lease;
    const auto limit = static_cast<std::int64_t>(std::min<std::uint64_t>(max_count, INT64_MAX));

    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::write));
    std::vector<ClaimedFollowUp> out;
    {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::follow_ups_due));
      q.bind(now_us).bind(limit);
      for (;;) {
        BOOST_OUTCOME_TRY(bool row, q.step("finding the due follow-ups"));
        if (!row) break;
        BOOST_OUTCOME_TRY(auto claimed, decode_follow_up(q, db.label()));
        claimed.lease_until_utc = until;
        out.push_back(std::move(claimed));
      }
    }
    {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::follow_up_claim));
      for (const auto& c : out) {
        q.bind(claimer.str()).bind(to_us(until)).bind(c.follow_up.id.str());
        BOOST_OUTCOME_TRYV(q.run("claiming a follow-up"));
        q.reset();
      }
    }
    BOOST_OUTCOME_TRYV(tx.commit());
    return out;
  });
}

result<bool> SqliteStore::complete(const FollowUpId& id, const ClaimerId& claimer) {
  auto& db = impl_->db;
  return guarded(db.label(), "complete", [&]() -> result<bool> {
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto q, db.query(Sql::follow_up_complete));
    q.bind(id.str()).bind(claimer.str());
    BOOST_OUTCOME_TRYV(q.run("completing the follow-up"));
    return sqlite3_changes(db.handle()) > 0;
  });
}

namespace {

// The number of outbox actions event `seq` of the case has.
result<std::int64_t> count_actions(Db& db, const CaseId& case_id, std::int64_t seq) {
  BOOST_OUTCOME_TRY(auto q, db.query(Sql::outbox_count));
  q.bind(case_id.str()).bind(seq);
  BOOST_OUTCOME_TRY(bool row, q.step("counting the event's actions"));
  return row ? q.int64(0) : 0;
}

// The stored outcome of the case's event `event_id`, if it holds one.
result<std::optional<Committed>> lookup_event_id(Db& db, const CaseId& case_id, std::string_view event_id) {
  std::int64_t stored_seq = 0;
  {
    BOOST_OUTCOME_TRY(auto q, db.query(Sql::event_id_get));
    q.bind(case_id.str()).bind(event_id);
    BOOST_OUTCOME_TRY(bool row, q.step("looking the event id up"));
    if (!row) return std::optional<Committed>();
    stored_seq = q.int64(0);
  }
  BOOST_OUTCOME_TRY(auto count, count_actions(db, case_id, stored_seq));
  return std::optional<Committed>(stored_outcome(case_id, stored_seq, count));
}

}  // namespace

result<std::optional<Committed>> SqliteStore::committed(const CaseId& case_id, std::string_view event_id) const {
  auto& db = impl_->db;
  return guarded(db.label(), "committed", [&]() -> result<std::optional<Committed>> {
    BOOST_OUTCOME_TRYV(check_event_id(event_id));
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::read));
    BOOST_OUTCOME_TRY(auto known, lookup_event_id(db, case_id, event_id));
    BOOST_OUTCOME_TRYV(tx.commit());
    return known;
  });
}

result<Committed> SqliteStore::commit(const CaseHeader& header, const Event& event, const Step& step,
                                      std::uint64_t expected_last_seq, std::optional<std::string_view> event_id) {
  auto& db = impl_->db;
  const CaseId& case_id = header.id;
  return guarded(db.label(), "commit", [&]() -> result<Committed> {
    auto& sealer = impl_->sealer;
    BOOST_OUTCOME_TRY(auto rows, to_step_rows(header, event, step, expected_last_seq, event_id, sealer.encrypting()));
    const auto seq = static_cast<std::int64_t>(expected_last_seq + 1);
    const std::span<const Row> one(&rows.event, 1);

    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::write));
    if (event_id) {
      BOOST_OUTCOME_TRY(auto known, lookup_event_id(db, case_id, *event_id));
      if (known) return std::move(*known);
    }
    BOOST_OUTCOME_TRY(auto last, read_last_seq(db, case_id));
    if (last > 0) {
      BOOST_OUTCOME_TRY(auto stored, read_header(db, case_id));
      if (stored && *stored != header) return header_conflict(*stored, header);
    }
    if (static_cast<std::uint64_t>(last) != expected_last_seq) {
      if (last == seq && !event_id) {
        BOOST_OUTCOME_TRY(bool retry, is_retry(db, sealer, header, expected_last_seq, one));
        if (retry) {
          BOOST_OUTCOME_TRY(auto count, count_actions(db, case_id, seq));
          return stored_outcome(case_id, seq, count);
        }
      }
      return stale(case_id, expected_last_seq, last);
    }
    // The customer's data key, looked up once for the event and its actions.
    const SecretKey* key = nullptr;
    if (sealer.encrypting() && (!rows.event.personal_json.empty() || !rows.actions.empty())) {
      BOOST_OUTCOME_TRY(key, customer_key(db, sealer, header.customer, true));
    }
    BOOST_OUTCOME_TRYV(store_events(db, sealer, header, one, seq, key));
    {
      BOOST_OUTCOME_TRY(auto upsert, db.query(Sql::case_upsert));
      upsert.bind(case_id.str())
          .bind(std::int64_t{rows.state_after == CaseState::open ? 1 : 0})
          .bind(seq)
          .bind(rows.event.at_us)
          .bind(header.customer.str())
          .bind(header.currency.code())
          .bind(to_us(header.opened_at_utc));
      BOOST_OUTCOME_TRYV(upsert.run("recording the case's last sequence number"));
    }
    if (event_id) {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::event_id_insert));
      q.bind(case_id.str()).bind(*event_id).bind(seq);
      BOOST_OUTCOME_TRYV(q.run("recording the event id"));
    }
    for (const auto& [follow_up, kind] : rows.scheduled) {
      BOOST_OUTCOME_TRYV(persist_in(db, case_id, follow_up, kind));
    }
    if (!rows.cancelled.empty()) {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::follow_up_cancel));
      for (const auto& id : rows.cancelled) {
        q.bind(id.str());
        BOOST_OUTCOME_TRYV(q.run("cancelling a follow-up"));
        q.reset();
      }
    }
    Committed out{static_cast<std::uint64_t>(seq), {}, false};
    if (!rows.actions.empty()) {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::outbox_insert));
      std::int64_t n = 0;
      std::string sealed;
      for (const auto& a : rows.actions) {
        q.bind(a.id).bind(case_id.str()).bind(seq).bind(++n).bind(a.type);
        if (key == nullptr) {
          q.bind(a.body_json).bind_null();
        } else {
          // The action's text may quote the customer (a promise, a reason):
          // sealed whole, as the event's personal part is.
          sealed = Sealer::seal_with(key->bytes, a.body_json, action_ad(a.id));
          q.bind(std::string_view("{}")).bind_blob(sealed);
        }
        BOOST_OUTCOME_TRYV(q.run("writing an action to the outbox"));
        q.reset();
      }
    }
    BOOST_OUTCOME_TRYV(tx.commit());
    out.action_ids.reserve(rows.actions.size());
    for (auto& a : rows.actions) out.action_ids.push_back(std::move(a.id));
    return out;
  });
}

result<std::vector<ClaimedAction>> SqliteStore::claim_actions(Instant now_utc, std::size_t max_count,
                                                              const ClaimerId& claimer, Duration lease) {
  auto& db = impl_->db;
  return guarded(db.label(), "claim_actions", [&]() -> result<std::vector<ClaimedAction>> {
    BOOST_OUTCOME_TRYV(check_claim(now_utc, max_count, lease));
    const auto until = now_utc + lease;
    const auto limit = static_cast<std::int64_t>(std::min<std::uint64_t>(max_count, INT64_MAX));

    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::write));
    std::vector<ClaimedAction> out;
    std::vector<std::int64_t> rowids;
    {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::outbox_due));
      q.bind(to_us(now_utc)).bind(limit);
      for (;;) {
        BOOST_OUTCOME_TRY(bool row, q.step("finding the undelivered actions"));
        if (!row) break;
        BOOST_OUTCOME_TRY(auto a,
                          decode_action(q.text(1), q.text(2), q.int64(3), q.int64(4), q.text(5), q.text(6), db.label()));
        if (!q.is_null(7)) {
          auto customer = CustomerId::make(q.text(8));
          if (!customer) return corrupt(db.label(), fmt::format("cases[\"{}\"].customer", a.case_id.str()));
          BOOST_OUTCOME_TRY(const auto* key, customer_key(db, impl_->sealer, customer.value(), false));
          if (key == nullptr) {
            a.json = boost::json::serialize(boost::json::object{{"type", a.type}});  // erased meanwhile
          } else {
            BOOST_OUTCOME_TRY(a.json, unseal(key, q.blob(7), action_ad(a.id), db.label(),
                                             fmt::format("outbox[{}].sealed", a.id)));
          }
        }
        a.lease_until_utc = until;
        rowids.push_back(q.int64(0));
        out.push_back(std::move(a));
      }
    }
    {
      BOOST_OUTCOME_TRY(auto q, db.query(Sql::outbox_claim));
      for (const auto rowid : rowids) {
        q.bind(claimer.str()).bind(to_us(until)).bind(rowid);
        BOOST_OUTCOME_TRYV(q.run("claiming an action"));
        q.reset();
      }
    }
    BOOST_OUTCOME_TRYV(tx.commit());
    return out;
  });
}

result<bool> SqliteStore::acknowledge(std::string_view action_id) {
  auto& db = impl_->db;
  return guarded(db.label(), "acknowledge", [&]() -> result<bool> {
    if (action_id.empty()) return fail(errc::invalid_argument, "action_id: empty");
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto q, db.query(Sql::outbox_ack));
    q.bind(action_id);
    BOOST_OUTCOME_TRYV(q.run("acknowledging the action"));
    return sqlite3_changes(db.handle()) > 0;
  });
}

result<ContactMatch> SqliteStore::find_open_cases(const ContactPoint& point) const {
  auto& db = impl_->db;
  return guarded(db.label(), "find_open_cases", [&]() -> result<ContactMatch> {
    std::lock_guard lock(impl_->mutex);
    const auto hash = impl_->sealer.contact_hash(point);
    BOOST_OUTCOME_TRY(auto q, db.query(Sql::index_find));
    q.bind_blob(std::string_view(reinterpret_cast<const char*>(hash.data()), hash.size()));
    ContactMatch out;
    for (;;) {
      BOOST_OUTCOME_TRY(bool row, q.step("looking the contact point up"));
      if (!row) return out;
      auto case_id = CaseId::make(q.text(0));
      if (!case_id) return corrupt(db.label(), "contact_index.case_id");
      auto customer = CustomerId::make(q.text(1));
      if (!customer) return corrupt(db.label(), "contact_index.customer");
      out.cases.push_back(std::move(case_id).value());
      if (std::find(out.customers.begin(), out.customers.end(), customer.value()) == out.customers.end()) {
        out.customers.push_back(std::move(customer).value());
      }
    }
  });
}

result<Erasure> SqliteStore::erase(const CustomerId& customer) {
  auto& db = impl_->db;
  return guarded(db.label(), "erase", [&]() -> result<Erasure> {
    std::lock_guard lock(impl_->mutex);
    Erasure out;
    {
      BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::write));
      {
        BOOST_OUTCOME_TRY(auto q, db.query(Sql::customer_case_count));
        q.bind(customer.str());
        BOOST_OUTCOME_TRY(bool row, q.step("counting the customer's cases"));
        out.cases = row ? static_cast<std::size_t>(q.int64(0)) : 0;
      }
      {
        BOOST_OUTCOME_TRY(auto q, db.query(Sql::key_delete));
        q.bind(customer.str());
        BOOST_OUTCOME_TRYV(q.run("deleting the customer's data key"));
        out.key_deleted = sqlite3_changes(db.handle()) > 0;
      }
      {
        BOOST_OUTCOME_TRY(auto q, db.query(Sql::index_delete));
        q.bind(customer.str());
        BOOST_OUTCOME_TRYV(q.run("deleting the customer's contact-index entries"));
        out.index_entries = static_cast<std::size_t>(sqlite3_changes(db.handle()));
      }
      // Every event with a personal part, sealed or (in a clear-text store,
      // or written before schema 5) in clear, is rewritten as erased.
      std::vector<std::tuple<std::string, std::int64_t, std::string>> rewrites;
      {
        BOOST_OUTCOME_TRY(auto q, db.query(Sql::customer_events));
        q.bind(customer.str());
        for (;;) {
          BOOST_OUTCOME_TRY(bool row, q.step("reading the customer's events"));
          if (!row) break;
          BOOST_OUTCOME_TRY(auto body, erased_body(q.text(2), q.int64(3) != 0, db.label()));
          if (body) rewrites.emplace_back(std::string(q.text(0)), q.int64(1), std::move(*body));
        }
      }
      {
        BOOST_OUTCOME_TRY(auto q, db.query(Sql::event_rewrite));
        for (const auto& [case_id, seq, body] : rewrites) {
          q.bind(body).bind(case_id).bind(seq);
          BOOST_OUTCOME_TRYV(q.run("rewriting an event as erased"));
          q.reset();
        }
      }
      out.events_rewritten = rewrites.size();
      {
        BOOST_OUTCOME_TRY(auto q, db.query(Sql::outbox_erase));
        q.bind(customer.str());
        BOOST_OUTCOME_TRYV(q.run("erasing the customer's outbox actions"));
      }
      {
        BOOST_OUTCOME_TRY(auto q, db.query(Sql::fix_notices_erase));
        q.bind(customer.str());
        BOOST_OUTCOME_TRYV(q.run("dropping the customer's undelivered fix notices"));
      }
      BOOST_OUTCOME_TRYV(tx.commit());
    }
    impl_->sealer.forget(customer);
    // The write-ahead log still holds the pages as they were before; copy it
    // into the file and empty it. Another connection reading at this moment
    // keeps it from finishing: the next checkpoint (SQLite's automatic one,
    // or the next erase) does it then.
    (void)db.exec("PRAGMA wal_checkpoint(TRUNCATE)", "checkpointing the write-ahead log");
    return out;
  });
}

result<void> SqliteStore::check_integrity() const {
  auto& db = impl_->db;
  return guarded(db.label(), "check_integrity", [&]() -> result<void> {
    std::lock_guard lock(impl_->mutex);
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(db, Transaction::Mode::read));
    std::string problems;
    auto collect = [&](const Query& q) -> result<void> {
      if (q.text(0) != "ok") problems += fmt::format("{}{}", problems.empty() ? "" : "; ", q.text(0));
      return success();
    };
    BOOST_OUTCOME_TRYV(db.each("PRAGMA integrity_check(10)", "checking the file's integrity", collect));
    BOOST_OUTCOME_TRYV(db.each(
        "SELECT 'case \"' || c.case_id || '\": last_seq ' || c.last_seq || ', events stored ' || count(e.seq) "
        "|| ', highest seq ' || coalesce(max(e.seq), 0) FROM cases c LEFT JOIN events e USING (case_id) "
        "GROUP BY c.case_id HAVING count(e.seq) != c.last_seq OR coalesce(max(e.seq), 0) != c.last_seq "
        "UNION ALL SELECT 'events of case \"' || case_id || '\" without a case row' FROM events "
        "WHERE case_id NOT IN (SELECT case_id FROM cases) GROUP BY case_id LIMIT 10",
        "checking every case's events", collect));
    if (!problems.empty()) {
      return fail(store_errc::corrupt_store, fmt::format("{}: the store is damaged: {}", db.label(), problems));
    }
    return tx.commit();
  });
}

}  // namespace v1
}  // namespace redress
