// redress/channel.hpp: where a customer reached us, and how they feel.
//
// `Channel` names the way a contact came in (phone, chat, e-mail, app, social
// media, a public review, in person, or a bot). Contacts from the same person
// in any channel attach to the same case, so the channel is a fact about a
// contact, never part of who the customer is.
//
// `Emotion` is what an agent (or a classifier) recorded about the customer's
// feeling: a kind from a fixed, documented set and an intensity on an integer
// scale 0..10. A case is emotionally closed only when the customer's feeling
// has been confirmed neutral or positive, which is what
// `Emotion::is_neutral_or_positive()` answers.
//
// Every enumerator has one spelling, the identifier itself ("in_person",
// "frustrated"), used by `to_string()`, the `parse_*()` functions, JSON and fmt.
#ifndef REDRESS_CHANNEL_HPP
#define REDRESS_CHANNEL_HPP

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
namespace detail {

// The enumerator of `all` whose to_string() is `text`, or errc::invalid_argument
// naming `what`, the text and every valid spelling.
template <class E, std::size_t N>
result<E> parse_enum(std::string_view text, const std::array<E, N>& all, std::string_view what) {
  std::string expected;
  for (E e : all) {
    if (to_string(e) == text) return e;
    expected += expected.empty() ? "" : ", ";
    expected += to_string(e);
  }
  return fail(errc::invalid_argument,
              std::string(what) + " \"" + std::string(text) + "\": expected one of " + expected);
}

}  // namespace detail

// Channel
//
// The way a contact reached the company.
//
// Example:
//   auto ch = redress::parse_channel("in_person").value();
//   std::string_view name = redress::to_string(ch);  // "in_person"
enum class Channel : std::uint8_t {
  phone,      // a call, inbound or outbound
  chat,       // live chat with a human agent (web, app or messenger)
  email,      // e-mail or a web form answered by e-mail
  app,        // an in-app feedback or complaint form
  social,     // a public post or direct message on social media
  review,     // a public review on a store, marketplace or review site
  in_person,  // at a counter, a shop or a home visit
  bot,        // an automated assistant, before any hand-over to a human
};

// kChannels
//
// Every Channel, in declaration order.
inline constexpr std::array<Channel, 8> kChannels{Channel::phone,  Channel::chat,   Channel::email,     Channel::app,
                                                   Channel::social, Channel::review, Channel::in_person, Channel::bot};

// to_string(Channel)
//
// The channel's one spelling: "phone", "chat", "email", "app", "social",
// "review", "in_person", "bot".
constexpr std::string_view to_string(Channel channel) noexcept {
  constexpr std::array<std::string_view, 8> kNames{"phone",  "chat",   "email",     "app",
                                                   "social", "review", "in_person", "bot"};
  auto i = static_cast<std::size_t>(channel);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

// parse_channel()
//
// The Channel spelled `text`, exactly as to_string() writes it (lower case).
// Fails with errc::invalid_argument, naming the text.
//
// Example:
//   bool review = redress::parse_channel("review").value() == redress::Channel::review;  // true
inline result<Channel> parse_channel(std::string_view text) {
  return detail::parse_enum<Channel>(text, kChannels, "channel");
}

// is_public()
//
// True for channels where other customers can read what was said (social,
// review): every negative contact there deserves a public reply.
constexpr bool is_public(Channel channel) noexcept {
  return channel == Channel::social || channel == Channel::review;
}

// EmotionKind
//
// The feelings redress distinguishes. Each has a fixed valence (see
// valence_of()): calm is neutral; satisfied, relieved and grateful are
// positive; the rest are negative.
enum class EmotionKind : std::uint8_t {
  calm,          // neutral: composed, matter-of-fact
  satisfied,     // positive: content with how it was handled
  relieved,      // positive: the worry has gone
  grateful,      // positive: thankful
  confused,      // negative: does not understand what happened or what to do
  anxious,       // negative: worried about what will happen (money, a trip, a deadline)
  frustrated,    // negative: blocked, going round in circles
  disappointed,  // negative: expected better of us
  angry,         // negative: feels wronged, raises their voice
  distressed,    // negative: overwhelmed or in crisis; check safety first
};

// kEmotionKinds
//
// Every EmotionKind, in declaration order.
inline constexpr std::array<EmotionKind, 10> kEmotionKinds{
    EmotionKind::calm,    EmotionKind::satisfied,  EmotionKind::relieved,     EmotionKind::grateful,
    EmotionKind::confused, EmotionKind::anxious,   EmotionKind::frustrated,   EmotionKind::disappointed,
    EmotionKind::angry,   EmotionKind::distressed};

// to_string(EmotionKind)
//
// The kind's one spelling: "calm", "satisfied", ..., "distressed".
constexpr std::string_view to_string(EmotionKind kind) noexcept {
  constexpr std::array<std::string_view, 10> kNames{"calm",    "satisfied",  "relieved",     "grateful",
                                                    "confused", "anxious",   "frustrated",   "disappointed",
                                                    "angry",   "distressed"};
  auto i = static_cast<std::size_t>(kind);
  return i < kNames.size() ? kNames[i] : std::string_view("unknown");
}

// parse_emotion_kind()
//
// The EmotionKind spelled `text`, exactly as to_string() writes it.
// Fails with errc::invalid_argument, naming the text.
inline result<EmotionKind> parse_emotion_kind(std::string_view text) {
  return detail::parse_enum<EmotionKind>(text, kEmotionKinds, "emotion kind");
}

// Valence
//
// Whether a feeling is negative, neutral or positive. Ordered, so
// `v >= Valence::neutral` reads "neutral or positive".
enum class Valence : std::int8_t { negative = -1, neutral = 0, positive = 1 };

// valence_of()
//
// The fixed valence of a kind, whatever its intensity.
constexpr Valence valence_of(EmotionKind kind) noexcept {
  switch (kind) {
    case EmotionKind::calm:
      return Valence::neutral;
    case EmotionKind::satisfied:
    case EmotionKind::relieved:
    case EmotionKind::grateful:
      return Valence::positive;
    default:
      return Valence::negative;
  }
}

// Emotion
//
// A recorded feeling: a kind and an intensity, an integer 0..10 where 0 means
// "not felt any more" and 10 "as strong as it gets". Regular and ordered by
// kind, then intensity.
//
// Invariant: 0 <= intensity() <= kMaxIntensity.
//
// An emotion at intensity 0 carries no feeling: its valence() is neutral
// whatever its kind, so "angry, 0" (the anger has gone) counts as neutral.
//
// Example:
//   auto e = redress::Emotion::make(redress::EmotionKind::frustrated, 7).value();
//   bool negative = e.is_negative();  // true
//   bool calm = redress::Emotion::make(redress::EmotionKind::calm, 5).value().is_neutral_or_positive();  // true
class Emotion {
 public:
  // The top of the intensity scale.
  static constexpr int kMaxIntensity = 10;

  // Emotion::make()
  //
  // Fails with errc::invalid_argument when intensity is outside 0..10.
  static result<Emotion> make(EmotionKind kind, int intensity) {
    if (intensity < 0 || intensity > kMaxIntensity) {
      return detail::fail(errc::invalid_argument,
                          "emotion intensity " + std::to_string(intensity) + " is outside 0..10");
    }
    return Emotion(kind, intensity);
  }

  // Emotion::calm()
  //
  // A composed customer with no feeling to attend to: calm at intensity 0.
  static constexpr Emotion calm() noexcept { return Emotion(EmotionKind::calm, 0); }

  constexpr EmotionKind kind() const noexcept { return kind_; }
  constexpr int intensity() const noexcept { return intensity_; }

  // The kind's valence, or neutral at intensity 0.
  constexpr Valence valence() const noexcept { return intensity_ == 0 ? Valence::neutral : valence_of(kind_); }

  // True when the feeling is negative and still felt (intensity > 0).
  constexpr bool is_negative() const noexcept { return valence() == Valence::negative; }

  // The condition for emotional closure: not negative.
  constexpr bool is_neutral_or_positive() const noexcept { return !is_negative(); }

  friend constexpr bool operator==(const Emotion&, const Emotion&) = default;
  friend constexpr auto operator<=>(const Emotion&, const Emotion&) = default;

 private:
  constexpr Emotion(EmotionKind kind, int intensity) noexcept
      : kind_(kind), intensity_(static_cast<std::uint8_t>(intensity)) {}
  EmotionKind kind_;
  std::uint8_t intensity_;
};

}  // namespace v1
}  // namespace redress

template <>
struct std::hash<redress::Emotion> {
  std::size_t operator()(const redress::Emotion& e) const noexcept {
    return std::hash<int>()(static_cast<int>(e.kind()) * 16 + e.intensity());
  }
};

#endif  // REDRESS_CHANNEL_HPP
