// The translation unit that owns the tests' precompiled header
// (cmake/HivemindPrecompiledHeaders.cmake); every test target reuses it.
