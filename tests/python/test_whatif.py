"""Policy identity and what-if replays from Python."""

import json
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
