#include <redress/pg_store.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <utility>

#include <fmt/format.h>
#include <sodium.h>

#include "conn.hpp"
#include "store/store_rows.hpp"

namespace redress {
inline namespace v1 {

using detail::fail;
using detail::pg::Conn;
using detail::pg::Effect;
using detail::pg::Param;
using detail::pg::Rows;
using detail::pg::Transaction;
using detail::store::guarded;
using detail::store::Row;
using detail::store::SecretKey;
using detail::store::Sealer;

struct PgStore::Impl {
  Impl(Conn conn, detail::store::Sealer sealer) : conn(std::move(conn)), sealer(std::move(sealer)) {}
  Conn conn;
  detail::store::Sealer sealer;
  std::mutex mutex;
};

namespace {

using boost::outcome_v2::success;

// The rows of one INSERT: PostgreSQL takes at most 65535 parameters.
constexpr std::size_t kRowsPerInsert = 1000;

// Takes the connection for one call, reconnecting it first when it was lost.
template <class Impl>
result<std::unique_lock<std::mutex>> take(Impl& impl) {
  std::unique_lock lock(impl.mutex);
  BOOST_OUTCOME_TRYV(impl.conn.ready());
  return lock;
}

// Bytes as a bytea parameter (PostgreSQL's hex form).
std::string bytea(std::string_view bytes) {
  std::string out(2 + 2 * bytes.size() + 1, '\0');
  out[0] = '\\';
  out[1] = 'x';
  sodium_bin2hex(out.data() + 2, out.size() - 2, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  out.pop_back();
  return out;
}

// A bytea column's bytes, read from its hex form.
result<std::string> from_bytea(std::string_view text, std::string_view label, std::string_view field) {
  std::string out(text.size() / 2, '\0');
  std::size_t written = 0;
  const char* end = nullptr;
  if (text.size() < 2 || text.substr(0, 2) != "\\x" ||
      sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data() + 2, text.size() - 2,
                     nullptr, &written, &end) != 0 ||
      end != text.data() + text.size()) {
    return fail(store_errc::corrupt_store, fmt::format("{}: {}: not bytea in hex form", label, field));
  }
  out.resize(written);
  return out;
}

// The data key of `customer`, unwrapped; nullptr when they have none and
// `create` is false. With `create`, a customer without one gets a new one,
// stored inside the caller's transaction (or the one another process stored
// first).
result<const SecretKey*> customer_key(Conn& conn, Sealer& sealer, const CustomerId& customer, bool create) {
  const auto read = [&]() -> result<std::string> {
    BOOST_OUTCOME_TRY(auto rows, conn.run("SELECT wrapped FROM customer_keys WHERE customer = $1",
                                          "reading the customer's data key", {customer.str()}));
    if (rows.size() == 0) return std::string();
    return from_bytea(rows.text(0, 0), conn.label(), fmt::format("customer_keys[\"{}\"].wrapped", customer.str()));
  };
  return detail::store::customer_key(sealer, customer, create, conn.label(), read,
                                     [&](std::string wrapped) -> result<std::string> {
                                       BOOST_OUTCOME_TRYV(conn.run(
                                           "INSERT INTO customer_keys (customer, wrapped) VALUES ($1, $2) "
                                           "ON CONFLICT (customer) DO NOTHING",
                                           "storing the customer's data key", {customer.str(), bytea(wrapped)},
                                           Effect::write));
                                       return read();
                                     });
}

// The data key of a case's customer, looked up once: what reading a case's
// sealed rows needs.
auto case_key(Conn& conn, Sealer& sealer, const CustomerId* customer) {
  auto lookup = [&conn, &sealer](const CustomerId& c) { return customer_key(conn, sealer, c, false); };
  return detail::store::CaseKey<decltype(lookup)>(lookup, customer, conn.label());
}

// The case's stored header; nullopt when the store has no row for it.
result<std::optional<CaseHeader>> read_header(Conn& conn, const CaseId& case_id) {
  BOOST_OUTCOME_TRY(auto rows, conn.run("SELECT customer, currency, opened_at_us FROM cases WHERE case_id = $1",
                                        "reading the case's header", {case_id.str()}));
  if (rows.size() == 0) return std::optional<CaseHeader>();
  BOOST_OUTCOME_TRY(auto opened_us,
                    rows.int64(0, 2, conn.label(), fmt::format("cases[\"{}\"].opened_at_us", case_id.str())));
  BOOST_OUTCOME_TRY(auto header,
                    detail::store::decode_header(case_id, rows.text(0, 0), rows.text(0, 1), opened_us, conn.label()));
  return std::optional<CaseHeader>(std::move(header));
}

result<std::int64_t> read_last_seq(Conn& conn, const CaseId& case_id) {
  BOOST_OUTCOME_TRY(auto rows, conn.run("SELECT last_seq FROM cases WHERE case_id = $1",
                                        "reading the case's last sequence number", {case_id.str()}));
  if (rows.size() == 0) return 0;
  return rows.int64(0, 0, conn.label(), fmt::format("cases[\"{}\"].last_seq", case_id.str()));
}

// Whether the case already holds exactly `rows` after `expected_last_seq`:
// a batch retried after its first attempt was stored.
result<bool> is_retry(Conn& conn, Sealer& sealer, const CaseHeader& header, std::uint64_t expected_last_seq,
                      std::span<const Row> rows) {
  BOOST_OUTCOME_TRY(auto stored,
                    conn.run("SELECT seq, body_json, sealed FROM events WHERE case_id = $1 AND seq > $2 ORDER BY seq",
                             "reading the case's last events",
                             {header.id.str(), static_cast<std::int64_t>(expected_last_seq)}));
  if (static_cast<std::size_t>(stored.size()) != rows.size()) return false;
  auto key = case_key(conn, sealer, &header.customer);
  for (std::size_t k = 0; k < rows.size(); ++k) {
    const int r = static_cast<int>(k);
    if (stored.text(r, 1) != rows[k].body_json || stored.is_null(r, 2) != rows[k].personal_json.empty()) return false;
    if (stored.is_null(r, 2)) continue;
    BOOST_OUTCOME_TRY(auto seq, stored.int64(r, 0, conn.label(), "events.seq"));
    BOOST_OUTCOME_TRY(auto sealed, from_bytea(stored.text(r, 2), conn.label(), "events.sealed"));
    BOOST_OUTCOME_TRY(const auto* data_key, key.get());
    BOOST_OUTCOME_TRY(auto clear, detail::store::unseal(data_key, sealed, detail::store::event_ad(header.id.str(), seq),
                                                        conn.label(), "events.sealed"));
    if (clear != rows[k].personal_json) return false;
  }
  return true;
}

// Whether any of `rows` has a personal part to seal.
bool has_personal(std::span<const Row> rows) {
  return std::any_of(rows.begin(), rows.end(), [](const Row& r) { return !r.personal_json.empty(); });
}

// Stores `rows` as the case's events `first_seq` onwards, inside the
// caller's transaction: their personal parts sealed with `key`, the
// customer's data key (nullptr when has_personal(rows) is false), and their
// contact points indexed.
result<void> insert_events(Conn& conn, Sealer& sealer, const SecretKey* key, const CaseHeader& header,
                           std::int64_t first_seq, std::span<const Row> rows) {
  const CaseId& case_id = header.id;
  for (std::size_t begin = 0; begin < rows.size(); begin += kRowsPerInsert) {
    const auto end = std::min(rows.size(), begin + kRowsPerInsert);
    std::string sql = "INSERT INTO events (case_id, seq, at_us, type, body_json, sealed) VALUES ";
    std::vector<Param> params{case_id.str()};
    params.reserve(1 + 5 * (end - begin));
    for (std::size_t k = begin; k < end; ++k) {
      const auto n = params.size();
      const auto seq = first_seq + static_cast<std::int64_t>(k);
      if (rows[k].personal_json.empty()) {
        sql += fmt::format("{}($1, ${}, ${}, ${}, ${}, NULL)", k == begin ? "" : ", ", n + 1, n + 2, n + 3, n + 4);
      } else {
        sql += fmt::format("{}($1, ${}, ${}, ${}, ${}, ${})", k == begin ? "" : ", ", n + 1, n + 2, n + 3, n + 4,
                           n + 5);
      }
      params.emplace_back(seq);
      params.emplace_back(rows[k].at_us);
      params.emplace_back(rows[k].type);
      params.emplace_back(rows[k].body_json);
      if (!rows[k].personal_json.empty()) {
        params.emplace_back(
            bytea(Sealer::seal_with(key->bytes, rows[k].personal_json, detail::store::event_ad(case_id.str(), seq))));
      }
    }
    BOOST_OUTCOME_TRYV(conn.run(sql, "storing the events", params, Effect::write));
  }
  for (const auto& row : rows) {
    if (!row.from) continue;
    const auto hash = sealer.contact_hash(*row.from);
    BOOST_OUTCOME_TRYV(conn.run("INSERT INTO contact_index (hash, case_id, customer) VALUES ($1, $2, $3) "
                                "ON CONFLICT DO NOTHING",
                                "indexing the contact point",
                                {bytea(std::string_view(reinterpret_cast<const char*>(hash.data()), hash.size())),
                                 case_id.str(), header.customer.str()},
                                Effect::write));
  }
  return success();
}

// Persists a follow-up, as persist() does, inside the caller's transaction
// when there is one.
result<void> persist_in(Conn& conn, const CaseId& case_id, const FollowUp& follow_up, std::string_view kind) {
  const auto due_us = detail::store::to_us(follow_up.due_at_utc);
  // One statement: a concurrent persist of the same id waits for this one
  // and then finds its row.
  BOOST_OUTCOME_TRY(auto inserted,
                    conn.run("INSERT INTO follow_ups (id, case_id, kind, due_at_us, state) "
                             "VALUES ($1, $2, $3, $4, 'pending') ON CONFLICT (id) DO NOTHING",
                             "storing the follow-up", {follow_up.id.str(), case_id.str(), kind, due_us},
                             Effect::write));
  if (inserted.changed() == 1) return success();
  BOOST_OUTCOME_TRY(auto kept, conn.run("SELECT case_id, kind, due_at_us FROM follow_ups WHERE id = $1",
                                        "looking the follow-up up", {follow_up.id.str()}));
  if (kept.size() != 1) {
    return fail(store_errc::corrupt_store,
                fmt::format("{}: follow_ups[{}]: neither stored nor found", conn.label(), follow_up.id.str()));
  }
  BOOST_OUTCOME_TRY(auto kept_due, kept.int64(0, 2, conn.label(), "follow_ups.due_at_us"));
  if (kept.text(0, 0) == case_id.str() && kept.text(0, 1) == kind && kept_due == due_us) return success();
  return detail::store::id_taken(follow_up, kept.text(0, 0), kept.text(0, 1), kept_due, conn.label());
}

// Records the case's last sequence number and state (and, the first time,
// its header).
result<void> upsert_case(Conn& conn, const CaseHeader& header, CaseState state_after, std::int64_t last,
                         std::int64_t last_at_us) {
  BOOST_OUTCOME_TRYV(conn.run("INSERT INTO cases (case_id, open, last_seq, last_at_us, customer, currency, "
                              "opened_at_us) VALUES ($1, $2, $3, $4, $5, $6, $7) "
                              "ON CONFLICT (case_id) DO UPDATE SET open = excluded.open, "
                              "last_seq = excluded.last_seq, last_at_us = excluded.last_at_us",
                              "recording the case's last sequence number",
                              {header.id.str(), state_after == CaseState::open, last, last_at_us,
                               header.customer.str(), header.currency.code(),
                               detail::store::to_us(header.opened_at_utc)},
                              Effect::write));
  return success();
}

// Cancels a pending or claimed follow-up; whether it did.
result<bool> cancel_in(Conn& conn, const FollowUpId& id) {
  BOOST_OUTCOME_TRY(auto rows, conn.run("UPDATE follow_ups SET state = 'cancelled', claimed_by = NULL, "
                                        "lease_until_us = NULL WHERE id = $1 AND state IN ('pending', 'claimed')",
                                        "cancelling the follow-up", {id.str()}, Effect::write));
  return rows.changed() > 0;
}

result<std::vector<CaseId>> list_cases(Conn& conn, std::string_view sql, std::string_view what) {
  BOOST_OUTCOME_TRY(auto rows, conn.run(sql, what));
  std::vector<CaseId> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int r = 0; r < rows.size(); ++r) {
    auto id = CaseId::make(rows.text(r, 0));
    if (!id) return detail::store::corrupt(conn.label(), "cases.case_id");
    out.push_back(std::move(id).value());
  }
  return out;
}

}  // namespace

PgStore::PgStore(std::unique_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
PgStore::PgStore(PgStore&& other) noexcept = default;
PgStore& PgStore::operator=(PgStore&& other) noexcept = default;
PgStore::~PgStore() = default;

const std::string& PgStore::name() const noexcept { return impl_->conn.name(); }

namespace {

// The store's `protection` (meta): "plaintext", or "encrypted:" and a check
// value of its master key. Empty when the row is missing.
result<std::string> read_protection(Conn& conn) {
  BOOST_OUTCOME_TRY(auto rows, conn.run("SELECT value FROM meta WHERE key = 'protection'",
                                        "reading how the store is protected"));
  return rows.size() == 0 ? std::string() : std::string(rows.text(0, 0));
}

// What runs inside the migration's transaction: records how the store is
// protected, and fills the contact index from the journals of a store
// written by an older redress (whose events are all in clear).
result<void> finish_migration(Conn& conn, Sealer& sealer, std::int64_t from_version) {
  BOOST_OUTCOME_TRYV(conn.run("INSERT INTO meta (key, value) VALUES ('protection', $1) ON CONFLICT (key) DO NOTHING",
                              "recording how the store is protected", {sealer.protection()}, Effect::write));
  if (from_version < 1 || from_version >= 3) return success();
  BOOST_OUTCOME_TRY(auto rows, conn.run("SELECT e.case_id, c.customer, e.body_json FROM events e "
                                        "JOIN cases c ON c.case_id = e.case_id WHERE e.type = 'contact_received'",
                                        "reading the contact points of the stored journals"));
  for (int r = 0; r < rows.size(); ++r) {
    BOOST_OUTCOME_TRY(auto from, detail::store::stored_contact(rows.text(r, 2), conn.label()));
    if (!from) continue;
    const auto hash = sealer.contact_hash(*from);
    BOOST_OUTCOME_TRYV(conn.run("INSERT INTO contact_index (hash, case_id, customer) VALUES ($1, $2, $3) "
                                "ON CONFLICT DO NOTHING",
                                "indexing a stored contact point",
                                {bytea(std::string_view(reinterpret_cast<const char*>(hash.data()), hash.size())),
                                 rows.text(r, 0), rows.text(r, 1)},
                                Effect::write));
  }
  return success();
}

}  // namespace

result<PgStore> PgStore::open(std::string_view conninfo, PgOptions options) {
  return guarded("PostgreSQL store", "open", [&]() -> result<PgStore> {
    BOOST_OUTCOME_TRY(auto master, detail::store::load_master_key(options.master_key_file, options.master_key_env,
                                                                  options.insecure_plaintext));
    Sealer sealer(std::move(master));
    BOOST_OUTCOME_TRY(auto conn, Conn::connect(conninfo, options));
    BOOST_OUTCOME_TRYV(detail::pg::prepare_schema(
        conn, [&](Conn& c, std::int64_t from) { return finish_migration(c, sealer, from); }));
    BOOST_OUTCOME_TRY(auto protection, read_protection(conn));
    BOOST_OUTCOME_TRYV(detail::store::check_protection(protection, sealer, conn.label()));
    return PgStore(std::make_unique<Impl>(std::move(conn), std::move(sealer)));
  });
}

result<std::uint64_t> PgStore::append(const CaseHeader& header, std::span<const Event> events,
                                      std::uint64_t expected_last_seq, CaseState state_after) {
  auto& conn = impl_->conn;
  const CaseId& case_id = header.id;
  return guarded(conn.label(), "append", [&]() -> result<std::uint64_t> {
    auto& sealer = impl_->sealer;
    BOOST_OUTCOME_TRY(auto rows,
                      detail::store::to_rows(header, events, expected_last_seq, state_after, sealer.encrypting()));
    const auto new_last = static_cast<std::int64_t>(expected_last_seq + rows.size());

    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(conn));
    // Appends to one case wait for each other; a new case has no row to lock.
    BOOST_OUTCOME_TRYV(conn.run("SELECT pg_advisory_xact_lock($1, hashtext($2))", "waiting for the case's lock",
                                {detail::pg::kCaseLock, case_id.str()}));
    BOOST_OUTCOME_TRY(auto last, read_last_seq(conn, case_id));
    if (last > 0) {
      BOOST_OUTCOME_TRY(auto stored, read_header(conn, case_id));
      if (stored && *stored != header) return detail::store::header_conflict(*stored, header);
    }
    if (static_cast<std::uint64_t>(last) != expected_last_seq) {
      if (last == new_last) {
        BOOST_OUTCOME_TRY(bool retry, is_retry(conn, sealer, header, expected_last_seq, rows));
        if (retry) return static_cast<std::uint64_t>(last);
      }
      return detail::store::stale(case_id, expected_last_seq, last);
    }
    const SecretKey* key = nullptr;
    if (has_personal(rows)) {
      BOOST_OUTCOME_TRY(key, customer_key(conn, sealer, header.customer, true));
    }
    BOOST_OUTCOME_TRYV(
        insert_events(conn, sealer, key, header, static_cast<std::int64_t>(expected_last_seq) + 1, rows));
    BOOST_OUTCOME_TRYV(upsert_case(conn, header, state_after, new_last, rows.back().at_us));
    BOOST_OUTCOME_TRYV(tx.commit());
    return static_cast<std::uint64_t>(new_last);
  });
}

result<std::vector<Event>> PgStore::events(const CaseId& case_id) const {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "events", [&]() -> result<std::vector<Event>> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(conn, Transaction::Mode::snapshot));
    BOOST_OUTCOME_TRY(auto last, read_last_seq(conn, case_id));
    std::optional<CustomerId> customer;
    Currency currency = Currency::CNY;  // a journal without a header row is refused below as short
    if (last > 0) {
      BOOST_OUTCOME_TRY(auto stored, read_header(conn, case_id));
      if (stored) {
        customer = stored->customer;
        currency = stored->currency;
      }
    }
    auto key = case_key(conn, impl_->sealer, customer ? &*customer : nullptr);
    BOOST_OUTCOME_TRY(auto rows,
                      conn.run("SELECT seq, type, body_json, sealed FROM events WHERE case_id = $1 ORDER BY seq",
                               "reading the case's events", {case_id.str()}));
    std::vector<Event> out;
    out.reserve(static_cast<std::size_t>(rows.size()));
    for (int r = 0; r < rows.size(); ++r) {
      BOOST_OUTCOME_TRY(auto seq, rows.int64(r, 0, conn.label(), fmt::format("events[case \"{}\"].seq", case_id.str())));
      auto put_back = [&](boost::json::object& event) -> result<void> {
        if (rows.is_null(r, 3)) return success();
        const auto field = fmt::format("events[case \"{}\", seq {}].sealed", case_id.str(), seq);
        BOOST_OUTCOME_TRY(auto sealed, from_bytea(rows.text(r, 3), conn.label(), field));
        BOOST_OUTCOME_TRY(const auto* data_key, key.get());
        return detail::store::merge_sealed(event, data_key, sealed, case_id.str(), seq, conn.label());
      };
      BOOST_OUTCOME_TRY(auto e, detail::store::decode_event(case_id, currency, seq, out.size(), rows.text(r, 1),
                                                            rows.text(r, 2), conn.label(), put_back));
      out.push_back(std::move(e));
    }
    if (static_cast<std::int64_t>(out.size()) != last) {
      return detail::store::short_journal(case_id, last, out.size(), conn.label());
    }
    BOOST_OUTCOME_TRYV(tx.commit());
    return out;
  });
}

result<std::uint64_t> PgStore::last_seq(const CaseId& case_id) const {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "last_seq", [&]() -> result<std::uint64_t> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    BOOST_OUTCOME_TRY(auto last, read_last_seq(conn, case_id));
    if (last < 0) {
      return fail(store_errc::corrupt_store,
                  fmt::format("{}: cases[\"{}\"].last_seq: {} is negative", conn.label(), case_id.str(), last));
    }
    return static_cast<std::uint64_t>(last);
  });
}

result<std::optional<CaseHeader>> PgStore::header(const CaseId& case_id) const {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "header", [&]() -> result<std::optional<CaseHeader>> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    return read_header(conn, case_id);
  });
}

result<std::vector<CaseId>> PgStore::open_cases() const {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "open_cases", [&]() -> result<std::vector<CaseId>> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    return list_cases(conn, "SELECT case_id FROM cases WHERE open ORDER BY case_id", "listing the open cases");
  });
}

result<std::vector<CaseId>> PgStore::cases() const {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "cases", [&]() -> result<std::vector<CaseId>> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    return list_cases(conn, "SELECT case_id FROM cases ORDER BY case_id", "listing the cases");
  });
}

result<void> PgStore::persist(const CaseId& case_id, const FollowUp& follow_up) {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "persist", [&]() -> result<void> {
    BOOST_OUTCOME_TRY(auto kind, detail::store::check_follow_up(follow_up));
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    return persist_in(conn, case_id, follow_up, kind);
  });
}

result<bool> PgStore::cancel(const FollowUpId& id) {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "cancel", [&]() -> result<bool> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    return cancel_in(conn, id);
  });
}

namespace {

// Claims up to `max_count` due rows for `claimer` until now_utc + lease with
// `sql` (parameters: claimer, lease end, now, limit; one UPDATE ... FROM
// (SELECT ... FOR UPDATE SKIP LOCKED) ... RETURNING statement), inside the
// caller's transaction when there is one. Rows another claimer is taking at
// this moment are skipped, not waited for. RETURNING keeps no order: the
// caller sorts.
result<Rows> claim_rows(Conn& conn, std::string_view sql, std::string_view what, Instant now_utc,
                        std::size_t max_count, const ClaimerId& claimer, Instant until) {
  const auto limit = static_cast<std::int64_t>(std::min<std::uint64_t>(max_count, INT64_MAX));
  return conn.run(sql, what, {claimer.str(), detail::store::to_us(until), detail::store::to_us(now_utc), limit},
                  Effect::write);
}

}  // namespace

result<std::vector<ClaimedFollowUp>> PgStore::claim_due(Instant now_utc, std::size_t max_count,
                                                        const ClaimerId& claimer, Duration lease) {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "claim_due", [&]() -> result<std::vector<ClaimedFollowUp>> {
    BOOST_OUTCOME_TRYV(detail::store::check_claim(now_utc, max_count, lease));
    const auto until = now_utc + lease;
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    BOOST_OUTCOME_TRY(
        auto rows,
        claim_rows(conn,
                   "UPDATE follow_ups f SET state = 'claimed', claimed_by = $1, lease_until_us = $2 "
                   "FROM (SELECT id FROM follow_ups "
                   "      WHERE (state = 'pending' AND due_at_us <= $3) OR (state = 'claimed' AND lease_until_us <= $3) "
                   "      ORDER BY due_at_us, id LIMIT $4 FOR UPDATE SKIP LOCKED) due "
                   "WHERE f.id = due.id RETURNING f.id, f.case_id, f.kind, f.due_at_us",
                   "claiming the due follow-ups", now_utc, max_count, claimer, until));
    std::vector<ClaimedFollowUp> out;
    out.reserve(static_cast<std::size_t>(rows.size()));
    for (int r = 0; r < rows.size(); ++r) {
      BOOST_OUTCOME_TRY(auto due_us, rows.int64(r, 3, conn.label(), "follow_ups.due_at_us"));
      BOOST_OUTCOME_TRY(auto claimed, detail::store::decode_follow_up(rows.text(r, 0), rows.text(r, 1),
                                                                      rows.text(r, 2), due_us, conn.label()));
      claimed.lease_until_utc = until;
      out.push_back(std::move(claimed));
    }
    std::sort(out.begin(), out.end(), [](const ClaimedFollowUp& a, const ClaimedFollowUp& b) {
      return std::pair(a.follow_up.due_at_utc, std::string_view(a.follow_up.id.str())) <
             std::pair(b.follow_up.due_at_utc, std::string_view(b.follow_up.id.str()));
    });
    return out;
  });
}

result<bool> PgStore::complete(const FollowUpId& id, const ClaimerId& claimer) {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "complete", [&]() -> result<bool> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    BOOST_OUTCOME_TRY(auto rows, conn.run("UPDATE follow_ups SET state = 'done', lease_until_us = NULL "
                                          "WHERE id = $1 AND state = 'claimed' AND claimed_by = $2",
                                          "completing the follow-up", {id.str(), claimer.str()}, Effect::write));
    return rows.changed() > 0;
  });
}

namespace {

// The stored outcome of event `seq` of the case: its actions' count.
result<Committed> stored_outcome(Conn& conn, const CaseId& case_id, std::int64_t seq) {
  BOOST_OUTCOME_TRY(auto rows, conn.run("SELECT count(*) FROM outbox WHERE case_id = $1 AND seq = $2",
                                        "counting the event's actions", {case_id.str(), seq}));
  BOOST_OUTCOME_TRY(auto count, rows.int64(0, 0, conn.label(), "count(outbox)"));
  return detail::store::stored_outcome(case_id, seq, count);
}

// The stored outcome of the case's event `event_id`, if it holds one.
result<std::optional<Committed>> lookup_event_id(Conn& conn, const CaseId& case_id, std::string_view event_id) {
  BOOST_OUTCOME_TRY(auto known, conn.run("SELECT seq FROM event_ids WHERE case_id = $1 AND event_id = $2",
                                         "looking the event id up", {case_id.str(), event_id}));
  if (known.size() == 0) return std::optional<Committed>();
  BOOST_OUTCOME_TRY(auto stored_seq, known.int64(0, 0, conn.label(), "event_ids.seq"));
  BOOST_OUTCOME_TRY(auto outcome, stored_outcome(conn, case_id, stored_seq));
  return std::optional<Committed>(std::move(outcome));
}

}  // namespace

result<std::optional<Committed>> PgStore::committed(const CaseId& case_id, std::string_view event_id) const {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "committed", [&]() -> result<std::optional<Committed>> {
    BOOST_OUTCOME_TRYV(detail::store::check_event_id(event_id));
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    return lookup_event_id(conn, case_id, event_id);
  });
}

result<Committed> PgStore::commit(const CaseHeader& header, const Event& event, const Step& step,
                                  std::uint64_t expected_last_seq, std::optional<std::string_view> event_id) {
  auto& conn = impl_->conn;
  const CaseId& case_id = header.id;
  return guarded(conn.label(), "commit", [&]() -> result<Committed> {
    auto& sealer = impl_->sealer;
    BOOST_OUTCOME_TRY(auto rows, detail::store::to_step_rows(header, event, step, expected_last_seq, event_id,
                                                             sealer.encrypting()));
    const auto seq = static_cast<std::int64_t>(expected_last_seq + 1);
    const std::span<const Row> one(&rows.event, 1);

    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(conn));
    BOOST_OUTCOME_TRYV(conn.run("SELECT pg_advisory_xact_lock($1, hashtext($2))", "waiting for the case's lock",
                                {detail::pg::kCaseLock, case_id.str()}));
    if (event_id) {
      BOOST_OUTCOME_TRY(auto known, lookup_event_id(conn, case_id, *event_id));
      if (known) return std::move(*known);
    }
    BOOST_OUTCOME_TRY(auto last, read_last_seq(conn, case_id));
    if (last > 0) {
      BOOST_OUTCOME_TRY(auto stored, read_header(conn, case_id));
      if (stored && *stored != header) return detail::store::header_conflict(*stored, header);
    }
    if (static_cast<std::uint64_t>(last) != expected_last_seq) {
      if (last == seq && !event_id) {
        BOOST_OUTCOME_TRY(bool retry, is_retry(conn, sealer, header, expected_last_seq, one));
        if (retry) return stored_outcome(conn, case_id, seq);
      }
      return detail::store::stale(case_id, expected_last_seq, last);
    }
    // The customer's data key, looked up once for the event and its actions.
    const SecretKey* key = nullptr;
    if (has_personal(one) || (sealer.encrypting() && !rows.actions.empty())) {
      BOOST_OUTCOME_TRY(key, customer_key(conn, sealer, header.customer, true));
    }
    BOOST_OUTCOME_TRYV(insert_events(conn, sealer, key, header, seq, one));
    BOOST_OUTCOME_TRYV(upsert_case(conn, header, rows.state_after, seq, rows.event.at_us));
    if (event_id) {
      BOOST_OUTCOME_TRYV(conn.run("INSERT INTO event_ids (case_id, event_id, seq) VALUES ($1, $2, $3)",
                                  "recording the event id", {case_id.str(), *event_id, seq}, Effect::write));
    }
    for (const auto& [follow_up, kind] : rows.scheduled) {
      BOOST_OUTCOME_TRYV(persist_in(conn, case_id, follow_up, kind));
    }
    for (const auto& id : rows.cancelled) {
      BOOST_OUTCOME_TRYV(cancel_in(conn, id));
    }
    for (std::size_t begin = 0; begin < rows.actions.size(); begin += kRowsPerInsert) {
      const auto end = std::min(rows.actions.size(), begin + kRowsPerInsert);
      std::string sql = "INSERT INTO outbox (case_id, seq, id, n, type, body_json, sealed, state) VALUES ";
      std::vector<Param> params{case_id.str(), seq};
      params.reserve(2 + 5 * (end - begin));
      for (std::size_t k = begin; k < end; ++k) {
        const auto p = params.size();
        sql += fmt::format("{}($1, $2, ${}, ${}, ${}, ${}, ${}, 'pending')", k == begin ? "" : ", ", p + 1, p + 2,
                           p + 3, p + 4, p + 5);
        const auto& a = rows.actions[k];
        params.emplace_back(a.id);
        params.emplace_back(static_cast<std::int64_t>(k + 1));
        params.emplace_back(a.type);
        if (key == nullptr) {
          params.emplace_back(a.body_json);
          params.emplace_back(Param::null());
        } else {
          // The action's text may quote the customer (a promise, a reason):
          // sealed whole, as the event's personal part is.
          params.emplace_back("{}");
          params.emplace_back(bytea(Sealer::seal_with(key->bytes, a.body_json, detail::store::action_ad(a.id))));
        }
      }
      BOOST_OUTCOME_TRYV(conn.run(sql, "writing the actions to the outbox", params, Effect::write));
    }
    BOOST_OUTCOME_TRYV(tx.commit());
    Committed out{static_cast<std::uint64_t>(seq), {}, false};
    out.action_ids.reserve(rows.actions.size());
    for (auto& a : rows.actions) out.action_ids.push_back(std::move(a.id));
    return out;
  });
}

result<std::vector<ClaimedAction>> PgStore::claim_actions(Instant now_utc, std::size_t max_count,
                                                          const ClaimerId& claimer, Duration lease) {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "claim_actions", [&]() -> result<std::vector<ClaimedAction>> {
    BOOST_OUTCOME_TRYV(detail::store::check_claim(now_utc, max_count, lease));
    const auto until = now_utc + lease;
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    // One transaction: a claim whose sealed actions do not open is undone.
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(conn));
    BOOST_OUTCOME_TRY(
        auto rows,
        claim_rows(conn,
                   "UPDATE outbox o SET state = 'claimed', claimed_by = $1, lease_until_us = $2 "
                   "FROM (SELECT pos FROM outbox "
                   "      WHERE state = 'pending' OR (state = 'claimed' AND lease_until_us <= $3) "
                   "      ORDER BY pos LIMIT $4 FOR UPDATE SKIP LOCKED) due "
                   "WHERE o.pos = due.pos RETURNING o.pos, o.id, o.case_id, o.seq, o.n, o.type, o.body_json, o.sealed, "
                   "(SELECT c.customer FROM cases c WHERE c.case_id = o.case_id)",
                   "claiming the undelivered actions", now_utc, max_count, claimer, until));
    std::vector<std::pair<std::int64_t, ClaimedAction>> claimed;
    claimed.reserve(static_cast<std::size_t>(rows.size()));
    std::map<std::string, const SecretKey*, std::less<>> keys;  // each customer's, read once per claim
    for (int r = 0; r < rows.size(); ++r) {
      BOOST_OUTCOME_TRY(auto pos, rows.int64(r, 0, conn.label(), "outbox.pos"));
      BOOST_OUTCOME_TRY(auto seq, rows.int64(r, 3, conn.label(), "outbox.seq"));
      BOOST_OUTCOME_TRY(auto n, rows.int64(r, 4, conn.label(), "outbox.n"));
      BOOST_OUTCOME_TRY(auto a, detail::store::decode_action(rows.text(r, 1), rows.text(r, 2), seq, n, rows.text(r, 5),
                                                             rows.text(r, 6), conn.label()));
      if (!rows.is_null(r, 7)) {
        const auto field = fmt::format("outbox[{}].sealed", a.id);
        auto customer = CustomerId::make(rows.text(r, 8));
        if (!customer) return detail::store::corrupt(conn.label(), fmt::format("cases[\"{}\"].customer", a.case_id.str()));
        auto known = keys.find(customer.value().str());
        if (known == keys.end()) {
          BOOST_OUTCOME_TRY(const auto* found, customer_key(conn, impl_->sealer, customer.value(), false));
          known = keys.emplace(std::string(customer.value().str()), found).first;
        }
        const SecretKey* key = known->second;
        if (key == nullptr) {
          a.json = boost::json::serialize(boost::json::object{{"type", a.type}});  // erased meanwhile
        } else {
          BOOST_OUTCOME_TRY(auto sealed, from_bytea(rows.text(r, 7), conn.label(), field));
          BOOST_OUTCOME_TRY(a.json, detail::store::unseal(key, sealed, detail::store::action_ad(a.id), conn.label(),
                                                          field));
        }
      }
      a.lease_until_utc = until;
      claimed.emplace_back(pos, std::move(a));
    }
    BOOST_OUTCOME_TRYV(tx.commit());
    std::sort(claimed.begin(), claimed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<ClaimedAction> out;
    out.reserve(claimed.size());
    for (auto& c : claimed) out.push_back(std::move(c.second));
    return out;
  });
}

result<bool> PgStore::acknowledge(std::string_view action_id) {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "acknowledge", [&]() -> result<bool> {
    if (action_id.empty()) return fail(errc::invalid_argument, "action_id: empty");
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    BOOST_OUTCOME_TRY(auto rows, conn.run("UPDATE outbox SET state = 'done', lease_until_us = NULL "
                                          "WHERE id = $1 AND state <> 'done'",
                                          "acknowledging the action", {action_id}, Effect::write));
    return rows.changed() > 0;
  });
}

// --- policy versions ---------------------------------------------------------

result<void> PgStore::keep_policy(const PolicyRef& ref, std::string_view document) {
  BOOST_OUTCOME_TRYV(JournalStore::keep_policy(ref, document));
  auto& conn = impl_->conn;
  return guarded(conn.label(), "keep_policy", [&]() -> result<void> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    // One statement: a process keeping the same version at once waits for
    // this one and then finds its row.
    BOOST_OUTCOME_TRY(auto inserted,
                      conn.run("INSERT INTO policies (hash, id, version, document) VALUES ($1, $2, $3, $4) "
                               "ON CONFLICT (hash) DO NOTHING",
                               "keeping the policy", {ref.hash, ref.id, ref.version, document}, Effect::write));
    if (inserted.changed() == 1) return success();
    BOOST_OUTCOME_TRY(auto kept, conn.run("SELECT document FROM policies WHERE hash = $1", "looking the policy up",
                                          {ref.hash}));
    if (kept.size() == 1 && kept.text(0, 0) == document) return success();
    return fail(store_errc::conflict, fmt::format("{}: policy {} is kept with another document", conn.label(), ref.hash));
  });
}

result<std::optional<std::string>> PgStore::policy_document(std::string_view hash) const {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "policy_document", [&]() -> result<std::optional<std::string>> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    BOOST_OUTCOME_TRY(auto rows,
                      conn.run("SELECT document FROM policies WHERE hash = $1", "reading the policy", {hash}));
    if (rows.size() == 0) return std::optional<std::string>();
    return std::optional<std::string>(std::string(rows.text(0, 0)));
  });
}

result<std::vector<PolicyRef>> PgStore::policies() const {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "policies", [&]() -> result<std::vector<PolicyRef>> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    BOOST_OUTCOME_TRY(auto rows,
                      conn.run("SELECT hash, id, version FROM policies ORDER BY seq", "listing the policies"));
    std::vector<PolicyRef> out;
    out.reserve(static_cast<std::size_t>(rows.size()));
    for (int r = 0; r < rows.size(); ++r) {
      out.push_back({std::string(rows.text(r, 1)), std::string(rows.text(r, 2)), std::string(rows.text(r, 0))});
    }
    return out;
  });
}

result<void> PgStore::pin_policy(const CaseId& case_id, std::string_view hash) {
  BOOST_OUTCOME_TRYV(JournalStore::pin_policy(case_id, hash));
  auto& conn = impl_->conn;
  return guarded(conn.label(), "pin_policy", [&]() -> result<void> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    // The policy must be kept (policies are never deleted); the case's
    // first pin stands.
    BOOST_OUTCOME_TRY(auto kept, conn.run("SELECT count(*) FROM policies WHERE hash = $1", "looking the policy up",
                                          {hash}));
    if (kept.text(0, 0) == "0") return fail(errc::invalid_argument, "hash: no policy is kept under it (keep_policy first)");
    BOOST_OUTCOME_TRYV(conn.run("INSERT INTO case_policies (case_id, hash) VALUES ($1, $2) "
                                "ON CONFLICT (case_id) DO NOTHING",
                                "pinning the case's policy", {case_id.str(), hash}, Effect::write));
    return success();
  });
}

result<std::optional<PolicyRef>> PgStore::pinned_policy(const CaseId& case_id) const {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "pinned_policy", [&]() -> result<std::optional<PolicyRef>> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    BOOST_OUTCOME_TRY(auto rows, conn.run("SELECT p.hash, p.id, p.version FROM case_policies c "
                                          "JOIN policies p ON p.hash = c.hash WHERE c.case_id = $1",
                                          "reading the case's policy", {case_id.str()}));
    if (rows.size() == 0) return std::optional<PolicyRef>();
    return std::optional<PolicyRef>(
        PolicyRef{std::string(rows.text(0, 1)), std::string(rows.text(0, 2)), std::string(rows.text(0, 0))});
  });
}

// --- root causes fixed -------------------------------------------------------

namespace {

// The fixes `fix_id` selects (0: every fix), in the order kept, with their
// counts.
result<std::vector<RecordedFix>> read_fixes(Conn& conn, std::int64_t fix_id) {
  BOOST_OUTCOME_TRY(auto rows, conn.run("SELECT f.id, f.category, f.note, f.fixed_at_us, f.fixed_by, "
                                        "(SELECT count(*) FROM fix_notices n WHERE n.fix_id = f.id), "
                                        "(SELECT count(*) FROM fix_notices n WHERE n.fix_id = f.id AND n.delivered) "
                                        "FROM root_cause_fixes f WHERE $1 = 0 OR f.id = $1 ORDER BY f.id",
                                        "listing the fixes", {fix_id}));
  std::vector<RecordedFix> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int r = 0; r < rows.size(); ++r) {
    BOOST_OUTCOME_TRY(auto id, rows.int64(r, 0, conn.label(), "root_cause_fixes.id"));
    BOOST_OUTCOME_TRY(auto at_us, rows.int64(r, 3, conn.label(), "root_cause_fixes.fixed_at_us"));
    BOOST_OUTCOME_TRY(auto at, detail::store::from_us(at_us, conn.label(), "root_cause_fixes.fixed_at_us"));
    BOOST_OUTCOME_TRY(auto customers, rows.int64(r, 5, conn.label(), "count(fix_notices)"));
    BOOST_OUTCOME_TRY(auto told, rows.int64(r, 6, conn.label(), "count(fix_notices)"));
    out.push_back(RecordedFix{
        id, RootCauseFix{std::string(rows.text(r, 1)), std::string(rows.text(r, 2)), at, std::string(rows.text(r, 4))},
        static_cast<std::size_t>(customers), static_cast<std::size_t>(told)});
  }
  return out;
}

// The notices in `rows` (columns: id, customer, case_id, send_at_us,
// body_json, sealed, fix_id), unsealed, by fix and customer id.
result<std::vector<StoredFixNotice>> read_fix_notices(Conn& conn, Sealer& sealer, const Rows& rows,
                                                      Instant lease_until) {
  std::vector<StoredFixNotice> out;
  out.reserve(static_cast<std::size_t>(rows.size()));
  for (int r = 0; r < rows.size(); ++r) {
    auto customer = CustomerId::make(rows.text(r, 1));
    if (!customer) return detail::store::corrupt(conn.label(), "fix_notices.customer");
    auto case_id = CaseId::make(rows.text(r, 2));
    if (!case_id) return detail::store::corrupt(conn.label(), "fix_notices.case_id");
    BOOST_OUTCOME_TRY(auto send_us, rows.int64(r, 3, conn.label(), "fix_notices.send_at_us"));
    BOOST_OUTCOME_TRY(auto send_at, detail::store::from_us(send_us, conn.label(), "fix_notices.send_at_us"));
    BOOST_OUTCOME_TRY(auto fix_id, rows.int64(r, 6, conn.label(), "fix_notices.fix_id"));
    StoredFixNotice n{std::string(rows.text(r, 0)), fix_id, std::move(customer).value(), std::move(case_id).value(),
                      send_at, std::string(rows.text(r, 4)), lease_until};
    if (!rows.is_null(r, 5)) {
      const auto field = fmt::format("fix_notices[{}].sealed", n.id);
      BOOST_OUTCOME_TRY(const auto* key, customer_key(conn, sealer, n.customer, false));
      if (key == nullptr) {
        n.json = boost::json::serialize(boost::json::object{{"type", "notify_fixed"}});  // erased meanwhile
      } else {
        BOOST_OUTCOME_TRY(auto sealed, from_bytea(rows.text(r, 5), conn.label(), field));
        BOOST_OUTCOME_TRY(n.json, detail::store::unseal(key, sealed, detail::store::fix_notice_ad(n.id), conn.label(),
                                                        field));
      }
    }
    out.push_back(std::move(n));
  }
  std::sort(out.begin(), out.end(), [](const StoredFixNotice& a, const StoredFixNotice& b) {
    return a.fix_id != b.fix_id ? a.fix_id < b.fix_id : a.customer.str() < b.customer.str();
  });
  return out;
}

}  // namespace

result<RecordedFix> PgStore::record_fix(const RootCauseFix& fix, std::span<const FixNotice> notices) {
  BOOST_OUTCOME_TRYV(check_fix(fix));
  BOOST_OUTCOME_TRYV(detail::store::check_fix_notices(notices));
  auto& conn = impl_->conn;
  return guarded(conn.label(), "record_fix", [&]() -> result<RecordedFix> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(conn));
    // One statement: a process keeping the same fix at once waits for this
    // one and then finds its row.
    const auto at_us = detail::store::to_us(fix.fixed_at_utc);
    BOOST_OUTCOME_TRY(auto inserted,
                      conn.run("INSERT INTO root_cause_fixes (category, note, fixed_at_us, fixed_by) "
                               "VALUES ($1, $2, $3, $4) ON CONFLICT (category, fixed_at_us) DO NOTHING RETURNING id",
                               "keeping the fix", {fix.category, fix.note, at_us, fix.fixed_by}, Effect::write));
    std::int64_t fix_id = 0;
    if (inserted.size() == 1) {
      BOOST_OUTCOME_TRY(fix_id, inserted.int64(0, 0, conn.label(), "root_cause_fixes.id"));
    } else {
      BOOST_OUTCOME_TRY(auto kept, conn.run("SELECT id FROM root_cause_fixes WHERE category = $1 AND fixed_at_us = $2",
                                            "looking the fix up", {fix.category, at_us}));
      if (kept.size() != 1) return detail::store::corrupt(conn.label(), "root_cause_fixes");
      BOOST_OUTCOME_TRY(fix_id, kept.int64(0, 0, conn.label(), "root_cause_fixes.id"));
    }
    auto& sealer = impl_->sealer;
    for (const auto& n : notices) {
      const std::string id = detail::store::fix_notice_id(fix_id, n.customer);
      const std::string body = boost::json::serialize(to_json(n));
      const SecretKey* key = nullptr;
      if (sealer.encrypting()) {
        BOOST_OUTCOME_TRY(key, customer_key(conn, sealer, n.customer, true));
      }
      // The notice's text is addressed to the customer: sealed whole, as an
      // outbox action is.
      BOOST_OUTCOME_TRYV(conn.run(
          "INSERT INTO fix_notices (fix_id, customer, id, case_id, send_at_us, body_json, sealed, delivered) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7, false) ON CONFLICT (fix_id, customer) DO NOTHING",
          "keeping a fix notice",
          {fix_id, n.customer.str(), id, n.case_id.str(), detail::store::to_us(n.send_at_utc),
           key == nullptr ? Param(body) : Param("{}"),
           key == nullptr ? Param::null()
                          : Param(bytea(Sealer::seal_with(key->bytes, body, detail::store::fix_notice_ad(id))))},
          Effect::write));
    }
    BOOST_OUTCOME_TRY(auto kept, read_fixes(conn, fix_id));
    if (kept.size() != 1) return detail::store::corrupt(conn.label(), "root_cause_fixes");
    BOOST_OUTCOME_TRYV(tx.commit());
    return std::move(kept[0]);
  });
}

result<std::vector<RecordedFix>> PgStore::fixes() const {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "fixes", [&]() -> result<std::vector<RecordedFix>> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    return read_fixes(conn, 0);
  });
}

result<std::vector<StoredFixNotice>> PgStore::undelivered_fix_notices(std::int64_t fix_id) const {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "undelivered_fix_notices", [&]() -> result<std::vector<StoredFixNotice>> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    BOOST_OUTCOME_TRY(auto rows, conn.run("SELECT id, customer, case_id, send_at_us, body_json, sealed, fix_id "
                                          "FROM fix_notices WHERE fix_id = $1 AND NOT delivered",
                                          "listing the fix notices", {fix_id}));
    return read_fix_notices(conn, impl_->sealer, rows, Instant());
  });
}

result<std::vector<StoredFixNotice>> PgStore::claim_fix_notices(std::int64_t fix_id, Instant now_utc,
                                                                std::size_t max_count, const ClaimerId& claimer,
                                                                Duration lease) {
  BOOST_OUTCOME_TRYV(JournalStore::claim_fix_notices(fix_id, now_utc, max_count, claimer, lease));
  auto& conn = impl_->conn;
  return guarded(conn.label(), "claim_fix_notices", [&]() -> result<std::vector<StoredFixNotice>> {
    const auto until = now_utc + lease;
    const auto limit = static_cast<std::int64_t>(std::min<std::uint64_t>(max_count, INT64_MAX));
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    // One transaction: a claim whose sealed notices do not open is undone.
    // Notices another claimer is taking at this moment are skipped, not
    // waited for.
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(conn));
    BOOST_OUTCOME_TRY(
        auto rows,
        conn.run("UPDATE fix_notices n SET claimed_until_us = $2 "
                 "FROM (SELECT fix_id, customer FROM fix_notices "
                 "      WHERE ($1 = 0 OR fix_id = $1) AND NOT delivered "
                 "        AND (claimed_until_us IS NULL OR claimed_until_us <= $3) "
                 "      ORDER BY fix_id, customer LIMIT $4 FOR UPDATE SKIP LOCKED) due "
                 "WHERE n.fix_id = due.fix_id AND n.customer = due.customer "
                 "RETURNING n.id, n.customer, n.case_id, n.send_at_us, n.body_json, n.sealed, n.fix_id",
                 "claiming the fix notices",
                 {fix_id, detail::store::to_us(until), detail::store::to_us(now_utc), limit}, Effect::write));
    BOOST_OUTCOME_TRY(auto out, read_fix_notices(conn, impl_->sealer, rows, until));
    BOOST_OUTCOME_TRYV(tx.commit());
    return out;
  });
}

result<bool> PgStore::deliver_fix_notice(std::string_view notice_id) {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "deliver_fix_notice", [&]() -> result<bool> {
    if (notice_id.empty()) return fail(errc::invalid_argument, "notice_id: empty");
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    BOOST_OUTCOME_TRY(auto rows, conn.run("UPDATE fix_notices SET delivered = true, claimed_until_us = NULL "
                                          "WHERE id = $1 AND NOT delivered",
                                          "marking the fix notice delivered", {notice_id}, Effect::write));
    return rows.changed() > 0;
  });
}

// --- personal data -----------------------------------------------------------

result<ContactMatch> PgStore::find_open_cases(const ContactPoint& point) const {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "find_open_cases", [&]() -> result<ContactMatch> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    const auto hash = impl_->sealer.contact_hash(point);
    BOOST_OUTCOME_TRY(auto rows,
                      conn.run("SELECT i.case_id, i.customer FROM contact_index i JOIN cases c ON c.case_id = i.case_id "
                               "WHERE i.hash = $1 AND c.open ORDER BY c.last_at_us DESC, i.case_id",
                               "looking the contact point up",
                               {bytea(std::string_view(reinterpret_cast<const char*>(hash.data()), hash.size()))}));
    ContactMatch out;
    for (int r = 0; r < rows.size(); ++r) {
      auto case_id = CaseId::make(rows.text(r, 0));
      if (!case_id) return detail::store::corrupt(conn.label(), "contact_index.case_id");
      auto customer = CustomerId::make(rows.text(r, 1));
      if (!customer) return detail::store::corrupt(conn.label(), "contact_index.customer");
      out.cases.push_back(std::move(case_id).value());
      if (std::find(out.customers.begin(), out.customers.end(), customer.value()) == out.customers.end()) {
        out.customers.push_back(std::move(customer).value());
      }
    }
    return out;
  });
}

result<Erasure> PgStore::erase(const CustomerId& customer) {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "erase", [&]() -> result<Erasure> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    Erasure out;
    BOOST_OUTCOME_TRY(auto tx, Transaction::begin(conn));
    // A commit for the customer that is under way finishes first (its key
    // and index rows are then erased too); one that starts later makes a
    // new data key.
    BOOST_OUTCOME_TRY(auto cases, conn.run("SELECT count(*) FROM cases WHERE customer = $1",
                                           "counting the customer's cases", {customer.str()}));
    BOOST_OUTCOME_TRY(auto count, cases.int64(0, 0, conn.label(), "count(cases)"));
    out.cases = static_cast<std::size_t>(count);
    BOOST_OUTCOME_TRY(auto key, conn.run("DELETE FROM customer_keys WHERE customer = $1",
                                         "deleting the customer's data key", {customer.str()}, Effect::write));
    out.key_deleted = key.changed() > 0;
    BOOST_OUTCOME_TRY(auto index, conn.run("DELETE FROM contact_index WHERE customer = $1",
                                           "deleting the customer's contact-index entries", {customer.str()},
                                           Effect::write));
    out.index_entries = static_cast<std::size_t>(index.changed());
    // Every event with a personal part, sealed or (in a clear-text store,
    // or written before schema 3) in clear, is rewritten as erased.
    BOOST_OUTCOME_TRY(auto events,
                      conn.run("SELECT e.case_id, e.seq, e.body_json, e.sealed IS NOT NULL FROM events e "
                               "JOIN cases c ON c.case_id = e.case_id WHERE c.customer = $1 "
                               "ORDER BY e.case_id, e.seq FOR UPDATE OF e",
                               "reading the customer's events", {customer.str()}));
    for (int r = 0; r < events.size(); ++r) {
      BOOST_OUTCOME_TRY(auto body, detail::store::erased_body(events.text(r, 2), events.text(r, 3) == "t", conn.label()));
      if (!body) continue;
      BOOST_OUTCOME_TRY(auto seq, events.int64(r, 1, conn.label(), "events.seq"));
      BOOST_OUTCOME_TRYV(conn.run("UPDATE events SET body_json = $1, sealed = NULL WHERE case_id = $2 AND seq = $3",
                                  "rewriting an event as erased", {*body, events.text(r, 0), seq}, Effect::write));
      ++out.events_rewritten;
    }
    BOOST_OUTCOME_TRYV(conn.run("UPDATE outbox SET body_json = '{\"type\":' || to_json(type)::text || '}', "
                                "sealed = NULL, state = 'done', lease_until_us = NULL "
                                "WHERE case_id IN (SELECT case_id FROM cases WHERE customer = $1)",
                                "erasing the customer's outbox actions", {customer.str()}, Effect::write));
    BOOST_OUTCOME_TRYV(conn.run("DELETE FROM fix_notices WHERE customer = $1 AND NOT delivered",
                                "dropping the customer's undelivered fix notices", {customer.str()}, Effect::write));
    BOOST_OUTCOME_TRYV(tx.commit());
    impl_->sealer.forget(customer);
    return out;
  });
}

result<void> PgStore::check_integrity() const {
  auto& conn = impl_->conn;
  return guarded(conn.label(), "check_integrity", [&]() -> result<void> {
    BOOST_OUTCOME_TRY(auto lock, take(*impl_));
    BOOST_OUTCOME_TRY(
        auto rows,
        conn.run("(SELECT 'case \"' || c.case_id || '\": last_seq ' || c.last_seq || ', events stored ' || "
                 "count(e.seq) || ', highest seq ' || coalesce(max(e.seq), 0) FROM cases c LEFT JOIN events e "
                 "USING (case_id) GROUP BY c.case_id, c.last_seq "
                 "HAVING count(e.seq) != c.last_seq OR coalesce(max(e.seq), 0) != c.last_seq) "
                 "UNION ALL (SELECT 'events of case \"' || case_id || '\" without a case row' FROM events "
                 "WHERE case_id NOT IN (SELECT case_id FROM cases) GROUP BY case_id) LIMIT 10",
                 "checking every case's events"));
    std::string problems;
    for (int r = 0; r < rows.size(); ++r) problems += fmt::format("{}{}", problems.empty() ? "" : "; ", rows.text(r, 0));
    if (!problems.empty()) {
      return fail(store_errc::corrupt_store, fmt::format("{}: the store is damaged: {}", conn.label(), problems));
    }
    return success();
  });
}

}  // namespace v1
}  // namespace redress
