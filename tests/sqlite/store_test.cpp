// The SQLite store: the store contract (tests/support/store_contract.hpp) on
// a new file, then what only a SQLite file does.
#include <redress/sqlite_store.hpp>

#include <atomic>
#include <vector>

#include "sqlite/sqlite_fixture.hpp"
#include "support/store_contract.hpp"

using namespace redress;
using namespace redress::testing;

namespace {

SqliteStore open_store(const std::string& path, const SqliteOptions& options = keyed()) {
  auto s = SqliteStore::open(path, options);
  REQUIRE_MESSAGE(s.has_value(), std::string(last_error_detail()));
  return std::move(s).value();
}

// Opening the file at `path` fails with `code`, a detail containing
// `expected`, and leaves the file byte for byte as it was.
void check_refused(const std::string& path, errc code, std::string_view expected) {
  const auto before = slurp(path);
  auto r = SqliteStore::open(path, keyed());
  REQUIRE_FALSE(r);
  CHECK(r.error() == code);
  CHECK_MESSAGE(why().find(expected) != std::string::npos, why());
  CHECK(slurp(path) == before);
}

// The store under the store contract: a new file in a scratch directory.
struct SqliteContract {
  using Store = SqliteStore;
  TempDir dir;
  SqliteStore store = open_store(dir.file("cases.db"));

  // Another store on the same file, as another process would open it.
  SqliteStore open_again() const { return open_store(dir.file("cases.db")); }
  // Runs `sql` on the file through SQLite directly, as another program would.
  void exec_raw(const std::string& sql) const { raw_exec(dir.file("cases.db"), sql); }
};

// The version 1 schema exactly as that release wrote it: a fixture for the
// migration test (a released step never changes).
constexpr const char* kVersion1 =
    "CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value ANY NOT NULL) STRICT, WITHOUT ROWID;"
    "CREATE TABLE cases (case_id TEXT PRIMARY KEY NOT NULL, open INTEGER NOT NULL CHECK (open IN (0, 1)),"
    "  last_seq INTEGER NOT NULL CHECK (last_seq >= 1), last_at_us INTEGER NOT NULL) STRICT, WITHOUT ROWID;"
    "CREATE INDEX cases_open ON cases (case_id) WHERE open = 1;"
    "CREATE TABLE events (case_id TEXT NOT NULL, seq INTEGER NOT NULL CHECK (seq >= 1), at_us INTEGER NOT NULL,"
    "  type TEXT NOT NULL, body_json TEXT NOT NULL, PRIMARY KEY (case_id, seq)) STRICT, WITHOUT ROWID;"
    "INSERT INTO meta (key, value) VALUES ('schema_version', 1);"
    "PRAGMA application_id = 1380209235;";

}  // namespace

TYPE_TO_STRING_AS("SqliteStore", SqliteContract);
REDRESS_INVOKE_STORE_CONTRACT("sqlite_store contract", SqliteContract);

TEST_SUITE("sqlite_store") {
  TEST_CASE("a write lock held past the busy timeout fails with storage_failed and stores nothing") {
    TempDir dir;
    const auto path = dir.file("cases.db");
    auto options = keyed();
    options.busy_timeout = boost::posix_time::milliseconds(50);
    auto store = SqliteStore::open(path, options);
    REQUIRE(store);
    sqlite3* other = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &other) == SQLITE_OK);
    REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
    const auto id = cid();
    auto r = store.value().append(hdr(id), batch(id, 1, 1), 0, CaseState::open);
    REQUIRE_FALSE(r);
    CHECK(r.error() == store_errc::storage_failed);
    CHECK(why().find("database is locked") != std::string::npos);
    sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(other);
    CHECK(store.value().last_seq(id).value() == 0);
    CHECK(store.value().append(hdr(id), batch(id, 1, 1), 0, CaseState::open).value() == 1);
  }
}

TEST_SUITE("sqlite_store files") {
  TEST_CASE("a new file gets the current schema, WAL and redress's application id") {
    TempDir dir;
    const auto path = dir.file("cases.db");
    { auto store = open_store(path); }
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    auto scalar = [&](const char* sql) {
      sqlite3_stmt* s = nullptr;
      REQUIRE(sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK);
      REQUIRE(sqlite3_step(s) == SQLITE_ROW);
      std::string v = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
      sqlite3_finalize(s);
      return v;
    };
    CHECK(scalar("PRAGMA application_id") == std::to_string(SqliteStore::kApplicationId));
    CHECK(scalar("PRAGMA journal_mode") == "wal");
    CHECK(scalar("SELECT value FROM meta WHERE key = 'schema_version'") == std::to_string(SqliteStore::kSchemaVersion));
    sqlite3_close(db);
  }

  TEST_CASE("a file of random bytes is refused as corrupt and left untouched") {
    TempDir dir;
    const auto path = dir.file("cases.db");
    std::string bytes;
    std::uint32_t x = 2463534242u;
    for (int i = 0; i < 8192; ++i) {
      x ^= x << 13, x ^= x >> 17, x ^= x << 5;
      bytes.push_back(static_cast<char>(x));
    }
    write_file(path, bytes);
    check_refused(path, store_errc::corrupt_store, "not a redress store");
  }

  TEST_CASE("another application's SQLite database is refused and left untouched") {
    TempDir dir;
    const auto path = dir.file("other.db");
    std::string expected;
    SUBCASE("tables, no application id") {
      raw_exec(path, "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users VALUES (1, 'li');");
      expected = "another application (tables: users)";
    }
    SUBCASE("another application id") {
      raw_exec(path, "PRAGMA application_id = 1234; CREATE TABLE t (x);");
      expected = "application_id 0x000004d2";
    }
    check_refused(path, store_errc::corrupt_store, expected);
  }

  TEST_CASE("a store of a newer schema version, or of none, is refused and left untouched") {
    TempDir dir;
    const auto path = dir.file("cases.db");
    { auto store = open_store(path); }
    SUBCASE("written by a newer redress: schema_too_new") {
      raw_exec(path, "UPDATE meta SET value = 99 WHERE key = 'schema_version'");
      check_refused(path, store_errc::schema_too_new, "meta.schema_version: 99, written by a newer redress");
    }
    SUBCASE("the version is missing: damaged") {
      raw_exec(path, "DELETE FROM meta");
      check_refused(path, store_errc::corrupt_store, "meta.schema_version: missing");
    }
  }

  TEST_CASE("a version 1 store is migrated on open and keeps its journals") {
    TempDir dir;
    const auto path = dir.file("cases.db");
    const auto id = cid();
    const auto e = nth_event(id, 1);
    raw_exec(path, kVersion1);
    {
      // Its one event, written as version 1 wrote it.
      auto store = open_store(dir.file("scratch.db"), plaintext());
      REQUIRE(store.append(hdr(id), std::vector<Event>{e}, 0, CaseState::open));
    }
    raw_exec(path, "ATTACH '" + dir.file("scratch.db") +
                       "' AS s; INSERT INTO events SELECT case_id, seq, at_us, type, body_json FROM s.events; "
                       "INSERT INTO cases SELECT case_id, open, last_seq, last_at_us FROM s.cases;");
    auto store = open_store(path);
    CHECK(store.events(id).value() == std::vector<Event>{e});
    CHECK(store.open_cases().value() == std::vector<CaseId>{id});
    CHECK(store.persist(id, FollowUp{fid("F-1"), FollowUpKind::update, instant("2025-01-24T07:20:00Z")}));
    CHECK(store.check_integrity());
    // Version 1 kept no header: the case reads back, but cannot be restored alone.
    auto header = store.header(id);
    REQUIRE_FALSE(header);
    CHECK(header.error() == store_errc::corrupt_store);
    CHECK_MESSAGE(why().find("cases[\"C-1\"].customer: missing") != std::string::npos, why());
    // A case appended after the migration has one.
    CHECK(store.append(hdr(cid("C-2")), batch(cid("C-2"), 1, 1), 0, CaseState::open));
    CHECK(store.header(cid("C-2")).value() == hdr(cid("C-2")));
  }

  TEST_CASE("a version 3 store is migrated on open: its journals stay and steps commit with their outbox") {
    TempDir dir;
    const auto path = dir.file("cases.db");
    const auto id = cid();
    {
      auto store = open_store(path, plaintext());
      REQUIRE(store.append(hdr(id), batch(id, 1, 2), 0, CaseState::open));
    }
    // Version 3 is versions 1 to 3 of the migrations, which never change:
    // the current file without what versions 4 to 7 added.
    raw_exec(path,
             "DROP TABLE outbox; DROP TABLE event_ids; DROP TABLE customer_keys; DROP TABLE contact_index; "
             "DROP TABLE fix_notices; DROP TABLE root_cause_fixes; DROP TABLE case_policies; DROP TABLE policies; "
             "DROP INDEX cases_customer; ALTER TABLE events DROP COLUMN sealed; DELETE FROM meta WHERE key = "
             "'protection'; UPDATE meta SET value = 3 WHERE key = 'schema_version';");
    auto store = open_store(path);
    CHECK(store.events(id).value() == batch(id, 1, 2));
    CHECK(store.header(id).value() == hdr(id));
    const Step step{Case::open(id, hdr(id).customer, Currency::CNY, hdr(id).opened_at_utc).value(),
                    {actions::Reply{"We are on it."}},
                    {},
                    {}};
    auto done = store.commit(hdr(id), nth_event(id, 3), step, 2, "msg-3");
    REQUIRE_MESSAGE(done, why());
    CHECK(done.value() == Committed{3, {"C-1#3.1"}, false});
    CHECK(store.check_integrity());
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &s, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(s) == SQLITE_ROW);
    CHECK(sqlite3_column_int64(s, 0) == SqliteStore::kSchemaVersion);
    sqlite3_finalize(s);
    sqlite3_close(db);
  }

  TEST_CASE("opening names the bad argument or the file that cannot be opened") {
    TempDir dir;
    SUBCASE("an empty path") {
      auto r = SqliteStore::open("", keyed());
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::invalid_argument);
      CHECK(why().find("path: empty") != std::string::npos);
    }
    SUBCASE("a negative busy timeout") {
      auto options = keyed();
      options.busy_timeout = boost::posix_time::seconds(-1);
      auto r = SqliteStore::open(dir.file("cases.db"), options);
      REQUIRE_FALSE(r);
      CHECK(r.error() == errc::invalid_argument);
      CHECK(why().find("options.busy_timeout") != std::string::npos);
    }
    SUBCASE("a missing file with create_if_missing off") {
      auto options = keyed();
      options.create_if_missing = false;
      auto r = SqliteStore::open(dir.file("missing.db"), options);
      REQUIRE_FALSE(r);
      CHECK(r.error() == store_errc::storage_failed);
      CHECK(why().find("create_if_missing is off") != std::string::npos);
      CHECK_FALSE(std::filesystem::exists(dir.file("missing.db")));
    }
    SUBCASE("a directory that does not exist") {
      auto r = SqliteStore::open(dir.file("no/such/dir/cases.db"), keyed());
      REQUIRE_FALSE(r);
      CHECK(r.error() == store_errc::storage_failed);
      CHECK(why().find("cannot open the file") != std::string::npos);
    }
  }
}

namespace {

// A VFS over SQLite's default one, made the default while a test runs: it
// counts the syncs of every file SQLite opens and can make writes fail after
// a number of them, as a full disk would. The kill test (durability_test.cpp)
// cannot tell `synchronous=OFF` from `FULL` (SIGKILL keeps the page cache),
// nor see a transaction cut in the middle; these can.
class SpyVfs {
 public:
  static inline std::atomic<int> syncs{0};
  static inline std::atomic<int> writes_before_failure{-1};  // -1: never fail

  SpyVfs() {
    base_ = sqlite3_vfs_find(nullptr);
    vfs_ = *base_;
    vfs_.zName = "redress-spy";
    vfs_.szOsFile = static_cast<int>(sizeof(File)) + base_->szOsFile;
    vfs_.xOpen = &open;
    REQUIRE(sqlite3_vfs_register(&vfs_, 1) == SQLITE_OK);
    syncs = 0;
    writes_before_failure = -1;
  }
  SpyVfs(const SpyVfs&) = delete;
  SpyVfs& operator=(const SpyVfs&) = delete;
  ~SpyVfs() {
    sqlite3_vfs_unregister(&vfs_);
    sqlite3_vfs_register(base_, 1);
  }

 private:
  struct File {
    sqlite3_file base;
    sqlite3_file* real;
  };
  static sqlite3_file* real(sqlite3_file* f) { return reinterpret_cast<File*>(f)->real; }

  static int open(sqlite3_vfs*, const char* name, sqlite3_file* f, int flags, int* out_flags) {
    auto* file = reinterpret_cast<File*>(f);
    file->real = reinterpret_cast<sqlite3_file*>(file + 1);
    file->base.pMethods = nullptr;
    int rc = base_->xOpen(base_, name, file->real, flags, out_flags);
    if (file->real->pMethods == nullptr) return rc;
    methods_ = *file->real->pMethods;
    methods_.xClose = [](sqlite3_file* x) { return real(x)->pMethods->xClose(real(x)); };
    methods_.xRead = [](sqlite3_file* x, void* p, int n, sqlite3_int64 o) { return real(x)->pMethods->xRead(real(x), p, n, o); };
    methods_.xWrite = [](sqlite3_file* x, const void* p, int n, sqlite3_int64 o) {
      if (writes_before_failure >= 0 && writes_before_failure-- == 0) return SQLITE_IOERR_WRITE;
      return real(x)->pMethods->xWrite(real(x), p, n, o);
    };
    methods_.xTruncate = [](sqlite3_file* x, sqlite3_int64 n) { return real(x)->pMethods->xTruncate(real(x), n); };
    methods_.xSync = [](sqlite3_file* x, int flags) {
      ++syncs;
      return real(x)->pMethods->xSync(real(x), flags);
    };
    methods_.xFileSize = [](sqlite3_file* x, sqlite3_int64* n) { return real(x)->pMethods->xFileSize(real(x), n); };
    methods_.xLock = [](sqlite3_file* x, int l) { return real(x)->pMethods->xLock(real(x), l); };
    methods_.xUnlock = [](sqlite3_file* x, int l) { return real(x)->pMethods->xUnlock(real(x), l); };
    methods_.xCheckReservedLock = [](sqlite3_file* x, int* r) { return real(x)->pMethods->xCheckReservedLock(real(x), r); };
    methods_.xFileControl = [](sqlite3_file* x, int op, void* a) { return real(x)->pMethods->xFileControl(real(x), op, a); };
    methods_.xSectorSize = [](sqlite3_file* x) { return real(x)->pMethods->xSectorSize(real(x)); };
    methods_.xDeviceCharacteristics = [](sqlite3_file* x) { return real(x)->pMethods->xDeviceCharacteristics(real(x)); };
    methods_.xShmMap = [](sqlite3_file* x, int i, int n, int e, void volatile** p) {
      return real(x)->pMethods->xShmMap(real(x), i, n, e, p);
    };
    methods_.xShmLock = [](sqlite3_file* x, int o, int n, int fl) { return real(x)->pMethods->xShmLock(real(x), o, n, fl); };
    methods_.xShmBarrier = [](sqlite3_file* x) { real(x)->pMethods->xShmBarrier(real(x)); };
    methods_.xShmUnmap = [](sqlite3_file* x, int d) { return real(x)->pMethods->xShmUnmap(real(x), d); };
    methods_.xFetch = [](sqlite3_file* x, sqlite3_int64 o, int n, void** p) { return real(x)->pMethods->xFetch(real(x), o, n, p); };
    methods_.xUnfetch = [](sqlite3_file* x, sqlite3_int64 o, void* p) { return real(x)->pMethods->xUnfetch(real(x), o, p); };
    file->base.pMethods = &methods_;
    return rc;
  }

  static inline sqlite3_vfs* base_ = nullptr;
  static inline sqlite3_io_methods methods_{};
  sqlite3_vfs vfs_{};
};

}  // namespace

TEST_SUITE("sqlite_store through a spying file system") {
  TEST_CASE("every acknowledged append has been synced to disk (synchronous=FULL, not OFF or NORMAL)") {
    TempDir dir;
    SpyVfs spy;
    auto store = open_store(dir.file("cases.db"));
    const auto id = cid("C-1");
    for (std::uint64_t i = 0; i < 5; ++i) {
      int before = SpyVfs::syncs;
      auto events = batch(id, i * 2 + 1, 2);
      REQUIRE(store.append(hdr(id), events, i * 2, CaseState::open));
      CHECK_MESSAGE(SpyVfs::syncs > before, "append ", i, " returned without a sync");
    }
  }

  TEST_CASE("an append whose write fails part way stores none of its batch") {
    TempDir dir;
    SpyVfs spy;
    const auto id = cid("C-1");
    {
      auto store = open_store(dir.file("cases.db"));
      REQUIRE(store.append(hdr(id), batch(id, 1, 3), 0, CaseState::open));
      // A batch big enough to take several page writes; the second one fails.
      std::vector<Event> big;
      for (std::uint64_t s = 4; s < 4 + 200; ++s) big.push_back(nth_event(id, s));
      SpyVfs::writes_before_failure = 1;
      auto r = store.append(hdr(id), big, 3, CaseState::open);
      SpyVfs::writes_before_failure = -1;
      REQUIRE_FALSE(r);
      CHECK(r.error() == store_errc::storage_failed);
    }
    auto again = open_store(dir.file("cases.db"));
    auto journal = again.events(id);
    REQUIRE(journal);
    CHECK(journal.value() == batch(id, 1, 3));
    REQUIRE(again.check_integrity());
  }
}
