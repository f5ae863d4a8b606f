// redress/detail/redact.hpp: keeping secrets of connection strings out of
// messages. Internal: not part of the public API.
//
// A PostgreSQL connection string is a URI (postgresql://user:secret@host/db?
// password=secret) or key=value pairs (host=h password='se cret'). Its
// secrets are the URI's password and the value of every key that names one
// (password, sslpassword, anything with "password", "secret", "token" or
// "passphrase" in it). redact() replaces each secret of `conninfo` found in
// `text` by "***", so a message that quotes the string, or a library's
// message that quotes a piece of it, leaks nothing.
#ifndef REDRESS_DETAIL_REDACT_HPP
#define REDRESS_DETAIL_REDACT_HPP

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace redress {
inline namespace v1 {
namespace detail {

inline bool is_secret_key(std::string_view key) {
  std::string k(key);
  std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::string_view word : {"password", "passwd", "pwd", "secret", "token", "passphrase"}) {
    if (k.find(word) != std::string::npos) return true;
  }
  return false;
}

// The secret values of `conninfo`, as they are written in it.
inline std::vector<std::string> connection_secrets(std::string_view conninfo) {
  std::vector<std::string> secrets;
  std::string_view s = conninfo;
  if (auto scheme = s.find("://"); scheme != std::string_view::npos) {
    std::string_view rest = s.substr(scheme + 3);
    // user:password@ before the host; the last '@' of the authority, or of
    // the whole rest when the URI is too broken to tell.
    std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
    std::size_t at = authority.rfind('@');
    if (at == std::string_view::npos) at = rest.rfind('@');
    if (at != std::string_view::npos) {
      std::string_view userinfo = rest.substr(0, at);
      if (auto colon = userinfo.find(':'); colon != std::string_view::npos && colon + 1 < userinfo.size()) {
        secrets.emplace_back(userinfo.substr(colon + 1));
      }
    }
    if (auto q = rest.find('?'); q != std::string_view::npos) {
      std::string_view query = rest.substr(q + 1);
      while (!query.empty()) {
        std::string_view pair = query.substr(0, query.find('&'));
        query.remove_prefix(std::min(query.size(), pair.size() + 1));
        auto eq = pair.find('=');
        if (eq != std::string_view::npos && eq + 1 < pair.size() && is_secret_key(pair.substr(0, eq))) {
          secrets.emplace_back(pair.substr(eq + 1));
        }
      }
    }
    return secrets;
  }
  // key = value pairs; a value is 'quoted' (\' and \\ escaped) or runs to a space.
  std::size_t i = 0;
  auto space = [&](std::size_t j) { return j < s.size() && std::isspace(static_cast<unsigned char>(s[j])); };
  while (i < s.size()) {
    while (space(i)) ++i;
    std::size_t key_start = i;
    while (i < s.size() && s[i] != '=' && !space(i)) ++i;
    std::string_view key = s.substr(key_start, i - key_start);
    while (space(i)) ++i;
    if (i >= s.size() || s[i] != '=') {
      ++i;
      continue;
    }
    ++i;
    while (space(i)) ++i;
    std::size_t value_start = i;
    if (i < s.size() && s[i] == '\'') {
      ++i;
      while (i < s.size() && s[i] != '\'') i += s[i] == '\\' ? 2 : 1;
      i = std::min(s.size(), i + 1);
    } else {
      while (i < s.size() && !space(i)) ++i;
    }
    std::string_view value = s.substr(value_start, i - value_start);
    if (is_secret_key(key) && !value.empty()) {
      secrets.emplace_back(value);
      // The unquoted form too, as a library may quote it back without quotes.
      if (value.size() >= 2 && value.front() == '\'') secrets.emplace_back(value.substr(1, value.size() - 2));
    }
  }
  return secrets;
}

// `text` with every secret of `conninfo` replaced by "***".
inline std::string redact(std::string_view text, std::string_view conninfo) {
  std::string out(text);
  auto secrets = connection_secrets(conninfo);
  // Longest first, so a secret that contains another is replaced whole.
  std::sort(secrets.begin(), secrets.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    for (std::size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at + 3)) {
      out.replace(at, secret.size(), "***");
    }
  }
  return out;
}

}  // namespace detail
}  // namespace v1
}  // namespace redress

#endif
