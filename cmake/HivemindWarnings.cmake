# One interface target carries the project's warning flags, so every target of
# ours opts in explicitly and consumers of the installed package never see them.
add_library(hivemind_warnings INTERFACE)
target_compile_options(hivemind_warnings INTERFACE -Wall -Wextra -Wpedantic
                       $<$<BOOL:${HIVEMIND_WERROR}>:-Werror>)
option(HIVEMIND_WERROR "Treat warnings as errors" OFF)

# In a unity build several sources share one translation unit, so gcc sees a coroutine frame
# or class in one source holding a type from another source's anonymous namespace and warns
# as if a header did it. Within one translation unit there is nothing to violate.
if(CMAKE_UNITY_BUILD AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(hivemind_warnings INTERFACE -Wno-subobject-linkage)
endif()
