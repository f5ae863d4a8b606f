// The follow-up scheduler's cold paths: construction, copying, growth, the
// cascade of the timing wheel, and error reports.
#include <redress/scheduler.hpp>

#include <algorithm>
#include <new>

#include <fmt/format.h>

namespace redress {
inline namespace v1 {

FollowUpScheduler::FollowUpScheduler(Instant origin) : origin_(origin) {
  head_.fill(kNil);
  tail_.fill(kNil);
}

result<FollowUpScheduler> FollowUpScheduler::make(Instant start_utc) {
  if (start_utc.is_special()) {
    return detail::fail(errc::invalid_argument, "start_utc: not-a-date-time or infinite");
  }
  const Duration since_midnight = start_utc.time_of_day();
  return FollowUpScheduler(Instant(start_utc.date(), boost::posix_time::seconds(since_midnight.total_seconds())));
}

FollowUpScheduler::FollowUpScheduler(const FollowUpScheduler& other)
    : origin_(other.origin_),
      elapsed_(other.elapsed_),
      next_deadline_(other.next_deadline_),
      used_(other.used_),
      free_(other.free_),
      pending_(other.pending_),
      levels_(other.levels_),
      advancing_(false),
      occupied_(other.occupied_),
      head_(other.head_),
      tail_(other.tail_) {
  chunks_.reserve(other.chunks_.size());
  for (const auto& chunk : other.chunks_) {
    auto copy = std::make_unique_for_overwrite<Slot[]>(std::size_t{1} << kChunkBits);
    std::copy_n(chunk.get(), std::size_t{1} << kChunkBits, copy.get());
    chunks_.push_back(std::move(copy));
  }
}

FollowUpScheduler::FollowUpScheduler(FollowUpScheduler&& other) noexcept : FollowUpScheduler(other.origin_) {
  *this = std::move(other);
}

FollowUpScheduler& FollowUpScheduler::operator=(const FollowUpScheduler& other) {
  if (this != &other) *this = FollowUpScheduler(other);
  return *this;
}

FollowUpScheduler& FollowUpScheduler::operator=(FollowUpScheduler&& other) noexcept {
  if (this == &other) return *this;
  origin_ = other.origin_;
  elapsed_ = other.elapsed_;
  next_deadline_ = other.next_deadline_;
  chunks_ = std::move(other.chunks_);
  used_ = other.used_;
  free_ = other.free_;
  pending_ = other.pending_;
  levels_ = other.levels_;
  occupied_ = other.occupied_;
  head_ = other.head_;
  tail_ = other.tail_;
  // The moved-from scheduler is empty, at the same time.
  other.chunks_.clear();
  other.next_deadline_ = kNever;
  other.used_ = 0;
  other.free_ = kNil;
  other.pending_ = 0;
  other.levels_ = 0;
  other.occupied_.fill(0);
  other.head_.fill(kNil);
  other.tail_.fill(kNil);
  return *this;
}

std::uint64_t FollowUpScheduler::first_start(unsigned level, unsigned digit) const noexcept {
  const unsigned shift = level * kLevelBits;
  const std::uint64_t window = (std::uint64_t{1} << (shift + kLevelBits)) - 1;
  return (elapsed_ & ~window) | (std::uint64_t{digit} << shift);
}

std::uint32_t FollowUpScheduler::settle(std::uint64_t target) noexcept {
  while (levels_ != 0) {
    const auto level = static_cast<unsigned>(std::countr_zero(levels_));
    const auto digit = static_cast<unsigned>(std::countr_zero(occupied_[level]));
    const std::uint64_t start = first_start(level, digit);
    if (start > target) {
      next_deadline_ = start;
      elapsed_ = target;
      return kNil;
    }
    elapsed_ = start;
    const std::uint32_t bucket = level * 64 + digit;
    if (level == 0) {
      next_deadline_ = start;
      return bucket;
    }
    // Cascade: every follow-up in this bucket now differs from elapsed_ only
    // in lower digits, so it moves to a lower level. Walking the list in
    // order and appending keeps each bucket in schedule order.
    std::uint32_t index = head_[bucket];
    head_[bucket] = kNil;
    tail_[bucket] = kNil;
    occupied_[level] &= ~(std::uint64_t{1} << digit);
    if (occupied_[level] == 0) levels_ &= ~(1u << level);
    while (index != kNil) {
      const std::uint32_t next = slot(index).next;
      link(index, slot(index).due_s);
      index = next;
    }
  }
  next_deadline_ = kNever;
  elapsed_ = target;
  return kNil;
}

result<std::uint32_t> FollowUpScheduler::grow() noexcept {
  if (used_ >= kMaxPending) {
    return detail::fail(errc::out_of_range, fmt::format("pending: at most {} follow-ups may be pending", kMaxPending));
  }
  if ((used_ >> kChunkBits) == chunks_.size()) {
    try {
      chunks_.push_back(std::make_unique_for_overwrite<Slot[]>(std::size_t{1} << kChunkBits));
    } catch (const std::bad_alloc&) {
      return std::make_error_code(std::errc::not_enough_memory);
    }
  }
  const std::uint32_t index = used_++;
  slot(index).generation = 0;
  return index;
}

result<Instant> FollowUpScheduler::due_at_utc(FollowUpHandle handle) const {
  if (!is_pending(handle)) return stale_error(handle);
  return at_second(slot(handle.slot_).due_s);
}

std::optional<Instant> FollowUpScheduler::next_check_utc() const {
  if (levels_ == 0) return std::nullopt;
  const auto level = static_cast<unsigned>(std::countr_zero(levels_));
  return at_second(first_start(level, static_cast<unsigned>(std::countr_zero(occupied_[level]))));
}

std::size_t FollowUpScheduler::allocated_bytes() const noexcept {
  return sizeof(*this) + chunks_.capacity() * sizeof(chunks_[0]) +
         chunks_.size() * (std::size_t{1} << kChunkBits) * sizeof(Slot);
}

std::error_code FollowUpScheduler::due_error(Instant at, std::int64_t code) const {
  if (code == kSpecial) return detail::fail(errc::invalid_argument, "due_at_utc: not-a-date-time or infinite");
  return detail::fail(errc::out_of_range, fmt::format("due_at_utc: {} is after the scheduler's horizon {}",
                                                      format_instant(at), format_instant(horizon_utc())));
}

std::error_code FollowUpScheduler::now_error(Instant at, std::int64_t code) const {
  switch (code) {
    case kSpecial:
      return detail::fail(errc::invalid_argument, "now_utc: not-a-date-time or infinite");
    case kBackwards:
      return detail::fail(errc::invalid_argument, fmt::format("now_utc: {} is before the scheduler's time {}",
                                                              format_instant(at), format_instant(now_utc())));
    case kReentered:
      return detail::fail(errc::invalid_argument, "advance: called from inside its own on_fire callback");
    default:
      return detail::fail(errc::out_of_range, fmt::format("now_utc: {} is after the scheduler's horizon {}",
                                                          format_instant(at), format_instant(horizon_utc())));
  }
}

std::error_code FollowUpScheduler::stale_error(FollowUpHandle handle) {
  return detail::fail(errc::invalid_argument,
                      fmt::format("handle: slot {} generation {} is not pending (fired, cancelled or never issued)",
                                  handle.slot_, handle.generation_));
}

}  // namespace v1
}  // namespace redress
