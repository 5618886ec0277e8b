# tern_bench: unit tests of its parts (tern_bench_lib) and end-to-end runs of the binary against
# the real broker, the built-in sink and nothing at all, with the black-box harness
# (tests/blackbox/harness.h) starting the broker.
file(GLOB tern_bench_test_sources CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_SOURCE_DIR}/tern_bench_*_test.cpp)
add_executable(tern_bench_tests ${tern_bench_test_sources}
                                ${PROJECT_SOURCE_DIR}/tests/blackbox/harness.cpp)
target_include_directories(tern_bench_tests PRIVATE ${PROJECT_SOURCE_DIR}/tests/blackbox)
target_link_libraries(tern_bench_tests PRIVATE tern_bench_lib tern_mqtt tern_warnings GTest::gtest
                                               GTest::gtest_main)
target_compile_definitions(
  tern_bench_tests PRIVATE TERN_BINARY="$<TARGET_FILE:tern>"
                           TERN_BENCH_BINARY="$<TARGET_FILE:tern_bench>"
                           TERN_TEST_DATA="${PROJECT_SOURCE_DIR}/tests")
add_dependencies(tern_bench_tests tern tern_bench)
gtest_discover_tests(tern_bench_tests DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 60)
