// Opening a store named on the command line.
#include "store_uri.hpp"

#include <cstdlib>
#include <string>
#include <type_traits>

#include <fmt/format.h>

#include <redress/detail/redact.hpp>

#if defined(REDRESS_CLI_HAS_SQLITE)
#include <redress/sqlite_store.hpp>
#endif
#if defined(REDRESS_CLI_HAS_PG)
#include <redress/pg_store.hpp>
#endif

namespace redress::cli {
namespace {

// The store options' master key fields from the command line: with none of
// them, the environment variable REDRESS_MASTER_KEY when it is set.
template <class Options>
Options with_keys(Options options, const StoreKeyOptions& keys) {
  options.master_key_file = keys.file;
  options.master_key_env = keys.env;
  options.insecure_plaintext = keys.insecure_plaintext;
  if (keys.file.empty() && keys.env.empty() && !keys.insecure_plaintext && std::getenv("REDRESS_MASTER_KEY")) {
    options.master_key_env = "REDRESS_MASTER_KEY";
  }
  return options;
}

template <class S>
OpenedStore share(S&& store) {
  using T = std::decay_t<S>;
  auto p = std::make_shared<T>(std::forward<S>(store));
  PersonalDataStore* personal = nullptr;
  if constexpr (std::is_base_of_v<PersonalDataStore, T>) personal = p.get();
  return OpenedStore{p, p.get(), p.get(), p.get(), personal};
}

result<OpenedStore> open_unredacted(std::string_view uri, const StoreKeyOptions& keys) {
  if (uri.starts_with("sqlite:")) {
#if defined(REDRESS_CLI_HAS_SQLITE)
    BOOST_OUTCOME_TRY(auto store, SqliteStore::open(std::string(uri.substr(7)), with_keys(SqliteOptions{}, keys)));
    return share(std::move(store));
#else
    return detail::fail(errc::invalid_argument, "--store: this redress was built without the SQLite store");
#endif
  }
  if (uri.starts_with("postgres:")) {
#if defined(REDRESS_CLI_HAS_PG)
    BOOST_OUTCOME_TRY(auto store, PgStore::open(uri.substr(9), with_keys(PgOptions{}, keys)));
    return share(std::move(store));
#else
    return detail::fail(errc::invalid_argument,
                        "--store: this redress was built without the PostgreSQL store (REDRESS_BUILD_PG=ON)");
#endif
  }
  return detail::fail(errc::invalid_argument,
                      fmt::format("--store: \"{}\" is neither sqlite:PATH nor postgres:CONNINFO", uri));
}

}  // namespace

bool is_durable_store_uri(std::string_view uri) {
  if (!uri.starts_with("sqlite:")) return true;
  const std::string_view path = uri.substr(7);
  // SQLite keeps these in memory, or in a temporary file deleted on close.
  return !(path.empty() || path == ":memory:" || path.starts_with("file::memory:") ||
           path.find("mode=memory") != std::string_view::npos);
}

bool parse_store_key_option(std::span<const std::string_view> args, std::size_t& i, StoreKeyOptions& keys) {
  const std::string_view a = args[i];
  const bool has_value = i + 1 < args.size();
  if (a == "--insecure-plaintext") {
    keys.insecure_plaintext = true;
    return true;
  }
  if (a == "--master-key-file" && has_value) {
    keys.file = args[++i];
    return true;
  }
  if (a == "--master-key-env" && has_value) {
    keys.env = args[++i];
    return true;
  }
  return false;
}

result<OpenedStore> open_store_uri(std::string_view uri, const StoreKeyOptions& keys) {
  auto opened = open_unredacted(uri, keys);
  // No message quotes a secret of the URI, whoever wrote it (libpq quotes the
  // part of a connection string it cannot parse).
  if (!opened) return detail::fail(static_cast<errc>(opened.error().value()), detail::redact(last_error_detail(), uri));
  return opened;
}

}  // namespace redress::cli
