// redress/scheduler.hpp: the in-memory follow-up scheduler.
//
// A host with millions of pending follow-ups (a reminder before every coupon
// expires, an update due in 20 minutes on every open case, every promise to a
// customer) keeps them in a `FollowUpScheduler`. Most are cancelled before they
// fire, so scheduling and cancelling are O(1), and so is asking "is anything
// due?" when nothing is.
//
// The model:
//   - Time is passed in. The scheduler never reads a clock: `advance(now)`
//     moves its time forward and fires every follow-up due at or before `now`.
//   - Resolution is one second. A due time is rounded *up* to a whole second
//     and `now` is rounded *down*, so nothing ever fires early.
//   - A follow-up carries a 64-bit `key` chosen by the host (an index into its
//     own table, a case number, a packed id); the scheduler never interprets it.
//   - `schedule` returns a `FollowUpHandle` (slot + generation) for O(1)
//     `cancel` and `reschedule`. Once the follow-up fires or is cancelled the
//     handle is stale: the scheduler recognises it and never touches another
//     follow-up through it.
//   - Order: follow-ups fire in order of due time; those due in the same
//     second fire in the order they were scheduled (a reschedule counts as
//     scheduling anew). A due time at or before the scheduler's time is taken
//     as the scheduler's time: it fires on the next `advance`.
//   - The horizon is 2^32 - 1 seconds (about 136 years) after the instant the
//     scheduler was made with; a later due time fails with errc::out_of_range.
//
// Inside it is a hierarchical timing wheel: six levels of 64 buckets over
// seconds with a bitmap of the non-empty ones; a bucket is a chain of blocks
// of 8-byte entries (a slot index and the due second), and a 16-byte slot
// (key, generation, entry position) per follow-up, reused through a free
// list. A cancel touches only the slot, one cache line: the entry it leaves
// behind is recognised as stale and dropped when its bucket is next walked,
// or compacted away when new entries need room. 24 bytes a follow-up, at
// most 30 with the stale entries cancels leave. See docs/scheduler.md.
//
// Thread safety: none inside. One thread at a time per scheduler, as for a
// standard container.
#ifndef REDRESS_SCHEDULER_HPP
#define REDRESS_SCHEDULER_HPP

#include <algorithm>
#include <array>
#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include <redress/error.hpp>
#include <redress/time.hpp>

namespace redress {
inline namespace v1 {

// FollowUpHandle
//
// Names one scheduled follow-up inside the scheduler that issued it: a slot
// index and the slot's generation at the time. It stays valid across
// `reschedule` and goes stale when the follow-up fires or is cancelled. A
// default-constructed handle is never pending. Handles mean nothing to another
// scheduler (copies of a scheduler share their handles).
//
// `to_bits()`/`from_bits()` round-trip a handle through a `uint64_t`, for a
// host that stores it in a database column.
//
// Example (given redress::FollowUpScheduler& scheduler, redress::Instant due, std::uint64_t case_number):
//   auto h = scheduler.schedule(due, case_number).value();
//   std::uint64_t stored = h.to_bits();
//   bool cancelled = scheduler.cancel(redress::FollowUpHandle::from_bits(stored));  // true
class FollowUpHandle {
 public:
  constexpr FollowUpHandle() noexcept = default;

  // FollowUpHandle::from_bits()
  //
  // The handle whose `to_bits()` is `bits`.
  static constexpr FollowUpHandle from_bits(std::uint64_t bits) noexcept {
    return FollowUpHandle(static_cast<std::uint32_t>(bits >> 32), static_cast<std::uint32_t>(bits));
  }

  // FollowUpHandle::to_bits()
  //
  // The slot in the high 32 bits, the generation in the low 32 bits.
  constexpr std::uint64_t to_bits() const noexcept {
    return (static_cast<std::uint64_t>(slot_) << 32) | generation_;
  }

  friend constexpr bool operator==(FollowUpHandle, FollowUpHandle) noexcept = default;
  friend constexpr auto operator<=>(FollowUpHandle, FollowUpHandle) noexcept = default;

 private:
  friend class FollowUpScheduler;
  constexpr FollowUpHandle(std::uint32_t slot, std::uint32_t generation) noexcept
      : slot_(slot), generation_(generation) {}

  std::uint32_t slot_ = 0xFFFF'FFFFu;
  std::uint32_t generation_ = 0;
};

// FiredFollowUp
//
// What `advance` reports for each follow-up it fires: its (now stale) handle,
// the host's key, and the instant the scheduler held it due, i.e. the
// requested due time rounded up to a whole second, or the scheduler's time
// when it was scheduled if that was later.
//
// Example (given redress::FollowUpScheduler& scheduler, redress::Instant now,
//          const std::function<void(std::uint64_t, redress::Instant)>& remind):
//   auto fired = scheduler.advance(now, [&](const redress::FiredFollowUp& f) {
//     remind(f.key, f.due_at_utc);
//   });  // how many fired
struct FiredFollowUp {
  FollowUpHandle handle;
  std::uint64_t key = 0;
  Instant due_at_utc;

  friend bool operator==(const FiredFollowUp&, const FiredFollowUp&) = default;
};

namespace detail {

// ChunkedArray<T, Bits>
//
// An array that grows 2^Bits elements at a time and never moves what it
// holds, so growth costs no copy and wastes at most one chunk. Copying it
// copies the elements. Internal to the scheduler.
//
// Element i is found from one table entry: the address of its chunk less
// the bytes of the elements before that chunk, so that adding i * sizeof(T)
// lands on it. The scheduler's entries live here, and its slots too where
// ReservedArray (below) is not available.
template <class T, unsigned Bits>
class ChunkedArray {
 public:
  static constexpr std::size_t kChunk = std::size_t{1} << Bits;

  ChunkedArray() = default;
  ChunkedArray(const ChunkedArray& other) {
    chunks_.reserve(other.chunks_.size());
    bases_.reserve(other.chunks_.size());
    for (const auto& chunk : other.chunks_) {
      add_chunk();
      std::copy_n(chunk.get(), kChunk, chunks_.back().get());
    }
  }
  ChunkedArray(ChunkedArray&&) noexcept = default;
  ChunkedArray& operator=(const ChunkedArray& other) {
    if (this != &other) *this = ChunkedArray(other);
    return *this;
  }
  ChunkedArray& operator=(ChunkedArray&&) noexcept = default;
  ~ChunkedArray() = default;

  T& operator[](std::uint32_t i) noexcept { return *reinterpret_cast<T*>(bases_[i >> Bits] + i * sizeof(T)); }
  const T& operator[](std::uint32_t i) const noexcept {
    return *reinterpret_cast<const T*>(bases_[i >> Bits] + i * sizeof(T));
  }

  // Elements that can be addressed: [0, capacity()).
  std::size_t capacity() const noexcept { return chunks_.size() * kChunk; }

  // Adds one chunk of uninitialised elements. May throw std::bad_alloc,
  // leaving the array as it was.
  void add_chunk() {
    chunks_.reserve(chunks_.size() + 1);
    bases_.reserve(chunks_.size() + 1);
    auto chunk = std::make_unique_for_overwrite<T[]>(kChunk);
    // Unsigned arithmetic: the base may wrap around, the sum never does.
    bases_.push_back(reinterpret_cast<std::uintptr_t>(chunk.get()) - capacity() * sizeof(T));
    chunks_.push_back(std::move(chunk));
  }

  std::size_t allocated_bytes() const noexcept {
    return chunks_.capacity() * sizeof(chunks_[0]) + bases_.capacity() * sizeof(bases_[0]) + capacity() * sizeof(T);
  }

 private:
  std::vector<std::unique_ptr<T[]>> chunks_;  // owns the chunks
  std::vector<std::uintptr_t> bases_;         // per chunk: its address - its first index * sizeof(T)
};

#if defined(__linux__)
// Address space for ReservedArray, in src/scheduler.cpp (Linux's mmap,
// mprotect and mremap, kept out of this header). Each returns false, or
// nullptr, when the system refuses; none throws.
void* reserve_pages(std::size_t bytes) noexcept;                        // reserved, not usable
bool commit_pages(void* at, std::size_t bytes) noexcept;                // made readable and writable
void* move_pages(void* from, std::size_t bytes, void* to) noexcept;     // to `to`, which it replaces
void release_pages(void* at, std::size_t bytes) noexcept;               // unmapped

// ReservedArray<T, Bits>
//
// ChunkedArray's interface over one range of addresses, so that element i is
// at base + i: a cancel finds its slot with no table between it and the
// cache miss it must take (about a tenth of a cancel at 10M pending). The
// range is reserved up front and holds no memory; each chunk of 2^Bits
// elements is committed when it is added. When the range is full, one twice
// as large is reserved and the committed pages are moved into it by the
// kernel (mremap moves page-table entries; no element is copied), so growth
// stays cheap and allocated_bytes() counts committed chunks only. Linux
// only: elsewhere the scheduler keeps ChunkedArray. T must be trivially
// copyable. Internal to the scheduler.
template <class T, unsigned Bits>
class ReservedArray {
  static_assert(std::is_trivially_copyable_v<T>);
  // A chunk is a whole number of pages of every size Linux uses (at most
  // 64 KiB), so every range committed, moved or released is whole pages.
  static_assert((sizeof(T) << Bits) % 65536 == 0);

 public:
  static constexpr std::size_t kChunk = std::size_t{1} << Bits;

  ReservedArray() = default;
  ReservedArray(const ReservedArray& other) {
    if (other.capacity_ == 0) return;
    ReservedArray copy;
    copy.grow_to(other.capacity_);
    std::memcpy(static_cast<void*>(copy.base_), other.base_, other.capacity_ * sizeof(T));
    swap(*this, copy);
  }
  ReservedArray(ReservedArray&& other) noexcept { swap(*this, other); }
  ReservedArray& operator=(const ReservedArray& other) {
    if (this != &other) *this = ReservedArray(other);
    return *this;
  }
  ReservedArray& operator=(ReservedArray&& other) noexcept {
    ReservedArray gone(std::move(other));
    swap(*this, gone);
    return *this;
  }
  ~ReservedArray() {
    if (base_ != nullptr) release_pages(base_, reserved_ * sizeof(T));
  }
  friend void swap(ReservedArray& a, ReservedArray& b) noexcept {
    std::swap(a.base_, b.base_);
    std::swap(a.capacity_, b.capacity_);
    std::swap(a.reserved_, b.reserved_);
  }

  T& operator[](std::uint32_t i) noexcept { return base_[i]; }
  const T& operator[](std::uint32_t i) const noexcept { return base_[i]; }
  std::size_t capacity() const noexcept { return capacity_; }

  // Adds one chunk of uninitialised elements. May throw std::bad_alloc,
  // leaving the array as it was.
  void add_chunk() { grow_to(capacity_ + kChunk); }

  std::size_t allocated_bytes() const noexcept { return capacity_ * sizeof(T); }

 private:
  static constexpr std::size_t kFirstReservation = 16 * kChunk;

  // Commits elements [capacity_, capacity), reserving a larger range first
  // when this one is too small; throws std::bad_alloc, changing nothing,
  // when the system refuses.
  void grow_to(std::size_t capacity) {
    if (capacity > reserved_) {
      std::size_t reserved = std::max(reserved_ == 0 ? kFirstReservation : 2 * reserved_, capacity);
      void* range = reserve_pages(reserved * sizeof(T));
      if (range == nullptr) throw std::bad_alloc();
      if (capacity_ > 0 && move_pages(base_, capacity_ * sizeof(T), range) == nullptr) {
        release_pages(range, reserved * sizeof(T));
        throw std::bad_alloc();
      }
      // The committed pages have left the old range; the rest of it goes.
      if (base_ != nullptr) {
        release_pages(reinterpret_cast<char*>(base_) + capacity_ * sizeof(T), (reserved_ - capacity_) * sizeof(T));
      }
      base_ = static_cast<T*>(range);
      reserved_ = reserved;
    }
    if (!commit_pages(base_ + capacity_, (capacity - capacity_) * sizeof(T))) throw std::bad_alloc();
    capacity_ = capacity;
  }

  T* base_ = nullptr;
  std::size_t capacity_ = 0;  // elements committed
  std::size_t reserved_ = 0;  // elements the range can hold
};

// The scheduler's slots: in one range where the system allows it.
template <class T, unsigned Bits>
using SlotArray = ReservedArray<T, Bits>;
#else
template <class T, unsigned Bits>
using SlotArray = ChunkedArray<T, Bits>;
#endif

// The tick count `at` holds: ticks since the epoch of ptime, with
// not-a-date-time and the infinities at the extremes of int64. ptime keeps it
// in a protected member; a pointer to that member, formed through this
// derived class, reads it from any ptime without the special-value tests of
// ptime arithmetic. Internal to the scheduler.
struct InstantTicks : Instant {
  static std::int64_t of(const Instant& at) noexcept { return (at.*(&InstantTicks::time_)).time_count(); }
};

}  // namespace detail

// FollowUpScheduler
//
// Pending follow-ups, in memory, fired by explicit time. Copyable (a deep
// copy; both copies accept the same handles) and movable (the moved-from
// scheduler is empty, at the same time).
//
// Complexity: `cancel` O(1); `schedule` and `reschedule` O(1) amortised
// (when new entries need room and the stale entries cancels, firings and
// reschedules left behind exceed three quarters of the pending follow-ups,
// a call compacts the next bucket in turn rather than take more memory);
// `advance` O(1) when nothing is due, otherwise O(fired + entries moved down
// a level or dropped), each follow-up moving down at most five levels in its
// life.
//
// Example:
//   auto start = redress::parse_instant("2025-01-24T07:00:00Z").value();
//   auto s = redress::FollowUpScheduler::make(start).value();
//   auto h = s.schedule(start + boost::posix_time::minutes(20), 42).value();
//   auto fired = s.advance(start + boost::posix_time::minutes(20),
//                          [](const redress::FiredFollowUp& f) { /* f.key == 42 */ });  // 1
//   bool pending = s.is_pending(h);  // false: it fired
class FollowUpScheduler {
 public:
  // Bytes of slot storage per follow-up (pending, or free for reuse); each
  // pending follow-up also takes an 8-byte entry in a wheel bucket, and so
  // does each cancelled one until its bucket is next walked or compacted.
  static constexpr std::size_t kBytesPerSlot = 16;
  static constexpr std::size_t kBytesPerEntry = 8;

  // The largest number of follow-ups pending at once.
  static constexpr std::size_t kMaxPending = std::size_t{1} << 30;

  // FollowUpScheduler::make()
  //
  // An empty scheduler whose time is `start_utc` (rounded down to a whole
  // second). Due times may lie up to 2^32 - 1 seconds after it.
  // Fails with errc::invalid_argument if `start_utc` is not-a-date-time or
  // infinite.
  //
  // Example (given redress::Instant now):
  //   auto s = redress::FollowUpScheduler::make(now);  // the host's clock, read once
  static result<FollowUpScheduler> make(Instant start_utc);

  FollowUpScheduler(const FollowUpScheduler& other) = default;
  FollowUpScheduler(FollowUpScheduler&& other) noexcept;
  FollowUpScheduler& operator=(const FollowUpScheduler& other);
  FollowUpScheduler& operator=(FollowUpScheduler&& other) noexcept;
  ~FollowUpScheduler() = default;

  // FollowUpScheduler::schedule()
  //
  // Adds a follow-up due at `due_at_utc` (rounded up to a whole second; a
  // time at or before `now_utc()` means "on the next advance") carrying the
  // host's `key`. O(1) amortised: one call in many compacts a bucket (see
  // reclaim()).
  // Fails, changing nothing, with
  //   - errc::invalid_argument if `due_at_utc` is not-a-date-time or infinite;
  //   - errc::out_of_range if it is after `horizon_utc()`, or if kMaxPending
  //     follow-ups are already pending;
  //   - std::errc::not_enough_memory if storage cannot grow.
  //
  // Example (given redress::FollowUpScheduler& s, redress::Instant now, std::uint64_t case_number):
  //   auto h = s.schedule(now + boost::posix_time::minutes(20), case_number);
  //   if (!h) return h.error();  // redress::last_error_detail() says why
  result<FollowUpHandle> schedule(Instant due_at_utc, std::uint64_t key) {
    // The common case in a few instructions, inline: a due time after the
    // current second and within the horizon (a special instant lies outside
    // that range too), a slot and an entry at hand. Everything else goes
    // the long way, out of line.
    const std::uint64_t after = static_cast<std::uint64_t>(detail::InstantTicks::of(due_at_utc)) - floor_ticks_;
    const std::uint32_t index = free_;
    if (after - 1 < due_span_ && !blocks_short() && (index != kNil || used_ < slot_capacity_)) [[likely]] {
      return place(index, static_cast<std::uint32_t>(elapsed_ + (after + kTicksPerSecond - 1) / kTicksPerSecond), key);
    }
    return schedule_slow(due_at_utc, key);
  }

  // FollowUpScheduler::cancel()
  //
  // Removes the follow-up `handle` names if it is still pending and returns
  // true. A stale handle (already fired or cancelled, or never issued here)
  // is a reported no-op: it returns false and changes nothing, because a
  // host often cancels a follow-up that has fired a moment before.
  // O(1): it frees the follow-up's slot and touches nothing else. The entry
  // it leaves in the wheel is dropped by the next walk of its bucket, or by
  // a compaction when new entries need room (see reclaim()).
  //
  // Example (given redress::FollowUpScheduler& s, redress::FollowUpHandle h):
  //   if (!s.cancel(h)) { /* it already fired: the host saw it in advance() */ }
  bool cancel(FollowUpHandle handle) noexcept {
    if (!is_pending(handle)) return false;
    release(handle.slot_, handle.generation_);
    return true;
  }

  // FollowUpScheduler::reschedule()
  //
  // Moves the pending follow-up `handle` names to `due_at_utc`, keeping its
  // key and its handle. Among follow-ups due in the same second it now fires
  // after those scheduled before this call. O(1) amortised.
  // Fails, changing nothing, with
  //   - errc::invalid_argument if `handle` is stale, or `due_at_utc` is
  //     not-a-date-time or infinite;
  //   - errc::out_of_range if `due_at_utc` is after `horizon_utc()`;
  //   - std::errc::not_enough_memory if storage cannot grow.
  //
  // Example (given redress::FollowUpScheduler& s, redress::FollowUpHandle h, redress::Instant now):
  //   BOOST_OUTCOME_TRYV(s.reschedule(h, now + boost::posix_time::minutes(20)));  // the customer was updated
  result<void> reschedule(FollowUpHandle handle, Instant due_at_utc) {
    if (!is_pending(handle)) return stale_error(handle);
    const std::int64_t due_s = due_seconds(due_at_utc);
    if (due_s < 0) return due_error(due_at_utc, due_s);
    if (blocks_short()) {
      if (auto grown = make_room(); !grown) return grown.error();
    }
    // The new entry takes over the slot's position, which leaves the old one
    // behind, stale.
    append(slots_[handle.slot_], handle.slot_, static_cast<std::uint32_t>(due_s));
    return boost::outcome_v2::success();
  }

  // FollowUpScheduler::advance()
  //
  // Moves the scheduler's time to `now_utc` (rounded down to a whole second)
  // and calls `on_fire(const FiredFollowUp&)` once for every follow-up due at
  // or before it, in due order (same second: schedule order). Each follow-up
  // is removed before `on_fire` sees it, so its handle is already stale.
  // Returns how many fired. O(1) when nothing is due. Never allocates.
  //
  // `on_fire` may schedule, cancel and reschedule; a follow-up it schedules
  // at or before `now_utc` fires within this same call, after the ones
  // already due. It may not call `advance`. If it throws, the exception
  // propagates: the follow-up it was given has fired, the rest stay pending
  // and the next `advance` carries on.
  //
  // Fails, changing nothing, with
  //   - errc::invalid_argument if `now_utc` is not-a-date-time or infinite,
  //     is earlier than `now_utc()` (time never goes back; an instant within
  //     the current second is accepted), or if called from inside `on_fire`;
  //   - errc::out_of_range if `now_utc` is after `horizon_utc()`.
  //
  // Example (given redress::FollowUpScheduler& s, redress::Instant now):
  //   std::vector<std::uint64_t> due_keys;
  //   auto fired = s.advance(now, [&](const redress::FiredFollowUp& f) { due_keys.push_back(f.key); });
  template <class OnFire>
    requires std::invocable<OnFire&, const FiredFollowUp&>
  result<std::size_t> advance(Instant now_utc, OnFire&& on_fire) {
    // The common case: nothing can be due yet (quiet_ticks_ is 0 while
    // advancing, so a call from on_fire goes the long way and fails).
    const std::uint64_t after = static_cast<std::uint64_t>(detail::InstantTicks::of(now_utc)) - floor_ticks_;
    if (after < quiet_ticks_) [[likely]] {
      if (after >= static_cast<std::uint64_t>(kTicksPerSecond)) pass(after);
      return std::size_t{0};
    }
    return advance_due(now_utc, on_fire);
  }

  // FollowUpScheduler::is_pending()
  //
  // Whether `handle` names a follow-up that has neither fired nor been cancelled.
  bool is_pending(FollowUpHandle handle) const noexcept {
    return handle.slot_ < used_ && (handle.generation_ & 1u) != 0 && slots_[handle.slot_].generation == handle.generation_;
  }

  // FollowUpScheduler::due_at_utc()
  //
  // When the pending follow-up `handle` names will fire: its due time as
  // held (rounded up to a whole second, never before the time it was
  // scheduled at). Fails with errc::invalid_argument if `handle` is stale.
  //
  // Example (given const redress::FollowUpScheduler& s, redress::FollowUpHandle h):
  //   redress::Instant due = s.due_at_utc(h).value();  // 2025-01-24T07:20:00Z
  result<Instant> due_at_utc(FollowUpHandle handle) const;

  // FollowUpScheduler::size() / empty()
  //
  // How many follow-ups are pending.
  std::size_t size() const noexcept { return pending_; }
  bool empty() const noexcept { return pending_ == 0; }

  // FollowUpScheduler::now_utc()
  //
  // The scheduler's time: the latest `advance` (or `make`) instant, rounded
  // down to a whole second.
  Instant now_utc() const { return at_second(elapsed_); }

  // FollowUpScheduler::horizon_utc()
  //
  // The latest due time `schedule` accepts and the latest `advance` time:
  // 2^32 - 1 seconds after the start given to `make` (rounded down).
  Instant horizon_utc() const { return at_second(kMaxSecond); }

  // FollowUpScheduler::next_check_utc()
  //
  // When the host should next call `advance` if it sleeps in between: no
  // follow-up is due before this instant. It is exact when the next follow-up
  // is due within the current 64-second window; further out it is the start
  // of the wheel bucket holding it, where `advance` fires nothing but moves
  // follow-ups closer, and a new call gives a later instant. Empty when
  // nothing is pending.
  //
  // Example (given const redress::FollowUpScheduler& s,
  //          const std::function<void(redress::Instant)>& sleep_until):
  //   if (auto at = s.next_check_utc()) sleep_until(*at);
  std::optional<Instant> next_check_utc() const;

  // FollowUpScheduler::allocated_bytes()
  //
  // Bytes of memory the scheduler holds: the object itself, slot storage
  // (kBytesPerSlot a slot, in chunks of 4096) and bucket entries
  // (kBytesPerEntry each, in chunks of 8192). Storage freed by cancel or
  // firing is reused, never returned.
  std::size_t allocated_bytes() const noexcept;

 private:
  // One follow-up: everything cancel needs is here, so a cancel reads and
  // writes this record and nothing else that is not already in cache. It is
  // 16 bytes and 16-byte aligned, so it never straddles two cache lines; the
  // due second lives in the follow-up's entry, which only walks and
  // due_at_utc() read.
  struct alignas(16) Slot {
    std::uint32_t generation;  // odd while pending, even while free
    std::uint32_t pos;         // while pending: where its entry is; while free: the next free slot
    std::uint64_t key;
    // Whether the entry at `position` is this slot's live entry. Entries a
    // cancel, a firing or a reschedule left behind fail this: the slot is
    // free (even generation) or has moved on to another position, and no two
    // entries ever share a position.
    bool holds(std::uint32_t position) const noexcept { return (generation & 1u) != 0 && pos == position; }
  };
  static_assert(sizeof(Slot) == kBytesPerSlot);

  // A bucket entry: the index of a slot and the second it is held due, after
  // origin_. The last entry of each block holds the index of the next block
  // in `slot`.
  struct Entry {
    std::uint32_t slot;
    std::uint32_t due_s;
  };
  static_assert(sizeof(Entry) == kBytesPerEntry);

  // One wheel bucket: a chain of entry blocks, all full but the tail.
  struct Bucket {
    std::uint32_t head = 0xFFFF'FFFFu;  // first block, or kNil when empty
    std::uint32_t tail = 0xFFFF'FFFFu;
    std::uint32_t fill = 0;             // entries used in the tail block
    std::uint32_t size = 0;             // entries, stale ones included
  };

  // State that belongs to one running advance() and is never copied.
  struct Transient {
    bool advancing = false;
    std::uint32_t firing = 0xFFFF'FFFFu;  // the bucket being fired: never compacted
    Transient() = default;
    Transient(const Transient&) noexcept {}
    Transient& operator=(const Transient&) noexcept { return *this; }
    ~Transient() = default;
  };
  struct Advancing {
    explicit Advancing(FollowUpScheduler& s) noexcept : s_(s) {
      s_.transient_.advancing = true;
      s_.quiet_ticks_ = 0;
    }
    ~Advancing() {
      s_.transient_.advancing = false;
      s_.refresh_quiet();
    }
    Advancing(const Advancing&) = delete;
    Advancing& operator=(const Advancing&) = delete;
    FollowUpScheduler& s_;
  };
  // Marks `bucket` as being fired; on leaving drops it if it was walked to
  // the end (everything in it has fired or is stale). An exception from
  // on_fire leaves it in place: what has fired in it is stale and is
  // skipped, the rest fires on the next advance.
  struct Firing {
    Firing(FollowUpScheduler& s, std::uint32_t bucket) noexcept : s_(s), bucket_(bucket) {
      s_.transient_.firing = bucket;
    }
    ~Firing() {
      s_.transient_.firing = kNil;
      if (walked) s_.drop(bucket_);
    }
    Firing(const Firing&) = delete;
    Firing& operator=(const Firing&) = delete;
    FollowUpScheduler& s_;
    std::uint32_t bucket_;
    bool walked = false;
  };

  static constexpr std::uint32_t kNil = 0xFFFF'FFFFu;
  static constexpr std::uint64_t kMaxSecond = 0xFFFF'FFFFu;
  static constexpr std::uint64_t kNever = ~std::uint64_t{0};
  static constexpr unsigned kLevels = 6;       // 6 x 6 bits >= 32 bits of seconds
  static constexpr unsigned kLevelBits = 6;    // 64 buckets per level
  static constexpr std::uint32_t kBuckets = kLevels * 64;
  static constexpr std::uint32_t kBlockStride = 64;    // a block: 63 entries and the next block's index
  static constexpr std::uint32_t kBlockEntries = 63;
  static constexpr std::uint32_t kPrefetchAhead = 32;  // entries a Lookahead runs ahead
  static constexpr std::uint64_t kStaleSlack = 4096;  // stale entries allowed beyond 3/4 of the pending follow-ups
  static constexpr std::int64_t kSpecial = -1;     // due/now is not-a-date-time or infinite
  static constexpr std::int64_t kTooLate = -2;     // after the horizon
  static constexpr std::int64_t kBackwards = -3;   // now before the scheduler's time
  static constexpr std::int64_t kReentered = -4;   // advance called from on_fire

  explicit FollowUpScheduler(Instant origin) noexcept;

  // Seconds after origin_ to hold a follow-up due at `at` (rounded up, and
  // never before elapsed_), or kSpecial / kTooLate.
  std::int64_t due_seconds(Instant at) const noexcept {
    if (at.is_special()) return kSpecial;
#if defined(__GNUC__)
    // make() never takes a special instant: spare the subtraction its test.
    if (origin_.is_special()) __builtin_unreachable();
#endif
    const std::int64_t ticks = (at - origin_).ticks();
    if (ticks <= static_cast<std::int64_t>(elapsed_) * kTicksPerSecond) return static_cast<std::int64_t>(elapsed_);
    // ticks > 0 here: unsigned division needs no sign fix-up.
    const auto s = static_cast<std::int64_t>((static_cast<std::uint64_t>(ticks) + kTicksPerSecond - 1) /
                                             static_cast<std::uint64_t>(kTicksPerSecond));
    return s > static_cast<std::int64_t>(kMaxSecond) ? kTooLate : s;
  }

  // Seconds after origin_ of `at` (rounded down), or kSpecial / kTooLate /
  // kBackwards.
  std::int64_t now_seconds(Instant at) const noexcept {
    if (at.is_special()) return kSpecial;
    const std::int64_t ticks = (at - origin_).ticks();
    if (ticks < static_cast<std::int64_t>(elapsed_) * kTicksPerSecond) return kBackwards;
    const std::int64_t s = ticks / kTicksPerSecond;
    return s > static_cast<std::int64_t>(kMaxSecond) ? kTooLate : s;
  }

  Instant at_second(std::uint64_t s) const { return origin_ + boost::posix_time::seconds(static_cast<long>(s)); }

  // Sets the scheduler's time to second `s` after origin_, with the tick
  // range schedule() takes inline.
  void set_elapsed(std::uint64_t s) noexcept {
    elapsed_ = s;
    floor_ticks_ = static_cast<std::uint64_t>(detail::InstantTicks::of(origin_)) + s * kTicksPerSecond;
    due_span_ = (kMaxSecond - s) * kTicksPerSecond;
  }

  // set_elapsed() and refresh_quiet(): the time moved outside advancing.
  void move_time(std::uint64_t s) noexcept {
    set_elapsed(s);
    refresh_quiet();
  }

  // Works out quiet_ticks_ from next_deadline_ and elapsed_: the ticks after
  // floor_ticks_ before which advance() has nothing to do but move the time
  // (never past the horizon); 0 while advancing.
  void refresh_quiet() noexcept {
    quiet_ticks_ = transient_.advancing
                       ? 0
                       : (std::min(next_deadline_, kMaxSecond + 1) - elapsed_) * static_cast<std::uint64_t>(kTicksPerSecond);
  }

  // advance() to `after` ticks past floor_ticks_, a later second before
  // quiet_ticks_: nothing is due, only the time moves.
  void pass(std::uint64_t after) noexcept;

  // schedule() when the due time is past, special or beyond the horizon, or
  // when a slot or an entry needs room.
  result<FollowUpHandle> schedule_slow(Instant due_at_utc, std::uint64_t key);

  // Takes free slot `index` (kNil: a new one, below slot_capacity_) for a
  // follow-up due at `due_s` (at or after elapsed_) carrying `key`, and
  // appends its entry; room for both was checked by the caller.
  FollowUpHandle place(std::uint32_t index, std::uint32_t due_s, std::uint64_t key) noexcept {
    Slot* s;
    std::uint32_t generation = 1;  // even (free) to odd (pending)
    if (index != kNil) {
      s = &slots_[index];
      free_ = s->pos;
      generation = s->generation + 1;
    } else {
      index = used_++;
      s = &slots_[index];
    }
    s->generation = generation;
    s->key = key;
    append(*s, index, due_s);
    ++pending_;
    return FollowUpHandle(index, generation);
  }

  // The bucket a follow-up due at `due_s` belongs in while the time is
  // elapsed_: its level is the highest 6-bit digit where the two differ.
  std::uint32_t bucket_of(std::uint32_t due_s) const noexcept {
    // | 1: a width of 0 or 1 is level 0 either way, and bit_width of a
    // non-zero value needs no test for zero.
    const unsigned level = kLevelOfWidth[std::bit_width((static_cast<std::uint64_t>(due_s) ^ elapsed_) | 1u)];
    return level * 64 + ((due_s >> (level * kLevelBits)) & 63u);
  }

  std::uint32_t& next_block(std::uint32_t block) noexcept {
    return entries_[block * kBlockStride + kBlockEntries].slot;
  }

  // Asks for slot `index` (which is about to be read or written) ahead of time.
  void prefetch_slot(std::uint32_t index) const noexcept {
#if defined(__GNUC__)
    __builtin_prefetch(&slots_[index], 1);
#else
    (void)index;
#endif
  }

  // A cursor that runs ahead of a walk over a bucket, across blocks, asking
  // for the slot of each entry it passes: cascades, firing and compaction
  // read the slots of a bucket's entries, which lie anywhere in memory, and
  // would otherwise wait for each. It stops at the bucket's current end and
  // carries on if more is appended. It must stay ahead of a walk that frees
  // the blocks it has read (a cascade).
  struct Lookahead {
    std::uint32_t block;
    std::uint32_t offset = 0;
  };
  void look_ahead(Lookahead& ahead, const Bucket& b) const noexcept {
    if (ahead.offset == kBlockEntries) {
      if (ahead.block == b.tail) return;
      ahead.block = entries_[ahead.block * kBlockStride + kBlockEntries].slot;
      ahead.offset = 0;
    }
    if (ahead.block == b.tail && ahead.offset >= b.fill) return;
    prefetch_slot(entries_[ahead.block * kBlockStride + ahead.offset++].slot);
  }

  // Whether `blocks` blocks hold `positions` entries, whatever buckets they
  // are in and however a cascade moves them: blocks in use never exceed
  // positions / kBlockEntries plus one partly filled block per non-empty
  // bucket, and cascades never add positions.
  static bool blocks_cover(std::uint64_t blocks, std::uint64_t positions) noexcept {
    return blocks >= positions / kBlockEntries + std::min<std::uint64_t>(positions, kBuckets) + 2;
  }

  // Whether an append could leave a cascade short of free blocks. make_room()
  // works out positions_covered_ once, so that the check is one comparison.
  bool blocks_short() const noexcept { return positions_ >= positions_covered_; }

  // Whether the wheel holds more stale entries than allowed with `positions`
  // entries in all: three quarters of the pending follow-ups, plus
  // kStaleSlack. A stale entry costs kBytesPerEntry, so a follow-up costs at
  // most kBytesPerSlot + 1.75 kBytesPerEntry = 30 bytes.
  bool too_stale(std::uint64_t positions) const noexcept { return positions > pending_ * 7 / 4 + kStaleSlack; }

  // Appends an entry for pending slot `index`, due at `due_s` (at or after
  // elapsed_), to its bucket and points the slot at it; an entry the slot had
  // before is left behind. Never allocates: blocks_short() was checked by the
  // caller.
  void append(Slot& slot, std::uint32_t index, std::uint32_t due_s) noexcept {
    const std::uint32_t bucket = bucket_of(due_s);
    Bucket& b = buckets_[bucket];
    if (b.tail == kNil || b.fill == kBlockEntries) {
      const std::uint32_t block = free_blocks_;
      free_blocks_ = next_block(block);
      next_block(block) = kNil;
      if (b.tail == kNil) {
        b.head = block;
        mark_occupied(bucket, due_s);
      } else {
        next_block(b.tail) = block;
      }
      b.tail = block;
      b.fill = 0;
    }
    const std::uint32_t pos = b.tail * kBlockStride + b.fill++;
    entries_[pos] = Entry{index, due_s};
    b.size += 1;
    ++positions_;
    slot.pos = pos;
  }

  void mark_occupied(std::uint32_t bucket, std::uint32_t due_s) noexcept {
    const unsigned level = bucket / 64;
    occupied_[level] |= std::uint64_t{1} << (bucket % 64);
    levels_ |= 1u << level;
    const std::uint64_t start = due_s & ~((std::uint64_t{1} << (level * kLevelBits)) - 1);
    if (start < next_deadline_) {
      next_deadline_ = start;
      quiet_ticks_ = std::min(quiet_ticks_, (start - elapsed_) * static_cast<std::uint64_t>(kTicksPerSecond));
    }
  }

  // Returns pending slot `index`, whose generation is `generation`, to the
  // free list; its entry, if any, is now stale. The new generation is
  // computed from the argument rather than from the slot: a cancel has just
  // missed the cache reading the slot, and a schedule that pops the slot next
  // would otherwise wait for that miss to read the generation back.
  void release(std::uint32_t index, std::uint32_t generation) noexcept {
    Slot& s = slots_[index];
    s.pos = free_;
    free_ = index;
    // Stored apart from pos, after free_ (which might alias it as far as the
    // compiler knows), so that the two are not merged into one vector store:
    // that takes more instructions, and a cancel's speed is how many of them
    // fit in the processor's window beside other cancels' cache misses.
    s.generation = generation + 1;  // odd (pending) to even (free)
    --pending_;
  }

  // advance() when something may be due, or when the call is to fail.
  template <class OnFire>
  [[gnu::noinline]] result<std::size_t> advance_due(Instant now_utc, OnFire& on_fire) {
    const std::int64_t now_s = now_seconds(now_utc);
    if (now_s < 0 || transient_.advancing) return now_error(now_utc, transient_.advancing ? kReentered : now_s);
    const auto target = static_cast<std::uint64_t>(now_s);
    if (target < next_deadline_) {
      move_time(target);
      return std::size_t{0};
    }
    Advancing guard(*this);
    std::size_t fired = 0;
    for (std::uint32_t bucket = settle(target); bucket != kNil; bucket = settle(target)) {
      Firing firing(*this, bucket);
      // Walk the bucket in order, re-reading its end: on_fire may append.
      std::uint32_t block = buckets_[bucket].head;
      std::uint32_t offset = 0;
      Lookahead ahead{block};
      for (std::uint32_t i = 0; i < kPrefetchAhead; ++i) look_ahead(ahead, buckets_[bucket]);
      for (;;) {
        const Bucket& b = buckets_[bucket];
        const std::uint32_t end = block == b.tail ? b.fill : kBlockEntries;
        if (offset == end) {
          if (block == b.tail) {
            firing.walked = true;
            break;
          }
          block = next_block(block);
          offset = 0;
          continue;
        }
        look_ahead(ahead, b);
        const std::uint32_t pos = block * kBlockStride + offset++;
        const Entry e = entries_[pos];
        const Slot& s = slots_[e.slot];
        if (!s.holds(pos)) continue;  // left behind by a cancel or a reschedule
        const FiredFollowUp event{FollowUpHandle(e.slot, s.generation), s.key, at_second(e.due_s)};
        release(e.slot, event.handle.generation_);
        ++fired;
        std::invoke(on_fire, event);
      }
    }
    return fired;
  }

  // Moves elapsed_ towards `target`, cascading higher-level buckets down,
  // until the earliest non-empty bucket is a level-0 bucket due at or before
  // `target`: returns it, with elapsed_ at its second. Returns kNil when
  // nothing is due by `target`, with elapsed_ at `target`.
  std::uint32_t settle(std::uint64_t target) noexcept;

  // The first second of bucket `digit` of `level`, given that elapsed_ is
  // in the level's current window.
  std::uint64_t first_start(unsigned level, unsigned digit) const noexcept;

  // Packs `bucket` without its stale entries, or drops it when nothing live
  // is left.
  void compact(std::uint32_t bucket) noexcept;

  // Called when an append needs room (make_room) while the wheel holds too
  // many stale entries (too_stale): compacts the next non-empty bucket after
  // the last one it compacted (never the one being fired, whose stale
  // entries go when it has been walked). Cancels are not told which bucket
  // their entry is in (that would cost a second cache miss), so buckets are
  // taken in turn: a full turn reclaims every stale entry there was when it
  // began, and costs about as many slot reads as there are entries, at
  // least three stale ones for every seven walked. Stale entries cost
  // memory only when new entries would need more of it, so that is the one
  // place they are reclaimed: cancel stays O(1), and schedule and
  // reschedule pay for the compaction only when they would otherwise grow.
  void reclaim() noexcept;

  // Returns all of `bucket`'s blocks to the free list and marks it empty.
  void drop(std::uint32_t bucket) noexcept;

  // Whether `bucket` has an entry of a pending follow-up.
  bool holds_live(std::uint32_t bucket) const noexcept;
  void clear_occupied(std::uint32_t bucket) noexcept;
  void free_block(std::uint32_t block) noexcept;

  // Makes room for one more slot and one more entry: compacts a bucket if
  // stale entries are too many (reclaim()), then grows what is still short.
  // Reports why it could not.
  result<void> make_room() noexcept;

  void swap(FollowUpScheduler& other) noexcept;

  std::error_code due_error(Instant at, std::int64_t code) const;
  std::error_code now_error(Instant at, std::int64_t code) const;
  static std::error_code stale_error(FollowUpHandle handle);

  static constexpr std::int64_t kTicksPerSecond = boost::posix_time::time_duration::ticks_per_second();
  static constexpr std::array<unsigned char, 65> kLevelOfWidth = [] {
    std::array<unsigned char, 65> t{};
    for (unsigned w = 1; w < t.size(); ++w) t[w] = static_cast<unsigned char>((w - 1) / kLevelBits);
    return t;
  }();

  Instant origin_;
  std::uint64_t elapsed_ = 0;             // the scheduler's time, seconds after origin_
  std::uint64_t next_deadline_ = kNever;  // no bucket needs attention before this second
  // Ticks of ptime (detail::InstantTicks), kept with elapsed_ and
  // next_deadline_ so that schedule() and advance() test an instant with
  // one subtraction and one comparison:
  std::uint64_t floor_ticks_ = 0;  // the start of second elapsed_
  std::uint64_t due_span_ = 0;     // from floor_ticks_ to the horizon
  std::uint64_t quiet_ticks_ = 0;  // from floor_ticks_ to next_deadline_ (or past the horizon); 0 while advancing
  detail::SlotArray<Slot, 12> slots_;
  detail::ChunkedArray<Entry, 13> entries_;  // in blocks of kBlockStride
  std::uint32_t used_ = 0;                // slots ever handed out: [0, used_)
  std::uint32_t slot_capacity_ = 0;       // slots_.capacity()
  std::uint32_t free_ = kNil;             // head of the free slot list
  std::uint32_t blocks_ = 0;              // blocks ever created
  std::uint32_t free_blocks_ = kNil;      // head of the free block list
  std::uint64_t positions_covered_ = 0;   // the most positions blocks_ blocks cover (blocks_cover)
  std::uint64_t positions_ = 0;           // entries in all buckets, stale ones included
  std::size_t pending_ = 0;
  std::uint32_t levels_ = 0;              // bit L: level L has a non-empty bucket
  std::uint32_t reclaim_next_ = 0;        // the bucket reclaim() looks at first
  Transient transient_;
  std::array<std::uint64_t, kLevels> occupied_{};  // bit b of [L]: bucket (L, b) is non-empty
  std::array<Bucket, kBuckets> buckets_{};
};

}  // namespace v1
}  // namespace redress

template <>
struct std::hash<redress::FollowUpHandle> {
  std::size_t operator()(redress::FollowUpHandle h) const noexcept { return std::hash<std::uint64_t>{}(h.to_bits()); }
};

#endif  // REDRESS_SCHEDULER_HPP
