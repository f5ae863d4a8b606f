// What the SQLite benchmarks share: a scratch database file, and timing a
// piece of work by the wall clock and by the thread's CPU time.
#ifndef REDRESS_BENCH_SQLITE_BENCH_SUPPORT_HPP
#define REDRESS_BENCH_SQLITE_BENCH_SUPPORT_HPP

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include <redress/sqlite_store.hpp>

namespace redress::bench {

// A scratch file, removed (with its -wal and -shm) before and after.
class ScratchFile {
 public:
  explicit ScratchFile(const std::string& name)
      : path_((std::filesystem::temp_directory_path() / fmt::format("redress-bench-{}-{}", getpid(), name)).string()) {
    remove();
  }
  ~ScratchFile() { remove(); }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  void remove() const {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  std::string path_;
};

// The store's options: clear text, or sealed with a fixed master key put in
// the environment.
inline SqliteOptions store_options(bool sealed) {
  SqliteOptions o;
  if (sealed) {
    ::setenv("REDRESS_BENCH_MASTER_KEY", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 1);
    o.master_key_env = "REDRESS_BENCH_MASTER_KEY";
  } else {
    o.insecure_plaintext = true;
  }
  return o;
}

// Seconds spent, by the wall clock and by the thread's CPU time (what is
// left when the wait for the disk is taken out).
struct Spent {
  double wall = 0;
  double cpu = 0;
};

// Runs `f`, adding the time it took to `spent`; returns what `f` returned.
template <class F>
auto timed(Spent& spent, F&& f) {
  auto cpu_now = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
  };
  const auto wall0 = std::chrono::steady_clock::now();
  const double cpu0 = cpu_now();
  auto r = f();
  spent.cpu += cpu_now() - cpu0;
  spent.wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  return r;
}

}  // namespace redress::bench

#endif
