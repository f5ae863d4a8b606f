"""The reply lint from Python."""

import unittest

import redress

DRAFT = "先生,这张券昨天就过期了,系统有明确说明的。不过我可以给您退款300元。"


class LintTest(unittest.TestCase):
    def test_a_refund_above_the_agents_authority_is_caught(self):
        report = redress.lint(DRAFT)
        codes = [f["code"] for f in report["findings"]]
        self.assertIn("promise.over_authority", codes)
        self.assertEqual(report["language"], "zh-Hans")

    def test_spans_are_given_in_characters_and_bytes(self):
        report = redress.lint(DRAFT)
        finding = next(f for f in report["findings"] if f["code"] == "promise.over_authority")
        self.assertIn(finding["phrase"], DRAFT[finding["begin_char"]:finding["end_char"]] + finding["phrase"])
        self.assertGreater(finding["end_byte"], finding["end_char"])

    def test_more_authority_lets_the_same_draft_pass(self):
        report = redress.lint(DRAFT, authority=(50000, "CNY"))
        self.assertNotIn("promise.over_authority", [f["code"] for f in report["findings"]])

    def test_lint_settings_can_disable_a_code(self):
        report = redress.lint(DRAFT, policy={"disabled": ["promise.over_authority"]})
        self.assertNotIn("promise.over_authority", [f["code"] for f in report["findings"]])

    def test_an_unknown_language_raises_invalid_argument(self):
        with self.assertRaises(redress.RedressError) as caught:
            redress.lint("Sorry.", language="klingon")
        self.assertEqual(caught.exception.code, redress.ErrorCode.INVALID_ARGUMENT)
        self.assertIn("language", caught.exception.message)

    def test_a_text_longer_than_the_limit_raises_text_too_long(self):
        with self.assertRaises(redress.RedressError) as caught:
            redress.lint("Sorry, truly.", policy={"max_text_bytes": 4})
        self.assertEqual(caught.exception.code, redress.ErrorCode.TEXT_TOO_LONG)


if __name__ == "__main__":
    unittest.main()
