#!/usr/bin/awk -f
# Doxygen INPUT_FILTER for the public headers: they are commented with plain `//` (see
# docs/), which Doxygen ignores. This turns, on the fly and without touching the files,
#   - the comment block opening a header into its \file description,
#   - a `//` comment line before a declaration into a `///` doc comment,
#   - a `//` comment trailing a member or enumerator into a `///<` doc comment.
# Usage: doxygen_filter.awk HEADER

FNR == 1 && /^\/\/ / {
  opening = 1
  print "/// \\file"
}
opening && /^\/\// {
  sub(/^\/\/ ?/, "/// ")
  print
  next
}
{ opening = 0 }
/^[ \t]*\/\/ / {
  sub(/\/\/ /, "/// ")
  print
  next
}
/[;,{][ \t]*\/\/ / && !/"[^"]*\/\/ [^"]*"/ {
  sub(/[ \t]*\/\/ /, "  ///< ")
  print
  next
}
{ print }
