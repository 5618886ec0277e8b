# tern_passwd: unit tests of its parts (tern_passwd_lib), the binary end to end (files checked
# with the broker's own tern_auth), and its files used by Debian's mosquitto and by tern, both
# on free loopback ports (the black-box harness starts tern).
file(GLOB tern_passwd_test_sources CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_SOURCE_DIR}/tern_passwd_*_test.cpp)
add_executable(tern_passwd_tests ${tern_passwd_test_sources}
                                 ${CMAKE_CURRENT_SOURCE_DIR}/tern_passwd_process.cpp
                                 ${PROJECT_SOURCE_DIR}/tests/blackbox/harness.cpp)
target_include_directories(tern_passwd_tests PRIVATE ${PROJECT_SOURCE_DIR}/tests/blackbox
                                                     ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(tern_passwd_tests PRIVATE tern_passwd_lib tern_auth tern_mqtt tern_warnings
                                                GTest::gtest GTest::gtest_main)
target_compile_definitions(
  tern_passwd_tests PRIVATE TERN_BINARY="$<TARGET_FILE:tern>"
                            TERN_PASSWD_BINARY="$<TARGET_FILE:tern_passwd>"
                            TERN_TEST_DATA="${PROJECT_SOURCE_DIR}/tests")
add_dependencies(tern_passwd_tests tern tern_passwd)
gtest_discover_tests(tern_passwd_tests DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 60)
