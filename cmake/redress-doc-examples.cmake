# The code in the docs (docs/conventions.md, "Code in the docs"): every code
# block of README.md, docs/*.md and the public headers' comments, extracted by
# tools/doc-examples.py into one translation unit per source file under
# ${CMAKE_BINARY_DIR}/doc-examples, compiled and linked against the library
# targets with the project's warnings (-Werror under REDRESS_WERROR). A block
# that is a whole program is linked on its own and run as docs.run.<file>_<line>;
# docs.compile runs the program the fragments are linked into, docs.blocks checks
# the JSON, Python and shell blocks and every local link.
#
# Included by tests/CMakeLists.txt. The extraction runs at configure time and
# again whenever a doc or a header changes.
get_filename_component(_redress_doc_root "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)
find_package(Python3 COMPONENTS Interpreter REQUIRED)
set(_doc_out "${CMAKE_BINARY_DIR}/doc-examples")
set(_doc_with "")
if(TARGET redress::sqlite)
  list(APPEND _doc_with sqlite)
endif()
if(TARGET redress::pg)
  list(APPEND _doc_with pg)
endif()
if(TARGET redress::redress-c)
  list(APPEND _doc_with c)
endif()
list(JOIN _doc_with "," _doc_with)
execute_process(
  COMMAND ${Python3_EXECUTABLE} ${_redress_doc_root}/tools/doc-examples.py generate ${_doc_out} --with "${_doc_with}"
  RESULT_VARIABLE _doc_rc)
if(NOT _doc_rc EQUAL 0)
  message(FATAL_ERROR "tools/doc-examples.py could not extract the docs' code blocks")
endif()
file(STRINGS "${_doc_out}/sources.txt" _doc_sources)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
  ${_doc_sources} "${_redress_doc_root}/tools/doc-examples.py")
include("${_doc_out}/doc-examples.cmake")

set(_doc_libs redress::redress)
foreach(t IN ITEMS redress::sqlite redress::pg)
  if(TARGET ${t})
    list(APPEND _doc_libs ${t})
  endif()
endforeach()

list(TRANSFORM REDRESS_DOC_FRAGMENTS_CPP PREPEND "${_doc_out}/")
add_executable(redress_doc_fragments ${REDRESS_DOC_FRAGMENTS_CPP})
target_link_libraries(redress_doc_fragments PRIVATE ${_doc_libs})
target_compile_options(redress_doc_fragments PRIVATE ${REDRESS_WARNINGS})
# Every fragment includes every public header: parse them once.
target_precompile_headers(redress_doc_fragments PRIVATE ${REDRESS_DOC_HEADERS})
add_test(NAME docs.compile COMMAND redress_doc_fragments)
if(REDRESS_DOC_FRAGMENTS_C)
  list(TRANSFORM REDRESS_DOC_FRAGMENTS_C PREPEND "${_doc_out}/")
  add_executable(redress_doc_fragments_c ${REDRESS_DOC_FRAGMENTS_C})
  set_target_properties(redress_doc_fragments_c PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
  target_link_libraries(redress_doc_fragments_c PRIVATE redress::redress-c)
  target_compile_options(redress_doc_fragments_c PRIVATE ${REDRESS_WARNINGS})
  add_test(NAME docs.compile_c COMMAND redress_doc_fragments_c)
endif()
foreach(program IN LISTS REDRESS_DOC_PROGRAMS)
  string(REPLACE "|" ";" program "${program}")
  list(GET program 0 name)
  list(GET program 1 file)
  list(GET program 2 lang)
  add_executable(doc_${name} "${_doc_out}/${file}")
  if(lang STREQUAL "c")
    set_target_properties(doc_${name} PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
    target_link_libraries(doc_${name} PRIVATE redress::redress-c)
  else()
    target_link_libraries(doc_${name} PRIVATE ${_doc_libs})
  endif()
  target_compile_options(doc_${name} PRIVATE ${REDRESS_WARNINGS})
  add_test(NAME docs.run.${name} COMMAND doc_${name})
  set_tests_properties(docs.run.${name} PROPERTIES WORKING_DIRECTORY "${_redress_doc_root}")
endforeach()
add_test(NAME docs.blocks COMMAND ${Python3_EXECUTABLE} ${_redress_doc_root}/tools/doc-examples.py check)
