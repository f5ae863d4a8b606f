# The PostgreSQL store: target redress_pg (alias redress::pg) from
# src/pg/*.cpp, over the core library, libpq and libsodium; its tests
# (tests/pg/*_test.cpp) run against a throwaway server that a CTest fixture
# starts and stops (tests/pg/server.sh); its benchmark (bench/pg/).
#
# Included by the top-level CMakeLists.txt after add_subdirectory(src) when
# REDRESS_BUILD_PG is ON. Paths are taken from this file's own place, so it
# also works when included by another project that added redress with
# add_subdirectory().
get_filename_component(_redress_pg_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)

find_package(PostgreSQL REQUIRED)
# libsodium seals personal fields and hashes contact points (docs/privacy.md).
find_package(PkgConfig REQUIRED)
if(NOT TARGET PkgConfig::SODIUM)
  pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET GLOBAL libsodium)
endif()

file(GLOB _redress_pg_sources CONFIGURE_DEPENDS "${_redress_pg_root}/src/pg/*.cpp")
add_library(redress_pg ${_redress_pg_sources})
add_library(redress::pg ALIAS redress_pg)
set_target_properties(redress_pg PROPERTIES EXPORT_NAME pg POSITION_INDEPENDENT_CODE ON)
target_link_libraries(redress_pg PUBLIC redress::redress PRIVATE PostgreSQL::PostgreSQL PkgConfig::SODIUM)
target_include_directories(redress_pg PRIVATE "${_redress_pg_root}/src/pg" "${_redress_pg_root}/src")
target_compile_options(redress_pg PRIVATE ${REDRESS_WARNINGS})

if(REDRESS_BUILD_TESTS)
  enable_testing()
  find_package(doctest CONFIG REQUIRED)
  include(${doctest_DIR}/doctest.cmake)
  # The server: started before the first pg test, stopped after the last.
  # Its address is written to pg-server/conninfo in this build tree, so two
  # build trees (build/, build-asan/) run servers of their own.
  set(_redress_pg_server "${CMAKE_CURRENT_BINARY_DIR}/pg-server")
  add_test(NAME pg_server_start COMMAND bash "${_redress_pg_root}/tests/pg/server.sh" start "${_redress_pg_server}")
  add_test(NAME pg_server_stop COMMAND bash "${_redress_pg_root}/tests/pg/server.sh" stop "${_redress_pg_server}")
  set_tests_properties(pg_server_start PROPERTIES FIXTURES_SETUP redress_pg_server TIMEOUT 120)
  set_tests_properties(pg_server_stop PROPERTIES FIXTURES_CLEANUP redress_pg_server TIMEOUT 60)

  add_library(redress_pg_test_main OBJECT "${_redress_pg_root}/tests/support/main.cpp")
  target_link_libraries(redress_pg_test_main PRIVATE doctest::doctest)
  file(GLOB _redress_pg_tests CONFIGURE_DEPENDS "${_redress_pg_root}/tests/pg/*_test.cpp")
  foreach(src IN LISTS _redress_pg_tests)
    get_filename_component(name ${src} NAME_WE)
    set(name pg_${name})
    add_executable(${name} ${src} $<TARGET_OBJECTS:redress_pg_test_main>)
    target_link_libraries(${name} PRIVATE redress::pg PostgreSQL::PostgreSQL doctest::doctest)
    target_compile_options(${name} PRIVATE ${REDRESS_WARNINGS})
    target_include_directories(${name} PRIVATE "${_redress_pg_root}/tests")
    target_compile_definitions(${name} PRIVATE REDRESS_PG_CONNINFO_FILE="${_redress_pg_server}/conninfo"
                                               REDRESS_TEST_DATA_DIR="${_redress_pg_root}/data")
    doctest_discover_tests(${name} TEST_PREFIX "${name}: "
                           PROPERTIES TIMEOUT 120 FIXTURES_REQUIRED redress_pg_server)
  endforeach()
  # `redress run --store postgres:...` on the same server (the CLI's target
  # is defined later, by tools/).
  if(REDRESS_BUILD_TOOLS)
    add_test(NAME pg.cli_run COMMAND bash "${_redress_pg_root}/tests/pg/run.sh" $<TARGET_FILE:redress-cli>
                                     "${REDRESS_BUILD_DATA_DIR}" "${_redress_pg_server}/conninfo")
    # The privacy walk-through of tests/cli/privacy.sh, on a PostgreSQL store.
    add_test(NAME pg.cli_privacy COMMAND bash "${_redress_pg_root}/tests/cli/privacy.sh" $<TARGET_FILE:redress-cli>
                                         "${REDRESS_BUILD_DATA_DIR}" "${_redress_pg_server}/conninfo")
    # The CLI's stores are sealed with the master key in REDRESS_MASTER_KEY.
    set_tests_properties(pg.cli_run pg.cli_privacy PROPERTIES TIMEOUT 120 FIXTURES_REQUIRED redress_pg_server
      ENVIRONMENT "REDRESS_MASTER_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
  endif()
endif()

# The throughput of commit and of the outbox with several processes
# (bench/pg/run.sh starts a throwaway server and runs it).
if(REDRESS_BUILD_BENCH)
  add_executable(pg_throughput_bench "${_redress_pg_root}/bench/pg/throughput_bench.cpp")
  target_link_libraries(pg_throughput_bench PRIVATE redress::pg PostgreSQL::PostgreSQL)
  target_compile_options(pg_throughput_bench PRIVATE ${REDRESS_WARNINGS})
endif()
