#!/usr/bin/awk -f
# Doxygen FILTER_PATTERNS filter for the public headers: they are commented with plain `//`
# (the project's style), which Doxygen ignores. This turns, on the fly and without touching the files,
#   - the comment block opening a header into its \file description,
#   - a `//` comment line before a declaration into a `///` doc comment,
#   - a `//` comment trailing a member or enumerator into a `///<` doc comment,
#   - a specialization of a std:: template (errc's is_error_code_enum) into blank lines:
#     Doxygen cannot place it ("internal inconsistency") and it is no part of the API.
# Usage: doxygen_filter.awk HEADER

held != "" {
  if (/^struct std::/) {
    print ""
    print ""
    held = ""
    next
  }
  print held
  held = ""
}
/^template <>$/ {
  held = $0
  next
}
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
