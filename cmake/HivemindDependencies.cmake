# All third-party packages come from Debian 12 (scripts/setup.sh installs them).
find_package(Threads REQUIRED)
find_package(Boost 1.81 REQUIRED CONFIG)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(spdlog REQUIRED)
