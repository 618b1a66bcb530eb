// Kernel tracepoint formats: parsing tracefs text and decoding raw records.
#include "trace/tracepoint_format.hpp"

#include <catch2/catch.hpp>

#include <cstring>

using namespace hl;

namespace {

// As this project's hosts publish it in events/kvm/kvm_pio/format.
const char* kPioFormat = R"(name: kvm_pio
ID: 110
format:
	field:unsigned short common_type;	offset:0;	size:2;	signed:0;
	field:unsigned char common_flags;	offset:2;	size:1;	signed:0;
	field:unsigned char common_preempt_count;	offset:3;	size:1;	signed:0;
	field:int common_pid;	offset:4;	size:4;	signed:1;

	field:unsigned int rw;	offset:8;	size:4;	signed:0;
	field:unsigned int port;	offset:12;	size:4;	signed:0;
	field:unsigned int size;	offset:16;	size:4;	signed:0;
	field:unsigned int count;	offset:20;	size:4;	signed:0;
	field:unsigned int val;	offset:24;	size:4;	signed:0;

print fmt: "pio_%s at 0x%x size %d count %d val 0x%x %s", REC->rw ? "write" : "read", REC->port
)";

std::vector<uint8_t> record(std::initializer_list<std::pair<size_t, uint32_t>> fields, size_t size = 28)
{
    std::vector<uint8_t> bytes(size);
    for (const auto& [offset, value] : fields)
        std::memcpy(bytes.data() + offset, &value, sizeof value);
    return bytes;
}

} // namespace

TEST_CASE("tracepoint formats parse the ID and the fields past the common header")
{
    const auto format = parse_tracepoint_format("kvm_pio", kPioFormat);
    REQUIRE(format.has_value());
    CHECK(format->id == 110);
    REQUIRE(format->fields.size() == 5);
    CHECK(format->fields[1].name == "port");
    CHECK(format->fields[1].offset == 12);
    CHECK(format->fields[1].size == 4);
    CHECK_FALSE(format->fields[1].is_signed);
    CHECK_FALSE(parse_tracepoint_format("x", "format:\n\tfield:int a;\toffset:8;\tsize:4;\tsigned:1;\n").has_value());
}

TEST_CASE("tracepoint records read as name=value, ports and values in hex")
{
    const auto format = *parse_tracepoint_format("kvm_pio", kPioFormat);
    CHECK(describe_tracepoint_record(format, record({{8, 1}, {12, 0x501}, {16, 4}, {20, 1}, {24, 0xff4f90}})) ==
          "rw=1 port=0x501 size=4 count=1 val=0xff4f90");
    // A record cut short loses the fields past its end, nothing else.
    CHECK(describe_tracepoint_record(format, record({{8, 0}, {12, 0x500}}, 16)) == "rw=0 port=0x500");
}

TEST_CASE("tracepoint records show signed fields as signed")
{
    const auto format = parse_tracepoint_format(
        "kvm_userspace_exit", "ID: 7\nformat:\n\tfield:__u32 reason;\toffset:8;\tsize:4;\tsigned:0;\n"
                              "\tfield:int errno;\toffset:12;\tsize:4;\tsigned:1;\n");
    REQUIRE(format.has_value());
    CHECK(describe_tracepoint_record(*format, record({{8, 2}, {12, static_cast<uint32_t>(-4)}}, 16)) ==
          "reason=2 errno=-4");
}

TEST_CASE("tracepoint records of arm64 KVM show the pc, syndromes and addresses in hex")
{
    // As the arm64 test machine's kernel publishes events/kvm/kvm_exit/format.
    const auto format = parse_tracepoint_format(
        "kvm_exit", "ID: 9\nformat:\n\tfield:int ret;\toffset:8;\tsize:4;\tsigned:1;\n"
                    "\tfield:unsigned int esr_ec;\toffset:12;\tsize:4;\tsigned:0;\n"
                    "\tfield:unsigned long vcpu_pc;\toffset:16;\tsize:8;\tsigned:0;\n");
    REQUIRE(format.has_value());
    CHECK(describe_tracepoint_record(*format, record({{8, 2}, {12, 0x24}, {16, 0x10234c}}, 24)) ==
          "ret=2 esr_ec=0x24 vcpu_pc=0x10234c");
    const auto fault = parse_tracepoint_format(
        "kvm_guest_fault", "ID: 10\nformat:\n\tfield:unsigned long vcpu_pc;\toffset:8;\tsize:8;\tsigned:0;\n"
                           "\tfield:unsigned long hsr;\toffset:16;\tsize:8;\tsigned:0;\n"
                           "\tfield:unsigned long hxfar;\toffset:24;\tsize:8;\tsigned:0;\n"
                           "\tfield:unsigned long long ipa;\toffset:32;\tsize:8;\tsigned:0;\n");
    REQUIRE(fault.has_value());
    CHECK(describe_tracepoint_record(*fault, record({{8, 0x10234c}, {16, 0x93880045}, {24, 0x2004}, {32, 0x1000}},
                                                    40)) == "vcpu_pc=0x10234c hsr=0x93880045 hxfar=0x2004 ipa=0x1000");
}
