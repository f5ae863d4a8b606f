"""Policies, cases and the engine from Python."""

import json
import unittest

import redress
from support import CONTACT, DATA_DIR, RETAILER_POLICY


class PolicyTest(unittest.TestCase):
    def test_a_policy_file_naming_a_bundled_calendar_loads(self):
        with redress.Policy.load(RETAILER_POLICY, data_dir=DATA_DIR) as policy:
            self.assertEqual(policy.currency, "CNY")

    def test_a_document_that_does_not_parse_raises_with_the_code_and_the_field(self):
        with self.assertRaises(redress.RedressError) as caught:
            redress.Policy.parse({"currency": 7})
        self.assertEqual(caught.exception.code, redress.ErrorCode.INVALID_JSON)
        self.assertEqual(caught.exception.name, "invalid_json")
        self.assertIn("currency", caught.exception.message)

    def test_a_closed_handle_cannot_be_used(self):
        policy = redress.Policy.load(RETAILER_POLICY, data_dir=DATA_DIR)
        policy.close()
        policy.close()  # closing twice is harmless
        with self.assertRaises(ValueError):
            _ = policy.currency
        with redress.Case.open("C-1", "U-1", "CNY", "2025-01-24T15:00:00+08:00") as case:
            with self.assertRaises(redress.RedressError) as caught:
                case.apply(CONTACT, policy)
            self.assertEqual(caught.exception.code, redress.ErrorCode.INVALID_ARGUMENT)
            self.assertIn("policy", caught.exception.message)


class CaseTest(unittest.TestCase):
    def setUp(self):
        self.policy = redress.Policy.load(RETAILER_POLICY, data_dir=DATA_DIR)
        self.case = redress.Case.open("C-1", "U-1", "CNY", "2025-01-24T15:00:00+08:00")

    def tearDown(self):
        self.case.close()
        self.policy.close()

    def test_a_new_case_starts_at_apologise(self):
        self.assertEqual((self.case.id, self.case.customer, self.case.currency), ("C-1", "U-1", "CNY"))
        self.assertEqual(self.case.stage, "apologise")
        self.assertEqual(self.case.priority, "normal")

    def test_applying_a_contact_schedules_the_twenty_minute_update(self):
        step = self.case.apply(CONTACT, self.policy)
        kinds = [a["type"] for a in step.actions]
        self.assertIn("schedule_follow_up", kinds)
        follow_up = next(a for a in step.actions if a["type"] == "schedule_follow_up")["follow_up"]
        self.assertEqual(follow_up["due_at"], "2025-01-24T07:20:00Z")
        self.assertTrue(step.trace)

    def test_an_event_of_another_case_raises_invalid_event_and_leaves_the_case_as_it_was(self):
        before = self.case.to_dict()
        with self.assertRaises(redress.RedressError) as caught:
            self.case.apply(dict(CONTACT, case_id="C-2"), self.policy)
        self.assertEqual(caught.exception.code, redress.ErrorCode.INVALID_EVENT)
        self.assertEqual(self.case.to_dict(), before)

    def test_a_stated_need_on_a_lost_fee_brings_ranked_suggestions(self):
        self.case.apply(CONTACT, self.policy)
        self.case.apply({"at": "2025-01-24T15:01:00+08:00", "type": "order_linked",
                         "order": {"id": "O-1", "loss": {"kind": "money", "amount": "40"}}}, self.policy)
        step = self.case.apply({"at": "2025-01-24T15:02:00+08:00", "type": "need_stated",
                                "text": "the fee back"}, self.policy)
        self.assertEqual([s["kind"] for s in step.suggestions], ["cash", "extra", "non_material"])
        first = step.suggestions[0]
        self.assertEqual((first["rank"], first["order"], first["approval_level"]), (1, "O-1", 0))
        self.assertEqual(first["value"]["amount_minor"], 4000)
        self.assertIn("40", first["why"])

    def test_restoring_from_the_journal_gives_the_same_case(self):
        journal = [CONTACT, {"at": "2025-01-24T15:02:00+08:00", "type": "apology_given",
                             "text": "I'm so sorry, that is really disappointing. It's our fault, and I will fix it."}]
        copy = self.case.copy()
        for event in journal:
            copy.apply(event, self.policy)
        with redress.Case.restore(self.case, self.policy, journal) as restored:
            self.assertEqual(restored.to_dict(), copy.to_dict())
        self.assertEqual(self.case.stage, "apologise")
        copy.close()

    def test_the_event_may_be_json_text_and_now_defaults_to_its_time(self):
        step = self.case.apply(json.dumps(CONTACT), self.policy)
        self.assertTrue(step.actions)

    def test_text_that_is_not_utf8_raises_invalid_utf8(self):
        with self.assertRaises(redress.RedressError) as caught:
            redress.Case.open(b"C-\xff", "U-1", "CNY", "2025-01-24T15:00:00+08:00")
        self.assertEqual(caught.exception.code, redress.ErrorCode.INVALID_UTF8)

    def test_a_naive_datetime_is_refused(self):
        import datetime
        with self.assertRaises(ValueError):
            redress.Case.open("C-1", "U-1", "CNY", datetime.datetime(2025, 1, 24, 15))


class VersionTest(unittest.TestCase):
    def test_the_version_is_three_numbers(self):
        major, minor, patch = redress.version()
        self.assertEqual((major, minor), (0, 1))
        self.assertGreaterEqual(patch, 0)


if __name__ == "__main__":
    unittest.main()
