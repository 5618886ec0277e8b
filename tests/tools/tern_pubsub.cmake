# tern_pub, tern_sub and tern_rr beyond the comparison with mosquitto's tools (tools_compare.*):
# their parts without a network (tern_pubsub_parts_test.cpp), and the binaries against real
# brokers on free loopback ports (tern_pubsub_broker_test.cpp): refused connections and bad
# credentials, Debian's mosquitto as the broker, TLS with a throwaway CA, SIGINT and SIGTERM,
# -l with many lines. The brokers come from the client library's test launcher.
if(NOT TARGET tern_pub OR NOT TARGET tern_sub OR NOT TARGET tern_rr)
  return()
endif()
add_executable(tern_pubsub_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/tern_pubsub_parts_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/tern_pubsub_broker_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/tern_pubsub_support.cpp
  ${PROJECT_SOURCE_DIR}/tests/client/broker_launcher.cpp)
target_include_directories(tern_pubsub_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}
                                                     ${PROJECT_SOURCE_DIR}/tests/client)
target_link_libraries(tern_pubsub_tests PRIVATE tern_tools_client tern_warnings GTest::gtest
                                                GTest::gtest_main)
target_compile_definitions(
  tern_pubsub_tests PRIVATE TERN_BINARY="$<TARGET_FILE:tern>"
                            TERN_PUB_BINARY="$<TARGET_FILE:tern_pub>"
                            TERN_SUB_BINARY="$<TARGET_FILE:tern_sub>"
                            TERN_RR_BINARY="$<TARGET_FILE:tern_rr>"
                            TERN_PASSWD_BINARY="$<TARGET_FILE:tern_passwd>"
                            TERN_TEST_DATA="${PROJECT_SOURCE_DIR}/tests")
add_dependencies(tern_pubsub_tests tern tern_pub tern_sub tern_rr tern_passwd)
gtest_discover_tests(tern_pubsub_tests DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 60 LABELS tools)
