// detail::json_parse() (which refuses duplicate members with a second,
// non-building pass) against Boost.JSON's stream_parser alone, the reference,
// on the documents redress reads: the bundled calendar (the largest), a
// policy, and one event line.
#include <fstream>
#include <iterator>
#include <string>

#include <benchmark/benchmark.h>
#include <boost/json.hpp>

#include <redress/detail/json_read.hpp>

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const std::string& document(int which) {
  static const std::string calendar = slurp(REDRESS_BENCH_DATA_DIR "/calendars/cn.json");
  static const std::string policy = slurp(REDRESS_BENCH_DATA_DIR "/../examples/policies/coupon-marketplace.json");
  static const std::string event =
      R"({"case_id":"C-1","at":"2025-01-24T15:00:00+08:00","type":"contact_received","channel":"phone",)"
      R"("from":{"kind":"phone","value":"138 1234 5678"},"text":"The new TV shows no picture"})";
  return which == 0 ? calendar : which == 1 ? policy : event;
}

void reference(benchmark::State& state) {
  const std::string& text = document(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    boost::json::error_code ec;
    boost::json::stream_parser p;
    p.write(text.data(), text.size(), ec);
    if (!ec) p.finish(ec);
    auto v = p.release();
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

void json_parse_checked(benchmark::State& state) {
  const std::string& text = document(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto v = redress::detail::json_parse(text, "doc");
    if (!v) state.SkipWithError("refused");
    benchmark::DoNotOptimize(v);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

}  // namespace

// 0: calendar cn.json, 1: coupon-marketplace policy, 2: one event.
BENCHMARK(reference)->DenseRange(0, 2);
BENCHMARK(json_parse_checked)->DenseRange(0, 2);
BENCHMARK_MAIN();
