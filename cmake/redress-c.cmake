# The C API: target redress-c (alias redress::redress-c), a shared library
# (libredress-c.so.<major>) built from bindings/c/src/*.cpp over the core and
# the stores that are built (SQLite, PostgreSQL). Only the redress_* functions of
# bindings/c/include/redress/redress.h and sys/policy.h are exported (hidden
# visibility and a linker version script). Also: the pkg-config file
# redress-c.pc, the C tests (tests/c/), the header test, the exported-symbols
# test, the Python package's tests (tests/python/) and the C and Python
# examples (examples/c/, examples/python/).
#
# Included by the top-level CMakeLists.txt after the stores. Paths are taken
# from this file's own place, so it also works under add_subdirectory().
get_filename_component(_redress_c_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)

# A C99 program over the C API alone (a C test or a C example), run as a test.
function(_redress_c_program target src test_name)
  add_executable(${target} ${src})
  set_target_properties(${target} PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
  target_link_libraries(${target} PRIVATE redress::redress-c)
  target_compile_options(${target} PRIVATE ${REDRESS_WARNINGS})
  target_compile_definitions(${target} PRIVATE REDRESS_TEST_DATA_DIR="${REDRESS_DATA_DIR}"
    REDRESS_EXAMPLE_DATA_DIR="${REDRESS_DATA_DIR}" REDRESS_TEST_BINARY_DIR="${CMAKE_CURRENT_BINARY_DIR}")
  if(REDRESS_BUILD_TESTS)
    add_test(NAME ${test_name} COMMAND ${target})
    # The SQLite stores they open are sealed with this master key (docs/privacy.md).
    set_tests_properties(${test_name} PROPERTIES ENVIRONMENT "${_redress_c_test_master_key}")
  endif()
endfunction()
set(_redress_c_test_master_key "REDRESS_MASTER_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")

file(GLOB _redress_c_sources CONFIGURE_DEPENDS "${_redress_c_root}/bindings/c/src/*.cpp")
add_library(redress-c SHARED ${_redress_c_sources})
add_library(redress::redress-c ALIAS redress-c)
set_target_properties(redress-c PROPERTIES
  OUTPUT_NAME redress-c
  EXPORT_NAME redress-c
  VERSION ${PROJECT_VERSION}
  SOVERSION ${PROJECT_VERSION_MAJOR}
  C_VISIBILITY_PRESET hidden
  CXX_VISIBILITY_PRESET hidden
  VISIBILITY_INLINES_HIDDEN ON
  LINK_DEPENDS "${_redress_c_root}/bindings/c/redress-c.map")
target_include_directories(redress-c PUBLIC
  $<BUILD_INTERFACE:${_redress_c_root}/bindings/c/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_link_libraries(redress-c PRIVATE redress::redress)
target_compile_definitions(redress-c PRIVATE REDRESS_C_BUILDING)
target_compile_options(redress-c PRIVATE ${REDRESS_WARNINGS})
target_link_options(redress-c PRIVATE "LINKER:--version-script=${_redress_c_root}/bindings/c/redress-c.map"
  "LINKER:--no-undefined")
if(TARGET redress::sqlite)
  target_link_libraries(redress-c PRIVATE redress::sqlite)
  target_compile_definitions(redress-c PRIVATE REDRESS_C_HAS_SQLITE=1)
endif()
if(TARGET redress::pg)
  target_link_libraries(redress-c PRIVATE redress::pg)
  target_compile_definitions(redress-c PRIVATE REDRESS_C_HAS_PG=1)
endif()

# pkg-config: relocatable (paths relative to the .pc file's own directory).
# Libs.private names what the library was built with: libpq only with the
# PostgreSQL store, SQLite only with the SQLite store.
set(_redress_c_libs_private "-ldate-tz -lsodium -lpthread")
if(TARGET redress::sqlite)
  string(APPEND _redress_c_libs_private " -lsqlite3")
endif()
if(TARGET redress::pg)
  string(APPEND _redress_c_libs_private " -lpq")
endif()
set(_redress_c_pkgconfig_dir "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
file(RELATIVE_PATH _redress_c_pc_up "/${_redress_c_pkgconfig_dir}" "/")
string(REGEX REPLACE "/$" "" _redress_c_pc_up "${_redress_c_pc_up}")
configure_file("${_redress_c_root}/bindings/c/redress-c.pc.in" "${CMAKE_CURRENT_BINARY_DIR}/redress-c.pc" @ONLY)

if(REDRESS_INSTALL)
  install(DIRECTORY "${_redress_c_root}/bindings/c/include/redress" TYPE INCLUDE)
  install(FILES "${CMAKE_CURRENT_BINARY_DIR}/redress-c.pc" DESTINATION ${_redress_c_pkgconfig_dir})
endif()

if(REDRESS_BUILD_TESTS)
  enable_testing()
  set(_redress_c_tests "${_redress_c_root}/tests/c")

  # The header compiles alone as C99 and C11 (and C++) with every warning an error.
  foreach(std c99 c11)
    add_test(NAME c_api.header_${std}
      COMMAND ${CMAKE_C_COMPILER} -std=${std} -Wall -Wextra -pedantic -Werror -fsyntax-only
        -I${_redress_c_root}/bindings/c/include ${_redress_c_tests}/header.c)
  endforeach()
  add_test(NAME c_api.header_cxx
    COMMAND ${CMAKE_CXX_COMPILER} -x c++ -std=c++20 -Wall -Wextra -pedantic -Werror -fsyntax-only
      -I${_redress_c_root}/bindings/c/include ${_redress_c_tests}/header.c)

  # libredress-c.so needs libpq exactly when it was built with the PostgreSQL store.
  if(TARGET redress::pg)
    set(_redress_c_needs_pq 0)
  else()
    set(_redress_c_needs_pq 1)
  endif()
  add_test(NAME c_api.libpq_only_with_pg
    COMMAND sh -c "readelf -d \"$1\" | grep -q 'NEEDED.*libpq'; test $? = $2" sh $<TARGET_FILE:redress-c>
      ${_redress_c_needs_pq})

  # Only the API is exported.
  add_test(NAME c_api.exports
    COMMAND ${CMAKE_COMMAND} -DLIBRARY=$<TARGET_FILE:redress-c>
      -DHEADERS=${_redress_c_root}/bindings/c/include/redress
      -P ${_redress_c_tests}/exports.cmake)

  # The installed C API, consumed through pkg-config and through the CMake
  # package (after package.install, tests/CMakeLists.txt, fills the prefix).
  if(REDRESS_INSTALL)
    set(_redress_c_prefix "${PROJECT_BINARY_DIR}/tests/package-prefix")
    separate_arguments(_redress_c_flags UNIX_COMMAND "${CMAKE_C_FLAGS}")
    find_program(REDRESS_PKG_CONFIG pkg-config)
    if(REDRESS_PKG_CONFIG)
      add_test(NAME package.c_pkg_config
        COMMAND sh ${_redress_c_tests}/package/pkg_config.sh ${_redress_c_prefix} ${CMAKE_INSTALL_LIBDIR}
          ${CMAKE_C_COMPILER} ${_redress_c_tests}/package/main.c ${CMAKE_CURRENT_BINARY_DIR}/redress_c_pkg_consumer
          ${_redress_c_flags})
      set_tests_properties(package.c_pkg_config PROPERTIES FIXTURES_REQUIRED redress_installed)
    endif()
    add_test(NAME package.c_find_package
      COMMAND ${CMAKE_CTEST_COMMAND}
        --build-and-test ${_redress_c_tests}/package ${CMAKE_CURRENT_BINARY_DIR}/c-package-build
        --build-generator ${CMAKE_GENERATOR}
        --build-options -DCMAKE_PREFIX_PATH=${_redress_c_prefix} -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE}
          "-DCMAKE_C_FLAGS=${CMAKE_C_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${CMAKE_EXE_LINKER_FLAGS}"
        --test-command redress_c_consumer)
    set_tests_properties(package.c_find_package PROPERTIES FIXTURES_REQUIRED redress_installed)
  endif()

  # One C program per tests/c/*_test.c, written in C against the header alone.
  file(GLOB _redress_c_test_sources CONFIGURE_DEPENDS "${_redress_c_tests}/*_test.c")
  foreach(src IN LISTS _redress_c_test_sources)
    get_filename_component(name ${src} NAME_WE)
    _redress_c_program(c_${name} ${src} c_api.${name})
  endforeach()

  # How a Python process loads the library: under the sanitizers their
  # runtimes must be loaded first, and leaks in the interpreter are not ours.
  set(_redress_py_env "PYTHONPATH=${_redress_c_root}/bindings/python"
    "REDRESS_LIBRARY=$<TARGET_FILE:redress-c>" "REDRESS_DATA_DIR=${REDRESS_DATA_DIR}"
    "REDRESS_EXAMPLES_DIR=${_redress_c_root}/examples" "PYTHONDONTWRITEBYTECODE=1" "${_redress_c_test_master_key}")
  if(REDRESS_SANITIZE)
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libasan.so
      OUTPUT_VARIABLE _asan OUTPUT_STRIP_TRAILING_WHITESPACE)
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libubsan.so
      OUTPUT_VARIABLE _ubsan OUTPUT_STRIP_TRAILING_WHITESPACE)
    list(APPEND _redress_py_env "LD_PRELOAD=${_asan}:${_ubsan}" "ASAN_OPTIONS=detect_leaks=0")
  endif()
  find_package(Python3 COMPONENTS Interpreter)
  if(Python3_Interpreter_FOUND)
    file(GLOB _redress_py_tests CONFIGURE_DEPENDS "${_redress_c_root}/tests/python/test_*.py")
    foreach(src IN LISTS _redress_py_tests)
      get_filename_component(name ${src} NAME_WE)
      add_test(NAME python.${name} COMMAND ${Python3_EXECUTABLE} -m unittest -v ${name}
        WORKING_DIRECTORY ${_redress_c_root}/tests/python)
      set_tests_properties(python.${name} PROPERTIES ENVIRONMENT "${_redress_py_env}")
    endforeach()
    # pip install of bindings/python into a fresh venv (tests/package/python_pip.sh).
    add_test(NAME package.python_pip
      COMMAND bash ${_redress_c_root}/tests/package/python_pip.sh ${Python3_EXECUTABLE} $<TARGET_FILE:redress-c>)
    set_tests_properties(package.python_pip PROPERTIES ENVIRONMENT "${_redress_py_env}" TIMEOUT 300)
  endif()
endif()

if(REDRESS_BUILD_EXAMPLES)
  # examples/c/*.c: the C API from C; examples/python/*.py: the Python package.
  file(GLOB _redress_c_examples CONFIGURE_DEPENDS "${_redress_c_root}/examples/c/*.c")
  foreach(src IN LISTS _redress_c_examples)
    get_filename_component(name ${src} NAME_WE)
    _redress_c_program(example_c_${name} ${src} example.c.${name})
  endforeach()
  if(REDRESS_BUILD_TESTS AND Python3_Interpreter_FOUND)
    file(GLOB _redress_py_examples CONFIGURE_DEPENDS "${_redress_c_root}/examples/python/*.py")
    foreach(src IN LISTS _redress_py_examples)
      get_filename_component(name ${src} NAME_WE)
      add_test(NAME example.python.${name} COMMAND ${Python3_EXECUTABLE} ${src})
      set_tests_properties(example.python.${name} PROPERTIES ENVIRONMENT "${_redress_py_env}")
    endforeach()
  endif()
endif()
