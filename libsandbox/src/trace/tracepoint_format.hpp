// Kernel tracepoint formats: the ID and field layout tracefs publishes in
// events/SYSTEM/NAME/format, parsed (pure) and read from the host.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace hl {

struct TracepointField {
    std::string name;
    uint32_t offset = 0;
    uint32_t size = 0;
    bool is_signed = false;
};

struct TracepointFormat {
    std::string name;                     // "kvm_pio"
    uint64_t id = 0;                      // perf_event_attr.config
    std::vector<TracepointField> fields;  // without the common_* header fields
};

// Parses one format file; nullopt when it has no ID line.
std::optional<TracepointFormat> parse_tracepoint_format(const std::string& name, const std::string& text);

// "rw=1 port=0x501 size=4 count=1 val=0xff5f70": the record's numeric fields
// of 1, 2, 4 or 8 bytes (ports and values in hex), skipping what lies
// outside the record.
std::string describe_tracepoint_record(const TracepointFormat& format, std::span<const uint8_t> record);

// Reads the formats of the named tracepoints of SYSTEM from tracefs. Where
// tracefs is not mounted, a short-lived child mounts a private instance in a
// mount namespace of its own (needs CAP_SYS_ADMIN) so the host's mounts are
// never touched. Tracepoints the host lacks are left out. Throws hl::Error
// saying why when none can be read.
std::vector<TracepointFormat> read_tracepoint_formats(const std::string& system, const std::vector<std::string>& names);

} // namespace hl
