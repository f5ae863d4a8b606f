// ContactPoint normalisation: phone numbers to E.164, e-mail and account
// spelling folded to one form.
#include <redress/contact.hpp>

#include <algorithm>

#include <fmt/format.h>

#include <redress/channel.hpp>  // detail::parse_enum

namespace redress {
inline namespace v1 {
namespace {

// The detail names the kind and the reason, never the value: a phone number
// or an e-mail address is personal data, and error details end up in logs.
std::error_code invalid(std::string_view kind, std::string_view text, std::string_view why) {
  return detail::fail(errc::invalid_contact,
                      fmt::format("{} ({} bytes, not repeated here): {}", kind, text.size(), why));
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

std::string lowered(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

// ---- phone ----

// What one character of a written phone number stands for.
enum class Glyph { digit, plus, separator, other };

// Reads one character at s[i] (ASCII or a full-width / typographic form in
// UTF-8), sets `width` to its length in bytes and `digit` for digits.
Glyph glyph_at(std::string_view s, std::size_t i, std::size_t& width, char& digit) {
  auto b = [&](std::size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u; };
  width = 1;
  char c = s[i];
  if (is_digit(c)) {
    digit = c;
    return Glyph::digit;
  }
  if (c == '+') return Glyph::plus;
  if (c == ' ' || c == '\t' || c == '-' || c == '(' || c == ')' || c == '.' || c == '/') return Glyph::separator;
  if (b(0) == 0xEF && b(1) == 0xBC) {  // U+FF00..U+FF3F: full-width forms
    width = 3;
    if (b(2) >= 0x90 && b(2) <= 0x99) {  // ０..９
      digit = static_cast<char>('0' + (b(2) - 0x90));
      return Glyph::digit;
    }
    if (b(2) == 0x8B) return Glyph::plus;                                    // ＋
    if (b(2) == 0x88 || b(2) == 0x89 || b(2) == 0x8D || b(2) == 0x8E) return Glyph::separator;  // （）－．
    return Glyph::other;
  }
  if (b(0) == 0xE3 && b(1) == 0x80 && b(2) == 0x80) {  // U+3000 ideographic space
    width = 3;
    return Glyph::separator;
  }
  if (b(0) == 0xE2 && b(1) == 0x80 && b(2) >= 0x90 && b(2) <= 0x95) {  // U+2010..U+2015 dashes
    width = 3;
    return Glyph::separator;
  }
  return Glyph::other;
}

// National number lengths of the countries checked more closely than E.164.
struct CountryPlan {
  std::string_view code;
  std::size_t min_digits;
  std::size_t max_digits;
  std::string_view name;
};
constexpr std::array<CountryPlan, 8> kPlans{{
    {"1", 10, 10, "the NANP (+1)"},
    {"44", 9, 10, "the United Kingdom"},
    {"65", 8, 8, "Singapore"},
    {"81", 9, 10, "Japan"},
    {"82", 8, 10, "South Korea"},
    {"852", 8, 8, "Hong Kong"},
    {"853", 8, 8, "Macau"},
    {"886", 8, 9, "Taiwan"},
}};

// Why a national significant number is not valid in China's plan, or empty.
std::string china_problem(std::string_view nsn) {
  std::size_t n = nsn.size();
  if (nsn.empty() || nsn[0] == '0') return "a number in China does not start with 0 after +86";
  if (nsn[0] == '1') {
    if (nsn.size() >= 2 && nsn[1] == '0') {
      return n == 10 ? "" : fmt::format("a Beijing number (010) has 8 digits after the area code, this has {}", n - 2);
    }
    if (nsn.size() >= 2 && (nsn[1] < '3')) return "a mobile number in China starts with 13 to 19";
    return n == 11 ? "" : fmt::format("a mobile number in China has 11 digits, this has {}", n);
  }
  if (nsn[0] == '2') {
    return n == 10 ? "" : fmt::format("a number in a 02x area has 10 digits without the trunk 0, this has {}", n);
  }
  return n == 10 || n == 11 ? ""
                            : fmt::format("a landline in China has 10 or 11 digits without the trunk 0, this has {}", n);
}

// Why an international number (country code and national number, digits
// only) is not a valid E.164 number, or empty.
std::string e164_problem(std::string_view digits) {
  if (digits.empty() || digits[0] == '0') return "a country calling code does not start with 0";
  if (digits.starts_with("86")) return china_problem(digits.substr(2));
  for (const auto& plan : kPlans) {
    if (!digits.starts_with(plan.code)) continue;
    std::size_t n = digits.size() - plan.code.size();
    if (n < plan.min_digits || n > plan.max_digits) {
      return plan.min_digits == plan.max_digits
                 ? fmt::format("a number in {} has {} digits after +{}, this has {}", plan.name, plan.min_digits,
                               plan.code, n)
                 : fmt::format("a number in {} has {} to {} digits after +{}, this has {}", plan.name,
                               plan.min_digits, plan.max_digits, plan.code, n);
    }
    return "";
  }
  if (digits.size() < 8 || digits.size() > 15) {
    return fmt::format("an international number has 8 to 15 digits, this has {}", digits.size());
  }
  return "";
}

// ---- e-mail ----

bool is_atext(char c) {
  return is_alpha(c) || is_digit(c) || std::string_view("!#$%&'*+/=?^_`{|}~-").find(c) != std::string_view::npos;
}

std::string local_part_problem(std::string_view local) {
  if (local.empty()) return "nothing before the '@'";
  if (local.size() > 64) return fmt::format("the part before '@' has {} characters, more than 64", local.size());
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return "the part before '@' starts or ends with a dot, or has two dots in a row";
  }
  for (char c : local) {
    if (c != '.' && !is_atext(c)) return fmt::format("'{}' is not allowed before the '@'", c);
  }
  return "";
}

std::string domain_problem(std::string_view domain) {
  if (domain.empty()) return "nothing after the '@'";
  if (domain.size() > 253) return "the domain is longer than 253 characters";
  std::size_t labels = 0;
  std::string_view last;
  for (std::size_t start = 0; start <= domain.size();) {
    std::size_t dot = std::min(domain.find('.', start), domain.size());
    std::string_view label = domain.substr(start, dot - start);
    if (label.empty() || label.size() > 63) return "the domain has an empty label or one longer than 63 characters";
    if (label.front() == '-' || label.back() == '-') return "a domain label starts or ends with '-'";
    for (char c : label) {
      if (!is_alpha(c) && !is_digit(c) && c != '-') return fmt::format("'{}' is not allowed in the domain", c);
    }
    ++labels;
    last = label;
    start = dot + 1;
  }
  if (labels < 2) return "the domain has no dot (expected e.g. example.com)";
  if (std::all_of(last.begin(), last.end(), is_digit)) return "the domain ends in a number (IP literals are refused)";
  return "";
}

}  // namespace

result<ContactKind> parse_contact_kind(std::string_view text) {
  return detail::parse_enum<ContactKind>(text, kContactKinds, "contact kind");
}

result<ContactPoint> ContactPoint::phone(std::string_view text, int default_country_code) {
  if (default_country_code < 1 || default_country_code > 999) {
    return detail::fail(errc::invalid_argument,
                        fmt::format("default country code {} is outside 1..999", default_country_code));
  }
  bool plus = false;
  std::string digits;
  for (std::size_t i = 0, width = 1; i < text.size(); i += width) {
    char digit = 0;
    switch (glyph_at(text, i, width, digit)) {
      case Glyph::digit:
        if (digits.size() == 20) return invalid("phone", text, "too many digits");
        digits += digit;
        break;
      case Glyph::plus:
        if (plus || !digits.empty()) return invalid("phone", text, "'+' may only come first");
        plus = true;
        break;
      case Glyph::separator:
        break;
      case Glyph::other:
        return invalid("phone", text, fmt::format("unexpected character at byte {}", i));
    }
  }
  if (digits.empty()) return invalid("phone", text, "no digits");
  std::string international;
  if (plus) {
    international = digits;
  } else if (digits.starts_with("00")) {
    international = digits.substr(2);
  } else if (default_country_code == 86 && digits.size() == 13 && digits.starts_with("86") &&
             china_problem(std::string_view(digits).substr(2)).empty()) {
    international = digits;  // "86" written without "+" before a mobile
  } else {
    std::string_view national = digits;
    if (national.starts_with('0')) national.remove_prefix(1);  // trunk prefix
    international = fmt::format("{}{}", default_country_code, national);
  }
  if (auto why = e164_problem(international); !why.empty()) return invalid("phone", text, why);
  return ContactPoint(ContactKind::phone, "+" + international);
}

result<ContactPoint> ContactPoint::email(std::string_view text) {
  std::string_view t = trim(text);
  if (t.empty()) return invalid("email", text, "empty");
  if (t.size() > 254) return invalid("email", text, fmt::format("{} characters, more than 254", t.size()));
  for (std::size_t i = 0; i < t.size(); ++i) {
    auto c = static_cast<unsigned char>(t[i]);
    if (c >= 0x80) return invalid("email", text, "not ASCII (write an international domain in punycode, xn--)");
    if (c <= 0x20 || c == 0x7F) return invalid("email", text, "contains a space or a control character");
  }
  auto at = t.find('@');
  if (at == std::string_view::npos) return invalid("email", text, "no '@'");
  if (t.find('@', at + 1) != std::string_view::npos) return invalid("email", text, "more than one '@'");
  if (auto why = local_part_problem(t.substr(0, at)); !why.empty()) return invalid("email", text, why);
  if (auto why = domain_problem(t.substr(at + 1)); !why.empty()) return invalid("email", text, why);
  return ContactPoint(ContactKind::email, lowered(t));
}

result<ContactPoint> ContactPoint::account(std::string_view text) {
  std::string_view t = trim(text);
  auto colon = t.find(':');
  if (colon == std::string_view::npos) return invalid("account", text, "expected provider:id, e.g. wechat:wxid_abc");
  std::string_view provider = t.substr(0, colon);
  std::string_view id = t.substr(colon + 1);
  if (provider.empty() || provider.size() > 32 || !is_alpha(provider[0]) ||
      !std::all_of(provider.begin(), provider.end(),
                   [](char c) { return is_alpha(c) || is_digit(c) || c == '.' || c == '_' || c == '-'; })) {
    return invalid("account", text, "the provider must be a letter then up to 31 letters, digits, '.', '_' or '-'");
  }
  if (id.empty() || id.size() > 128) return invalid("account", text, "the id after ':' must have 1 to 128 characters");
  if (!std::all_of(id.begin(), id.end(), [](char c) { return c > 0x20 && c < 0x7F; })) {
    return invalid("account", text, "the id after ':' must be printable ASCII without spaces");
  }
  return ContactPoint(ContactKind::account, fmt::format("{}:{}", lowered(provider), id));
}

result<ContactPoint> ContactPoint::make(ContactKind kind, std::string_view text) {
  switch (kind) {
    case ContactKind::phone: return phone(text);
    case ContactKind::email: return email(text);
    case ContactKind::account: return account(text);
  }
  return detail::fail(errc::invalid_argument, "contact kind: not phone, email or account");
}

}  // namespace v1
}  // namespace redress
