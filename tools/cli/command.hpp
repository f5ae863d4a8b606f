// The redress CLI's command registry. Each tools/cli/*.cpp file defines one
// subcommand and registers it with REDRESS_CLI_COMMAND; main.cpp dispatches.
#ifndef REDRESS_TOOLS_CLI_COMMAND_HPP
#define REDRESS_TOOLS_CLI_COMMAND_HPP

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <redress/error.hpp>

namespace redress::cli {

// A subcommand. `run` receives the arguments after the command name and
// returns the process exit code: 0 success, 1 a finding or failure the
// command reports, 2 a usage error.
struct Command {
  std::string_view name;
  std::string_view summary;  // one line for `redress --help`
  int (*run)(std::span<const std::string_view> args);
};

bool register_command(const Command& command);

// True when `args` asks for help (-h or --help anywhere).
bool wants_help(std::span<const std::string_view> args);

// Where the bundled data lives: calendars/, phrases/, policies/ and
// scenarios/. In order: the environment variable REDRESS_DATA_DIR; the
// directory REDRESS_DATA_DIR_FROM_BIN (e.g. "../share/redress") relative to
// the directory of the running executable, so an installed prefix can be
// moved anywhere. The build tree has the same layout (build/bin/redress and
// build/share/redress). Empty when neither can be found. `--data DIR` in the
// commands overrides it.
std::string default_data_dir();

// What to say when default_data_dir() is empty and no --data was given.
inline constexpr std::string_view kNoDataDir =
    "cannot find redress's data directory (share/redress beside the installed binary); "
    "set REDRESS_DATA_DIR or pass --data DIR";

// The policy a command uses when none is given: the bundled coupon-marketplace
// policy in `data_dir`/policies/. Empty when `data_dir` is.
std::string default_policy_file(const std::string& data_dir);

// The largest document read from a file or standard input (docs/security.md):
// a policy, a calendar, a lint policy or a text to lint; a scenario (its
// events inline) may be larger.
inline constexpr std::size_t kMaxDocumentBytes = std::size_t{1} << 20;  // 1 MiB
inline constexpr std::size_t kMaxScenarioBytes = std::size_t{4} << 20;  // 4 MiB

// The whole content of the file at `path` ("-" reads standard input), or
// nullopt when it cannot be read: missing, a directory, unreadable, or longer
// than `max_bytes`.
std::optional<std::string> read_file(std::string_view path, std::size_t max_bytes = kMaxDocumentBytes);

// As read_file(), but the error (errc::invalid_argument) says why, naming
// `what` ("policy.calendar") and the path, never the file's content.
result<std::string> read_document(std::string_view path, std::string_view what,
                                  std::size_t max_bytes = kMaxDocumentBytes);

// Writes a page (an HTML report) to `path`, "-" for standard output, and
// says so on standard error unless `quiet`. False, after saying why on
// standard error as `command`, when the file cannot be written.
bool write_page(std::string_view command, std::string_view path, std::string_view page, bool quiet);

}  // namespace redress::cli

#define REDRESS_CLI_CONCAT2(a, b) a##b
#define REDRESS_CLI_CONCAT(a, b) REDRESS_CLI_CONCAT2(a, b)
#define REDRESS_CLI_COMMAND(name, summary, fn)                            \
  static const bool REDRESS_CLI_CONCAT(redress_cli_registered_, __LINE__) = \
      ::redress::cli::register_command({name, summary, fn})

#endif
