// Umbrella header: everything an application needs from hivemind-cpp.
#pragma once

#include "hivemind/cleanup_report.hpp"
#include "hivemind/client_options.hpp"
#include "hivemind/error.hpp"
#include "hivemind/follow_log_options.hpp"
#include "hivemind/hivemind_client.hpp"
#include "hivemind/logging.hpp"
#include "hivemind/priority.hpp"
#include "hivemind/retry_policy.hpp"
#include "hivemind/session_handle.hpp"
#include "hivemind/session_index.hpp"
#include "hivemind/session_metadata.hpp"
#include "hivemind/session_outputs.hpp"
#include "hivemind/session_status.hpp"
#include "hivemind/session_watcher.hpp"
#include "hivemind/timestamp.hpp"
#include "hivemind/wait_options.hpp"
