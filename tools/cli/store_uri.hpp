// Opening a store named on the command line: `sqlite:PATH` or
// `postgres:CONNINFO` (docs/cli.md).
#ifndef REDRESS_TOOLS_CLI_STORE_URI_HPP
#define REDRESS_TOOLS_CLI_STORE_URI_HPP

#include <cstddef>
#include <memory>
#include <span>
#include <string>
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
  // The contact index and erasure (both stores have them).
  PersonalDataStore* personal = nullptr;
};

// Where a store's master key is (docs/privacy.md): --master-key-file FILE,
// --master-key-env NAME, or --insecure-plaintext. With none of them, the
// environment variable REDRESS_MASTER_KEY when it is set.
struct StoreKeyOptions {
  std::string file;
  std::string env;
  bool insecure_plaintext = false;
};

// Takes args[i] (and its value) when it is one of the key options; advances
// `i` past its value. False for another argument.
bool parse_store_key_option(std::span<const std::string_view> args, std::size_t& i, StoreKeyOptions& keys);

// Opens `uri`. Fails with errc::invalid_argument (naming "--store") for a
// scheme this build does not know or has no store for, or with the store's
// own error.
// Messages never quote a secret of `uri` (detail/redact.hpp).
result<OpenedStore> open_store_uri(std::string_view uri, const StoreKeyOptions& keys = {});

// False for a URI whose store keeps nothing once the process ends
// (sqlite::memory:, sqlite: with no path, SQLite's mode=memory).
bool is_durable_store_uri(std::string_view uri);

}  // namespace redress::cli

#endif
