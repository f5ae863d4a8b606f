// Writes a SQLite store of generated cases for the report tests and for
// timing `redress report` on a large store, with the policy document the
// journals were made under beside it (PATH.policy.json): the report must
// replay them under the same policy.
//
//   report_make_store PATH [--events N] [--seed S] [--weeks W]
//
// Cases are generated (tests/support/journal_generator.hpp) until the store
// holds at least N events (default 2000), opened over W weeks (default 6)
// from Monday 2025-03-03, about causes in English and Chinese.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <redress/sqlite_store.hpp>

#include "support/journal_generator.hpp"
#include "support/policy_document.hpp"

namespace {

constexpr std::array<std::string_view, 9> kCauses{
    "coupon.expiry", "payment.duplicate_charge", "delivery.late", "product.defective", "app.redemption_failure",
    "配送.延误", "客服.承诺未兑现", "billing <legacy> & refunds", ""};

int fail(std::string_view what) {
  fmt::print(stderr, "report_make_store: {}: {}\n", what, redress::last_error_detail());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fmt::print(stderr, "usage: report_make_store PATH [--events N] [--seed S] [--weeks W]\n");
    return 2;
  }
  std::string path = argv[1];
  long events_wanted = 2000, seed = 1, weeks = 6;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string_view flag = argv[i];
    long v = std::strtol(argv[i + 1], nullptr, 10);
    if (flag == "--events") events_wanted = v;
    else if (flag == "--seed") seed = v;
    else if (flag == "--weeks") weeks = v;
    else return fmt::print(stderr, "report_make_store: unknown option {}\n", flag), 2;
  }

  auto doc = redress::testing::policy_document_in(
      REDRESS_TEST_DATA_DIR, boost::json::object{{"severities", boost::json::object{{"remedy.cash_without_loss", "warn"}}}});
  std::ofstream(path + ".policy.json") << boost::json::serialize(doc);
  auto policy = redress::ReferencePolicy::from_json(doc);
  if (!policy) return fail("policy");
  std::remove(path.c_str());
  redress::SqliteOptions options;
  options.master_key_env = "REDRESS_MASTER_KEY";  // as the CLI that reports on it reads it
  auto store = redress::SqliteStore::open(path, options);
  if (!store) return fail(path);

  const auto first = redress::parse_instant("2025-03-03T02:00:00Z").value();
  long events = 0, cases = 0;
  for (unsigned batch = 0; events < events_wanted; ++batch) {
    auto specs = redress::testing::random_specs(500, static_cast<unsigned>(seed) * 7919 + batch, first,
                                                static_cast<int>(weeks * 7), kCauses);
    for (auto& spec : specs) {
      if (events >= events_wanted) break;
      spec.id = fmt::format("C-{:07}", cases);
      auto g = redress::testing::generate_case(spec, policy.value());
      if (!g) return fail(spec.id);
      auto header = redress::CaseHeader::of(g.value().initial);
      auto appended = store.value().append(header, g.value().journal, 0, redress::state_of(g.value().final_case));
      if (!appended) return fail(spec.id);
      events += static_cast<long>(g.value().journal.size());
      ++cases;
    }
  }
  fmt::print("{} cases, {} events in {}\n", cases, events, path);
  return 0;
}
