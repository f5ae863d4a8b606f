// redress/contact.hpp: the ways a customer can be reached, normalised.
//
// A customer comes back through a phone number, an e-mail address or an
// account with some provider (an app login, a WeChat id). Repeat-contact
// matching attaches a new contact to an open case when its contact point
// equals one already on the case, so two spellings of the same point must
// become the same value. `ContactPoint` does that at construction:
//
//   - phone:   E.164, "+8613812345678". Spaces, dashes, dots, parentheses and
//              full-width characters (１３８－…, ＋８６) are accepted and dropped;
//              "+", "00" (China's international prefix) or a bare national
//              number in the default country (+86 unless told otherwise) are
//              understood; a single leading trunk "0" of a national number is
//              dropped (010 1234 5678 is +861012345678).
//   - email:   surrounding white space trimmed, and the whole address folded
//              to lower case, local part included: providers and CRMs treat
//              "Alice@Example.COM" and "alice@example.com" as one mailbox.
//              Nothing else is rewritten (no removal of dots or "+tags": that
//              is one provider's rule and would merge different people).
//   - account: "provider:id" ("wechat:wxid_abc", "app:10086"); the provider is
//              folded to lower case, the id is kept byte for byte (provider
//              ids are case-sensitive).
//
// Input that does not normalise fails with errc::invalid_contact, and
// last_error_detail() quotes the input and says why ("a mobile number in
// China has 11 digits, this has 10").
//
// ContactPoint is regular, ordered (kind, then value), hashable, formattable
// (<redress/fmt.hpp>) and serialisable (<redress/json.hpp>).
#ifndef REDRESS_CONTACT_HPP
#define REDRESS_CONTACT_HPP

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <redress/error.hpp>

namespace redress {
inline namespace v1 {

// ContactKind
//
// What a ContactPoint's value is.
enum class ContactKind : std::uint8_t {
  phone,    // an E.164 telephone number
  email,    // an e-mail address
  account,  // an account with a provider, "provider:id"
};

// kContactKinds
//
// Every ContactKind, in declaration order.
inline constexpr std::array<ContactKind, 3> kContactKinds{ContactKind::phone, ContactKind::email, ContactKind::account};

// to_string(ContactKind)
//
// "phone", "email" or "account".
constexpr std::string_view to_string(ContactKind kind) noexcept {
  constexpr std::array<std::string_view, 3> kNames{"phone", "email", "account"};
  auto i = static_cast<std::size_t>(kind);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

// parse_contact_kind()
//
// The ContactKind spelled `text` as to_string() writes it.
// Fails with errc::invalid_argument, naming the text.
result<ContactKind> parse_contact_kind(std::string_view text);

// ContactPoint
//
// A normalised phone number, e-mail address or provider account.
// Invariant: value() is in the normal form of kind() described above, so
// equal contact points are the same person's same point.
//
// Example:
//   using redress::ContactPoint;
//   auto a = ContactPoint::phone("138-1234-5678").value();
//   auto b = ContactPoint::phone("+86 (138) 1234 5678").value();
//   bool same = a == b;                   // true
//   std::string_view number = a.value();  // "+8613812345678"
//   auto mail = ContactPoint::email(" Alice@Example.COM ").value();  // mail.value() == "alice@example.com"
class ContactPoint {
 public:
  // The country calling code assumed for national phone numbers: China.
  static constexpr int kDefaultCountryCode = 86;

  // ContactPoint::phone()
  //
  // Normalises a phone number to E.164. A number without "+" or "00" is
  // national in `default_country_code` (86 China, 852 Hong Kong, 1 NANP...).
  // Numbers in +86 are checked against China's plan: mobiles 1[3-9] + 9
  // digits, Beijing 10 + 8 digits, other areas 10 or 11 digits with the trunk
  // 0 removed. +1, +44, +65, +81, +82, +852, +853 and +886 are checked for
  // their national lengths; other countries for E.164's 8 to 15 digits.
  // Fails with errc::invalid_contact (wrong length, a stray character, no
  // digits), or errc::invalid_argument when default_country_code is not
  // 1..999.
  static result<ContactPoint> phone(std::string_view text, int default_country_code = kDefaultCountryCode);

  // ContactPoint::email()
  //
  // Normalises an e-mail address: trims, folds to lower case, and checks the
  // shape local@domain.tld: a dot-atom local part of 1..64 characters, a
  // domain of at least two labels of letters, digits and inner hyphens, at
  // most 254 characters in all. Quoted local parts, IP-literal domains and
  // non-ASCII addresses (give the domain in punycode) are refused.
  // Fails with errc::invalid_contact.
  static result<ContactPoint> email(std::string_view text);

  // ContactPoint::account()
  //
  // An account written "provider:id". The provider is a letter followed by up
  // to 31 letters, digits, '.', '_' or '-', folded to lower case; the id is 1
  // to 128 printable ASCII characters without spaces (it may contain ':').
  // Fails with errc::invalid_contact.
  //
  // Example:
  //   auto account = redress::ContactPoint::account("WeChat:wxid_Abc").value();  // "wechat:wxid_Abc"
  static result<ContactPoint> account(std::string_view text);

  // ContactPoint::make()
  //
  // Dispatches on `kind` to phone() (default country +86), email() or
  // account(). This is what the JSON decoder uses.
  static result<ContactPoint> make(ContactKind kind, std::string_view text);

  constexpr ContactKind kind() const noexcept { return kind_; }

  // The normalised text: "+8613812345678", "alice@example.com",
  // "wechat:wxid_abc".
  const std::string& value() const noexcept { return value_; }

  friend bool operator==(const ContactPoint&, const ContactPoint&) = default;
  friend std::strong_ordering operator<=>(const ContactPoint& a, const ContactPoint& b) noexcept {
    if (auto c = a.kind_ <=> b.kind_; c != 0) return c;
    return a.value_.compare(b.value_) <=> 0;
  }

 private:
  ContactPoint(ContactKind kind, std::string value) : kind_(kind), value_(std::move(value)) {}
  ContactKind kind_;
  std::string value_;
};

}  // namespace v1
}  // namespace redress

template <>
struct std::hash<redress::ContactPoint> {
  std::size_t operator()(const redress::ContactPoint& p) const noexcept {
    return std::hash<std::string_view>()(p.value()) ^ static_cast<std::size_t>(p.kind());
  }
};

#endif  // REDRESS_CONTACT_HPP
