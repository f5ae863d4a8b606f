"""Analytics from Python: the summary and the report page over journals or a store."""

import os
import tempfile
import unittest

import redress
from test_whatif import JOURNAL, policy


def cases():
    return [{"case": {"id": "C-1", "customer": "U-1", "currency": "CNY", "opened_at": "2025-01-24T15:00:00+08:00"},
             "events": JOURNAL}]


class ReportTest(unittest.TestCase):
    def test_the_summary_over_journals_counts_the_case_and_its_remedy(self):
        with policy("1", "200") as p:
            summary = redress.report(p, cases=cases())
        self.assertEqual(summary["cases"], 1)
        self.assertIn("cost", summary)

    def test_the_report_page_over_journals_is_html_in_the_language_asked(self):
        with policy("1", "200") as p:
            page = redress.report(p, cases=cases(), format="html", language="zh")
        self.assertTrue(page.lstrip().lower().startswith("<!doctype html"))
        self.assertIn('lang="zh', page)

    def test_the_summary_over_a_store_reads_every_case(self):
        with tempfile.TemporaryDirectory() as d, policy("1", "200") as p:
            with redress.SqliteStore(os.path.join(d, "cases.db")) as store:
                case = redress.Case.open("C-1", "U-1", "CNY", "2025-01-24T15:00:00+08:00")
                for event in JOURNAL:
                    case.apply(event, p)
                store.append(case, JOURNAL, 0)
                summary = redress.report(p, store=store)
        self.assertEqual(summary["cases"], 1)

    def test_an_unknown_format_or_a_case_that_does_not_replay_raises_naming_it(self):
        with policy("1", "200") as p:
            with self.assertRaises(redress.RedressError) as caught:
                redress.report(p, cases=cases(), format="pdf")
            self.assertIn("format", caught.exception.message)
            bad = cases()
            bad[0]["events"] = [{"at": "2025-01-24T15:00:00+08:00", "type": "remedy_accepted", "remedy": "R-9"}]
            with self.assertRaises(redress.RedressError) as caught:
                redress.report(p, cases=bad)
            self.assertIn("cases[0]", caught.exception.message)


if __name__ == "__main__":
    unittest.main()
