// hl::CoreFile: an ELF core file of a guest that stopped (a fault, an abort,
// a timeout, its exit limit), as Sandbox::write_core and
// SandboxOptions::core_file write it: the guest's memory that it can reach
// (image segments, heap, stack; not the machine's own pages) as PT_LOAD
// segments, and its registers in the notes a Linux core has, so that
// `gdb IMAGE CORE` shows the stopped frame, the backtrace and the values of
// globals and locals. An "HL" note says which image ran, how the stretch
// ended and why (hlrun(1), CORE FILES). Load reads that back, for hlrun inspect.
#pragma once

#include <hl/version.hpp>

#include <hl/error.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace hl {

struct CoreFile {
    struct Segment {
        uint64_t address = 0;
        uint64_t size = 0;
        bool writable = false;
        bool executable = false;
    };
    std::string hl_version;       // of the hl that wrote it
    std::string image;            // the image's name, as the sandbox had it
    std::string image_sha256;     // of the image file's bytes
    std::string ending;           // ending_name(): "faulted", "aborted", "timed out", "exit limit"
    std::string message;          // the stretch's one-line message
    std::string where;            // the stopped instruction, "main+0x12" or "0x100034"
    std::string program;          // the image's file name, as in a Linux core (at most 15 bytes)
    std::string arguments;        // the guest's arguments, as in a Linux core (at most 79 bytes)
    int signal = 0;               // what a Linux process would have died of (SIGSEGV, SIGABRT...)
    std::vector<std::pair<std::string, uint64_t>> registers;   // rax ... rip rflags, then fs_base
    std::vector<Segment> segments;

    // Reads the headers and notes (not the memory). Throws ImageError:
    // Unreadable when the file cannot be read, Invalid, naming the field, when
    // it is not an ELF core file hl wrote.
    static CoreFile load(const std::filesystem::path& path);
    // Whether the file starts as an ELF core file does (ET_CORE); false when unreadable.
    static bool is_core_file(const std::filesystem::path& path);
};

} // namespace hl
