// redress erase: honour a customer's erasure request (docs/privacy.md).
#include <boost/json.hpp>
#include <fmt/format.h>

#include <redress/store.hpp>

#include "command.hpp"
#include "store_uri.hpp"
#include "text.hpp"

namespace redress::cli {
namespace {

constexpr std::string_view kHelp = R"(usage: redress erase --store URI --customer ID [options]

Erases a customer's personal data from a store: deletes their data key and
their contact-index entries, rewrites the personal fields of their events as
"[erased]" (contact points are left out) and drops their undelivered
actions. Their cases stay: journals still replay, reports still count them.
Writes one JSON line: {"customer", "cases", "events_rewritten",
"index_entries", "key_deleted"}. Erasing again changes nothing more.

options:
  --store URI        sqlite:PATH or postgres:CONNINFO (required)
  --customer ID      the customer's id, as the cases were opened with (required)
  --master-key-file FILE  the store's master key, 64 hex digits (default: $REDRESS_MASTER_KEY)
  --master-key-env NAME   the environment variable holding the master key
  --insecure-plaintext    the store keeps personal data in clear text
  -h, --help         this text

exit status: 0 erased, 2 a usage error (or a store that cannot be opened as
given), 3 the store failed (nothing was changed; run again).
)";

int usage(std::string_view why) {
  fmt::print(stderr, "redress erase: {}\n\n{}", why, kHelp);
  return 2;
}

int run(std::span<const std::string_view> args) {
  if (wants_help(args)) {
    fmt::print("{}", kHelp);
    return 0;
  }
  std::string store_uri;
  std::string customer_text;
  StoreKeyOptions keys;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--store" && has_value) {
      store_uri = args[++i];
    } else if (a == "--customer" && has_value) {
      customer_text = args[++i];
    } else if (!parse_store_key_option(args, i, keys)) {
      return usage(fmt::format("unexpected argument \"{}\"", terminal_safe(a)));
    }
  }
  if (store_uri.empty()) return usage("which store? (--store sqlite:PATH or postgres:CONNINFO)");
  if (customer_text.empty()) return usage("whose data? (--customer ID)");
  auto customer = CustomerId::make(customer_text);
  if (!customer) return usage(fmt::format("--customer: {}", terminal_safe(last_error_detail())));
  auto store = open_store_uri(store_uri, keys);
  if (!store) {
    fmt::print(stderr, "redress erase: {}\n", terminal_safe(last_error_detail()));
    return store.error() == errc::invalid_argument ? 2 : 3;
  }
  if (store.value().personal == nullptr) {
    fmt::print(stderr, "redress erase: --store: this store does not support erasure\n");
    return 2;
  }
  auto done = store.value().personal->erase(customer.value());
  if (!done) {
    fmt::print(stderr, "redress erase: {}\n", terminal_safe(last_error_detail()));
    return 3;
  }
  const auto& e = done.value();
  boost::json::object out{{"customer", customer.value().str()},
                          {"cases", e.cases},
                          {"events_rewritten", e.events_rewritten},
                          {"index_entries", e.index_entries},
                          {"key_deleted", e.key_deleted}};
  fmt::print("{}\n", boost::json::serialize(out));
  return 0;
}

}  // namespace

REDRESS_CLI_COMMAND("erase", "erase a customer's personal data from a store (their cases stay)", run);

}  // namespace redress::cli
