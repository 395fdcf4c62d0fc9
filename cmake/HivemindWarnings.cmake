# One interface target carries the project's warning flags, so every target of
# ours opts in explicitly and consumers of the installed package never see them.
add_library(hivemind_warnings INTERFACE)
target_compile_options(hivemind_warnings INTERFACE -Wall -Wextra -Wpedantic
                       $<$<BOOL:${HIVEMIND_WERROR}>:-Werror>)
option(HIVEMIND_WERROR "Treat warnings as errors" OFF)
