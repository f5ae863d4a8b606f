// How every store protects personal data, whatever it keeps its rows in
// (docs/privacy.md):
//   - the master key the host supplies (a file or an environment variable),
//     or the host's explicit choice of clear text;
//   - per-customer data keys (XChaCha20-Poly1305), wrapped by the master key;
//   - the personal fields of an event's journal JSON, split off to be sealed
//     with the customer's data key, merged back when read, and read as
//     "[erased]" once the customer is erased;
//   - keyed BLAKE2b hashes of contact points for the contact index.
// Header-only, like store_rows.hpp: each store target compiles its own copy
// and links libsodium privately.
#ifndef REDRESS_SRC_STORE_SEALING_HPP
#define REDRESS_SRC_STORE_SEALING_HPP

#include <array>
#include <charconv>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <sodium.h>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <redress/contact.hpp>
#include <redress/error.hpp>
#include <redress/ids.hpp>

namespace redress {
inline namespace v1 {
namespace detail::store {

inline constexpr std::size_t kKeyBytes = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;
inline constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
inline constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
inline constexpr std::size_t kHashBytes = 32;
using Key = std::array<unsigned char, kKeyBytes>;
using ContactHash = std::array<unsigned char, kHashBytes>;

// What a personal field reads back as once its customer is erased.
inline constexpr std::string_view kErased = "[erased]";

// The members of an event's journal JSON that hold personal data: the
// contact point, and every free text the customer or an agent wrote. (The
// ids, amounts, kinds and the names of third parties are not personal.)
inline constexpr std::array<std::string_view, 8> kPersonalFields{"from",   "text", "summary", "content",
                                                                 "reason", "what", "request", "description"};

// Moves the personal members of `event` (an event's journal JSON) into the
// object returned, leaving null in their place; empty when it has none.
inline boost::json::object split_personal(boost::json::object& event) {
  boost::json::object personal;
  for (const auto key : kPersonalFields) {
    auto it = event.find(key);
    if (it == event.end() || it->value().is_null()) continue;
    personal[key] = std::move(it->value());
    it->value() = nullptr;
  }
  return personal;
}

// Puts the members split_personal() took back into `event`.
inline void merge_personal(boost::json::object& event, const boost::json::object& personal) {
  for (const auto& kv : personal) event[kv.key()] = kv.value();
}
// The same, moving the members (without a copy when both share a storage).
inline void merge_personal(boost::json::object& event, boost::json::object&& personal) {
  for (auto& kv : personal) event[kv.key()] = std::move(kv.value());
}

// What an erased customer's event reads back as: every personal member that
// was split off (null) or is still present becomes "[erased]", except the
// contact point, which is left out.
inline void mark_erased(boost::json::object& event) {
  for (const auto key : kPersonalFields) {
    auto it = event.find(key);
    if (it == event.end()) continue;
    if (key == "from") {
      event.erase(it);
    } else {
      it->value() = boost::json::string(kErased);
    }
  }
}

// The clear bytes of a key, wiped when it goes away.
struct SecretKey {
  Key bytes{};
  SecretKey() = default;
  SecretKey(const SecretKey&) = default;
  SecretKey& operator=(const SecretKey&) = default;
  ~SecretKey() { sodium_memzero(bytes.data(), bytes.size()); }
};

inline result<void> sodium_ready() {
  if (sodium_init() < 0) return fail(errc::internal_error, "libsodium could not be initialised");
  return boost::outcome_v2::success();
}

// The master key named by a store's options: read from `file` or from the
// environment variable `env` (64 hex digits, surrounding white space
// ignored), or none when the host chose `insecure_plaintext`. The key is
// never quoted in an error.
inline result<std::optional<SecretKey>> load_master_key(const std::string& file, const std::string& env,
                                                        bool insecure_plaintext) {
  BOOST_OUTCOME_TRYV(sodium_ready());
  const int given = (file.empty() ? 0 : 1) + (env.empty() ? 0 : 1) + (insecure_plaintext ? 1 : 0);
  if (given == 0) {
    return fail(errc::invalid_argument,
                "options.master_key_file, options.master_key_env: neither is given; name the file or the "
                "environment variable that holds the master key (64 hex digits), or set "
                "options.insecure_plaintext to keep personal data in clear text");
  }
  if (given > 1) {
    return fail(errc::invalid_argument,
                "options: give one of master_key_file, master_key_env and insecure_plaintext, not several");
  }
  if (insecure_plaintext) return std::optional<SecretKey>();
  std::string text;
  std::string field;
  if (!file.empty()) {
    field = "options.master_key_file";
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      return fail(errc::invalid_argument,
                  fmt::format("{}: \"{}\" cannot be read ({})", field, file, std::strerror(errno)));
    }
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } else {
    field = "options.master_key_env";
    const char* value = std::getenv(env.c_str());
    if (value == nullptr) {
      return fail(errc::invalid_argument, fmt::format("{}: the environment variable \"{}\" is not set", field, env));
    }
    text = value;
  }
  const auto first = text.find_first_not_of(" \t\r\n");
  const auto last = text.find_last_not_of(" \t\r\n");
  const std::string_view hex =
      first == std::string::npos ? std::string_view() : std::string_view(text).substr(first, last - first + 1);
  SecretKey key;
  std::size_t written = 0;
  const char* end = nullptr;
  const bool ok = hex.size() == 2 * kKeyBytes &&
                  sodium_hex2bin(key.bytes.data(), key.bytes.size(), hex.data(), hex.size(), nullptr, &written,
                                 &end) == 0 &&
                  written == kKeyBytes && end == hex.data() + hex.size();
  sodium_memzero(text.data(), text.size());
  if (!ok) {
    return fail(errc::invalid_argument,
                fmt::format("{}: the key is not 64 hex digits (32 bytes); make one with "
                            "`head -c 32 /dev/urandom | xxd -p -c 64`",
                            field));
  }
  return std::optional<SecretKey>(std::move(key));
}

// A customer's data key: clear, and as stored (wrapped by the master key).
struct DataKey {
  SecretKey key;
  std::string wrapped;
};

// The keys of one open store: the master key (none in clear-text mode), the
// key of the contact index derived from it, and the data keys unwrapped so
// far, by customer.
class Sealer {
 public:
  explicit Sealer(std::optional<SecretKey> master) : master_(std::move(master)) {
    // The contact index's key: derived from the master key; in clear-text
    // mode a fixed one (the hashes then protect nothing, as documented).
    static constexpr std::string_view kIndexLabel = "redress contact index v1";
    crypto_generichash(index_key_.bytes.data(), index_key_.bytes.size(),
                       reinterpret_cast<const unsigned char*>(kIndexLabel.data()), kIndexLabel.size(),
                       master_ ? master_->bytes.data() : nullptr, master_ ? kKeyBytes : 0);
  }

  bool encrypting() const noexcept { return master_.has_value(); }

  // What the store records to recognise its master key: a keyed hash of a
  // fixed text, "plaintext" in clear-text mode.
  std::string protection() const {
    if (!master_) return "plaintext";
    static constexpr std::string_view kCheck = "redress master key check v1";
    std::array<unsigned char, 16> check{};
    crypto_generichash(check.data(), check.size(), reinterpret_cast<const unsigned char*>(kCheck.data()),
                       kCheck.size(), master_->bytes.data(), kKeyBytes);
    std::array<char, 2 * 16 + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), check.data(), check.size());
    return fmt::format("encrypted:{}", hex.data());
  }

  // The keyed BLAKE2b hash of a contact point: what the contact index keeps.
  ContactHash contact_hash(const ContactPoint& point) const {
    const auto message = fmt::format("{}:{}", to_string(point.kind()), point.value());
    ContactHash out{};
    crypto_generichash(out.data(), out.size(), reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       index_key_.bytes.data(), kKeyBytes);
    return out;
  }

  // A new data key for `customer`, wrapped (nonce, then ciphertext) with the
  // customer's id as associated data.
  DataKey new_data_key(const CustomerId& customer) const {
    DataKey out;
    crypto_aead_xchacha20poly1305_ietf_keygen(out.key.bytes.data());
    out.wrapped = seal_with(master_->bytes, std::string_view(reinterpret_cast<const char*>(out.key.bytes.data()),
                                                             kKeyBytes),
                            wrap_ad(customer));
    return out;
  }

  // The clear data key of `customer` stored as `wrapped`, from the cache or
  // unwrapped; nullopt when it does not unwrap (damaged, or another master key).
  const SecretKey* data_key(const CustomerId& customer, std::string_view wrapped) {
    auto it = cache_.find(customer.str());
    if (it != cache_.end() && it->second.wrapped == wrapped) return &it->second.key;
    const auto clear = open_with(master_->bytes, wrapped, wrap_ad(customer));
    if (!clear || clear->size() != kKeyBytes) return nullptr;
    if (cache_.size() >= kMaxCached) cache_.clear();
    DataKey& slot = cache_[std::string(customer.str())];
    std::memcpy(slot.key.bytes.data(), clear->data(), kKeyBytes);
    slot.wrapped = std::string(wrapped);
    return &slot.key;
  }

  // Forgets a customer's clear data key (after erasure).
  void forget(const CustomerId& customer) {
    if (auto it = cache_.find(customer.str()); it != cache_.end()) cache_.erase(it);
  }

  // `clear` sealed with `key`: a fresh random nonce, then the ciphertext
  // with its tag, bound to `ad` (where the bytes belong).
  static std::string seal_with(const Key& key, std::string_view clear, std::string_view ad) {
    std::string out(kNonceBytes + clear.size() + kTagBytes, '\0');
    auto* p = reinterpret_cast<unsigned char*>(out.data());
    randombytes_buf(p, kNonceBytes);
    unsigned long long written = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(p + kNonceBytes, &written,
                                               reinterpret_cast<const unsigned char*>(clear.data()), clear.size(),
                                               reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr,
                                               p, key.data());
    return out;
  }

  // How many clear bytes `sealed` holds; 0 when it is too short to be sealed.
  static std::size_t clear_size(std::string_view sealed) noexcept {
    return sealed.size() < kNonceBytes + kTagBytes ? 0 : sealed.size() - kNonceBytes - kTagBytes;
  }

  // The clear bytes of `sealed` written to `out` (clear_size(sealed) of
  // them); false when it does not authenticate.
  static bool open_into(const Key& key, std::string_view sealed, std::string_view ad, unsigned char* out) noexcept {
    if (sealed.size() < kNonceBytes + kTagBytes) return false;
    const auto* p = reinterpret_cast<const unsigned char*>(sealed.data());
    unsigned long long written = 0;
    return crypto_aead_xchacha20poly1305_ietf_decrypt(out, &written, nullptr, p + kNonceBytes,
                                                      sealed.size() - kNonceBytes,
                                                      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), p,
                                                      key.data()) == 0;
  }

  // The clear bytes of `sealed`, nullopt when it does not authenticate.
  static std::optional<std::string> open_with(const Key& key, std::string_view sealed, std::string_view ad) {
    if (sealed.size() < kNonceBytes + kTagBytes) return std::nullopt;
    std::string out(clear_size(sealed), '\0');
    if (!open_into(key, sealed, ad, reinterpret_cast<unsigned char*>(out.data()))) return std::nullopt;
    return out;
  }

 private:
  static constexpr std::size_t kMaxCached = 4096;
  static std::string wrap_ad(const CustomerId& customer) { return fmt::format("redress data key|{}", customer.str()); }

  std::optional<SecretKey> master_;
  SecretKey index_key_;
  std::map<std::string, DataKey, std::less<>> cache_;
};

// The associated data that binds a sealed event to its place in the journal,
// and a sealed action to its outbox id.
inline std::string event_ad(std::string_view case_id, std::int64_t seq) {
  return fmt::format("redress event|{}|{}", case_id, seq);
}
// event_ad() written into `out`, without allocating for a usual case id.
// Read for every sealed event of a scan: appended by hand, which costs a
// fraction of formatting it.
inline std::string_view event_ad(fmt::memory_buffer& out, std::string_view case_id, std::int64_t seq) {
  constexpr std::string_view prefix = "redress event|";
  char digits[24];
  const auto* end = std::to_chars(digits, digits + sizeof digits, seq).ptr;
  out.clear();
  out.append(prefix.data(), prefix.data() + prefix.size());
  out.append(case_id.data(), case_id.data() + case_id.size());
  out.push_back('|');
  out.append(static_cast<const char*>(digits), end);
  return {out.data(), out.size()};
}
inline std::string action_ad(std::string_view action_id) { return fmt::format("redress action|{}", action_id); }
// The associated data a sealed fix notice is bound to: its id.
inline std::string fix_notice_ad(std::string_view notice_id) {
  return fmt::format("redress fix notice|{}", notice_id);
}

}  // namespace detail::store
}  // namespace v1
}  // namespace redress

#endif  // REDRESS_SRC_STORE_SEALING_HPP
