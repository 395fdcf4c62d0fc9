// Checks applied to every argument before anything is sent to the container.
// Each failure throws hivemind::Error(invalid_argument) naming the problem.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "hivemind/control/client_options.hpp"

namespace hivemind::detail {

// Longest task accepted: Linux refuses a single argv string over 128 KiB, and the
// escaped text must fit; refusing up front beats an opaque E2BIG from exec.
inline constexpr std::size_t kMaxTaskBytes = std::size_t{96} * 1024;

// Canonical 8-4-4-4-12 hexadecimal UUID; nothing that could act as a path or an option.
bool is_canonical_uuid(std::string_view text) noexcept;
void validate_uuid(std::string_view uuid);

// The task text as it must be passed to `create`: JSON-escaped (`"`, `\`, control
// characters) so the container's here-document writes valid JSON that reads back as
// `task`, with `'` handled by `policy`. Refuses empty text, invalid UTF-8 and NUL.
std::string encode_task(std::string_view task, SingleQuotePolicy policy);

// The metadata argument: one valid JSON value, serialized by the SDK ("null" when null).
std::string encode_metadata(const nlohmann::json& metadata);

// A status for update-status: 1-32 characters of [a-z0-9_-].
void validate_status_text(std::string_view status);

// Extra arguments for `start`: non-empty, no NUL, not starting a new verb.
void validate_start_args(const std::vector<std::string>& args);

}  // namespace hivemind::detail
