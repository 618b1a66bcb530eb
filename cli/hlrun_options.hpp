// hlrun's options as parsed from the command line and the environment.
#pragma once

#include <hl/sandbox.hpp>

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

namespace hl::cli {

struct HlrunOptions {
    std::string memory = "16Mi";
    std::string timeout;
    uint64_t max_exits = 0;
    // Where each value came from, so an error names what the user must fix.
    std::string memory_from = "--memory";
    std::string timeout_from = "--timeout";
    // --trace[=FILE|all|all:FILE]: set when tracing; "-" means stderr.
    std::optional<std::string> trace;
    std::string trace_format = "text";
    std::string trace_filter;            // comma-separated reasons and hypercall names
    std::optional<std::string> stats;    // --stats[=FORMAT[:FILE]]: "text", "json", "text:FILE" or "json:FILE"
    std::string report;                  // --report FILE: one JSON object saying how the command ended
    std::string profile;                 // --profile FILE: folded stacks of the guest's samples
    unsigned profile_hz = 997;           // --profile-hz
    std::string profile_format;          // --profile-format: folded or svg; empty: by --profile's file name
    std::string core;                    // --core FILE: an ELF core file of a guest that stops badly
    std::optional<std::string> gdb;      // --gdb[=HOST:PORT]: wait for gdb there
    bool verbose = false;
    bool no_seccomp = false;             // --no-seccomp: leave the vCPU thread unconfined
    std::vector<std::string> environment; // --env NAME=VALUE, for static Linux executables
    bool strict_syscalls = false;        // --strict-syscalls: an unsupported system call is a fault
    std::vector<std::string> directories; // --dir HOST[:GUEST], read-only for the guest
    std::vector<std::string> guest_argv; // IMAGE ARGS...
};

// Where --gdb alone listens.
inline constexpr const char* kDefaultGdbAddress = "127.0.0.1:1234";

// Reads HL_MEMORY and HL_TIMEOUT into options, noting where they came from.
void apply_environment(HlrunOptions& options);

// Accepts only a plain non-negative decimal count that fits 64 bits
// (CLI11 alone would wrap "-1" around to a huge number).
const CLI::Validator& exit_count_validator();

// --stats's value, FORMAT[:FILE]: text or json, on stderr or in FILE.
struct StatsSpec {
    std::string format;
    std::string path;   // empty: stderr
};
StatsSpec parse_stats_spec(const std::string& text);   // a value stats_validator accepted
const CLI::Validator& stats_validator();

// The files a run's or a call's other options write (--trace, --stats,
// --core, --profile), each with its option: one --report must not be.
std::vector<std::pair<std::string, std::string>> other_outputs(const HlrunOptions& options);

// --report FILE and --stats[=FORMAT[:FILE]], for a run and for hlrun call.
void add_report_options(CLI::App& app, HlrunOptions& options, const char* stats_help);

// Accepts NAME=VALUE with a non-empty NAME.
const CLI::Validator& environment_validator();

// --dir HOST[:GUEST]: GUEST, when given, follows the last ':' and must be
// absolute; without it the guest sees HOST at the same path, a relative HOST
// under "/" (the guest's working directory), so that relative paths work
// as they do natively. Both are made normal ("a/./b/" is /a/b). Returns the
// mapping, or nullopt with error set.
std::optional<MappedDirectory> parse_directory_spec(const std::string& spec, std::string& error);
const CLI::Validator& directory_validator();

// --profile FILE, --profile-hz N and --profile-format F, for a run and for hlrun call.
void add_profile_options(CLI::App& app, HlrunOptions& options);
// "--profile-hz: needs --profile" (or --profile-format) when it was given alone, else empty.
std::string profile_without_file(const CLI::App& app, const HlrunOptions& options);

// --core FILE, for a run and for hlrun call.
void add_core_option(CLI::App& app, HlrunOptions& options);

// Registers hlrun's options on app and reads HL_MEMORY / HL_TIMEOUT.
void add_hlrun_options(CLI::App& app, HlrunOptions& options);

// Options whose value is optional (--trace, --stats, --gdb) take it only as
// --opt=VALUE, so that `hlrun --trace IMAGE` never reads IMAGE as the value:
// rewrites a bare --trace / --stats / --gdb before IMAGE into its explicit
// default; for hlrun call (call), --stats and --gdb (it has no --trace).
std::vector<std::string> spell_out_optional_values(int argc, char** argv, bool call = false);

// For an IMAGE that does not exist, what the user more likely meant:
// "--trace=out.txt" when a bare --trace, --stats or --gdb stood just before
// it with a value of its shape (their values need '='), or "hlrun call" for a
// word near a subcommand's name; else empty. argv as main got it.
// For hlrun call (call), only the first: its argv starts at "call".
std::string missing_image_hint(int argc, char** argv, bool call = false);

// --gdb[=HOST:PORT], for a run and for hlrun call.
void add_gdb_option(CLI::App& app, HlrunOptions& options);

// After parsing: IMAGE and its arguments from the prefix command's rest, and
// the sources of values. Returns an error message, or empty.
std::string finish_hlrun_options(CLI::App& app, HlrunOptions& options);

// After parsing, for every command: --memory and --timeout given as flags
// win over HL_MEMORY and HL_TIMEOUT, and errors name them. Returns whether
// --memory was given.
bool note_flag_sources(const CLI::App& app, HlrunOptions& options);

} // namespace hl::cli
