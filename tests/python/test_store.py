"""The SQLite store from Python."""

import os
import tempfile
import unittest

import redress
from support import CONTACT, DATA_DIR, RETAILER_POLICY


class StoreTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.store = redress.SqliteStore(os.path.join(self.dir.name, "cases.db"))
        self.policy = redress.Policy.load(RETAILER_POLICY, data_dir=DATA_DIR)

    def tearDown(self):
        self.store.close()
        self.policy.close()
        self.dir.cleanup()

    def test_a_case_appended_is_restored_from_the_store_alone(self):
        with redress.Case.open("C-7", "U-7", "CNY", "2025-01-24T15:00:00+08:00") as case:
            case.apply(CONTACT, self.policy)
            self.assertEqual(self.store.append(case, [CONTACT], 0), 1)
            self.assertEqual(self.store.last_seq("C-7"), 1)
            self.assertEqual(self.store.cases(open_only=True), ["C-7"])
            self.assertEqual(self.store.events("C-7")[0]["type"], "contact_received")
            with self.store.restore("C-7", self.policy) as restored:
                self.assertEqual(restored.to_dict(), case.to_dict())
        self.assertIsNone(self.store.restore("C-404", self.policy))

    def test_a_stale_sequence_number_raises_store_conflict(self):
        with redress.Case.open("C-7", "U-7", "CNY", "2025-01-24T15:00:00+08:00") as case:
            self.store.append(case, [CONTACT], 0)
            with self.assertRaises(redress.RedressError) as caught:
                self.store.append(case, [dict(CONTACT, at="2025-01-24T15:05:00+08:00")], 0)
            self.assertEqual(caught.exception.code, redress.ErrorCode.STORE_CONFLICT)

    def test_a_negative_or_zero_max_count_is_refused_before_the_store_is_asked(self):
        follow_up = {"id": "C-7#1", "kind": "update", "due_at": "2025-01-24T07:20:00Z"}
        self.store.persist_follow_up("C-7", follow_up)
        for bad in (-1, 0):
            with self.assertRaisesRegex(ValueError, "max_count"):
                self.store.claim_due("2025-01-24T07:30:00Z", bad, "w1", 60)
            with self.assertRaisesRegex(ValueError, "max_count"):
                self.store.claim_actions("2025-01-24T07:30:00Z", bad, "w1", 60)
        with self.assertRaisesRegex(TypeError, "max_count"):
            self.store.claim_due("2025-01-24T07:30:00Z", 1.5, "w1", 60)
        # Nothing was claimed: the follow-up is still there for the next worker.
        self.assertEqual(len(self.store.claim_due("2025-01-24T07:30:00Z", 1, "w2", 60)), 1)

    def test_a_due_follow_up_is_claimed_by_one_worker_and_completed(self):
        follow_up = {"id": "C-7#1", "kind": "update", "due_at": "2025-01-24T07:20:00Z"}
        self.store.persist_follow_up("C-7", follow_up)
        self.assertEqual(self.store.claim_due("2025-01-24T07:00:00Z", 10, "w1", 60), [])
        claimed = self.store.claim_due("2025-01-24T07:30:00Z", 10, "w1", 60)
        self.assertEqual([(c["case_id"], c["follow_up"]["id"]) for c in claimed], [("C-7", "C-7#1")])
        self.assertEqual(self.store.claim_due("2025-01-24T07:30:00Z", 10, "w2", 60), [])
        self.assertFalse(self.store.complete_follow_up("C-7#1", "w2"))
        self.assertTrue(self.store.complete_follow_up("C-7#1", "w1"))
        self.assertFalse(self.store.cancel_follow_up("C-7#1"))

    def test_a_committed_step_is_delivered_from_the_outbox_at_least_once(self):
        with redress.Case.open("C-7", "U-7", "CNY", "2025-01-24T15:00:00+08:00") as case:
            done = self.store.commit(case, CONTACT, self.policy, 0, event_id="msg-1")
            self.assertEqual(done["seq"], 1)
            self.assertFalse(done["replayed"])
            ids = done["action_ids"]
            self.assertEqual(ids[0], "C-7#1.1")
            self.assertEqual(len(ids), len(done["step"]["actions"]))
            again = self.store.commit(case, CONTACT, self.policy, 0, event_id="msg-1")
            self.assertTrue(again["replayed"])
            self.assertEqual(again["action_ids"], ids)
            self.assertEqual(self.store.last_seq("C-7"), 1)
        first = self.store.claim_actions("2025-01-24T07:00:00Z", 100, "w1", 60)
        self.assertEqual([a["id"] for a in first], ids)
        self.assertEqual(first[0]["action"], done["step"]["actions"][0])
        self.assertTrue(self.store.acknowledge(ids[0]))
        self.assertFalse(self.store.acknowledge(ids[0]))
        # w1 died holding the rest: after its lease they come back, the acknowledged one never.
        self.assertEqual(self.store.claim_actions("2025-01-24T07:00:30Z", 100, "w2", 60), [])
        again = self.store.claim_actions("2025-01-24T07:01:00Z", 100, "w2", 60)
        self.assertEqual([a["id"] for a in again], ids[1:])

    def test_a_contact_finds_its_open_case_until_the_customer_is_erased(self):
        contact = dict(CONTACT, **{"from": {"kind": "phone", "value": "+8613812345678"}})
        with redress.Case.open("C-7", "U-7", "CNY", "2025-01-24T15:00:00+08:00") as case:
            self.store.commit(case, contact, self.policy, 0)
        match = self.store.find_open_cases("phone", "138 1234 5678")
        self.assertEqual(match, {"cases": ["C-7"], "customers": ["U-7"], "attach_to": "C-7"})
        erased = self.store.erase("U-7")
        self.assertEqual((erased["cases"], erased["index_entries"], erased["key_deleted"]), (1, 1, True))
        self.assertEqual(self.store.find_open_cases("phone", "+8613812345678")["cases"], [])
        event = self.store.events("C-7")[0]
        self.assertNotIn("from", event)
        self.assertEqual(event["text"], "[erased]")

    def test_a_store_without_a_master_key_is_refused_unless_clear_text_is_asked_for(self):
        path = os.path.join(self.dir.name, "other.db")
        with self.assertRaises(redress.RedressError) as caught:
            redress.SqliteStore(path, master_key_env="REDRESS_TEST_NO_SUCH_KEY")
        self.assertEqual(caught.exception.code, redress.ErrorCode.INVALID_ARGUMENT)
        self.assertIn("REDRESS_TEST_NO_SUCH_KEY", str(caught.exception))
        redress.SqliteStore(path, insecure_plaintext=True).close()

    def test_a_file_that_is_not_a_store_raises_corrupt_store(self):
        path = os.path.join(self.dir.name, "notes.txt")
        with open(path, "w") as f:
            f.write("not a database, but long enough to have a header page " * 4)
        with self.assertRaises(redress.RedressError) as caught:
            redress.SqliteStore(path)
        self.assertEqual(caught.exception.code, redress.ErrorCode.CORRUPT_STORE)


class PostgresStoreTest(unittest.TestCase):
    def test_an_unreachable_or_absent_postgres_store_raises_a_redress_error(self):
        with self.assertRaises(redress.RedressError) as caught:
            redress.PostgresStore("host=/nonexistent-socket-dir connect_timeout=2")
        self.assertIn(caught.exception.code, (redress.ErrorCode.NOT_SUPPORTED, redress.ErrorCode.STORAGE_FAILED))


if __name__ == "__main__":
    unittest.main()
