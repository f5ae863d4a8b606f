// A connection lost around COMMIT: the one failure whose outcome a client
// cannot know. The store must say so, and a retry must store the batch
// exactly once whichever way it went.
//
// A small TCP proxy stands between the store and the test server and reads
// the PostgreSQL protocol enough to find the COMMIT. It can drop the
// connection before passing the COMMIT on (the server never sees it and
// rolls the transaction back) or after the server has answered it (the
// change is made, and the answer never reaches the store).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <redress/pg_store.hpp>

#include "pg/pg_fixture.hpp"

using namespace redress;
using namespace redress::testing;

namespace {

// Proxy
//
// Listens on a free loopback port and relays each connection to the test
// server. `cut()` arms it for the next COMMIT it sees.
class Proxy {
 public:
  enum class Cut { never, before_commit, after_commit };

  explicit Proxy(int server_port) : server_port_(server_port) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t size = sizeof addr;
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener_, 8) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &size) != 0) {
      throw std::runtime_error(std::string("Proxy: cannot listen: ") + std::strerror(errno));
    }
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::jthread([this](std::stop_token stop) { accept_loop(stop); });
  }
  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;
  ~Proxy() {
    acceptor_.request_stop();
    acceptor_.join();
    std::lock_guard lock(mutex_);
    for (auto& t : relays_) t.request_stop();
    relays_.clear();  // joins
    ::close(listener_);
  }

  int port() const noexcept { return port_; }
  void cut(Cut how) noexcept { cut_ = how; }
  // Whether a cut happened, and whether the server had answered the COMMIT
  // (CommandComplete "COMMIT") when the proxy dropped the connection.
  bool cut_done() const noexcept { return cut_done_; }
  bool commit_answered() const noexcept { return commit_answered_; }

 private:
  static bool send_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
      const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
      if (n <= 0) return false;
      data += n;
      size -= static_cast<std::size_t>(n);
    }
    return true;
  }
  static std::uint32_t length_at(const std::string& buffer, std::size_t at) {
    std::uint32_t be;
    std::memcpy(&be, buffer.data() + at, 4);
    return ntohl(be);
  }

  void accept_loop(std::stop_token stop) {
    while (!stop.stop_requested()) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int client = ::accept(listener_, nullptr, nullptr);
      if (client < 0) continue;
      std::lock_guard lock(mutex_);
      relays_.emplace_back([this, client](std::stop_token s) { relay(client, s); });
    }
  }

  void relay(int client, std::stop_token stop) {
    const int server = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(server_port_));
    if (server < 0 || ::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(client);
      if (server >= 0) ::close(server);
      return;
    }
    std::string from_client;  // bytes not yet framed into whole messages
    std::string held;         // the server's answer to the COMMIT, never passed on
    bool started = false;     // the untyped startup message has gone by
    bool holding = false;     // a COMMIT went to the server: keep its answer
    bool open = true;
    char chunk[16384];
    while (open && !stop.stop_requested()) {
      pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
      if (::poll(fds, 2, 50) <= 0) continue;
      if (fds[1].revents != 0) {
        const ssize_t n = ::recv(server, chunk, sizeof chunk, 0);
        if (n <= 0) break;
        if (!holding) {
          open = send_all(client, chunk, static_cast<std::size_t>(n));
        } else {
          held.append(chunk, static_cast<std::size_t>(n));
          // The answer ends with ReadyForQuery ('Z'); then the connection goes.
          for (std::size_t at = 0; at + 5 <= held.size();) {
            const std::size_t size = 1 + length_at(held, at + 1);
            if (at + size > held.size()) break;
            if (held[at] == 'C' && held.compare(at + 5, 6, "COMMIT") == 0) commit_answered_ = true;
            if (held[at] == 'Z') open = false;
            at += size;
          }
          if (!open) cut_done_ = true;
        }
      }
      if (open && fds[0].revents != 0) {
        const ssize_t n = ::recv(client, chunk, sizeof chunk, 0);
        if (n <= 0) break;
        from_client.append(chunk, static_cast<std::size_t>(n));
        // Whole messages only: the startup message has no type byte.
        for (;;) {
          const std::size_t head = started ? 1 : 0;
          if (from_client.size() < head + 4) break;
          const std::size_t size = head + length_at(from_client, head);
          if (from_client.size() < size) break;
          // Parse ('P'): a statement name, then the query text.
          if (started && from_client[0] == 'P' && cut_ != Cut::never) {
            const std::size_t name_end = from_client.find('\0', 5);
            if (name_end != std::string::npos && from_client.compare(name_end + 1, 6, "COMMIT") == 0) {
              if (cut_.exchange(Cut::never) == Cut::before_commit) {
                cut_done_ = true;
                open = false;
                break;
              }
              holding = true;
            }
          }
          if (!send_all(server, from_client.data(), size)) {
            open = false;
            break;
          }
          from_client.erase(0, size);
          started = true;
        }
      }
    }
    ::close(client);
    ::close(server);
  }

  int server_port_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<Cut> cut_{Cut::never};
  std::atomic<bool> cut_done_{false};
  std::atomic<bool> commit_answered_{false};
  std::mutex mutex_;
  std::vector<std::jthread> relays_;
  std::jthread acceptor_;
};

// The port in the test server's conninfo ("host=... port=N ...").
int server_port() {
  const std::string info = server_conninfo();
  const auto at = info.find("port=");
  REQUIRE(at != std::string::npos);
  return std::stoi(info.substr(at + 5));
}

}  // namespace

TEST_SUITE("pg_store lost commit") {
  TEST_CASE("a connection lost around COMMIT is reported as of unknown outcome, and the retry stores the batch once") {
    Schema schema;
    Proxy proxy(server_port());
    // Later keywords override earlier ones: the store talks to the proxy,
    // in plain text so that the proxy can read it.
    auto store = open_store(schema.conninfo() +
                            fmt::format(" host=127.0.0.1 port={} sslmode=disable gssencmode=disable", proxy.port()));
    auto direct = open_store(schema.conninfo());
    const auto id = cid();
    REQUIRE(store.append(hdr(id), batch(id, 1, 1), 0, CaseState::open));

    bool committed = false;
    SUBCASE("the server never sees the COMMIT") { proxy.cut(Proxy::Cut::before_commit); }
    SUBCASE("the server commits, and its answer is lost") {
      proxy.cut(Proxy::Cut::after_commit);
      committed = true;
    }
    auto lost = store.append(hdr(id), batch(id, 2, 2), 1, CaseState::closed);
    REQUIRE_FALSE(lost);
    CHECK(lost.error() == store_errc::storage_failed);
    CHECK_MESSAGE(why().find("committing: the connection to the server was lost") != std::string::npos, why());
    CHECK_MESSAGE(why().find("the outcome is unknown") != std::string::npos, why());
    CHECK(proxy.cut_done());
    CHECK(proxy.commit_answered() == committed);
    // What the server holds is what happened to the COMMIT.
    CHECK(direct.events(id).value() == (committed ? batch(id, 1, 3) : batch(id, 1, 1)));

    // Either way, the retry reconnects and leaves the batch stored once.
    auto retry = store.append(hdr(id), batch(id, 2, 2), 1, CaseState::closed);
    REQUIRE_MESSAGE(retry.has_value(), why());
    CHECK(retry.value() == 3);
    CHECK(store.events(id).value() == batch(id, 1, 3));
    CHECK(direct.events(id).value() == batch(id, 1, 3));
    CHECK(direct.open_cases().value().empty());
    CHECK(direct.check_integrity());
  }
}
