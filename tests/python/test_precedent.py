"""A cited case or order looked up in the store's journals, through the Python package."""

import os
import tempfile
import unittest

import redress
from support import DATA_DIR, RETAILER_POLICY

FRIEND = [
    {"at": "2025-01-24T15:00:00+08:00", "type": "contact_received", "channel": "phone", "text": "Charged twice"},
    {"at": "2025-01-24T15:03:00+08:00", "type": "need_stated", "text": "my money back"},
    {"at": "2025-01-24T15:04:00+08:00", "type": "order_linked",
     "order": {"id": "O-7", "loss": {"kind": "money", "amount": "500"}}},
    {"at": "2025-01-24T15:06:00+08:00", "type": "remedy_proposed", "remedy": "R-1", "kind": "cash",
     "value": "150", "order": "O-7"},
    {"at": "2025-01-24T15:07:00+08:00", "type": "remedy_accepted", "remedy": "R-1"},
]


class PrecedentTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.store = redress.SqliteStore(os.path.join(self.dir.name, "cases.db"))
        self.policy = redress.Policy.load(RETAILER_POLICY, data_dir=DATA_DIR)
        with redress.Case.open("C-friend", "U-1", "CNY", "2025-01-24T15:00:00+08:00") as case:
            for event in FRIEND:
                case.apply(event, self.policy)
            self.store.append(case, FRIEND, 0)
        self.citing = redress.Case.open("C-2", "U-2", "CNY", "2025-02-01T10:00:00+08:00")

    def tearDown(self):
        self.citing.close()
        self.store.close()
        self.policy.close()
        self.dir.cleanup()

    def test_a_cited_case_gives_what_it_granted_and_what_it_had_lost(self):
        found = self.store.find_precedent(self.policy, self.citing, "C-friend", "2025-02-01T02:00:00Z")
        self.assertEqual(found, {"kind": "cash", "value": {"minor": 15000, "currency": "CNY"},
                                 "loss": {"kind": "money", "minor": 50000}})

    def test_a_cited_order_is_found_on_the_cases_that_linked_it(self):
        found = self.store.find_precedent(self.policy, self.citing, "O-7", "2025-02-01T02:00:00Z")
        self.assertEqual(found["value"]["minor"], 15000)

    def test_what_the_store_cannot_find_is_none(self):
        self.assertIsNone(self.store.find_precedent(self.policy, self.citing, "my friend got 200",
                                                    "2025-02-01T02:00:00Z"))
        # Before the cited case had any event.
        self.assertIsNone(self.store.find_precedent(self.policy, self.citing, "C-friend", "2025-01-01T00:00:00Z"))

    def test_an_empty_reference_or_a_bad_instant_is_refused_with_the_field(self):
        with self.assertRaises(redress.RedressError) as caught:
            self.store.find_precedent(self.policy, self.citing, "", "2025-02-01T02:00:00Z")
        self.assertEqual(caught.exception.code, redress.ErrorCode.INVALID_ARGUMENT)
        self.assertIn("reference", str(caught.exception))
        with self.assertRaises(redress.RedressError) as caught:
            self.store.find_precedent(self.policy, self.citing, "C-friend", "soon")
        self.assertIn("as_of", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
