#include "support/test.hpp"

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <redress/detail/lint_scan.hpp>
#include <redress/lint.hpp>

using namespace redress;

namespace {

const LintFinding* find(const LintReport& report, std::string_view code) {
  for (const auto& f : report.findings) {
    if (f.code == code) return &f;
  }
  return nullptr;
}

LintPolicy policy_with(void (*edit)(LintPolicy::Settings&)) {
  LintPolicy::Settings s;
  edit(s);
  auto p = LintPolicy::make(std::move(s));
  REQUIRE(p);
  return p.value();
}

}  // namespace

TEST_SUITE("lint") {
  TEST_CASE("value semantics") {
    static_assert(std::is_nothrow_copy_constructible_v<TextSpan>);
    static_assert(std::is_trivially_copyable_v<TextSpan>);
    static_assert(std::equality_comparable<TextSpan>);
    static_assert(std::totally_ordered<TextSpan>);
    static_assert(std::regular<PhraseMatch>);
    static_assert(std::regular<LintFinding>);
    static_assert(std::regular<LintReport>);
    static_assert(std::regular<ApologyWeights>);
    static_assert(std::copyable<LintContext> && std::equality_comparable<LintContext>);
    static_assert(std::copyable<LintPolicy> && std::equality_comparable<LintPolicy>);
    static_assert(std::copyable<PhraseSet> && std::equality_comparable<PhraseSet>);
    // Policies and phrase sets come only from their factories.
    static_assert(!std::is_default_constructible_v<LintPolicy>);
    static_assert(!std::is_default_constructible_v<PhraseSet>);
    static_assert(std::is_nothrow_move_constructible_v<LintPolicy>);
    static_assert(std::is_nothrow_move_constructible_v<PhraseSet>);
  }

  TEST_CASE("spans count bytes and characters of the original text") {
    const std::string text = "好的,您错了";
    auto r = lint(text);
    REQUIRE(r);
    const auto* f = find(r.value(), "blame.customer");
    REQUIRE(f);
    CHECK(f->span == TextSpan{7, 16, 3, 6});  // "好的" is 6 bytes, the comma 1
    CHECK(f->phrase == "您错了");
    CHECK(f->severity == LintSeverity::block);
  }

  TEST_CASE("Traditional characters match the Simplified tables") {
    auto r = lint("這是我們的政策,請您理解。");
    REQUIRE(r);
    CHECK(r.value().has("policy_speak"));
    CHECK(r.value().language == LintLanguage::zh_hant);
    CHECK(find(r.value(), "policy_speak")->phrase == "這是我們的政策");
    CHECK(find(r.value(), "policy_speak")->hint.find("規定") != std::string::npos);
  }

  TEST_CASE("case, full-width forms, whitespace and punctuation inside a phrase are tolerated") {
    for (const char* text : {"THIS IS OUR POLICY", "this   is\tour\npolicy", "ｔｈｉｓ　ｉｓ　ｏｕｒ　ｐｏｌｉｃｙ",
                             "this is our-policy", "这 是 我 们 的 政 策", "这是、我们的“政策”"}) {
      CAPTURE(text);
      auto r = lint(text);
      REQUIRE(r);
      CHECK(r.value().has("policy_speak"));
    }
  }

  TEST_CASE("English phrases match whole words only") {
    CHECK_FALSE(lint("The butter arrived.").value().has("pseudo_apology.sorry_but"));
    CHECK_FALSE(lint("Sorry, butterflies are out of stock; I can offer moths.").value().has(
        "pseudo_apology.sorry_but"));
    CHECK(lint("Sorry, but no.").value().has("pseudo_apology.sorry_but"));
    // An apostrophe joins a word: "can't" is not "I can".
    auto r = lint("I can't do that.");
    CHECK(r.value().has("refusal.no_alternative"));
  }

  TEST_CASE("invalid UTF-8 is refused with invalid_utf8 naming the byte offset") {
    for (const auto& text_offset : std::vector<std::pair<std::string, int>>{{"abc\xff", 3},
                                                                        {"\xc0\xaf", 0},          // overlong
                                                                        {"ok \xed\xa0\x80", 3},   // surrogate
                                                                        {"抱歉\xe6\x88", 6},      // truncated
                                                                        {"\xf4\x90\x80\x80", 0}}) {  // > U+10FFFF
      const std::string& text = text_offset.first;
      const int offset = text_offset.second;
      CAPTURE(text);
      auto r = lint(text);
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::invalid_utf8);
      CHECK(last_error_detail() == "text: invalid UTF-8 at byte " + std::to_string(offset));
    }
    CHECK(PhraseSet::standard().count("\x80").error() == errc::invalid_utf8);
  }

  TEST_CASE("invalid UTF-8 inside a long run of Chinese is found at its byte offset, wherever it falls") {
    // Runs of three-byte characters are checked four at a time; every bad
    // sequence is put at every offset of such a run.
    const std::string run = "非常抱歉让您久等了我们马上为您处理这个问题";  // 21 characters, 63 bytes
    for (const std::string bad : {"\xe0\x80\x80", "\xe0\x9f\xbf", "\xed\xa0\x80", "\xed\xbf\xbf", "\xe6\x88",
                                  "\xe6\x28\x91", "\x80", "\xe6\x88\xe6"}) {
      for (std::size_t at = 0; at <= 30; at += 3) {
        const std::string text = run.substr(0, at) + bad + run.substr(at);
        CAPTURE(text);
        auto r = PhraseSet::standard().count(text);
        REQUIRE_FALSE(r);
        CHECK(last_error_detail() == "text: invalid UTF-8 at byte " + std::to_string(at));
      }
    }
    // The highest and lowest valid three-byte characters pass.
    CHECK(PhraseSet::standard().count(run + "\xe0\xa0\x80" + run + "\xed\x9f\xbf" + run + "\xef\xbf\xbf").has_value());
  }

  TEST_CASE("in a long run of Chinese, a right single quotation mark is skipped as an apostrophe is") {
    // "对不起" split by U+2019 still matches; split by a space it matches
    // too (as a gap). Both inside runs long enough to be read four at a time.
    const std::string before = "我们今天收到了您的来信";
    const std::string after = "我们马上为您处理这个问题";
    const auto& set = PhraseSet::standard();
    const auto plain_result = set.find_all(before + "对不起" + after);
    const auto quoted_result = set.find_all(before + "对\u2019不起" + after);
    REQUIRE(plain_result);
    REQUIRE(quoted_result);
    const auto& plain = plain_result.value();
    const auto& quoted = quoted_result.value();
    CHECK(std::any_of(plain.begin(), plain.end(), [&](const PhraseMatch& m) { return set.phrase(m.phrase) == "对不起"; }));
    REQUIRE(plain.size() == quoted.size());
    for (std::size_t k = 0; k < plain.size(); ++k) CHECK(set.phrase(plain[k].phrase) == set.phrase(quoted[k].phrase));
  }

  TEST_CASE("a text over the policy's size limit is refused with text_too_long") {
    LintContext context;
    context.policy = policy_with([](LintPolicy::Settings& s) { s.max_text_bytes = 12; });
    CHECK(lint("对不起", context));  // 9 bytes
    auto r = lint("sorry sorry sorry", context);
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::text_too_long);
    CHECK(last_error_detail().find("limit of 12") != std::string_view::npos);
    CHECK(lint("").value().findings.empty());
  }

  TEST_CASE("the structure score weighs responsibility most, then repair, feeling and empathy, and forgiveness least") {
    const ApologyWeights w;
    for (auto c : {ApologyComponent::regret, ApologyComponent::explanation, ApologyComponent::repentance,
                   ApologyComponent::forgiveness, ApologyComponent::feeling, ApologyComponent::empathy,
                   ApologyComponent::repair}) {
      CHECK(w.of(ApologyComponent::responsibility) > w.of(c));
      CHECK(w.of(ApologyComponent::forgiveness) <= w.of(c));
    }
    for (auto c : {ApologyComponent::regret, ApologyComponent::explanation, ApologyComponent::repentance}) {
      CHECK(w.of(ApologyComponent::repair) > w.of(c));
      CHECK(w.of(ApologyComponent::feeling) > w.of(c));
      CHECK(w.of(ApologyComponent::empathy) > w.of(c));
    }
    const int responsibility = lint("这是我们的失误。").value().structure_score;
    const int forgiveness = lint("请您原谅。").value().structure_score;
    CHECK(responsibility > forgiveness);
    CHECK(lint("这是我们的失误。").value().has(ApologyComponent::responsibility));
  }

  TEST_CASE("policy weights change the score and a weak apology is judged by them") {
    LintContext context;
    context.policy = policy_with([](LintPolicy::Settings& s) {
      s.weights = ApologyWeights{1, 0, 0, 0, 0, 0, 0, 0, 1};  // regret alone is everything
    });
    auto r = lint("非常抱歉。", context);
    CHECK(r.value().structure_score == 100);
    CHECK_FALSE(r.value().has("apology.weak"));
    auto standard = lint("非常抱歉。");
    CHECK(standard.value().structure_score < 30);
    CHECK(standard.value().has("apology.weak"));
  }

  TEST_CASE("a weak apology's hint names the missing components in the text's language") {
    auto en = lint("Sorry about that.");
    REQUIRE(find(en.value(), "apology.weak"));
    CHECK(find(en.value(), "apology.weak")->hint.find("an offer of repair") != std::string::npos);
    auto zh = lint("很抱歉。");
    CHECK(find(zh.value(), "apology.weak")->hint.find("提出弥补") != std::string::npos);
    auto hant = lint("很抱歉讓您久等。");
    CHECK(find(hant.value(), "apology.weak")->hint.find("提出彌補") != std::string::npos);
  }

  TEST_CASE("the language hint chooses the language of every hint") {
    LintContext context;
    context.language = LintLanguage::en;
    auto r = lint("这是我们的政策", context);
    CHECK(r.value().language == LintLanguage::en);
    CHECK(find(r.value(), "policy_speak")->hint.rfind("Do not quote", 0) == 0);
    CHECK(parse_lint_language("zh-TW").value() == LintLanguage::zh_hant);
    CHECK(parse_lint_language("ZH-hans").value() == LintLanguage::zh_hans);
    CHECK(parse_lint_language("fr").error() == errc::invalid_argument);
  }

  TEST_CASE("a mixed reply gives each finding a hint in its phrase's language") {
    auto r = lint("您好!This is our policy,规定如此。");
    REQUIRE(r);
    std::vector<const LintFinding*> policy;
    for (const auto& f : r.value().findings) {
      if (f.code == "policy_speak") policy.push_back(&f);
    }
    REQUIRE(policy.size() == 2);
    CHECK(policy[0]->hint.rfind("Do not", 0) == 0);
    CHECK(policy[1]->hint.find("规定") != std::string::npos);
  }

  TEST_CASE("severities are set and codes switched off by the policy") {
    LintContext context;
    context.policy = policy_with([](LintPolicy::Settings& s) {
      s.severity["policy_speak"] = LintSeverity::block;
      s.disabled.insert("refusal.helpless");
    });
    auto r = lint("规则如此,爱莫能助。", context);
    CHECK(find(r.value(), "policy_speak")->severity == LintSeverity::block);
    CHECK(r.value().worst() == LintSeverity::block);
    CHECK_FALSE(r.value().has("refusal.helpless"));
    CHECK(lint("规则如此,爱莫能助。").value().has("refusal.helpless"));
    CHECK(context.policy.severity_of("policy_speak") == LintSeverity::block);
    CHECK_FALSE(context.policy.severity_of("refusal.helpless"));
    CHECK(context.policy.severity_of("blame.customer") == LintSeverity::block);
    CHECK(context.policy.severity_of("order.facts_before_feelings") == LintSeverity::warn);
    CHECK_FALSE(context.policy.severity_of("no_such_code"));
    CHECK(default_severity("policy_speak") == LintSeverity::warn);
    CHECK_FALSE(default_severity("no_such_code"));
  }

  TEST_CASE("a policy naming an unknown code or impossible weights is refused") {
    LintPolicy::Settings s;
    s.severity["no_such_code"] = LintSeverity::info;
    auto r = LintPolicy::make(s);
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::invalid_argument);
    CHECK(last_error_detail() == "lint.severity.no_such_code: unknown finding code");
    LintPolicy::Settings w;
    w.weights = ApologyWeights{0, 0, 0, 0, 0, 0, 0, 0, 100};
    CHECK(LintPolicy::make(w).error() == errc::invalid_argument);
    w.weights = ApologyWeights{};
    w.weights.full_score_points = 0;
    CHECK(LintPolicy::make(w).error() == errc::invalid_argument);
    CHECK(last_error_detail() == "lint.weights.full_score_points: must be between 1 and 8000");
    w.weights = ApologyWeights{};
    w.weights.repair = -1;
    CHECK(LintPolicy::make(w).error() == errc::invalid_argument);
    CHECK(last_error_detail() == "lint.weights.repair: must be between 0 and 1000");
  }

  TEST_CASE("the host adds phrases through the policy, in either script") {
    LintContext context;
    context.policy = policy_with([](LintPolicy::Settings& s) { s.extra_phrases = {"policy\t商品不议价\n"}; });
    auto r = lint("本店商品不議價。", context);
    CHECK(r.value().has("policy_speak"));
    CHECK_FALSE(lint("本店商品不議價。").value().has("policy_speak"));
    CHECK(context.policy.phrases().size() == PhraseSet::standard().size() + 1);
  }

  TEST_CASE("a host table can reclassify a built-in phrase") {
    LintContext context;
    context.policy = policy_with([](LintPolicy::Settings& s) { s.extra_phrases = {"softener\t规定\n"}; });
    CHECK(lint("规定,这张券已经过期。").value().has("order.facts_before_feelings"));
    CHECK_FALSE(lint("规定,这张券已经过期。", context).value().has("order.facts_before_feelings"));
  }

  TEST_CASE("malformed phrase tables are refused naming the table and line") {
    auto bad_kind = LintPolicy::make([] {
      LintPolicy::Settings s;
      s.extra_phrases = {"# mine\npolicy\t概不退换\npolicyy\t不退\n"};
      return s;
    }());
    REQUIRE_FALSE(bad_kind);
    CHECK(bad_kind.error() == errc::invalid_argument);
    CHECK(last_error_detail() == "lint.extra_phrases[0] line 3: unknown phrase kind \"policyy\"");
    const PhraseTable no_tab{"t", "policy 概不退换"};
    CHECK(PhraseSet::compile(std::span(&no_tab, 1)).error() == errc::invalid_argument);
    const PhraseTable empty{"t", "policy\t , 。"};
    CHECK(PhraseSet::compile(std::span(&empty, 1)).error() == errc::invalid_argument);
    const PhraseTable bad_value{"t", "policy:3\tx"};
    CHECK(PhraseSet::compile(std::span(&bad_value, 1)).error() == errc::invalid_argument);
    const PhraseTable bad_bytes{"t", "policy\tab\xff"};
    CHECK(PhraseSet::compile(std::span(&bad_bytes, 1)).error() == errc::invalid_utf8);
    CHECK(last_error_detail() == "t line 1: invalid UTF-8 at byte 2 of the phrase");
  }

  TEST_CASE("the built-in tables hold more than 300 phrases in both languages") {
    const PhraseSet& set = PhraseSet::standard();
    CHECK(set.size() >= 300);
    std::size_t han = 0;
    for (std::size_t i = 0; i < set.size(); ++i) han += static_cast<unsigned char>(set.phrase(i)[0]) >= 0x80;
    CHECK(han >= 150);
    CHECK(set.size() - han >= 150);
    CHECK(PhraseSet::standard_tables().size() == 7);
    CHECK(set == PhraseSet::compile(PhraseSet::standard_tables()).value());
  }

  TEST_CASE("an English phrase matches whole words, whatever spacing and punctuation stand between them") {
    const PhraseTable table{"t", "policy\tthis is our policy\nregret\tdon't\nregret\tcafé crème\n"};
    auto set = PhraseSet::compile(std::span(&table, 1)).value();
    CHECK(set.phrase(0) == "this is our policy");
    CHECK(set.count("THIS, is -- our\tpolicy.").value() == 1);
    CHECK(set.count("ｔｈｉｓ　ｉｓ　ｏｕｒ　ｐｏｌｉｃｙ").value() == 1);
    CHECK(set.count("thisisourpolicy").value() == 0);
    CHECK(set.count("this is our pol icy").value() == 0);
    CHECK(set.count("this is our policyholder").value() == 0);
    // An apostrophe inside a word is dropped, in the text and in the phrase.
    CHECK(set.count("I dont, I don't, I don’t, I ＤＯＮ’Ｔ.").value() == 4);
    CHECK(set.count("I do n't").value() == 0);
    // Letters beyond ASCII: the word is read the slow way, with the same answer.
    const auto found = set.find_all("Un Café crème, s'il vous plaît.").value();
    REQUIRE(found.size() == 1);
    CHECK(found[0].span.begin_byte == 3);
    CHECK(found[0].span.end_byte == 3 + std::string_view("Café crème").size());
  }

  TEST_CASE("a word longer than sixteen letters is refused in a phrase and matches nothing in a text") {
    const PhraseTable long_word{"t", "regret\tincomprehensibilities\n"};
    CHECK(PhraseSet::compile(std::span(&long_word, 1)).error() == errc::invalid_argument);
    CHECK(last_error_detail() == "t line 1: a word of the phrase is longer than 16 letters");
    const PhraseTable sixteen{"t", "regret\tabcdefghijklmnop\n"};
    auto set = PhraseSet::compile(std::span(&sixteen, 1)).value();
    CHECK(set.count("ABCDEFGHIJKLMNOP").value() == 1);
    CHECK(set.count("abcdefghijklmnopq abcdefghijklmno").value() == 0);
    // At the end of the text, where sixteen bytes cannot be read at once.
    CHECK(set.count("x abcdefghijklmnop").value() == 1);
  }

  TEST_CASE("find_all reports every occurrence, across chunk boundaries too") {
    const PhraseTable table{"t", "policy\t这是我们的政策\nblame\tyou are wrong\ncontrast\t但\n"};
    auto set = PhraseSet::compile(std::span(&table, 1)).value();
    std::string text;
    std::size_t expected = 0;
    for (int i = 0; i < 500; ++i) {
      text += std::string(static_cast<std::size_t>(i % 37), 'x');
      text += i % 2 ? " 这是 我们的政策 " : " You are WRONG ";
      text += "但";
      expected += 2;
    }
    auto all = set.find_all(text);
    REQUIRE(all);
    CHECK(all.value().size() == expected);
    CHECK(set.count(text).value() == expected);
    for (const auto& m : all.value()) {
      const std::string_view quoted = std::string_view(text).substr(m.span.begin_byte, m.span.end_byte - m.span.begin_byte);
      CHECK((quoted == "但" || quoted == "这是 我们的政策" || quoted == "You are WRONG"));
    }
    CHECK(set.kinds(0) == "policy");
  }

  TEST_CASE("a refund above the agent's authority is a blocking promise") {
    auto r = lint("I'll refund you 500 right away.");
    const auto* f = find(r.value(), "promise.over_authority");
    REQUIRE(f);
    CHECK(f->severity == LintSeverity::block);
    CHECK(f->phrase == "refund you 500");
    LintContext senior;
    senior.agent_authority = Money::from_minor_units(1000 * 100, Currency::CNY);
    CHECK_FALSE(lint("I'll refund you 500 right away.", senior).value().has("promise.over_authority"));
    CHECK(lint("我为您退款200元。").value().findings.empty());
    CHECK(lint("我为您退款200.01元。").value().has("promise.over_authority"));
    // An amount in a currency the agent holds no authority in.
    CHECK(lint("We will refund $20.", senior).value().has("promise.over_authority"));
    // A number that is no amount: a date beside a refund.
    CHECK_FALSE(lint("The refund for the order of 12 May is on its way.").value().has("promise.over_authority"));
  }

  TEST_CASE("promised deadlines are checked against the policy's window") {
    CHECK_FALSE(lint("I'll get back to you within the hour.").value().has("promise.deadline_too_short"));
    LintContext strict;
    strict.policy = policy_with([](LintPolicy::Settings& s) { s.shortest_promise = boost::posix_time::hours(2); });
    auto r = lint("I'll get back to you within the hour.", strict);
    REQUIRE(find(r.value(), "promise.deadline_too_short"));
    CHECK(find(r.value(), "promise.deadline_too_short")->phrase == "within the hour");
    CHECK(lint("我们30分钟内联系您", strict).value().has("promise.deadline_too_short"));
    CHECK(lint("我们半小时内联系您", strict).value().has("promise.deadline_too_short"));
    CHECK(lint("we will reply within 3 days").value().has("promise.deadline_too_long"));
    CHECK(lint("we will reply within 30 hours").value().has("promise.deadline_too_long"));
    CHECK_FALSE(lint("we will reply within 20 hours").value().has("promise.deadline_too_long"));
    CHECK(find(lint("三个工作日内回复").value(), "promise.deadline_too_long")->phrase == "三个工作日内");
  }

  TEST_CASE("policies are read from JSON with errors naming the member") {
    auto p = LintPolicy::from_json(R"({"max_text_bytes": 100, "weights": {"repair": 40},
        "severity": {"policy_speak": "block", "apology.weak": "off"},
        "extra_phrases": ["policy\t概不退换"], "shortest_promise_minutes": 60})");
    REQUIRE(p);
    CHECK(p.value().settings().max_text_bytes == 100);
    CHECK(p.value().settings().weights.repair == 40);
    CHECK(p.value().severity_of("policy_speak") == LintSeverity::block);
    CHECK_FALSE(p.value().severity_of("apology.weak"));
    CHECK(p.value().settings().shortest_promise == boost::posix_time::minutes(60));
    auto bad = LintPolicy::from_json(R"({"severity": {"policy_speak": "loud"}})");
    REQUIRE_FALSE(bad);
    CHECK(bad.error() == errc::invalid_json);
    CHECK(last_error_detail().rfind("lint.severity.policy_speak:", 0) == 0);
    CHECK(LintPolicy::from_json(R"({"colour": 1})").error() == errc::invalid_json);
    CHECK(LintPolicy::from_json("{").error() == errc::invalid_json);
  }

  TEST_CASE("the report serialises to JSON with spans, severities and hints") {
    auto r = lint("先生,这张券昨天就过期了,系统有明确说明的。");
    const auto json = to_json(r.value());
    const auto& findings = json.at("findings").as_array();
    REQUIRE(findings.size() == 2);
    CHECK(findings[0].at("code").as_string() == "order.facts_before_feelings");
    CHECK(findings[0].at("begin_char").to_number<std::int64_t>() == 8);
    CHECK(findings[1].at("severity").as_string() == "warn");
    CHECK(json.at("language").as_string() == "zh-Hans");
    CHECK(json.at("structure_score").to_number<std::int64_t>() == 0);
  }

  TEST_CASE("lint is deterministic and safe to call from many threads") {
    const std::string text = "抱歉,但是这是公司规定,没有办法。I'll refund you 500.";
    const auto expected = lint(text).value();
    std::vector<std::thread> threads;
    std::vector<int> same(4, 0);
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 200; ++i) same[static_cast<std::size_t>(t)] += lint(text).value() == expected;
      });
    }
    for (auto& th : threads) th.join();
    for (int s : same) CHECK(s == 200);
    CHECK(lint_codes().size() == 19);
  }

  TEST_CASE("arbitrary bytes give either a report whose spans quote the text or invalid_utf8") {
    std::mt19937 rng(7);
    const std::vector<std::string> pieces = {"抱歉", "但是", "這是我們的政策", "sorry", " but ", "退款", "500元",
                                             "2个工作日内", "within 3 days", "，", "。", "\n", "ｙｏｕ", "'", "\xe2\x80\x99"};
    for (int round = 0; round < 2000; ++round) {
      std::string text;
      const int parts = static_cast<int>(rng() % 12);
      for (int k = 0; k < parts; ++k) {
        if (rng() % 8 == 0) {
          text += static_cast<char>(rng() % 256);  // sometimes a stray byte
        } else {
          text += pieces[rng() % pieces.size()];
        }
      }
      auto r = lint(text);
      if (!r) {
        CHECK(r.error() == errc::invalid_utf8);
        continue;
      }
      for (const auto& f : r.value().findings) {
        REQUIRE(f.span.begin_byte <= f.span.end_byte);
        REQUIRE(f.span.end_byte <= text.size());
        CHECK(f.phrase == text.substr(f.span.begin_byte, f.span.end_byte - f.span.begin_byte));
        CHECK(f.span.end_char - f.span.begin_char <= f.span.end_byte - f.span.begin_byte);
      }
    }
  }
}

// The scanner's counts for language detection and its sentence breaks,
// worked out again here one code point at a time, the simple way.
namespace {

struct Counts {
  std::size_t han = 0;
  std::size_t trad = 0;
  std::size_t simp = 0;
  std::size_t latin_words = 0;
  std::vector<std::size_t> breaks;
  friend bool operator==(const Counts&, const Counts&) = default;
};

char32_t decode_at(std::string_view s, std::size_t i, std::size_t& length) {
  const auto b = static_cast<unsigned char>(s[i]);
  length = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
  char32_t cp = length == 1 ? b : length == 2 ? (b & 0x1F) : length == 3 ? (b & 0x0F) : (b & 0x07);
  for (std::size_t k = 1; k < length; ++k) cp = cp << 6 | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return cp;
}

Counts count_simply(const detail::PhraseSetData& set, std::string_view text) {
  Counts c;
  bool gap = false;
  bool prev_word = false;
  for (std::size_t i = 0, length = 0; i < text.size(); i += length) {
    const char32_t cp = decode_at(text, i, length);
    const std::size_t after = i + length;
    const bool ends = cp == '!' || cp == '?' || cp == ';' || cp == '\n' || cp == 0x3002 || cp == 0xFF01 ||
                      cp == 0xFF1F || cp == 0xFF1B ||
                      (cp == '.' && (after == text.size() || text[after] == ' ' || text[after] == '\n' ||
                                     text[after] == '"'));
    if (ends) c.breaks.push_back(after);
    if (cp == '\'' || cp == 0x2019) continue;  // an apostrophe: neither a unit nor a gap
    c.han += (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0xF900 && cp <= 0xFAFF);
    const std::uint16_t e = set.entry(cp);
    c.trad += (e & (detail::kTrad | detail::kSimp)) == detail::kTrad;
    c.simp += (e & (detail::kTrad | detail::kSimp)) == detail::kSimp;
    if (e & detail::kSkip) {
      gap = true;
      continue;
    }
    const bool word = (e & detail::kWord) != 0;
    c.latin_words += word && (gap || !prev_word);
    prev_word = word;
    gap = false;
  }
  return c;
}

// Every match, found the slow way: the text turned into units one code
// point at a time (a character other than a letter, or a whole word: its
// letters' classes), each phrase's normalised text likewise, then every
// phrase compared at every unit.
struct SimpleUnit {
  std::u16string key;  // a character: its class; a word: u'w', then its letters' classes
  std::size_t begin;
  std::size_t end;
};
std::vector<SimpleUnit> simple_units(const detail::PhraseSetData& set, std::string_view text) {
  std::vector<SimpleUnit> units;
  bool in_word = false;
  for (std::size_t i = 0, length = 0; i < text.size(); i += length) {
    const char32_t cp = decode_at(text, i, length);
    if (cp == '\'' || cp == 0x2019) continue;  // an apostrophe: dropped, even inside a word
    const std::uint16_t e = set.entry(cp);
    const auto cls = static_cast<char16_t>(e & detail::kClassMask);
    if (e & detail::kSkip) {
      in_word = false;
    } else if ((e & detail::kWord) && in_word) {
      units.back().key += cls;
      units.back().end = i + length;
    } else {
      units.push_back({(e & detail::kWord) ? std::u16string{u'w', cls} : std::u16string{cls}, i, i + length});
      in_word = (e & detail::kWord) != 0;
    }
  }
  return units;
}
std::vector<PhraseMatch> find_simply(const detail::PhraseSetData& set, std::string_view text) {
  const std::vector<SimpleUnit> units = simple_units(set, text);
  std::vector<std::vector<SimpleUnit>> phrases;
  for (const detail::PhraseInfo& p : set.phrases) phrases.push_back(simple_units(set, p.text));
  std::vector<PhraseMatch> out;
  for (std::size_t i = 0; i < units.size(); ++i) {
    for (std::size_t id = 0; id < phrases.size(); ++id) {
      const auto& want = phrases[id];
      if (i + want.size() > units.size()) continue;
      bool same = true;
      for (std::size_t q = 0; q < want.size() && same; ++q) same = units[i + q].key == want[q].key;
      if (!same) continue;
      PhraseMatch m;
      m.phrase = id;
      m.span.begin_byte = units[i].begin;
      m.span.end_byte = units[i + want.size() - 1].end;
      out.push_back(m);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const PhraseMatch& a, const PhraseMatch& b) {
    return a.span.begin_byte != b.span.begin_byte ? a.span.begin_byte < b.span.begin_byte
                                                  : a.span.end_byte > b.span.end_byte;
  });
  return out;
}

}  // namespace

TEST_SUITE("lint scanner") {
  TEST_CASE("the block classifiers give the same answers as their byte-by-byte forms") {
    // Bytes drawn from what matters to them: ASCII letters and marks, lead
    // bytes E0, ED and others, continuation bytes on each side of A0, and
    // well-formed Chinese, so that both answers come up often.
    const std::vector<unsigned char> bytes = {'a', 'Z', ' ', '\'', '!', '?', ';', '\n', '.', ',', 0x7F, 0x80, 0x9F,
                                              0xA0, 0xBF, 0xC3, 0xE0, 0xE4, 0xE9, 0xED, 0xEF, 0xF0, 0xFF};
    const std::string chinese = "非常抱歉让您久等了我们马上为您处理";
    std::mt19937 rng(7);
    int ascii = 0;
    int runs = 0;
    for (int round = 0; round < 20000; ++round) {
      unsigned char block[16];
      if (round % 3 == 0) {  // Chinese, with one byte changed or not
        const std::size_t at = 3 * (rng() % (chinese.size() / 3 - 5));
        std::memcpy(block, chinese.data() + at, 16);
        if (round % 2 == 0) block[rng() % 16] = bytes[rng() % bytes.size()];
      } else if (round % 3 == 1) {  // ASCII, with one byte changed or not
        for (auto& b : block) b = bytes[rng() % 10];
        if (round % 2 == 0) block[rng() % 16] = bytes[rng() % bytes.size()];
      } else {
        for (auto& b : block) b = bytes[rng() % bytes.size()];
      }
      const detail::AsciiBlock simd = detail::ascii_block(block);
      CHECK(simd == detail::ascii_block_scalar(block));
      std::uint32_t cps[4] = {};
      std::uint32_t scalar_cps[4] = {};
      const bool three = detail::four_three_byte(block, cps);
      CHECK(three == detail::four_three_byte_scalar(block, scalar_cps));
      if (three) {
        CHECK(std::equal(cps, cps + 4, scalar_cps));
        // The marks of four code points, one of them special now and then.
        const std::uint32_t special[] = {0x2019, 0x3002, 0xFF01, 0xFF1F, 0xFF1B, 0x2018, 0x3001};
        if (round % 4 == 0) cps[rng() % 4] = special[rng() % std::size(special)];
        std::uint32_t apostrophes = 0;
        std::uint32_t marks = 0;
        for (std::uint32_t j = 0; j < 4; ++j) {
          apostrophes |= std::uint32_t{cps[j] == 0x2019} << j;
          const bool end = std::find(detail::kFullWidthSentenceEnds.begin(), detail::kFullWidthSentenceEnds.end(),
                                     cps[j]) != detail::kFullWidthSentenceEnds.end();
          marks |= std::uint32_t{cps[j] == 0x2019 || end} << j;
        }
        CHECK(detail::marked<false>(cps) == apostrophes);
        CHECK(detail::marked<true>(cps) == marks);
      }
      ascii += simd.ascii;
      runs += three;
    }
    // Word starts, counted eight units at a time: random flags, any length.
    for (int round = 0; round < 2000; ++round) {
      std::vector<std::uint16_t> units(rng() % 100);
      for (auto& u : units) u = static_cast<std::uint16_t>(rng() & (detail::kWordBit | detail::kSkip | 0x00FF));
      CHECK(detail::word_starts(units.data(), units.size()) == detail::word_starts_scalar(units.data(), units.size()));
    }
    CHECK(ascii > 1000);  // both answers came up
    CHECK(ascii < 19000);
    CHECK(runs > 1000);
    CHECK(runs < 19000);
  }

  TEST_CASE("characters counted sixteen bytes at a time agree with a count eight at a time, over every span") {
    const std::string pieces[] = {"a", "Z ", "é", "非常", "😀", "’", "\n", "很抱歉讓您久等", "sorry, "};
    std::mt19937 rng(11);
    for (int round = 0; round < 40; ++round) {
      std::string text;
      while (text.size() < static_cast<std::size_t>(round * 3)) text += pieces[rng() % std::size(pieces)];
      const detail::CharCursor cursor(text);
      for (std::size_t b = 0; b <= text.size(); ++b) {
        for (std::size_t e = b; e <= text.size(); ++e) {
          CAPTURE(b);
          CAPTURE(e);
          REQUIRE(cursor.between(b, e) == cursor.between_words(b, e));
        }
      }
      std::size_t chars = 0;
      for (unsigned char c : text) chars += (c & 0xC0) != 0x80;
      CHECK(cursor.between(0, text.size()) == chars);
    }
  }

  TEST_CASE("find_all agrees with every phrase compared at every character, one code point at a time") {
    const PhraseSet& phrases = PhraseSet::standard();
    const detail::PhraseSetData& set = phrase_set_data(phrases);
    // Pieces of phrases, whole phrases, the characters that shape matching
    // (gaps, apostrophes, full-width and Traditional forms, word edges) and
    // long runs of Chinese and of ASCII, which the scanner reads in blocks.
    std::vector<std::string> pieces = {
        "I'm", "don’t", "sorry", " ", ",", ".", "!", "\n", "x", "abc123", "wrong ", "you", "we", "policy",
        "您好", "對不起", "对不起", "乾", "这是我们的政策", "。", "，", "Ｓｏｒｒｙ", "é", "😀", "'", "’", "规定",
        "如此", "很抱歉讓您久等", "refund you 500", "非常抱歉让您久等了我们马上为您处理", "we are sorry for the delay ",
        "nothing we can do", "NOT OUR DEPARTMENT", "請接受我的道歉", "系统写得很清楚"};
    for (std::size_t id = 0; id < phrases.size(); id += 7) pieces.emplace_back(phrases.phrase(id));
    // English alone too: a chunk holds 1,024 words, so words (and words
    // still open) meet its edges.
    std::vector<std::string> english;
    for (const auto& piece : pieces) {
      if (std::all_of(piece.begin(), piece.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
        english.push_back(piece);
      }
    }
    english.insert(english.end(), {"sorryyou", "cant", "apolog", "ize", "long-winded ", "0123456789abcdefghij"});
    std::mt19937 rng(2016);
    for (int round = 0; round < 200; ++round) {
      std::string text;
      const std::size_t length = round % 10 == 0 ? 5000 * (round % 3 + 1) : rng() % 300;  // some cross the 1,024-unit chunks
      const auto& from = (round / 10) % 2 == 1 ? english : pieces;
      while (text.size() < length) text += from[rng() % from.size()];
      auto got = phrases.find_all(text);
      REQUIRE(got);
      const auto want = find_simply(set, text);
      REQUIRE_MESSAGE(got.value().size() == want.size(), text);
      for (std::size_t k = 0; k < want.size(); ++k) {
        CHECK_MESSAGE(got.value()[k].phrase == want[k].phrase, text);
        CHECK(got.value()[k].span.begin_byte == want[k].span.begin_byte);
        CHECK(got.value()[k].span.end_byte == want[k].span.end_byte);
        // Characters: the bytes before that are not continuation bytes.
        auto chars_before = [&](std::size_t byte) {
          return static_cast<std::size_t>(std::count_if(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(byte),
                                                        [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
        };
        CHECK(got.value()[k].span.begin_char == chars_before(want[k].span.begin_byte));
        CHECK(got.value()[k].span.end_char == chars_before(want[k].span.end_byte));
      }
    }
  }

  TEST_CASE("the scanner's script counts and sentence breaks agree with a count one code point at a time") {
    const detail::PhraseSetData& set = phrase_set_data(PhraseSet::standard());
    const std::vector<std::string> pieces = {
        "I'm", "don’t", "sorry", " ", ",", ".", ". ", "!", "?", ";", "\n", "\"", "x", "abc123", "wrong ",
        "您好", "對不起", "对不起", "乾", "这是我们的政策", "。", "？", "！", "；", "，", "Ｓｏｒｒｙ", "é", "😀",
        "'", "’", "--", "规定如此", "很抱歉讓您久等", "refund you 500"};
    std::mt19937 rng(20161);
    for (int round = 0; round < 300; ++round) {
      std::string text;
      const std::size_t length = round % 10 == 0 ? 6000 : rng() % 200;  // some cross the 1,024-unit chunks
      while (text.size() < length) text += pieces[rng() % pieces.size()];
      detail::ScanStats stats;
      std::vector<std::size_t> breaks;
      stats.breaks = &breaks;
      REQUIRE_FALSE(detail::scan_text<true>(set, text, stats, [](std::size_t, std::size_t, std::size_t) {}));
      const Counts got{stats.han, stats.trad, stats.simp, stats.latin_words, breaks};
      const Counts want = count_simply(set, text);
      CHECK_MESSAGE(got == want, text);
    }
    // A few by hand, so that the simple count is checked too.
    const Counts mixed = count_simply(set, "I'm sorry, 對不起. 这是我们的政策!");
    CHECK(mixed.latin_words == 2);
    CHECK(mixed.han == 10);
    CHECK(mixed.trad == 1);  // 對
    CHECK(mixed.simp == 2);  // 这, 们
    CHECK(mixed.breaks == std::vector<std::size_t>{21, 44});
  }
}

TEST_SUITE("lint rules") {
  // A policy whose only phrases are `table` (kinds<TAB>pattern lines).
  LintContext only(std::string table) {
    LintPolicy::Settings s;
    s.replace_standard_phrases = true;
    s.extra_phrases = {std::move(table)};
    auto p = LintPolicy::make(std::move(s));
    REQUIRE(p);
    LintContext c;
    c.policy = p.value();
    return c;
  }

  TEST_CASE("an alternation matches each of its forms and nothing else") {
    const auto c = only("policy\t{规定|政策|制度}就是这样\n");
    CHECK(lint("规定就是这样", c).value().has("policy_speak"));
    CHECK(lint("政策就是这样", c).value().has("policy_speak"));
    CHECK(lint("制度就是這樣", c).value().has("policy_speak"));  // Traditional folded as before
    CHECK_FALSE(lint("规则就是这样", c).value().has("policy_speak"));
  }

  TEST_CASE("an optional part may be present or absent") {
    const auto c = only("blame\t{您|你}[真的]搞错了\n");
    CHECK(lint("您搞错了", c).value().has("blame.customer"));
    CHECK(lint("你真的搞错了", c).value().has("blame.customer"));
    CHECK_FALSE(lint("您确实搞错了", c).value().has("blame.customer"));
  }

  TEST_CASE("a gap joins parts within a clause, up to its bound") {
    const auto c = only("blame\t是{您|你}自己…{没|不}\n");
    auto r = lint("这是您自己操作的时候没注意", c).value();
    REQUIRE(r.has("blame.customer"));
    CHECK(r.findings[0].phrase == "是您自己操作的时候没");
    // A comma ends the clause; eleven characters are more than the gap's ten.
    CHECK_FALSE(lint("是您自己操作的,没问题", c).value().has("blame.customer"));
    CHECK_FALSE(lint("是您自己一二三四五六七八九十一没", c).value().has("blame.customer"));
    CHECK(lint("是您自己一二三四五六七八九十没", c).value().has("blame.customer"));
    const auto bounded = only("blame\t是{您|你}自己<gap:2>没\n");
    CHECK_FALSE(lint("是您自己操作的没", bounded).value().has("blame.customer"));
    CHECK(lint("是您自己弄的没", bounded).value().has("blame.customer"));
  }

  TEST_CASE("a sentence gap crosses commas but not the end of a sentence") {
    const auto c = only("conditional\t如果<sentence>我向您道歉\n");
    CHECK(lint("如果客服态度有问题,我向您道歉。", c).value().has("pseudo_apology.conditional"));
    CHECK_FALSE(lint("如果有问题请告诉我。我向您道歉。", c).value().has("pseudo_apology.conditional"));
  }

  TEST_CASE("a money slot needs an amount after the verb, and the amount is checked against authority") {
    auto r = lint("好的,退500给您。");
    CHECK(r.value().has("promise.over_authority"));
    CHECK(lint("好的,退150给您。").value().findings.empty());
    CHECK(lint("我们补偿您两千元。").value().has("promise.over_authority"));
    CHECK_FALSE(lint("我们补偿您两百元。").value().has("promise.over_authority"));
    CHECK(lint("I'll refund you $50 now.").value().has("promise.over_authority"));  // USD: no authority
    CHECK(lint("We will compensate you HK$300.").value().has("promise.over_authority"));
    LintContext hkd;
    hkd.agent_authority = Money::from_minor_units(500 * 100, Currency::HKD);
    CHECK_FALSE(lint("We will compensate you HK$300.", hkd).value().has("promise.over_authority"));
    // A number that counts days or items is no amount.
    CHECK_FALSE(lint("退3天内处理。").value().has("promise.over_authority"));
  }

  TEST_CASE("a number slot needs a number after the phrase") {
    const auto c = only("fact\t已经超过<number>\n");
    CHECK(lint("已经超过30天了。", c).value().has("order.facts_before_feelings"));
    CHECK(lint("已经超过三十天了。", c).value().has("order.facts_before_feelings"));
    CHECK_FALSE(lint("已经超过了。", c).value().has("order.facts_before_feelings"));
  }

  TEST_CASE("clause edges: <start> and <end> hold only at a clause's edge") {
    const auto c = only("refusal\t<start>不行<end>\n");
    CHECK(lint("不行。", c).value().has("refusal.no_reason"));
    CHECK(lint("这个嘛,不行!", c).value().has("refusal.no_reason"));
    CHECK_FALSE(lint("不行的话我再帮您看看", c).value().has("refusal.no_reason"));
    CHECK_FALSE(lint("这不行", c).value().has("refusal.no_reason"));
  }

  TEST_CASE("a scope consumes its text: the refusal inside 不能怪我们 is none") {
    auto r = lint("这个不能怪我们,是快递的问题。").value();
    CHECK(r.has("blame.defensive"));
    CHECK_FALSE(r.has("refusal.no_reason"));
    CHECK_FALSE(r.has("refusal.no_alternative"));
    CHECK(lint("不能让您在机场干等,我已经帮您改到今晚的航班。").value().findings.empty());
  }

  TEST_CASE("hosts add patterns through the policy like phrases") {
    LintContext c;
    c.policy = policy_with([](LintPolicy::Settings& s) { s.extra_phrases = {"policy\t本店{一律|统统}不{退|换}\t店规\n"}; });
    CHECK(lint("本店统统不换", c).value().has("policy_speak"));
    CHECK_FALSE(lint("本店统统不换").value().has("policy_speak"));
  }

  TEST_CASE("sets that differ only in a pattern's checks or gaps are not equal") {
    auto plain = PhraseSet::compile(std::array{PhraseTable{"a", "refusal\t不行\n"}}).value();
    auto edged = PhraseSet::compile(std::array{PhraseTable{"a", "refusal\t不行<end>\n"}}).value();
    auto gap10 = PhraseSet::compile(std::array{PhraseTable{"a", "blame\t是您…没\n"}}).value();
    auto gap3 = PhraseSet::compile(std::array{PhraseTable{"a", "blame\t是您<gap:3>没\n"}}).value();
    CHECK_FALSE(plain == edged);
    CHECK_FALSE(gap10 == gap3);
    CHECK(gap3 == PhraseSet::compile(std::array{PhraseTable{"b", "blame\t是您<gap:3>没\n"}}).value());
  }

  TEST_CASE("a malformed pattern is refused, naming its line") {
    for (const char* bad : {"policy\t{规定|政策\n", "policy\t规定]\n", "policy\t规定<gap:0>政策\n",
                            "policy\t规定<money>政策\n", "policy\t<nonsense>\n", "policy\t{|}\n"}) {
      CAPTURE(bad);
      auto set = PhraseSet::compile(std::array{PhraseTable{"mine.tsv", bad}});
      REQUIRE_FALSE(set);
      CHECK(set.error() == errc::invalid_argument);
      CHECK(last_error_detail().find("mine.tsv line 1") == 0);
    }
    std::string huge = "policy\t";
    for (int i = 0; i < 11; ++i) huge += "{a|b}";
    CHECK_FALSE(PhraseSet::compile(std::array{PhraseTable{"huge.tsv", huge}}));
    CHECK(last_error_detail().find("more than 1024") != std::string_view::npos);
  }

  TEST_CASE("a diagnostic question before the apology is reported, after it is not") {
    auto r = lint("您确定输对密码了吗?不好意思给您添麻烦了").value();
    REQUIRE(r.has("order.question_before_apology"));
    CHECK(r.findings[0].phrase == "您确定");
    CHECK_FALSE(lint("不好意思给您添麻烦了,您确认过收件地址吗?").value().has("order.question_before_apology"));
    CHECK(lint("Did you check your spam folder? Sorry for the hassle.").value().has("order.question_before_apology"));
    // A statement is no question.
    CHECK_FALSE(lint("您确定的地址我们已经改好了。抱歉让您久等。").value().has("order.question_before_apology"));
  }

  TEST_CASE("a reply in a language the lint does not read is never clean") {
    for (const char* text : {"Es tut mir leid, aber das ist unsere Richtlinie. Da kann ich leider nichts machen.",
                             "Nous sommes désolés, mais c'est notre politique.",
                             "Lo siento, pero es nuestra política.", "申し訳ございません。これは当社の規定です。",
                             "죄송합니다. 저희 정책입니다."}) {
      CAPTURE(text);
      auto r = lint(text).value();
      REQUIRE(r.findings.size() == 1);
      CHECK(r.findings[0].code == "lint.unsupported_language");
      CHECK(r.worst() == LintSeverity::warn);
    }
    // English and Chinese with a foreign name or word stay what they are.
    CHECK(lint("Thank you, Mr Der Berg, your parcel is on its way.").value().findings.empty());
    CHECK(lint("I'm so sorry, Frau Müller, I have sent a new one today.").value().findings.empty());
  }

  TEST_CASE("naming the feeling, taking the customer's side and offering help scores at least 60") {
    auto r = lint("换作是我也会觉得特别可惜和着急。您别担心,我马上帮您看看").value();
    CHECK(r.structure_score >= 60);
    CHECK(r.has(ApologyComponent::empathy));
    CHECK(r.has(ApologyComponent::feeling));
    CHECK(r.has(ApologyComponent::repair));
    CHECK(lint("请接受我的道歉。").value().structure_score < 20);
    CHECK(lint("很抱歉,但这是公司的规定。").value().structure_score < 20);
    CHECK(lint("I'm sorry, but rules are rules.").value().structure_score < 20);
  }

  TEST_CASE("full_score_points caps the score: a host may ask for every component") {
    LintContext c;
    c.policy = policy_with([](LintPolicy::Settings& s) { s.weights.full_score_points = 8000; });
    // With more points asked than all weights hold, the score is out of their sum.
    const int all = lint("换作是我也会觉得特别可惜和着急。您别担心,我马上帮您看看", c).value().structure_score;
    CHECK(all == (100 * 60 + 62) / 125);
    auto json = LintPolicy::from_json(R"({"weights": {"full_score_points": 125, "empathy": 0}})");
    REQUIRE(json);
    CHECK(json.value().settings().weights.full_score_points == 125);
    CHECK(json.value().settings().weights.empathy == 0);
    CHECK_FALSE(LintPolicy::from_json(R"({"weights": {"full_score_points": 0}})"));
  }
}

TEST_SUITE("reply fingerprints") {
  TEST_CASE("the same reply in another script, width or punctuation has the same fingerprint") {
    auto a = reply_fingerprint("您的订单正在处理中,请耐心等待。").value();
    auto b = reply_fingerprint("您的訂單正在處理中，請耐心等待！").value();
    CHECK(a == b);
    CHECK(reply_similarity(a, b) == 100);
    CHECK(reply_fingerprint("Your ORDER is being processed.").value() ==
          reply_fingerprint("your order is being processed").value());
  }

  TEST_CASE("a canned update with a word changed is near, an unrelated reply is not") {
    const std::string canned =
        "Thank you for your patience. Your case has been escalated to the relevant team and we will update you as "
        "soon as we hear back from them.";
    auto a = reply_fingerprint(canned).value();
    auto near = reply_fingerprint(
                    "Thank you for your patience. Your case has been escalated to the relevant team and we will "
                    "update you as soon as we hear back from them!!")
                    .value();
    auto edited = reply_fingerprint(
                      "Thanks for your patience. Your case has been escalated to the relevant team and we will update "
                      "you as soon as we hear back from them.")
                      .value();
    auto other = reply_fingerprint(
                     "I'm so sorry the parcel arrived broken; I've sent a replacement by express and refunded the "
                     "delivery fee.")
                     .value();
    CHECK(reply_similarity(a, near) == 100);
    CHECK(reply_similarity(a, edited) >= 80);
    CHECK(reply_similarity(a, other) < 50);
    CHECK(reply_similarity(a, edited) > reply_similarity(a, other));
    const std::array<ReplyFingerprint, 2> earlier{other, a};
    CHECK(is_repeated_reply(near, earlier));
    CHECK_FALSE(is_repeated_reply(other, std::span(earlier).first(0)));
    LintPolicy::Settings strict;
    strict.repeated_reply_similarity = 100;
    CHECK_FALSE(is_repeated_reply(edited, std::array{a}, LintPolicy::make(strict).value()));
  }

  TEST_CASE("fingerprints of Chinese replies tell a repeat from a new answer") {
    auto a = reply_fingerprint("您好,您的问题我们已经记录,会尽快反馈给相关部门处理,请您耐心等待。").value();
    auto again = reply_fingerprint("您好,您的问题我们已经记录,会尽快反馈给相关部门处理,请耐心等待。").value();
    auto fresh = reply_fingerprint("非常抱歉让您久等了,我刚和仓库确认,您的包裹今天下午会重新发出。").value();
    CHECK(reply_similarity(a, again) >= 80);
    CHECK(reply_similarity(a, fresh) < 50);
  }

  TEST_CASE("fingerprints refuse invalid UTF-8 and treat an empty text as zero") {
    auto bad = reply_fingerprint("ok\xff");
    REQUIRE_FALSE(bad);
    CHECK(bad.error() == errc::invalid_utf8);
    CHECK(reply_fingerprint("").value() == ReplyFingerprint{});
    CHECK(reply_fingerprint(" ,。 ").value() == ReplyFingerprint{});
    CHECK(reply_fingerprint("好").value() != ReplyFingerprint{});
  }

  TEST_CASE("the policy's repeated-reply threshold is checked and read from JSON") {
    LintPolicy::Settings s;
    s.repeated_reply_similarity = 101;
    CHECK(LintPolicy::make(s).error() == errc::invalid_argument);
    CHECK(last_error_detail() == "lint.repeated_reply_similarity: must be between 0 and 100");
    auto p = LintPolicy::from_json(R"({"repeated_reply_similarity": 75})");
    REQUIRE(p);
    CHECK(p.value().settings().repeated_reply_similarity == 75);
    CHECK(LintPolicy::standard().severity_of("reply.repeated") == LintSeverity::warn);
  }
}
