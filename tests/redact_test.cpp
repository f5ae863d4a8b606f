// Secrets of connection strings kept out of messages (detail/redact.hpp).
#include "support/test.hpp"

#include <string>

#include <redress/detail/redact.hpp>

using redress::detail::redact;

TEST_SUITE("redact") {
  TEST_CASE("a URI's password is replaced wherever the message quotes it") {
    const std::string uri = "postgresql://u:hunter2@[::1/db";  // broken: libpq quotes it back
    const std::string message = "invalid IPv6 host address in URI: \"" + uri + "\"";
    const std::string out = redact(message, uri);
    CHECK(out.find("hunter2") == std::string::npos);
    CHECK(out == "invalid IPv6 host address in URI: \"postgresql://u:***@[::1/db\"");
    CHECK(redact("x postgres://alice:s3cr@t@db.example/app y", "postgres://alice:s3cr@t@db.example/app") ==
          "x postgres://alice:***@db.example/app y");
  }

  TEST_CASE("a URI's query parameters that name secrets are replaced, others kept") {
    const std::string uri = "postgresql://db/app?sslmode=require&password=pw123&sslpassword=keypw";
    CHECK(redact(uri, uri) == "postgresql://db/app?sslmode=require&password=***&sslpassword=***");
  }

  TEST_CASE("key=value conninfo: every key that names a secret, quoted or not") {
    const std::string info = "host=db dbname=app password='pa ss' api_token=tok42 user=pw";
    const std::string out = redact("cannot parse: " + info, info);
    CHECK(out.find("pa ss") == std::string::npos);
    CHECK(out.find("tok42") == std::string::npos);
    CHECK(out.find("user=pw") != std::string::npos);  // "pw" is a user name here, not a secret
    CHECK(out.find("host=db") != std::string::npos);
    // libpq may quote the value without its quotes.
    CHECK(redact("missing \"=\" after \"pa ss\"", info).find("pa ss") == std::string::npos);
  }

  TEST_CASE("a string without secrets comes back as it was") {
    CHECK(redact("cannot connect to host=db dbname=app", "host=db dbname=app") ==
          "cannot connect to host=db dbname=app");
    CHECK(redact("sqlite:/tmp/x.db: cannot open", "sqlite:/tmp/x.db") == "sqlite:/tmp/x.db: cannot open");
  }
}
