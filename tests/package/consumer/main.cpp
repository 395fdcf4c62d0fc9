// Links against hivemind-cpp and uses it without a container: prints the version and
// the error category's message for a code, and reads the environment configuration.
#include <iostream>

#include <hivemind/common/error.hpp>
#include <hivemind/control/client_options.hpp>
#include <hivemind/version.hpp>

int main() {
  const auto options = hivemind::ClientOptions::from_environment();
  std::cout << "hivemind " << hivemind::version_string << " container=" << options.container
            << " error=" << hivemind::make_error_code(hivemind::errc::timeout).message() << '\n';
  return 0;
}
