#include <gtest/gtest.h>

#include "hivemind/common/error.hpp"

using hivemind::errc;
using hivemind::Error;

TEST(Error, CodesBelongToTheHivemindCategoryAndNameThemselves) {
  const std::error_code code = errc::session_not_found;
  EXPECT_STREQ(code.category().name(), "hivemind");
  EXPECT_EQ(code.message(), "session not found");
  EXPECT_STREQ(hivemind::to_string(errc::tool_unavailable), "tool_unavailable");
  EXPECT_STREQ(hivemind::to_string(errc::rate_limited), "rate_limited");
}

TEST(Error, KeepsItsContextAndKind) {
  hivemind::ErrorContext context;
  context.argv = {"docker", "exec", "c"};
  context.exit_code = 1;
  context.stderr_text = "Error response from daemon: No such container: c";
  const Error error(errc::container_unavailable, "container 'c' is unavailable", context);
  EXPECT_EQ(error.kind(), errc::container_unavailable);
  EXPECT_EQ(error.code(), errc::container_unavailable);
  EXPECT_EQ(error.context().exit_code, 1);
  EXPECT_EQ(error.context().stderr_text, context.stderr_text);
  EXPECT_NE(std::string(error.what()).find("container 'c' is unavailable"), std::string::npos);
}

TEST(Error, ForeignCodesHaveNoKind) {
  const Error error(std::make_error_code(std::errc::broken_pipe), "write failed");
  EXPECT_FALSE(error.kind().has_value());
}
