# The SQLite store: target redress_sqlite (alias redress::sqlite) from
# src/sqlite/*.cpp, over the core library and SQLite's C API; its tests
# (tests/sqlite/*_test.cpp) and its benchmark (bench/sqlite/).
#
# Included by the top-level CMakeLists.txt after add_subdirectory(src). Paths
# are taken from this file's own place, so it also works when included by
# another project that added redress with add_subdirectory().
get_filename_component(_redress_sqlite_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)

find_package(SQLite3 REQUIRED)
# libsodium (Debian ships a pkg-config file, no CMake package): the keyed
# hashes of the contact index and the sealing of personal data.
find_package(PkgConfig REQUIRED)
if(NOT TARGET PkgConfig::SODIUM)
  pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET GLOBAL libsodium)
endif()

file(GLOB _redress_sqlite_sources CONFIGURE_DEPENDS "${_redress_sqlite_root}/src/sqlite/*.cpp")
add_library(redress_sqlite ${_redress_sqlite_sources})
add_library(redress::sqlite ALIAS redress_sqlite)
set_target_properties(redress_sqlite PROPERTIES EXPORT_NAME sqlite POSITION_INDEPENDENT_CODE ON)
target_link_libraries(redress_sqlite PUBLIC redress::redress PRIVATE SQLite::SQLite3 PkgConfig::SODIUM)
target_include_directories(redress_sqlite PRIVATE "${_redress_sqlite_root}/src/sqlite" "${_redress_sqlite_root}/src")
target_compile_options(redress_sqlite PRIVATE ${REDRESS_WARNINGS})

if(REDRESS_BUILD_TESTS)
  enable_testing()
  find_package(doctest CONFIG REQUIRED)
  include(${doctest_DIR}/doctest.cmake)
  add_library(redress_sqlite_test_main OBJECT "${_redress_sqlite_root}/tests/support/main.cpp")
  target_link_libraries(redress_sqlite_test_main PRIVATE doctest::doctest)
  # One doctest program per tests/sqlite/*_test.cpp, as in tests/; the
  # durability test (a child killed 100 times) is one of them.
  file(GLOB _redress_sqlite_tests CONFIGURE_DEPENDS "${_redress_sqlite_root}/tests/sqlite/*_test.cpp")
  foreach(src IN LISTS _redress_sqlite_tests)
    get_filename_component(name ${src} NAME_WE)
    set(name sqlite_${name})
    add_executable(${name} ${src} $<TARGET_OBJECTS:redress_sqlite_test_main>)
    target_link_libraries(${name} PRIVATE redress::sqlite SQLite::SQLite3 doctest::doctest)
    target_compile_options(${name} PRIVATE ${REDRESS_WARNINGS})
    target_include_directories(${name} PRIVATE "${_redress_sqlite_root}/tests")
    target_compile_definitions(${name} PRIVATE REDRESS_TEST_DATA_DIR="${_redress_sqlite_root}/data")
    doctest_discover_tests(${name} TEST_PREFIX "${name}: " PROPERTIES TIMEOUT 120)
  endforeach()
endif()

if(REDRESS_BUILD_BENCH)
  find_package(benchmark CONFIG REQUIRED)
  add_executable(sqlite_append_bench "${_redress_sqlite_root}/bench/sqlite/append_bench.cpp")
  target_link_libraries(sqlite_append_bench PRIVATE redress::sqlite SQLite::SQLite3 benchmark::benchmark)
  target_compile_options(sqlite_append_bench PRIVATE ${REDRESS_WARNINGS})
  add_executable(sqlite_commit_bench "${_redress_sqlite_root}/bench/sqlite/commit_bench.cpp")
  target_link_libraries(sqlite_commit_bench PRIVATE redress::sqlite SQLite::SQLite3 benchmark::benchmark)
  target_compile_options(sqlite_commit_bench PRIVATE ${REDRESS_WARNINGS})
  # `redress report`'s path over a generated store: scan, replay, fold.
  add_executable(sqlite_report_bench "${_redress_sqlite_root}/bench/sqlite/report_bench.cpp")
  target_link_libraries(sqlite_report_bench PRIVATE redress::sqlite SQLite::SQLite3 benchmark::benchmark)
  target_include_directories(sqlite_report_bench PRIVATE "${_redress_sqlite_root}/tests")
  target_compile_definitions(sqlite_report_bench PRIVATE REDRESS_TEST_DATA_DIR="${REDRESS_DATA_DIR}")
  target_compile_options(sqlite_report_bench PRIVATE ${REDRESS_WARNINGS})
endif()
