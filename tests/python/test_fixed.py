"""A fixed root cause reaches every customer who suffered it, through the Python package."""

import os
import tempfile
import unittest

import redress
from support import DATA_DIR, RETAILER_POLICY


def late_parcel(category="delivery.late"):
    return [{"at": "2025-03-03T10:00:00+08:00", "type": "contact_received", "channel": "app",
             "text": "where is my parcel"},
            {"at": "2025-03-03T10:05:00+08:00", "type": "root_cause_recorded", "category": category,
             "description": "the carrier missed the slot"}]


class FixedTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.store = redress.SqliteStore(os.path.join(self.dir.name, "cases.db"))
        self.policy = redress.Policy.load(RETAILER_POLICY, data_dir=DATA_DIR)
        for case_id, customer, category in (("C-1", "U-1", "delivery.late"), ("C-2", "U-1", "物流延误"),
                                             ("C-3", "U-2", "delivery.late"), ("C-4", "U-3", "payment.duplicate")):
            with redress.Case.open(case_id, customer, "CNY", "2025-03-03T10:00:00+08:00") as case:
                events = late_parcel(category)
                for event in events:
                    case.apply(event, self.policy)
                self.store.append(case, events, 0)

    def tearDown(self):
        self.store.close()
        self.policy.close()
        self.dir.cleanup()

    def test_each_customer_with_the_cause_is_told_once_until_delivered(self):
        run = self.store.notify_fixed(self.policy, "Late delivery", "couriers now confirm the slot", by="ops",
                                      fixed_at="2025-03-10T02:00:00Z", now="2025-03-11T07:00:00Z")
        self.assertEqual(run["fix"]["category"], "delivery.late")
        self.assertEqual(run["fix"]["fixed_by"], "ops")
        self.assertEqual(run["cases"], 3)
        self.assertEqual(sorted(o["case_id"] for o in run["open_cases"]), ["C-1", "C-2", "C-3"])
        self.assertTrue(all(o["finding"]["code"] == "root_cause.fixed" for o in run["open_cases"]))
        customers = [n["customer"] for n in run["notices"]]
        self.assertEqual(customers, ["U-1", "U-2"])
        self.assertEqual(sorted(run["notices"][0]["cases"]), ["C-1", "C-2"])
        self.assertIn("couriers now confirm the slot", run["notices"][0]["text"])

        self.assertTrue(self.store.deliver_fix_notice(run["notices"][0]["id"]))
        self.assertFalse(self.store.deliver_fix_notice(run["notices"][0]["id"]))
        [kept] = self.store.fixes()
        self.assertEqual((kept["customers"], kept["told"]), (2, 1))

        again = self.store.notify_fixed(self.policy, "delivery.late", "couriers now confirm the slot",
                                        fixed_at="2025-03-10T02:00:00Z", now="2025-03-12T07:00:00Z")
        self.assertEqual(again["fix"]["id"], kept["id"])
        self.assertEqual([n["customer"] for n in again["notices"]], ["U-2"])

    def test_a_claimed_notice_goes_to_no_other_sender_until_its_lease_ends(self):
        run = self.store.notify_fixed(self.policy, "delivery.late", "couriers now confirm the slot",
                                      fixed_at="2025-03-10T02:00:00Z", now="2025-03-11T07:00:00Z")
        first = self.store.claim_fix_notices("2025-03-11T07:00:00Z", 1, "mailer-a", 300)
        self.assertEqual([n["customer"] for n in first], ["U-1"])
        self.assertEqual(first[0]["lease_until"], "2025-03-11T07:05:00Z")
        self.assertEqual(first[0]["fix_id"], run["fix"]["id"])
        other = self.store.claim_fix_notices("2025-03-11T07:01:00Z", 10, "mailer-b", 300, fix_id=run["fix"]["id"])
        self.assertEqual([n["customer"] for n in other], ["U-2"])
        self.assertTrue(self.store.deliver_fix_notice(other[0]["id"]))
        self.assertEqual(self.store.claim_fix_notices("2025-03-11T07:04:59Z", 10, "mailer-b", 300), [])
        again = self.store.claim_fix_notices("2025-03-11T07:05:00Z", 10, "mailer-b", 300)
        self.assertEqual([n["id"] for n in again], [first[0]["id"]])

    def test_an_unknown_cause_is_refused_with_the_nearest_named(self):
        with self.assertRaises(redress.RedressError) as caught:
            self.store.notify_fixed(self.policy, "delivery.lait", "fixed", now="2025-03-11T07:00:00Z")
        self.assertEqual(caught.exception.code, redress.ErrorCode.INVALID_ARGUMENT)
        self.assertIn("delivery.late", str(caught.exception))
        self.assertEqual(self.store.fixes(), [])


if __name__ == "__main__":
    unittest.main()
