// Opening a store named on the command line: `sqlite:PATH` or
// `postgres:CONNINFO` (docs/cli.md).
#ifndef REDRESS_TOOLS_CLI_STORE_URI_HPP
#define REDRESS_TOOLS_CLI_STORE_URI_HPP

#include <memory>
#include <string_view>

#include <redress/store.hpp>

namespace redress::cli {

// A store opened from a URI: one object that is a journal store, a
// follow-up store and a step store (commit and the outbox), kept alive by
// `owner`.
struct OpenedStore {
  std::shared_ptr<void> owner;
  JournalStore* journal = nullptr;
  FollowUpStore* follow_ups = nullptr;
  StepStore* steps = nullptr;
};

// Opens `uri`. Fails with errc::invalid_argument (naming "--store") for a
// scheme this build does not know or has no store for, or with the store's
// own error.
// Messages never quote a secret of `uri` (detail/redact.hpp).
result<OpenedStore> open_store_uri(std::string_view uri);

// False for a URI whose store keeps nothing once the process ends
// (sqlite::memory:, sqlite: with no path, SQLite's mode=memory).
bool is_durable_store_uri(std::string_view uri);

}  // namespace redress::cli

#endif
