# GNU ld took 7-12 s to link each test program and example with its debug information, about
# a fifth of a two-core build once the sources compile in few units; lld links them in about
# a second. Used for this project's own programs when installed (scripts/setup.sh installs it);
# consumers of the package pick their own linker.
option(HIVEMIND_LLD "Link this project's programs with lld when it is available" ${PROJECT_IS_TOP_LEVEL})
if(HIVEMIND_LLD)
  include(CheckLinkerFlag)
  check_linker_flag(CXX -fuse-ld=lld HIVEMIND_HAVE_LLD)
  if(HIVEMIND_HAVE_LLD)
    add_link_options(-fuse-ld=lld)
  endif()
endif()
