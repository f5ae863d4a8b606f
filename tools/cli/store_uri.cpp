// Opening a store named on the command line.
#include "store_uri.hpp"

#include <string>

#include <fmt/format.h>

#if defined(REDRESS_CLI_HAS_SQLITE)
#include <redress/sqlite_store.hpp>
#endif
#if defined(REDRESS_CLI_HAS_PG)
#include <redress/pg_store.hpp>
#endif

namespace redress::cli {
namespace {

template <class S>
OpenedStore share(S&& store) {
  auto p = std::make_shared<std::decay_t<S>>(std::forward<S>(store));
  return OpenedStore{p, p.get(), p.get(), p.get()};
}

}  // namespace

result<OpenedStore> open_store_uri(std::string_view uri) {
  if (uri.starts_with("sqlite:")) {
#if defined(REDRESS_CLI_HAS_SQLITE)
    BOOST_OUTCOME_TRY(auto store, SqliteStore::open(std::string(uri.substr(7))));
    return share(std::move(store));
#else
    return detail::fail(errc::invalid_argument, "--store: this redress was built without the SQLite store");
#endif
  }
  if (uri.starts_with("postgres:")) {
#if defined(REDRESS_CLI_HAS_PG)
    BOOST_OUTCOME_TRY(auto store, PgStore::open(uri.substr(9)));
    return share(std::move(store));
#else
    return detail::fail(errc::invalid_argument,
                        "--store: this redress was built without the PostgreSQL store (REDRESS_BUILD_PG=ON)");
#endif
  }
  return detail::fail(errc::invalid_argument,
                      fmt::format("--store: \"{}\" is neither sqlite:PATH nor postgres:CONNINFO", uri));
}

}  // namespace redress::cli
