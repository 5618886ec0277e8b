# Unit tests of tools/common (tern_tools_common): the mosquitto-compatible options of tern_pub,
# tern_sub and tern_rr, their -D properties, and the output format of received messages. One
# binary of every tools_common_*_test.cpp, one CTest test per case.
if(NOT TARGET tern_tools_common)
  return()
endif()
file(GLOB tools_common_test_sources CONFIGURE_DEPENDS
     ${CMAKE_CURRENT_SOURCE_DIR}/tools_common_*_test.cpp)
add_executable(tern_tools_common_tests ${tools_common_test_sources})
target_link_libraries(tern_tools_common_tests PRIVATE tern_tools_common tern_mqtt tern_warnings
                                                      GTest::gtest GTest::gtest_main)
gtest_discover_tests(tern_tools_common_tests DISCOVERY_TIMEOUT 60)
