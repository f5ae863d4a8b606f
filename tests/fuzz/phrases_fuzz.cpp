// A host's phrase table in the lint's pattern language (docs/lint.md, "Rules"):
// compiled on its own, then matched and linted against replies that reach
// every construct (gaps, clause edges, money, Traditional characters, English
// words). Every match must lie inside the text it was found in.
#include <array>
#include <string>
#include <string_view>

#include <boost/json.hpp>

#include <redress/lint.hpp>

#include "fuzz.hpp"

namespace {

constexpr std::array<std::string_view, 6> kReplies{
    "非常抱歉，是您自己没看清楚规则，我们的员工一向很专业。",
    "如果客服态度有问题,我向您道歉。退您500元,补偿您两百元,三天内处理。",
    "本店商品概不退換，只能換貨不退款。",
    "Sorry if you feel that way. We will refund $20 within 2 days, you should have checked.",
    "I'm really sorry, it's frustrating to find the coupon you saved has run out!",
    "您确定输对密码了吗?不好意思给您添麻烦了……"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view table = redress::fuzz::as_text(data, size);
  std::array tables{redress::PhraseTable{"fuzz", table}};
  auto set = redress::PhraseSet::compile(tables);
  if (set) {
    for (auto reply : kReplies) {
      auto found = set.value().find_all(reply);
      REDRESS_FUZZ_CHECK(found.has_value());
      for (const auto& m : found.value()) {
        REDRESS_FUZZ_CHECK(m.phrase < set.value().size());
        REDRESS_FUZZ_CHECK(m.span.begin_byte <= m.span.end_byte && m.span.end_byte <= reply.size());
      }
      REDRESS_FUZZ_CHECK(set.value().count(reply).value() == found.value().size());
    }
  }
  redress::LintPolicy::Settings settings;
  settings.extra_phrases = {std::string(table)};
  settings.replace_standard_phrases = true;
  auto policy = redress::LintPolicy::make(std::move(settings));
  if (!policy) return 0;
  redress::LintContext context;
  context.policy = std::move(policy).value();
  for (auto reply : kReplies) {
    auto report = redress::lint(reply, context);
    if (report) (void)boost::json::serialize(redress::to_json(report.value()));
  }
  return 0;
}
