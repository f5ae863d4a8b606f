// The follow-up scheduler's cold paths: construction, moves, growth, the
// cascade of the timing wheel, bucket compaction, and error reports.
#include <redress/scheduler.hpp>

#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include <fmt/format.h>

namespace redress {
inline namespace v1 {

#if defined(__linux__)
namespace detail {

// Reserved: no access, and no memory or swap set aside for it.
void* reserve_pages(std::size_t bytes) noexcept {
  void* at = ::mmap(nullptr, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  return at == MAP_FAILED ? nullptr : at;
}

// Every range these are given is whole pages: ranges start on a page, and a
// chunk is a whole number of pages (ReservedArray checks).
bool commit_pages(void* at, std::size_t bytes) noexcept {
  return bytes == 0 || ::mprotect(at, bytes, PROT_READ | PROT_WRITE) == 0;
}

void* move_pages(void* from, std::size_t bytes, void* to) noexcept {
  void* at = ::mremap(from, bytes, bytes, MREMAP_MAYMOVE | MREMAP_FIXED, to);
  return at == MAP_FAILED ? nullptr : at;
}

void release_pages(void* at, std::size_t bytes) noexcept {
  if (bytes > 0) ::munmap(at, bytes);
}

}  // namespace detail
#endif

FollowUpScheduler::FollowUpScheduler(Instant origin) noexcept : origin_(origin) {
  move_time(0);
}

result<FollowUpScheduler> FollowUpScheduler::make(Instant start_utc) {
  if (start_utc.is_special()) {
    return detail::fail(errc::invalid_argument, "start_utc: not-a-date-time or infinite");
  }
  const Duration since_midnight = start_utc.time_of_day();
  return FollowUpScheduler(Instant(start_utc.date(), boost::posix_time::seconds(since_midnight.total_seconds())));
}

FollowUpScheduler::FollowUpScheduler(FollowUpScheduler&& other) noexcept : FollowUpScheduler(other.origin_) {
  // The moved-from scheduler is empty, at the same time.
  swap(other);
  other.move_time(elapsed_);
}

FollowUpScheduler& FollowUpScheduler::operator=(const FollowUpScheduler& other) {
  if (this != &other) {
    FollowUpScheduler copy(other);
    swap(copy);
  }
  return *this;
}

FollowUpScheduler& FollowUpScheduler::operator=(FollowUpScheduler&& other) noexcept {
  if (this != &other) {
    FollowUpScheduler empty(other.origin_);
    empty.move_time(other.elapsed_);
    swap(other);
    other.swap(empty);
  }
  return *this;
}

void FollowUpScheduler::swap(FollowUpScheduler& other) noexcept {
  using std::swap;
  swap(origin_, other.origin_);
  swap(elapsed_, other.elapsed_);
  swap(next_deadline_, other.next_deadline_);
  swap(floor_ticks_, other.floor_ticks_);
  swap(due_span_, other.due_span_);
  swap(slots_, other.slots_);
  swap(entries_, other.entries_);
  swap(used_, other.used_);
  swap(slot_capacity_, other.slot_capacity_);
  swap(free_, other.free_);
  swap(blocks_, other.blocks_);
  swap(free_blocks_, other.free_blocks_);
  swap(positions_covered_, other.positions_covered_);
  swap(positions_, other.positions_);
  swap(pending_, other.pending_);
  swap(levels_, other.levels_);
  swap(reclaim_next_, other.reclaim_next_);
  swap(occupied_, other.occupied_);
  swap(buckets_, other.buckets_);
  // What advance() may skip depends on whether each one is advancing,
  // which stays with the object.
  refresh_quiet();
  other.refresh_quiet();
}

void FollowUpScheduler::pass(std::uint64_t after) noexcept {
  move_time(elapsed_ + after / static_cast<std::uint64_t>(kTicksPerSecond));
}

result<FollowUpHandle> FollowUpScheduler::schedule_slow(Instant due_at_utc, std::uint64_t key) {
  const std::int64_t due_s = due_seconds(due_at_utc);
  if (due_s < 0) return due_error(due_at_utc, due_s);
  if ((free_ == kNil && used_ == slot_capacity_) || blocks_short()) {
    if (auto grown = make_room(); !grown) return grown.error();
  }
  return place(free_, static_cast<std::uint32_t>(due_s), key);
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
      set_elapsed(target);
      return kNil;
    }
    set_elapsed(start);
    const std::uint32_t bucket = level * 64 + digit;
    if (level == 0) {
      next_deadline_ = start;
      return bucket;
    }
    // Cascade: every follow-up in this bucket now differs from elapsed_ only
    // in lower digits, so it moves to a lower level; stale entries are
    // dropped. Walking the entries in order and appending keeps every bucket
    // in schedule order. Each block goes back to the free list once read, so
    // appends never run short.
    const Bucket from = buckets_[bucket];
    buckets_[bucket] = Bucket{};
    clear_occupied(bucket);
    Lookahead ahead{from.head};
    for (std::uint32_t i = 0; i < kPrefetchAhead; ++i) look_ahead(ahead, from);
    for (std::uint32_t block = from.head;;) {
      const std::uint32_t end = block == from.tail ? from.fill : kBlockEntries;
      const std::uint32_t base = block * kBlockStride;
      for (std::uint32_t offset = 0; offset < end; ++offset) {
        look_ahead(ahead, from);
        const Entry e = entries_[base + offset];
        Slot& s = slots_[e.slot];
        if (s.holds(base + offset)) append(s, e.slot, e.due_s);
      }
      positions_ -= end;
      const std::uint32_t next = next_block(block);
      free_block(block);
      if (block == from.tail) break;
      block = next;
    }
  }
  next_deadline_ = kNever;
  set_elapsed(target);
  return kNil;
}

void FollowUpScheduler::compact(std::uint32_t bucket) noexcept {
  Bucket& b = buckets_[bucket];
  if (b.head == kNil) return;
  // Slide the live entries forward over the stale ones, in order.
  std::uint32_t write_block = b.head;
  std::uint32_t write_offset = 0;
  std::uint32_t kept = 0;
  Lookahead ahead{b.head};
  for (std::uint32_t i = 0; i < kPrefetchAhead; ++i) look_ahead(ahead, b);
  for (std::uint32_t block = b.head;;) {
    const std::uint32_t end = block == b.tail ? b.fill : kBlockEntries;
    const std::uint32_t base = block * kBlockStride;
    for (std::uint32_t offset = 0; offset < end; ++offset) {
      look_ahead(ahead, b);
      const Entry e = entries_[base + offset];
      Slot& s = slots_[e.slot];
      if (!s.holds(base + offset)) continue;
      ++kept;
      if (write_offset == kBlockEntries) {
        write_block = next_block(write_block);
        write_offset = 0;
      }
      const std::uint32_t pos = write_block * kBlockStride + write_offset++;
      if (pos == base + offset) continue;  // nothing before it was stale
      entries_[pos] = e;
      s.pos = pos;
    }
    if (block == b.tail) break;
    block = next_block(block);
  }
  if (kept == 0) {
    drop(bucket);
    return;
  }
  // Free the blocks left empty behind the last live entry.
  if (write_block != b.tail) {
    for (std::uint32_t block = next_block(write_block);;) {
      const std::uint32_t next = next_block(block);
      const bool last = block == b.tail;
      free_block(block);
      if (last) break;
      block = next;
    }
  }
  next_block(write_block) = kNil;
  b.tail = write_block;
  b.fill = write_offset;
  positions_ -= b.size - kept;
  b.size = kept;
}

void FollowUpScheduler::reclaim() noexcept {
  const std::uint32_t firing = transient_.firing;
  const std::uint64_t walking = firing == kNil ? 0 : buckets_[firing].size;
  if (!too_stale(positions_ - walking)) return;
  for (std::uint32_t step = 0; step < kBuckets; ++step) {
    const std::uint32_t bucket = reclaim_next_;
    reclaim_next_ = bucket + 1 == kBuckets ? 0 : bucket + 1;
    if (buckets_[bucket].head != kNil && bucket != firing) {
      compact(bucket);
      return;
    }
  }
}

void FollowUpScheduler::drop(std::uint32_t bucket) noexcept {
  Bucket& b = buckets_[bucket];
  if (b.head == kNil) return;
  for (std::uint32_t block = b.head;;) {
    positions_ -= block == b.tail ? b.fill : kBlockEntries;
    const std::uint32_t next = next_block(block);
    const bool last = block == b.tail;
    free_block(block);
    if (last) break;
    block = next;
  }
  b = Bucket{};
  clear_occupied(bucket);
}

void FollowUpScheduler::clear_occupied(std::uint32_t bucket) noexcept {
  const unsigned level = bucket / 64;
  occupied_[level] &= ~(std::uint64_t{1} << (bucket % 64));
  if (occupied_[level] == 0) levels_ &= ~(1u << level);
}

void FollowUpScheduler::free_block(std::uint32_t block) noexcept {
  next_block(block) = free_blocks_;
  free_blocks_ = block;
}

result<void> FollowUpScheduler::make_room() noexcept {
  if (blocks_short()) reclaim();  // it does nothing unless stale entries are too many
  try {
    if (free_ == kNil && used_ == slots_.capacity()) {
      if (used_ >= kMaxPending) {
        return detail::fail(errc::out_of_range,
                            fmt::format("pending: at most {} follow-ups may be pending", kMaxPending));
      }
      slots_.add_chunk();
      slot_capacity_ = static_cast<std::uint32_t>(slots_.capacity());
    }
    while (!blocks_cover(blocks_, positions_ + 1)) {
      if (std::size_t{blocks_} * kBlockStride == entries_.capacity()) {
        entries_.add_chunk();
      }
      free_block(blocks_++);
    }
    // The largest count blocks_ cover: blocks_cover is monotone in it.
    std::uint64_t covered = 0;
    for (std::uint64_t step = std::uint64_t{1} << 40; step != 0; step >>= 1) {
      if (blocks_cover(blocks_, covered + step)) covered += step;
    }
    positions_covered_ = covered;
  } catch (const std::bad_alloc&) {
    return std::make_error_code(std::errc::not_enough_memory);
  }
  return boost::outcome_v2::success();
}

result<Instant> FollowUpScheduler::due_at_utc(FollowUpHandle handle) const {
  if (!is_pending(handle)) return stale_error(handle);
  return at_second(entries_[slots_[handle.slot_].pos].due_s);
}

bool FollowUpScheduler::holds_live(std::uint32_t bucket) const noexcept {
  const Bucket& b = buckets_[bucket];
  if (b.head == kNil) return false;
  for (std::uint32_t block = b.head;;) {
    const std::uint32_t end = block == b.tail ? b.fill : kBlockEntries;
    const std::uint32_t base = block * kBlockStride;
    for (std::uint32_t offset = 0; offset < end; ++offset) {
      if (slots_[entries_[base + offset].slot].holds(base + offset)) return true;
    }
    if (block == b.tail) return false;
    block = entries_[base + kBlockEntries].slot;
  }
}

std::optional<Instant> FollowUpScheduler::next_check_utc() const {
  if (pending_ == 0) return std::nullopt;
  // A level-0 bucket is one second: skip those holding only stale entries,
  // so that the answer is exact within the current 64-second window.
  std::uint64_t seconds = occupied_[0];
  while (seconds != 0) {
    const auto digit = static_cast<unsigned>(std::countr_zero(seconds));
    if (holds_live(digit)) return at_second(first_start(0, digit));
    seconds &= seconds - 1;
  }
  const std::uint32_t higher = levels_ & ~1u;
  if (higher == 0) return std::nullopt;  // unreachable: something is pending
  const auto level = static_cast<unsigned>(std::countr_zero(higher));
  return at_second(first_start(level, static_cast<unsigned>(std::countr_zero(occupied_[level]))));
}

std::size_t FollowUpScheduler::allocated_bytes() const noexcept {
  return sizeof(*this) + slots_.allocated_bytes() + entries_.allocated_bytes();
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
