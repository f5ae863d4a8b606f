/* The SQLite store through the C API. */
#include <stdio.h>

#include "check.h"
#include "fixture.h"

static const char journal[] =
    "[{\"at\": \"2025-01-24T15:00:00+08:00\", \"type\": \"contact_received\", \"channel\": \"phone\","
    "  \"text\": \"The TV has no picture\"}]";

static redress_store *fresh_store(const char *name) {
  char path[512];
  redress_store *store = NULL;
  snprintf(path, sizeof path, "%s/%s", REDRESS_TEST_BINARY_DIR, name);
  remove(path);
  CHECK(redress_store_open_sqlite(&store, path, NULL) == 0);
  return store;
}

TEST(a_journal_appended_is_read_back_and_restores_the_case) {
  redress_store *store = fresh_store("c_store_journal.db");
  redress_policy *policy = test_policy();
  redress_case *initial = NULL, *c = NULL, *restored = NULL;
  redress_buf events = REDRESS_BUF_INIT, ids = REDRESS_BUF_INIT;
  uint64_t seq = 99;
  CHECK(redress_case_open(&initial, "C-9", "U-9", "CNY", "2025-01-24T15:00:00+08:00") == 0);
  CHECK(redress_case_restore(&c, initial, policy, journal, strlen(journal)) == 0);
  CHECK(redress_store_last_seq(&seq, store, "C-9") == 0);
  CHECK(seq == 0);
  CHECK(redress_store_append(&seq, store, c, journal, strlen(journal), 0) == 0);
  CHECK(seq == 1);
  CHECK(redress_store_events(&events, store, "C-9") == 0);
  CHECK(CONTAINS(events.ptr, "contact_received"));
  CHECK(redress_case_restore(&restored, initial, policy, events.ptr, events.size) == 0);
  CHECK(strcmp(redress_case_stage(restored), redress_case_stage(c)) == 0);
  redress_case_free(restored);
  CHECK(redress_store_restore(&restored, store, "C-9", policy) == 0); /* from the store alone */
  CHECK(restored != NULL && strcmp(redress_case_stage(restored), redress_case_stage(c)) == 0);
  CHECK(redress_store_cases(&ids, store, 1) == 0);
  CHECK(ids.ptr != NULL && strcmp(ids.ptr, "[\"C-9\"]") == 0);
  redress_buf_dispose(&events);
  redress_buf_dispose(&ids);
  redress_case_free(initial);
  redress_case_free(c);
  redress_case_free(restored);
  CHECK(redress_store_restore(&restored, store, "C-404", policy) == 0);
  CHECK(restored == NULL);
  redress_policy_free(policy);
  redress_store_free(store);
}

TEST(a_stale_expected_sequence_fails_with_store_conflict) {
  static const char other[] =
      "[{\"at\": \"2025-01-24T15:01:00+08:00\", \"type\": \"need_stated\", \"text\": \"a working TV\"}]";
  redress_store *store = fresh_store("c_store_conflict.db");
  redress_case *c = NULL;
  uint64_t seq = 0;
  CHECK(redress_case_open(&c, "C-9", "U-9", "CNY", "2025-01-24T15:00:00+08:00") == 0);
  CHECK(redress_store_append(&seq, store, c, journal, strlen(journal), 0) == 0);
  CHECK(redress_store_append(&seq, store, c, journal, strlen(journal), 0) == 0); /* a retry: stored once */
  CHECK(seq == 1);
  CHECK(redress_store_append(&seq, store, c, other, strlen(other), 0) == REDRESS_ESTORE_CONFLICT);
  CHECK(seq == 0);
  CHECK(CONTAINS(redress_error_last(), "expected_last_seq"));
  CHECK(redress_store_append(&seq, store, c, "[{}]", 4, 1) == REDRESS_EINVALID_JSON);
  CHECK(CONTAINS(redress_error_last(), "events[0]"));
  redress_case_free(c);
  redress_store_free(store);
}

TEST(a_follow_up_persisted_is_claimed_once_and_completed) {
  redress_store *store = fresh_store("c_store_follow_ups.db");
  redress_buf claimed = REDRESS_BUF_INIT;
  int done = -1, cancelled = -1;
  static const char fu[] = "{\"id\": \"C-9#1\", \"kind\": \"update\", \"due_at\": \"2025-01-24T07:20:00Z\"}";
  CHECK(redress_store_persist_follow_up(store, "C-9", fu, strlen(fu)) == 0);
  CHECK(redress_store_claim_due(&claimed, store, "2025-01-24T07:00:00Z", 10, "worker-1", 60) == 0);
  CHECK(claimed.ptr != NULL && strcmp(claimed.ptr, "[]") == 0);
  CHECK(redress_store_claim_due(&claimed, store, "2025-01-24T07:30:00Z", 10, "worker-1", 60) == 0);
  CHECK(CONTAINS(claimed.ptr, "\"case_id\":\"C-9\""));
  CHECK(CONTAINS(claimed.ptr, "\"id\":\"C-9#1\""));
  CHECK(redress_store_claim_due(&claimed, store, "2025-01-24T07:30:00Z", 10, "worker-2", 60) == 0);
  CHECK(strcmp(claimed.ptr, "[]") == 0);
  CHECK(redress_store_complete_follow_up(&done, store, "C-9#1", "worker-2") == 0);
  CHECK(done == 0);
  CHECK(redress_store_complete_follow_up(&done, store, "C-9#1", "worker-1") == 0);
  CHECK(done == 1);
  CHECK(redress_store_cancel_follow_up(&cancelled, store, "C-9#1") == 0);
  CHECK(cancelled == 0);
  CHECK(redress_store_persist_follow_up(store, "C-9", "{\"id\": \"x\"}", 11) == REDRESS_EINVALID_JSON);
  CHECK(CONTAINS(redress_error_last(), "follow_up.kind"));
  CHECK(redress_store_claim_due(&claimed, store, "2025-01-24T07:30:00Z", 10, "worker-1", 0) ==
        REDRESS_EINVALID_ARGUMENT);
  redress_buf_dispose(&claimed);
  redress_store_free(store);
}

TEST(a_file_that_is_not_a_store_fails_with_corrupt_store) {
  char path[512];
  FILE *f;
  redress_store *store = NULL;
  snprintf(path, sizeof path, "%s/%s", REDRESS_TEST_BINARY_DIR, "c_store_not_a_store.db");
  f = fopen(path, "wb");
  CHECK(f != NULL);
  if (f != NULL) {
    fputs("this is a text file, not a database, and it is long enough to have a header page...........", f);
    fclose(f);
  }
  CHECK(redress_store_open_sqlite(&store, path, NULL) == REDRESS_ECORRUPT_STORE);
  CHECK(store == NULL);
}

TEST(a_postgres_store_that_cannot_be_reached_or_was_not_built_fails_cleanly) {
  redress_store *store = (redress_store *)&check_failures; /* set to NULL on failure */
  int rc = redress_store_open_postgres(&store, "host=/nonexistent-socket-dir connect_timeout=2");
  CHECK(rc == REDRESS_ENOTSUPPORTED || rc == REDRESS_ESTORAGE_FAILED);
  CHECK(store == NULL);
  CHECK(redress_store_open_postgres(NULL, "host=x") == REDRESS_EINVALID_ARGUMENT || rc == REDRESS_ENOTSUPPORTED);
}

TEST(a_committed_step_puts_its_actions_in_the_outbox_once_per_event_id) {
  static const char event[] =
      "{\"at\": \"2025-01-24T15:00:00+08:00\", \"type\": \"contact_received\", \"channel\": \"phone\","
      "  \"text\": \"The TV has no picture\"}";
  redress_store *store = fresh_store("c_store_commit.db");
  redress_policy *policy = test_policy();
  redress_case *c = NULL;
  redress_buf out = REDRESS_BUF_INIT, claimed = REDRESS_BUF_INIT, again = REDRESS_BUF_INIT;
  int acked = -1;
  uint64_t seq = 0;
  const char *now = "2025-01-24T07:00:00Z";
  CHECK(redress_case_open(&c, "C-9", "U-9", "CNY", "2025-01-24T15:00:00+08:00") == 0);
  CHECK(redress_store_commit(&out, store, c, policy, event, strlen(event), now, 0, "msg-1") == 0);
  CHECK(CONTAINS(out.ptr, "\"seq\":1"));
  CHECK(CONTAINS(out.ptr, "\"C-9#1.1\""));
  CHECK(CONTAINS(out.ptr, "\"replayed\":false"));
  CHECK(CONTAINS(out.ptr, "\"step\":{\"schema\":\"redress.step/1\",\"actions\""));
  CHECK(redress_store_last_seq(&seq, store, "C-9") == 0);
  CHECK(seq == 1);
  /* The same message again: the stored outcome, nothing stored twice. */
  CHECK(redress_store_commit(&again, store, c, policy, event, strlen(event), now, 0, "msg-1") == 0);
  CHECK(CONTAINS(again.ptr, "\"replayed\":true"));
  CHECK(CONTAINS(again.ptr, "\"C-9#1.1\""));
  CHECK(redress_store_last_seq(&seq, store, "C-9") == 0);
  CHECK(seq == 1);
  /* A new message from a stale sequence number: a conflict. */
  CHECK(redress_store_commit(&again, store, c, policy, event, strlen(event), now, 0, "msg-2") ==
        REDRESS_ESTORE_CONFLICT);
  CHECK(CONTAINS(redress_error_last(), "expected_last_seq"));
  /* Claimed, acknowledged once; what is not acknowledged comes back after the lease. */
  CHECK(redress_store_claim_actions(&claimed, store, now, 1, "worker-1", 60) == 0);
  CHECK(CONTAINS(claimed.ptr, "\"id\":\"C-9#1.1\""));
  CHECK(CONTAINS(claimed.ptr, "\"action\":{"));
  CHECK(redress_store_acknowledge(&acked, store, "C-9#1.1") == 0);
  CHECK(acked == 1);
  CHECK(redress_store_acknowledge(&acked, store, "C-9#1.1") == 0);
  CHECK(acked == 0);
  CHECK(redress_store_claim_actions(&claimed, store, "2025-01-24T07:10:00Z", 100, "worker-2", 60) == 0);
  CHECK(!CONTAINS(claimed.ptr, "\"C-9#1.1\""));
  CHECK(redress_store_claim_actions(&claimed, store, now, 0, "worker-1", 60) == REDRESS_EINVALID_ARGUMENT);
  CHECK(CONTAINS(redress_error_last(), "max_count"));
  redress_buf_dispose(&out);
  redress_buf_dispose(&again);
  redress_buf_dispose(&claimed);
  redress_case_free(c);
  redress_policy_free(policy);
  redress_store_free(store);
}

/* A late parcel, its root cause recorded: the journal of each case of a fix. */
static const char late[] =
    "[{\"at\": \"2025-03-03T10:00:00+08:00\", \"type\": \"contact_received\", \"channel\": \"app\","
    "  \"text\": \"where is my parcel\"},"
    " {\"at\": \"2025-03-03T10:05:00+08:00\", \"type\": \"root_cause_recorded\", \"category\": \"delivery.late\","
    "  \"description\": \"the carrier missed the slot\"}]";

/* Stores a late parcel's journal for each of `count` {case id, customer} pairs. */
static void store_late_parcels(redress_store *store, const redress_policy *policy, const char *cases[][2],
                               size_t count) {
  size_t i;
  uint64_t seq = 0;
  for (i = 0; i < count; ++i) {
    redress_case *initial = NULL, *c = NULL;
    CHECK(redress_case_open(&initial, cases[i][0], cases[i][1], "CNY", "2025-03-03T10:00:00+08:00") == 0);
    CHECK(redress_case_restore(&c, initial, policy, late, strlen(late)) == 0);
    CHECK(redress_store_append(&seq, store, c, late, strlen(late), 0) == 0);
    redress_case_free(initial);
    redress_case_free(c);
  }
}

TEST(a_fixed_root_cause_tells_each_customer_once_until_delivered) {
  redress_store *store = fresh_store("c_store_fixes.db");
  redress_policy *policy = test_policy();
  redress_buf out = REDRESS_BUF_INIT, fixes = REDRESS_BUF_INIT;
  const char *cases[][2] = {{"C-1", "U-1"}, {"C-2", "U-1"}, {"C-3", "U-2"}};
  char id[64] = "";
  const char *at;
  int delivered = -1;
  size_t i;
  store_late_parcels(store, policy, cases, 3);
  CHECK(redress_store_notify_fixed(&out, store, policy, "delivery.late", "couriers now confirm the slot", "ops",
                                   "2025-03-10T02:00:00Z", "2025-03-11T07:00:00Z") == 0);
  CHECK(CONTAINS(out.ptr, "\"cases\":3"));
  CHECK(CONTAINS(out.ptr, "\"customers\":2"));
  CHECK(CONTAINS(out.ptr, "\"code\":\"root_cause.fixed\""));
  CHECK(CONTAINS(out.ptr, "\"type\":\"notify_fixed\""));
  CHECK(CONTAINS(out.ptr, "couriers now confirm the slot"));
  /* deliver the first notice: its id follows "id":" in the notices list */
  at = out.ptr == NULL ? NULL : strstr(out.ptr, "\"id\":\"fix-");
  CHECK(at != NULL);
  if (at != NULL) {
    at += strlen("\"id\":\"");
    for (i = 0; at[i] != '"' && i + 1 < sizeof id; ++i) id[i] = at[i];
    id[i] = '\0';
    CHECK(redress_store_deliver_fix_notice(&delivered, store, id) == 0);
    CHECK(delivered == 1);
    CHECK(redress_store_deliver_fix_notice(&delivered, store, id) == 0);
    CHECK(delivered == 0);
  }
  CHECK(redress_store_fixes(&fixes, store) == 0);
  CHECK(CONTAINS(fixes.ptr, "\"customers\":2"));
  CHECK(CONTAINS(fixes.ptr, "\"told\":1"));
  /* Called again: nobody gets a second notice; only the one not delivered is listed. */
  CHECK(redress_store_notify_fixed(&out, store, policy, "delivery.late", "couriers now confirm the slot", "ops",
                                   "2025-03-10T02:00:00Z", "2025-03-12T07:00:00Z") == 0);
  CHECK(CONTAINS(out.ptr, "\"customers\":2"));
  CHECK(CONTAINS(out.ptr, "\"notices\":[{\"id\":\"fix-"));
  CHECK(!CONTAINS(out.ptr, id));
  CHECK(redress_store_notify_fixed(&out, store, policy, "delivery.late", "", NULL, "2025-03-10T02:00:00Z",
                                   "2025-03-12T07:00:00Z") == REDRESS_EINVALID_ARGUMENT);
  CHECK(CONTAINS(redress_error_last(), "note"));
  CHECK(redress_store_notify_fixed(&out, store, policy, "delivery.late", "fixed", NULL, "yesterday",
                                   "2025-03-12T07:00:00Z") == REDRESS_EINVALID_ARGUMENT);
  CHECK(CONTAINS(redress_error_last(), "fixed_at"));
  redress_buf_dispose(&out);
  redress_buf_dispose(&fixes);
  redress_policy_free(policy);
  redress_store_free(store);
}

TEST(a_cited_case_or_order_is_found_in_the_store_with_what_it_gave_and_lost) {
  static const char friend_case[] =
      "[{\"at\": \"2025-01-24T15:00:00+08:00\", \"type\": \"contact_received\", \"channel\": \"phone\","
      "  \"text\": \"Charged twice\"},"
      " {\"at\": \"2025-01-24T15:03:00+08:00\", \"type\": \"need_stated\", \"text\": \"my money back\"},"
      " {\"at\": \"2025-01-24T15:04:00+08:00\", \"type\": \"order_linked\","
      "  \"order\": {\"id\": \"O-7\", \"loss\": {\"kind\": \"money\", \"amount\": \"500\"}}},"
      " {\"at\": \"2025-01-24T15:06:00+08:00\", \"type\": \"remedy_proposed\", \"remedy\": \"R-1\", \"kind\": \"cash\","
      "  \"value\": \"150\", \"order\": \"O-7\"},"
      " {\"at\": \"2025-01-24T15:07:00+08:00\", \"type\": \"remedy_accepted\", \"remedy\": \"R-1\"}]";
  redress_store *store = fresh_store("c_store_precedent.db");
  redress_policy *policy = test_policy();
  redress_case *initial = NULL, *cited = NULL, *citing = NULL;
  redress_precedent found = REDRESS_PRECEDENT_INIT;
  uint64_t seq = 0;
  CHECK(redress_case_open(&initial, "C-friend", "U-1", "CNY", "2025-01-24T15:00:00+08:00") == 0);
  CHECK(redress_case_restore(&cited, initial, policy, friend_case, strlen(friend_case)) == 0);
  CHECK(redress_store_append(&seq, store, cited, friend_case, strlen(friend_case), 0) == 0);
  CHECK(redress_case_open(&citing, "C-2", "U-2", "CNY", "2025-02-01T10:00:00+08:00") == 0);

  CHECK(redress_store_find_precedent(&found, store, policy, citing, "C-friend", "2025-02-01T02:00:00Z") == 0);
  CHECK(found.found == 1);
  CHECK(strcmp(found.kind, "cash") == 0);
  CHECK(found.value_minor == 15000);
  CHECK(strcmp(found.loss_kind, "money") == 0);
  CHECK(found.loss_minor == 50000);
  CHECK(strcmp(found.currency, "CNY") == 0);
  /* by the order the cited case linked */
  CHECK(redress_store_find_precedent(&found, store, policy, citing, "O-7", "2025-02-01T02:00:00Z") == 0);
  CHECK(found.found == 1 && found.value_minor == 15000);
  /* before the cited case had any event, and an id the store does not hold: not found, nothing left behind */
  CHECK(redress_store_find_precedent(&found, store, policy, citing, "C-friend", "2025-01-01T00:00:00Z") == 0);
  CHECK(found.found == 0 && found.value_minor == 0 && found.kind[0] == '\0' && found.currency[0] == '\0');
  CHECK(redress_store_find_precedent(&found, store, policy, citing, "my friend got 200", "2025-02-01T02:00:00Z") == 0);
  CHECK(found.found == 0);
  CHECK(found.version == REDRESS_PRECEDENT_VERSION);

  CHECK(redress_store_find_precedent(&found, store, policy, citing, "", "2025-02-01T02:00:00Z") ==
        REDRESS_EINVALID_ARGUMENT);
  CHECK(CONTAINS(redress_error_last(), "reference"));
  CHECK(redress_store_find_precedent(&found, store, policy, citing, "C-friend", "soon") == REDRESS_EINVALID_ARGUMENT);
  CHECK(CONTAINS(redress_error_last(), "as_of"));
  CHECK(redress_store_find_precedent(&found, store, policy, NULL, "C-friend", "2025-02-01T02:00:00Z") ==
        REDRESS_EINVALID_ARGUMENT);
  CHECK(CONTAINS(redress_error_last(), "citing"));
  found.version = REDRESS_PRECEDENT_VERSION + 1;
  CHECK(redress_store_find_precedent(&found, store, policy, citing, "C-friend", "2025-02-01T02:00:00Z") ==
        REDRESS_EINVALID_ARGUMENT);
  CHECK(CONTAINS(redress_error_last(), "out.version"));
  CHECK(redress_precedent_init(&found, REDRESS_PRECEDENT_VERSION) == 0);
  CHECK(found.version == REDRESS_PRECEDENT_VERSION && found.found == 0);
  CHECK(redress_precedent_init(&found, 0) == REDRESS_EINVALID_ARGUMENT);

  redress_case_free(initial);
  redress_case_free(cited);
  redress_case_free(citing);
  redress_policy_free(policy);
  redress_store_free(store);
}

TEST(fix_notices_claimed_by_one_sender_are_not_given_to_another_until_the_lease_ends) {
  redress_store *store = fresh_store("c_store_fix_claims.db");
  redress_policy *policy = test_policy();
  redress_buf out = REDRESS_BUF_INIT, first = REDRESS_BUF_INIT, second = REDRESS_BUF_INIT;
  const char *cases[2][2] = {{"C-1", "U-1"}, {"C-2", "U-2"}};
  int delivered = 0;
  store_late_parcels(store, policy, cases, 2);
  CHECK(redress_store_notify_fixed(&out, store, policy, "delivery.late", "couriers now confirm the slot", "ops",
                                   "2025-03-10T02:00:00Z", "2025-03-11T07:00:00Z") == 0);
  CHECK(redress_store_claim_fix_notices(&first, store, 0, "2025-03-11T07:00:00Z", 1, "mailer-a", 300) == 0);
  CHECK(CONTAINS(first.ptr, "\"id\":\"fix-1.U-1\""));
  CHECK(CONTAINS(first.ptr, "\"lease_until\":\"2025-03-11T07:05:00Z\""));
  CHECK(CONTAINS(first.ptr, "couriers now confirm the slot"));
  CHECK(redress_store_claim_fix_notices(&second, store, 1, "2025-03-11T07:01:00Z", 10, "mailer-b", 300) == 0);
  CHECK(CONTAINS(second.ptr, "\"id\":\"fix-1.U-2\""));
  CHECK(!CONTAINS(second.ptr, "U-1"));
  CHECK(redress_store_deliver_fix_notice(&delivered, store, "fix-1.U-2") == 0);
  CHECK(delivered == 1);
  /* mailer-a never marked U-1's notice: after its lease it is claimed again */
  CHECK(redress_store_claim_fix_notices(&second, store, 1, "2025-03-11T07:04:00Z", 10, "mailer-b", 300) == 0);
  CHECK(second.ptr != NULL && strcmp(second.ptr, "[]") == 0);
  CHECK(redress_store_claim_fix_notices(&second, store, 1, "2025-03-11T07:05:00Z", 10, "mailer-b", 300) == 0);
  CHECK(CONTAINS(second.ptr, "\"id\":\"fix-1.U-1\""));
  CHECK(redress_store_claim_fix_notices(&second, store, 1, "2025-03-11T07:05:00Z", 10, "mailer-b", 0) ==
        REDRESS_EINVALID_ARGUMENT);
  CHECK(CONTAINS(redress_error_last(), "lease_seconds"));
  CHECK(redress_store_claim_fix_notices(&second, store, 1, "2025-03-11T07:05:00Z", 0, "mailer-b", 300) ==
        REDRESS_EINVALID_ARGUMENT);
  CHECK(CONTAINS(redress_error_last(), "max_count"));
  redress_buf_dispose(&out);
  redress_buf_dispose(&first);
  redress_buf_dispose(&second);
  redress_policy_free(policy);
  redress_store_free(store);
}

int main(void) {
  RUN(a_journal_appended_is_read_back_and_restores_the_case);
  RUN(a_stale_expected_sequence_fails_with_store_conflict);
  RUN(a_follow_up_persisted_is_claimed_once_and_completed);
  RUN(a_committed_step_puts_its_actions_in_the_outbox_once_per_event_id);
  RUN(a_file_that_is_not_a_store_fails_with_corrupt_store);
  RUN(a_postgres_store_that_cannot_be_reached_or_was_not_built_fails_cleanly);
  RUN(a_fixed_root_cause_tells_each_customer_once_until_delivered);
  RUN(a_cited_case_or_order_is_found_in_the_store_with_what_it_gave_and_lost);
  RUN(fix_notices_claimed_by_one_sender_are_not_given_to_another_until_the_lease_ends);
  return finish();
}
