// Stores: the SQLite journal and follow-up store behind one handle.
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <type_traits>

#include <fmt/format.h>

#include <redress/detail/json_read.hpp>
#include <redress/engine.hpp>
#include <redress/journal.hpp>
#include <redress/journal_precedent.hpp>
#include <redress/store.hpp>
#include <redress/whatif.hpp>
#if REDRESS_C_HAS_SQLITE
#include <redress/sqlite_store.hpp>
#endif
#if REDRESS_C_HAS_PG
#include <redress/pg_store.hpp>
#endif

#include "glue.hpp"

struct redress_store {
  std::unique_ptr<redress::JournalStore> journal;
  redress::FollowUpStore* follow_ups = nullptr;  // the same object as `journal`
  redress::StepStore* steps = nullptr;           // the same object as `journal`
  redress::PersonalDataStore* personal = nullptr;  // the same object
};

using namespace redress;
using c_api::guard;
using c_api::need;
using c_api::text_arg;

namespace {

template <class Body>
int with_store(const redress_store* store, Body&& body) {
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(store, "store"));
    return body(*store->journal, *store->follow_ups);
  });
}

result<CaseId> case_id_arg(const char* text) {
  BOOST_OUTCOME_TRY(auto t, text_arg(text, "case_id"));
  return detail::at_path(CaseId::make(t), "case_id");
}

result<FollowUp> follow_up_arg(const char* json, std::size_t len) {
  BOOST_OUTCOME_TRY(auto text, text_arg(json, len, "follow_up"));
  BOOST_OUTCOME_TRY(auto doc, detail::json_parse(text, "follow_up"));
  BOOST_OUTCOME_TRY(auto obj, detail::json_object(doc, "follow_up"));
  BOOST_OUTCOME_TRY(auto id_v, detail::json_member(*obj, "follow_up", "id"));
  BOOST_OUTCOME_TRY(auto id, from_json<FollowUpId>(*id_v, "follow_up.id"));
  BOOST_OUTCOME_TRY(auto kind_v, detail::json_member(*obj, "follow_up", "kind"));
  BOOST_OUTCOME_TRY(auto kind_s, detail::json_string(*kind_v, "follow_up.kind"));
  BOOST_OUTCOME_TRY(auto kind, detail::at_path(parse_follow_up_kind(kind_s), "follow_up.kind"));
  BOOST_OUTCOME_TRY(auto due_v, detail::json_member(*obj, "follow_up", "due_at"));
  BOOST_OUTCOME_TRY(auto due, from_json<Instant>(*due_v, "follow_up.due_at"));
  return FollowUp{std::move(id), kind, due};
}

// Wraps a StepStore in a handle.
template <class Store>
redress_store* handle_of(Store store) {
  auto owned = std::make_unique<Store>(std::move(store));
  FollowUpStore* follow_ups = owned.get();
  StepStore* steps = owned.get();
  PersonalDataStore* personal = nullptr;
  if constexpr (std::is_base_of_v<PersonalDataStore, Store>) personal = owned.get();
  return new redress_store{std::move(owned), follow_ups, steps, personal};
}

result<ClaimerId> claimer_arg(const char* text) {
  BOOST_OUTCOME_TRY(auto t, text_arg(text, "claimer"));
  return detail::at_path(ClaimerId::make(t), "claimer");
}

result<Duration> lease_arg(int64_t lease_seconds) {
  if (lease_seconds <= 0 || lease_seconds > 366LL * 86400) {
    return c_api::fail(errc::invalid_argument, "lease_seconds: expected 1 second to 366 days");
  }
  return Duration(boost::posix_time::seconds(static_cast<long>(lease_seconds)));
}

// What a build without the store answers (unused when both stores are built).
[[maybe_unused]] int not_built(redress_store** out, std::string_view store) {
  if (out != nullptr) *out = nullptr;
  c_api::fail(errc::invalid_argument, fmt::format("this redress was built without the {} store", store));
  return REDRESS_ENOTSUPPORTED;
}

void put_flag(int* out, bool value) {
  if (out != nullptr) *out = value ? 1 : 0;
}

}  // namespace

extern "C" {

int redress_sqlite_options_init(redress_sqlite_options* opts, unsigned int version) {
  if (version == 1 && opts != nullptr) {
    // A version 1 struct ends before the key fields: fill only what it has.
    return guard([&]() -> result<void> {
      const redress_sqlite_options defaults REDRESS_SQLITE_OPTIONS_INIT;
      std::memcpy(opts, &defaults, offsetof(redress_sqlite_options, master_key_file));
      opts->version = 1;
      return boost::outcome_v2::success();
    });
  }
  return c_api::init_versioned(opts, version, REDRESS_SQLITE_OPTIONS_VERSION,
                               redress_sqlite_options REDRESS_SQLITE_OPTIONS_INIT, "opts");
}

int redress_store_open_sqlite(redress_store** out, const char* path, const redress_sqlite_options* opts) {
#if REDRESS_C_HAS_SQLITE
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(out, "out"));
    *out = nullptr;
    BOOST_OUTCOME_TRY(auto p, text_arg(path, "path"));
    SqliteOptions options;
    if (opts != nullptr) {
      BOOST_OUTCOME_TRYV(c_api::check_version(opts->version, REDRESS_SQLITE_OPTIONS_VERSION, "opts.version"));
      if (opts->busy_timeout_ms < 0) return c_api::fail(errc::invalid_argument, "opts.busy_timeout_ms: negative");
      options.busy_timeout = boost::posix_time::milliseconds(opts->busy_timeout_ms);
      options.create_if_missing = opts->create_if_missing != 0;
      if (opts->version >= 2) {
        if (opts->master_key_file != nullptr) {
          BOOST_OUTCOME_TRY(auto file, text_arg(opts->master_key_file, "opts.master_key_file"));
          options.master_key_file = std::string(file);
        }
        if (opts->master_key_env != nullptr) {
          BOOST_OUTCOME_TRY(auto env, text_arg(opts->master_key_env, "opts.master_key_env"));
          options.master_key_env = std::string(env);
        }
        options.insecure_plaintext = opts->insecure_plaintext != 0;
      }
    }
    if (options.master_key_file.empty() && options.master_key_env.empty() && !options.insecure_plaintext &&
        std::getenv("REDRESS_MASTER_KEY") != nullptr) {
      options.master_key_env = "REDRESS_MASTER_KEY";
    }
    BOOST_OUTCOME_TRY(auto store, SqliteStore::open(std::string(p), options));
    *out = handle_of(std::move(store));
    return boost::outcome_v2::success();
  });
#else
  (void)path;
  (void)opts;
  return not_built(out, "SQLite");
#endif
}

int redress_store_open_postgres(redress_store** out, const char* conninfo) {
#if REDRESS_C_HAS_PG
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(out, "out"));
    *out = nullptr;
    BOOST_OUTCOME_TRY(auto info, text_arg(conninfo, "conninfo"));
    // The master key comes from REDRESS_MASTER_KEY (docs/privacy.md); without
    // it the store refuses to open.
    PgOptions options;
    if (std::getenv("REDRESS_MASTER_KEY") != nullptr) options.master_key_env = "REDRESS_MASTER_KEY";
    BOOST_OUTCOME_TRY(auto store, PgStore::open(info, options));
    *out = handle_of(std::move(store));
    return boost::outcome_v2::success();
  });
#else
  (void)conninfo;
  return not_built(out, "PostgreSQL");
#endif
}

void redress_store_free(redress_store* store) { delete store; }

int redress_store_append(uint64_t* last_seq_out, redress_store* store, const redress_case* c, const char* events_json,
                         size_t len, uint64_t expected_last_seq) {
  if (last_seq_out != nullptr) *last_seq_out = 0;
  return with_store(store, [&](JournalStore& journal, FollowUpStore&) -> result<void> {
    BOOST_OUTCOME_TRYV(need(last_seq_out, "last_seq_out"));
    BOOST_OUTCOME_TRYV(need(c, "c"));
    BOOST_OUTCOME_TRY(auto events, c_api::journal_arg(events_json, len, c->value));
    BOOST_OUTCOME_TRY(*last_seq_out,
                      journal.append(CaseHeader::of(c->value), events, expected_last_seq, state_of(c->value)));
    return boost::outcome_v2::success();
  });
}

int redress_store_restore(redress_case** out, const redress_store* store, const char* case_id,
                          const redress_policy* policy) {
  if (out != nullptr) *out = nullptr;
  return with_store(store, [&](JournalStore& journal, FollowUpStore&) -> result<void> {
    BOOST_OUTCOME_TRYV(need(out, "out"));
    BOOST_OUTCOME_TRYV(need(policy, "policy"));
    BOOST_OUTCOME_TRY(auto id, case_id_arg(case_id));
    BOOST_OUTCOME_TRY(auto c, restore(journal, id, *policy->policy));
    if (c) *out = new redress_case(std::move(*c));
    return boost::outcome_v2::success();
  });
}

int redress_store_events(redress_buf* out, const redress_store* store, const char* case_id) {
  if (out != nullptr) redress_buf_dispose(out);
  return with_store(store, [&](JournalStore& journal, FollowUpStore&) -> result<void> {
    BOOST_OUTCOME_TRYV(need(out, "out"));
    BOOST_OUTCOME_TRY(auto id, case_id_arg(case_id));
    BOOST_OUTCOME_TRY(auto events, journal.events(id));
    boost::json::array array;
    for (const auto& e : events) array.push_back(to_json(e));
    return c_api::put(out, boost::json::serialize(array));
  });
}

int redress_store_last_seq(uint64_t* out, const redress_store* store, const char* case_id) {
  if (out != nullptr) *out = 0;
  return with_store(store, [&](JournalStore& journal, FollowUpStore&) -> result<void> {
    BOOST_OUTCOME_TRYV(need(out, "out"));
    BOOST_OUTCOME_TRY(auto id, case_id_arg(case_id));
    BOOST_OUTCOME_TRY(*out, journal.last_seq(id));
    return boost::outcome_v2::success();
  });
}

int redress_store_cases(redress_buf* out, const redress_store* store, int open_only) {
  if (out != nullptr) redress_buf_dispose(out);
  return with_store(store, [&](JournalStore& journal, FollowUpStore&) -> result<void> {
    BOOST_OUTCOME_TRYV(need(out, "out"));
    BOOST_OUTCOME_TRY(auto ids, open_only != 0 ? journal.open_cases() : journal.cases());
    boost::json::array array;
    for (const auto& id : ids) array.push_back(to_json(id));
    return c_api::put(out, boost::json::serialize(array));
  });
}

int redress_store_persist_follow_up(redress_store* store, const char* case_id, const char* follow_up_json,
                                    size_t len) {
  return with_store(store, [&](JournalStore&, FollowUpStore& follow_ups) -> result<void> {
    BOOST_OUTCOME_TRY(auto id, case_id_arg(case_id));
    BOOST_OUTCOME_TRY(auto follow_up, follow_up_arg(follow_up_json, len));
    return follow_ups.persist(id, follow_up);
  });
}

int redress_store_cancel_follow_up(int* cancelled_out, redress_store* store, const char* id) {
  put_flag(cancelled_out, false);
  return with_store(store, [&](JournalStore&, FollowUpStore& follow_ups) -> result<void> {
    BOOST_OUTCOME_TRY(auto text, text_arg(id, "id"));
    BOOST_OUTCOME_TRY(auto follow_up, detail::at_path(FollowUpId::make(text), "id"));
    BOOST_OUTCOME_TRY(auto cancelled, follow_ups.cancel(follow_up));
    put_flag(cancelled_out, cancelled);
    return boost::outcome_v2::success();
  });
}

int redress_store_claim_due(redress_buf* out, redress_store* store, const char* now, size_t max_count,
                            const char* claimer, int64_t lease_seconds) {
  if (out != nullptr) redress_buf_dispose(out);
  return with_store(store, [&](JournalStore&, FollowUpStore& follow_ups) -> result<void> {
    BOOST_OUTCOME_TRYV(need(out, "out"));
    BOOST_OUTCOME_TRY(auto at, c_api::instant_arg(now, "now"));
    BOOST_OUTCOME_TRY(auto who, claimer_arg(claimer));
    BOOST_OUTCOME_TRY(auto lease, lease_arg(lease_seconds));
    BOOST_OUTCOME_TRY(auto claimed, follow_ups.claim_due(at, max_count, who, lease));
    boost::json::array array;
    for (const auto& c : claimed) {
      array.push_back(boost::json::object{{"case_id", to_json(c.case_id)},
                                          {"follow_up", to_json(c.follow_up)},
                                          {"lease_until", to_json(c.lease_until_utc)}});
    }
    return c_api::put(out, boost::json::serialize(array));
  });
}

int redress_store_complete_follow_up(int* completed_out, redress_store* store, const char* id, const char* claimer) {
  put_flag(completed_out, false);
  return with_store(store, [&](JournalStore&, FollowUpStore& follow_ups) -> result<void> {
    BOOST_OUTCOME_TRY(auto text, text_arg(id, "id"));
    BOOST_OUTCOME_TRY(auto follow_up, detail::at_path(FollowUpId::make(text), "id"));
    BOOST_OUTCOME_TRY(auto who, claimer_arg(claimer));
    BOOST_OUTCOME_TRY(auto completed, follow_ups.complete(follow_up, who));
    put_flag(completed_out, completed);
    return boost::outcome_v2::success();
  });
}

int redress_store_commit(redress_buf* out, redress_store* store, redress_case* c, const redress_policy* policy,
                         const char* event_json, size_t len, const char* now, uint64_t expected_last_seq,
                         const char* event_id) {
  if (out != nullptr) redress_buf_dispose(out);
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(store, "store"));
    BOOST_OUTCOME_TRYV(need(out, "out"));
    BOOST_OUTCOME_TRYV(need(c, "c"));
    BOOST_OUTCOME_TRYV(need(policy, "policy"));
    BOOST_OUTCOME_TRY(auto text, text_arg(event_json, len, "event"));
    BOOST_OUTCOME_TRY(auto at, c_api::instant_arg(now, "now"));
    std::optional<std::string_view> id;
    if (event_id != nullptr) {
      BOOST_OUTCOME_TRY(auto t, text_arg(event_id, "event_id"));
      id = t;
    }
    BOOST_OUTCOME_TRY(auto doc, detail::json_parse(text, "event"));
    BOOST_OUTCOME_TRY(auto event, event_from_json(doc, "event", JournalDefaults{c->value.id(), c->value.currency()}));
    BOOST_OUTCOME_TRY(auto step, apply(c->value, event, *policy->policy, at));
    // A policy document's version is kept before the step that pins a case
    // to it, and the pin recorded after, as `redress run` does: restore and
    // what-if then read the case under the version it was decided by.
    const auto* document = dynamic_cast<const ReferencePolicy*>(policy->policy.get());
    const bool pins = document != nullptr && c->value.policy() == nullptr && step.next.policy() != nullptr &&
                      step.next.policy()->hash == document->ref().hash;
    if (pins) {
      BOOST_OUTCOME_TRYV(store->journal->keep_policy(document->ref(), document->canonical_json()));
    }
    BOOST_OUTCOME_TRY(auto done, store->steps->commit(CaseHeader::of(c->value), event, step, expected_last_seq, id));
    if (pins && !done.replayed) {
      BOOST_OUTCOME_TRYV(store->journal->pin_policy(c->value.id(), document->ref().hash));
    }
    boost::json::array ids;
    for (const auto& a : done.action_ids) ids.emplace_back(a);
    boost::json::object result{{"seq", done.seq}, {"action_ids", std::move(ids)}, {"replayed", done.replayed}};
    if (!done.replayed) result["step"] = to_json(step);
    BOOST_OUTCOME_TRYV(c_api::put(out, boost::json::serialize(result)));
    if (!done.replayed) {
      c->value = std::move(step.next);
      c->refresh();
    }
    return boost::outcome_v2::success();
  });
}

int redress_store_claim_actions(redress_buf* out, redress_store* store, const char* now, size_t max_count,
                                const char* claimer, int64_t lease_seconds) {
  if (out != nullptr) redress_buf_dispose(out);
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(store, "store"));
    BOOST_OUTCOME_TRYV(need(out, "out"));
    BOOST_OUTCOME_TRY(auto at, c_api::instant_arg(now, "now"));
    BOOST_OUTCOME_TRY(auto who, claimer_arg(claimer));
    BOOST_OUTCOME_TRY(auto lease, lease_arg(lease_seconds));
    BOOST_OUTCOME_TRY(auto claimed, store->steps->claim_actions(at, max_count, who, lease));
    boost::json::array array;
    for (const auto& a : claimed) {
      boost::system::error_code ec;
      auto action = boost::json::parse(a.json, ec);
      if (ec) return c_api::fail(errc::corrupt_store, fmt::format("outbox[{}]: the stored action is not JSON", a.id));
      array.push_back(boost::json::object{{"id", a.id},
                                          {"case_id", to_json(a.case_id)},
                                          {"seq", a.seq},
                                          {"n", a.n},
                                          {"action", std::move(action)},
                                          {"lease_until", to_json(a.lease_until_utc)}});
    }
    return c_api::put(out, boost::json::serialize(array));
  });
}

int redress_store_acknowledge(int* acknowledged_out, redress_store* store, const char* action_id) {
  put_flag(acknowledged_out, false);
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(store, "store"));
    BOOST_OUTCOME_TRY(auto id, text_arg(action_id, "action_id"));
    BOOST_OUTCOME_TRY(auto acknowledged, store->steps->acknowledge(id));
    put_flag(acknowledged_out, acknowledged);
    return boost::outcome_v2::success();
  });
}

int redress_store_find_open_cases(redress_buf* out, const redress_store* store, const char* kind,
                                  const char* value) {
  if (out != nullptr) redress_buf_dispose(out);
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(out, "out"));
    BOOST_OUTCOME_TRYV(need(store, "store"));
    BOOST_OUTCOME_TRY(auto kind_text, text_arg(kind, "kind"));
    BOOST_OUTCOME_TRY(auto value_text, text_arg(value, "value"));
    BOOST_OUTCOME_TRY(auto k, detail::at_path(parse_contact_kind(kind_text), "kind"));
    BOOST_OUTCOME_TRY(auto point, detail::at_path(ContactPoint::make(k, value_text), "value"));
    if (store->personal == nullptr) return c_api::fail(errc::invalid_argument, "store: keeps no contact index");
    BOOST_OUTCOME_TRY(auto match, store->personal->find_open_cases(point));
    boost::json::array cases, customers;
    for (const auto& id : match.cases) cases.push_back(to_json(id));
    for (const auto& id : match.customers) customers.push_back(to_json(id));
    const auto attach = match.case_to_attach();
    boost::json::object o{{"cases", std::move(cases)}, {"customers", std::move(customers)}};
    o["attach_to"] = attach ? to_json(*attach) : boost::json::value(nullptr);
    return c_api::put(out, boost::json::serialize(o));
  });
}

int redress_store_erase(redress_buf* out, redress_store* store, const char* customer_id) {
  if (out != nullptr) redress_buf_dispose(out);
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(out, "out"));
    BOOST_OUTCOME_TRYV(need(store, "store"));
    BOOST_OUTCOME_TRY(auto text, text_arg(customer_id, "customer_id"));
    BOOST_OUTCOME_TRY(auto customer, detail::at_path(CustomerId::make(text), "customer_id"));
    if (store->personal == nullptr) return c_api::fail(errc::invalid_argument, "store: does not support erasure");
    BOOST_OUTCOME_TRY(auto e, store->personal->erase(customer));
    const boost::json::object o{{"cases", e.cases},
                                {"events_rewritten", e.events_rewritten},
                                {"index_entries", e.index_entries},
                                {"key_deleted", e.key_deleted}};
    return c_api::put(out, boost::json::serialize(o));
  });
}

int redress_store_notify_fixed(redress_buf* out, redress_store* store, const redress_policy* policy, const char* cause,
                               const char* note, const char* fixed_by, const char* fixed_at, const char* now) {
  if (out != nullptr) redress_buf_dispose(out);
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(out, "out"));
    BOOST_OUTCOME_TRYV(need(store, "store"));
    BOOST_OUTCOME_TRYV(need(policy, "policy"));
    BOOST_OUTCOME_TRY(auto cause_text, text_arg(cause, "cause"));
    BOOST_OUTCOME_TRY(auto note_text, text_arg(note, "note"));
    std::string_view by;
    if (fixed_by != nullptr) { BOOST_OUTCOME_TRY(by, text_arg(fixed_by, "fixed_by")); }
    BOOST_OUTCOME_TRY(auto fixed, c_api::instant_arg(fixed_at, "fixed_at"));
    BOOST_OUTCOME_TRY(auto at, c_api::instant_arg(now, "now"));
    // The taxonomy: the reference policy has one for every case; any case asks for it.
    BOOST_OUTCOME_TRY(auto any, Case::open(CaseId::make("notify-fixed").value(), CustomerId::make("notify-fixed").value(),
                                           Currency::CNY, at));
    BOOST_OUTCOME_TRY(auto settings, policy->policy->settings(any));
    BOOST_OUTCOME_TRY(auto fix, RootCauseFix::make(cause_text, std::string(note_text), fixed, std::string(by),
                                                   settings->root_causes));
    BOOST_OUTCOME_TRY(auto run, notify_fixed(*store->journal, fix, *policy->policy, at));
    BOOST_OUTCOME_TRY(auto pending, store->journal->undelivered_fix_notices(run.recorded.id));
    boost::json::array open, notices;
    for (const auto& o : run.plan.open_cases) open.push_back(to_json(o));
    for (const auto& n : pending) {
      boost::system::error_code ec;
      auto body = boost::json::parse(n.json, ec);
      if (ec || !body.is_object()) return c_api::fail(errc::corrupt_store, "fix_notices: a stored notice is not JSON");
      boost::json::object notice{{"id", n.id}};
      for (auto& member : body.as_object()) notice.emplace(member.key(), std::move(member.value()));
      notices.push_back(std::move(notice));
    }
    const boost::json::object o{{"fix", to_json(run.recorded)},
                                {"cases", run.plan.cases},
                                {"open_cases", std::move(open)},
                                {"notices", std::move(notices)}};
    return c_api::put(out, boost::json::serialize(o));
  });
}

int redress_store_deliver_fix_notice(int* delivered_out, redress_store* store, const char* notice_id) {
  put_flag(delivered_out, false);
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(store, "store"));
    BOOST_OUTCOME_TRY(auto id, text_arg(notice_id, "notice_id"));
    BOOST_OUTCOME_TRY(auto delivered, store->journal->deliver_fix_notice(id));
    put_flag(delivered_out, delivered);
    return boost::outcome_v2::success();
  });
}

int redress_store_fixes(redress_buf* out, const redress_store* store) {
  if (out != nullptr) redress_buf_dispose(out);
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(out, "out"));
    BOOST_OUTCOME_TRYV(need(store, "store"));
    BOOST_OUTCOME_TRY(auto fixes, store->journal->fixes());
    boost::json::array list;
    for (const auto& f : fixes) list.push_back(to_json(f));
    return c_api::put(out, boost::json::serialize(list));
  });
}

int redress_store_claim_fix_notices(redress_buf* out, redress_store* store, std::int64_t fix_id, const char* now,
                                    std::size_t max_count, const char* claimer, std::int64_t lease_seconds) {
  if (out != nullptr) redress_buf_dispose(out);
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(out, "out"));
    BOOST_OUTCOME_TRYV(need(store, "store"));
    BOOST_OUTCOME_TRY(auto at, c_api::instant_arg(now, "now"));
    BOOST_OUTCOME_TRY(auto who_text, text_arg(claimer, "claimer"));
    BOOST_OUTCOME_TRY(auto who, detail::at_path(ClaimerId::make(who_text), "claimer"));
    if (lease_seconds <= 0) {
      return detail::fail(errc::invalid_argument, fmt::format("lease_seconds: {} is not positive", lease_seconds));
    }
    BOOST_OUTCOME_TRY(auto claimed, store->journal->claim_fix_notices(fix_id, at, max_count, who,
                                                                      boost::posix_time::seconds(lease_seconds)));
    boost::json::array list;
    for (const auto& n : claimed) {
      boost::system::error_code ec;
      auto body = boost::json::parse(n.json, ec);
      if (ec || !body.is_object()) return c_api::fail(errc::corrupt_store, "fix_notices: a stored notice is not JSON");
      boost::json::object o{{"id", n.id}, {"fix_id", n.fix_id}};
      for (auto& member : body.as_object()) o.emplace(member.key(), std::move(member.value()));
      o["lease_until"] = format_instant(n.lease_until_utc);
      list.push_back(std::move(o));
    }
    return c_api::put(out, boost::json::serialize(list));
  });
}

int redress_precedent_init(redress_precedent* out, unsigned int version) {
  return c_api::init_versioned(out, version, REDRESS_PRECEDENT_VERSION, redress_precedent REDRESS_PRECEDENT_INIT,
                               "out");
}

int redress_store_find_precedent(redress_precedent* out, const redress_store* store, const redress_policy* policy,
                                 const redress_case* citing, const char* reference, const char* as_of) {
  return guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(need(out, "out"));
    BOOST_OUTCOME_TRYV(c_api::check_version(out->version, REDRESS_PRECEDENT_VERSION, "out.version"));
    const unsigned int version = out->version;
    *out = redress_precedent REDRESS_PRECEDENT_INIT;
    out->version = version;
    BOOST_OUTCOME_TRYV(need(store, "store"));
    BOOST_OUTCOME_TRYV(need(policy, "policy"));
    BOOST_OUTCOME_TRYV(need(citing, "citing"));
    BOOST_OUTCOME_TRY(auto ref, text_arg(reference, "reference"));
    if (ref.empty()) return detail::fail(errc::invalid_argument, "reference: empty");
    BOOST_OUTCOME_TRY(auto at, c_api::instant_arg(as_of, "as_of"));
    BOOST_OUTCOME_TRY(auto found, find_precedent(*store->journal, *policy->policy, citing->value, ref, at));
    if (!found) return boost::outcome_v2::success();
    out->found = 1;
    BOOST_OUTCOME_TRYV(c_api::put(out->kind, sizeof out->kind, to_string(found->kind)));
    out->value_minor = found->value.minor_units();
    BOOST_OUTCOME_TRYV(c_api::put(out->loss_kind, sizeof out->loss_kind, to_string(found->loss.kind)));
    out->loss_minor = found->loss.amount.minor_units();
    return c_api::put(out->currency, sizeof out->currency, found->value.currency().code());
  });
}

int redress_report_store(redress_buf* out, const char* format, const char* language, const redress_store* store,
                         const redress_policy* policy) {
  return c_api::guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(c_api::need(out, "out"));
    redress_buf_dispose(out);
    BOOST_OUTCOME_TRYV(c_api::need(store, "store"));
    BOOST_OUTCOME_TRY(auto r, c_api::report_begin(format, language, policy));
    // Each case under the policy version it was decided under (docs/stores.md).
    PinnedPolicies pinned(*store->journal);
    BOOST_OUTCOME_TRY(auto ids, store->journal->cases());
    for (const auto& id : ids) {
      BOOST_OUTCOME_TRY(auto c, pinned.restore(id, *policy->policy));
      if (!c) continue;
      BOOST_OUTCOME_TRY(auto journal, store->journal->events(id));
      BOOST_OUTCOME_TRYV(r.analytics->add(*c, journal));
    }
    return c_api::report_end(out, r);
  });
}

int redress_whatif_store(redress_buf* out, const char* format, const char* language, const redress_store* store,
                         const redress_policy* new_policy, const redress_policy* fallback, const char* since,
                         size_t max_examples) {
  return c_api::guard([&]() -> result<void> {
    BOOST_OUTCOME_TRYV(c_api::need(out, "out"));
    redress_buf_dispose(out);
    BOOST_OUTCOME_TRYV(c_api::need(store, "store"));
    BOOST_OUTCOME_TRYV(c_api::need(new_policy, "new_policy"));
    BOOST_OUTCOME_TRYV(c_api::need(fallback, "fallback"));
    BOOST_OUTCOME_TRY(auto page, c_api::page_format_arg(format, language));
    WhatIfStoreOptions options;
    options.max_examples = max_examples;
    if (since != nullptr) {
      BOOST_OUTCOME_TRY(options.since, c_api::date_arg(since, "since"));
    }
    BOOST_OUTCOME_TRY(auto summary, whatif_store(*store->journal, *new_policy->policy, *fallback->policy, options));
    return c_api::put(out, page.html ? whatif_html(summary, page.language)
                                     : boost::json::serialize(summary.to_json()));
  });
}

}  // extern "C"
