"""Policy identity and what-if replays from Python."""

import datetime
import json
import os
import tempfile
import unittest

import redress
from support import RETAILER_POLICY

JOURNAL = [
    {"at": "2025-01-24T15:00:00+08:00", "type": "contact_received", "channel": "phone", "text": "Charged twice"},
    {"at": "2025-01-24T15:03:00+08:00", "type": "need_stated", "text": "my money back"},
    {"at": "2025-01-24T15:04:00+08:00", "type": "order_linked",
     "order": {"id": "O-1", "loss": {"kind": "money", "amount": "500"}}},
    {"at": "2025-01-24T15:06:00+08:00", "type": "remedy_proposed", "remedy": "R-1", "kind": "cash",
     "value": "150", "order": "O-1"},
    {"at": "2025-01-24T15:07:00+08:00", "type": "remedy_accepted", "remedy": "R-1"},
]


def policy(version, limit):
    return redress.Policy.parse({"id": "shop", "version": version, "currency": "CNY", "calendar": "cn",
                                 "authority": [{"level": 0, "limit": limit}, {"level": 1}]})


class IdentityTest(unittest.TestCase):
    def test_a_bundled_policy_file_parses_as_it_is_and_has_its_id_and_a_content_hash(self):
        with open(RETAILER_POLICY, encoding="utf-8") as f:
            document = json.load(f)
        with redress.Policy.parse(document) as p:
            identity = p.identity
        self.assertEqual(identity["id"], "electronics-retailer")
        self.assertEqual(identity["version"], "1")
        self.assertEqual(len(identity["hash"]), 64)

    def test_another_content_under_the_same_version_has_another_hash(self):
        with policy("1", "200") as a, policy("1", "100") as b:
            self.assertNotEqual(a.identity["hash"], b.identity["hash"])


class WhatIfTest(unittest.TestCase):
    def test_a_lower_front_line_limit_sends_the_refund_for_approval_and_skips_the_acceptance(self):
        with policy("1", "200") as old, policy("2", "100") as new, \
                redress.Case.open("C-1", "U-1", "CNY", "2025-01-24T15:00:00+08:00") as initial:
            answer = redress.whatif(initial, JOURNAL, old, new)
        self.assertTrue(answer["changed"])
        remedy = [c for c in answer["changes"] if c["kind"] == "remedy"]
        self.assertEqual(len(remedy), 1)
        self.assertEqual((remedy[0]["before"], remedy[0]["after"]), ("offered", "sent for approval at level 1"))
        self.assertEqual(remedy[0]["value"], {"amount_minor": 15000, "currency": "CNY"})
        self.assertEqual([(s["event"], s["policy"]) for s in answer["skipped"]], [(4, "new")])
        self.assertEqual(answer["after"]["policy"]["version"], "2")

    def test_a_journal_that_does_not_decode_raises_invalid_json(self):
        with policy("1", "200") as old, redress.Case.open("C-1", "U-1", "CNY", "2025-01-24T15:00:00+08:00") as c:
            with self.assertRaises(redress.RedressError) as caught:
                redress.whatif(c, "[", old, old)
        self.assertEqual(caught.exception.code, redress.ErrorCode.INVALID_JSON)


class WhatIfStoreTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.store = redress.SqliteStore(os.path.join(self.dir.name, "cases.db"))
        self.old, self.new = policy("1", "200"), policy("2", "100")
        # C-1 (January): the 150 refund; C-2 (June): a contact alone.
        later = [{"at": "2025-06-07T14:00:00+08:00", "type": "contact_received", "channel": "chat",
                  "text": "Where is my parcel?"}]
        for case_id, opened, events in (("C-1", "2025-01-24T15:00:00+08:00", JOURNAL),
                                        ("C-2", "2025-06-07T14:00:00+08:00", later)):
            with redress.Case.open(case_id, "U-1", "CNY", opened) as initial:
                with redress.Case.restore(initial, self.old, events) as case:
                    self.store.append(case, events, 0)

    def tearDown(self):
        self.store.close()
        self.old.close()
        self.new.close()
        self.dir.cleanup()

    def test_whatif_over_a_store_counts_the_refund_sent_for_approval(self):
        summary = redress.whatif_store(self.store, self.new, self.old)
        self.assertEqual((summary["cases"], summary["remedies_changed"]), (2, 1))
        self.assertEqual(summary["remedy_value_before"], [{"amount_minor": 15000, "currency": "CNY"}])
        remedy = [e for e in summary["examples"] if e["kind"] == "remedy"]
        self.assertEqual([(e["case"], e["before"], e["after"]) for e in remedy],
                         [("C-1", "offered", "sent for approval at level 1")])
        self.assertEqual(summary["failed"], [])

    def test_since_keeps_the_later_case_and_examples_bounds_the_examples(self):
        summary = redress.whatif_store(self.store, self.new, self.old, since=datetime.date(2025, 6, 1))
        self.assertEqual((summary["cases"], summary["cases_changed"]), (1, 0))
        summary = redress.whatif_store(self.store, self.new, self.old, examples=0)
        self.assertEqual((summary["remedies_changed"], summary["examples"]), (1, []))

    def test_the_page_carries_the_figures_in_the_language_asked(self):
        page = redress.whatif_store(self.store, self.new, self.old, format="html", language="zh")
        self.assertIn('<html lang="zh-CN">', page)
        self.assertIn('data-measure="remedies_changed" data-count="1"', page)
        self.assertIn("仍有效补救的金额", page)

    def test_a_bad_since_raises_naming_it(self):
        with self.assertRaises(redress.RedressError) as caught:
            redress.whatif_store(self.store, self.new, self.old, since="June")
        self.assertIn("since", caught.exception.message)
        self.assertEqual(caught.exception.code, redress.ErrorCode.INVALID_ARGUMENT)


class PriorSpendTest(unittest.TestCase):
    """The host reports the customer's earlier remedies (issue 19's count cap)."""

    EVENTS = JOURNAL[:3]
    GESTURE = {"at": "2025-01-24T15:06:00+08:00", "type": "remedy_proposed", "remedy": "R-1", "kind": "extra",
               "value": "20", "order": "O-1"}

    def step_with_earlier_remedies(self, answer):
        seen = []

        def prior_spend(case):
            seen.append(case["customer"])
            return answer

        step = self.step_with_earlier_remedies_from(prior_spend)
        self.assertIn("U-1", seen)
        return step

    def step_with_earlier_remedies_from(self, prior_spend):
        with redress.Policy.parse({"currency": "CNY", "calendar": "cn", "customer_cap_count": 3,
                                   "customer_cap_period": "PT720H",
                                   "authority": [{"level": 0, "limit": "200"}, {"level": 1}]}) as base:
            host = base.with_prior_spend(prior_spend)
        with host, redress.Case.open("C-1", "U-1", "CNY", "2025-01-24T15:00:00+08:00") as initial:
            with redress.Case.restore(initial, host, self.EVENTS) as case:
                step = case.apply(self.GESTURE, host)
        return step

    def kinds(self, step):
        return [a["type"] for a in step.actions]

    def findings(self, step):
        return [f["code"] for f in step.findings]

    def test_a_fourth_remedy_in_30_days_goes_to_approval(self):
        step = self.step_with_earlier_remedies({"customer_remedies_in_period": 3})
        self.assertIn("remedy.over_cap", self.findings(step))
        self.assertIn("request_approval", self.kinds(step))
        self.assertNotIn("offer", self.kinds(step))

    def test_a_third_remedy_is_offered(self):
        step = self.step_with_earlier_remedies({"customer_remedies_in_period": 2, "customer_in_period_minor": 4000})
        self.assertNotIn("remedy.over_cap", self.findings(step))
        self.assertIn("offer", self.kinds(step))

    def test_an_answer_that_does_not_fit_fails_the_event_with_policy_failed(self):
        for answer in ({"customer_remedies_in_period": -1}, {"remedies": 3}):
            with self.assertRaises(redress.RedressError) as caught:
                self.step_with_earlier_remedies(answer)
            self.assertEqual(caught.exception.code, redress.ErrorCode.POLICY_FAILED)

    def test_an_exception_in_prior_spend_reaches_the_caller_with_its_type_and_text(self):
        def refuse(case):
            raise LookupError(f"no spend record for {case['customer']}")

        with self.assertRaises(redress.RedressError) as caught:
            self.step_with_earlier_remedies_from(refuse)
        error = caught.exception
        self.assertEqual(error.code, redress.ErrorCode.POLICY_FAILED)
        self.assertTrue(error.message.endswith("prior_spend: LookupError: no spend record for U-1"), error.message)
        self.assertIsInstance(error.__cause__, LookupError)

    def test_an_unknown_member_is_named_in_the_error(self):
        with self.assertRaises(redress.RedressError) as caught:
            self.step_with_earlier_remedies({"remedies": 3})
        self.assertIn("prior_spend: ValueError: unknown member 'remedies'", caught.exception.message)

    def test_an_answer_the_library_refuses_carries_no_host_exception(self):
        with self.assertRaises(redress.RedressError) as caught:
            self.step_with_earlier_remedies({"customer_remedies_in_period": -1})
        self.assertIn("customer_remedies_in_period -1", caught.exception.message)
        self.assertNotIn("Error:", caught.exception.message)
        self.assertIsNone(caught.exception.__cause__)

    def test_a_host_exception_does_not_stick_to_the_next_call(self):
        def refuse(case):
            raise KeyError(case["customer"])

        with self.assertRaises(redress.RedressError):
            self.step_with_earlier_remedies_from(refuse)
        with self.assertRaises(redress.RedressError) as caught:
            redress.Case.open("C-2", "U-2", "CNY", "not an instant")
        self.assertNotIn("KeyError", caught.exception.message)


class WholePolicyLintTest(unittest.TestCase):
    DRAFT = "We apologise for any inconvenience caused."

    def test_lint_takes_a_policy_object_or_a_whole_policy_document_and_uses_its_lint_settings(self):
        with open(RETAILER_POLICY, encoding="utf-8") as f:
            document = json.load(f)
        standard = redress.lint(self.DRAFT)
        with redress.Policy.parse(document) as p:
            self.assertEqual(redress.lint(self.DRAFT, policy=p), standard)
        self.assertEqual(redress.lint(self.DRAFT, policy=document), standard)


if __name__ == "__main__":
    unittest.main()
