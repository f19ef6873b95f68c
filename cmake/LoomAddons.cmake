# Small helpers so every Loom library links upstream MLIR the same way
# (through libMLIR.so, see the top-level CMakeLists.txt).

# loom_link_mlir(<target>) links <target> against the MLIR dylib.
function(loom_link_mlir target)
  mlir_target_link_libraries(${target} PUBLIC MLIRIR)
endfunction()

# add_loom_unittest(<name> SOURCES...) builds one GoogleTest binary and
# registers it with ctest.
function(add_loom_unittest name)
  cmake_parse_arguments(ARG "" "" "LINK" ${ARGN})
  add_executable(${name} ${ARG_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE GTest::gtest GTest::gtest_main ${ARG_LINK})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/test/unit)
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST)
  add_dependencies(loom-unittests ${name})
endfunction()
