// The input format of fuzz_hypercall, shared with the seed writer
// (make_seeds.cpp): a sequence of records, each one VM exit as the guest
// causes it. A record is a fixed 48-byte header, then block_length bytes that
// the "guest" stores at guest address block_at before the exit happens (a
// request block, a string, a fault frame). Guest memory lives for the whole
// input, as it does for a run and the calls after it. A short tail is ignored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace hl::fuzz {

struct ExitRecord {
    uint8_t reason;         // VcpuExit::Reason, modulo the number of reasons
    uint8_t size;           // bytes per I/O or MMIO access
    uint16_t port;          // I/O port
    uint32_t value;         // what `out` (or an MMIO write) wrote: an immediate or a request block address
    uint32_t count;         // repetitions (rep outs)
    uint8_t phase;          // 0: the guest's program (run, initialize); otherwise inside a call
    uint8_t result_type;    // a Returned call's result type: index into kResultTypes, modulo its length
    uint16_t block_length;  // bytes following this header
    uint32_t block_at;      // guest address of those bytes (the part outside memory is dropped)
    uint32_t flags;         // kFlag* below
    uint64_t rsp;           // registers at the exit (rsp locates a fault stub's frame)
    uint64_t rip;           // rcx gets rip too: the `syscall` stub's return address
    uint64_t cr2;           // the faulting address of a page fault
};
static_assert(sizeof(ExitRecord) == 48, "the fuzz input format is 48-byte headers");

inline constexpr uint32_t kFlagMmioWrite = 1u << 0;       // an MMIO write, not a read
inline constexpr uint32_t kFlagMmioReportPage = 1u << 1;  // at HL_FAULT_REPORT_PHYS, not at `value`
inline constexpr uint32_t kFlagCancelled = 1u << 2;       // an InterruptHandle asked to stop
inline constexpr char kResultTypes[] = "viludbsy";
inline constexpr size_t kMaxRecords = 16;

// Reads records off the front of input; false once none is left.
inline bool next_record(std::span<const uint8_t>& input, ExitRecord& record, std::span<const uint8_t>& block)
{
    if (input.size() < sizeof record)
        return false;
    std::memcpy(&record, input.data(), sizeof record);
    input = input.subspan(sizeof record);
    block = input.first(record.block_length < input.size() ? record.block_length : input.size());
    input = input.subspan(block.size());
    return true;
}

} // namespace hl::fuzz
