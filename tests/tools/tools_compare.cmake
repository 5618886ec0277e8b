# Comparison tests: tern_pub, tern_sub and tern_rr side by side with Debian's mosquitto_pub,
# mosquitto_sub and mosquitto_rr against the real tern broker (tests/tools/compare/README.md).
# One CTest test per Python module; each starts its own broker on a free loopback port. A module
# whose Tern tool is not built yet is reported as skipped (exit code 77).
#
# Two more tests hold tools/common alone against mosquitto's tools, with stand-ins for the tools:
# tools_compare.sub_output_probe (probe_sub.py: paho-mqtt receives, format_probe renders) and
# tools_compare.errors_probe (options_probe: the option parser with the tools' error output).
set(TERN_COMPARE_PYTHON /usr/bin/python3)  # Debian's paho-mqtt loads only in the system Python
if(NOT EXISTS ${TERN_COMPARE_PYTHON} OR NOT TARGET tern)
  message(STATUS "tools comparison tests skipped: ${TERN_COMPARE_PYTHON} or tern missing")
  return()
endif()
set(tern_compare_dir ${CMAKE_CURRENT_SOURCE_DIR}/compare)

# The tools' paths: their targets once they exist, else where they will be built.
foreach(tool pub sub rr)
  if(TARGET tern_${tool})
    set(tern_compare_${tool} $<TARGET_FILE:tern_${tool}>)
  else()
    set(tern_compare_${tool} ${CMAKE_RUNTIME_OUTPUT_DIRECTORY}/tern_${tool})
  endif()
endforeach()

function(tern_compare_test name module environment)
  add_test(NAME tools_compare.${name}
           COMMAND ${TERN_COMPARE_PYTHON} ${tern_compare_dir}/run.py ${module}
           WORKING_DIRECTORY ${tern_compare_dir})
  # PYTHONDONTWRITEBYTECODE: no __pycache__ in the source tree.
  set_tests_properties(tools_compare.${name} PROPERTIES
    ENVIRONMENT "TERN_BINARY=$<TARGET_FILE:tern>;PYTHONDONTWRITEBYTECODE=1;${environment}"
    TIMEOUT 120
    SKIP_RETURN_CODE 77
    LABELS compare)
endfunction()

set(tern_compare_tools
    "TERN_PUB=${tern_compare_pub};TERN_SUB=${tern_compare_sub};TERN_RR=${tern_compare_rr}")
foreach(module test_sub_output test_sub_behaviour test_pub test_rr test_errors)
  string(REPLACE "test_" "" name ${module})
  tern_compare_test(${name} ${module} "${tern_compare_tools}")
endforeach()

if(TARGET tern_tools_common)
  add_executable(format_probe ${tern_compare_dir}/format_probe.cpp)
  target_link_libraries(format_probe PRIVATE tern_tools_common tern_warnings)
  add_executable(options_probe ${tern_compare_dir}/options_probe.cpp)
  target_link_libraries(options_probe PRIVATE tern_tools_common tern_warnings)
  # The probe learns which tool it plays from its name.
  foreach(tool pub sub rr)
    add_custom_command(TARGET options_probe POST_BUILD
      COMMAND ${CMAKE_COMMAND} -E create_symlink options_probe options_probe_${tool}
      WORKING_DIRECTORY $<TARGET_FILE_DIR:options_probe>)
  endforeach()
  tern_compare_test(sub_output_probe test_sub_output
    "TERN_SUB=${tern_compare_dir}/probe_sub.py;FORMAT_PROBE=$<TARGET_FILE:format_probe>")
  tern_compare_test(errors_probe test_errors
    "TERN_PUB=$<TARGET_FILE_DIR:options_probe>/options_probe_pub;TERN_SUB=$<TARGET_FILE_DIR:options_probe>/options_probe_sub;TERN_RR=$<TARGET_FILE_DIR:options_probe>/options_probe_rr")
endif()
