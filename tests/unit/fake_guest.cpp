// The fake backend's guest (see fake_guest.hpp).
#include "fake_guest.hpp"

#include "x86_64/cpu_tables.hpp"
#include "x86_64/xstate_reset.hpp"

#include <vector>

namespace hl::test {
namespace {

// The clean XSAVE image hl_serve's XRSTOR loads: in rodata, 64-byte aligned.
constexpr uint64_t kCleanImage = ElfBuilder::kRodataAddr + 0x200;

template <typename T>
void store(std::vector<uint8_t>& bytes, uint64_t offset, const T& value)
{
    ElfBuilder::put(bytes, static_cast<size_t>(offset), value);
}

} // namespace

Image fake_image()
{
    ElfBuilder b;
    b.add_exports({ElfBuilder::export_record("add", "lll", ElfBuilder::kTextAddr + 0x10),
                   ElfBuilder::export_record("greet", "ss", ElfBuilder::kTextAddr + 0x20),
                   ElfBuilder::export_record("nothing", "v", ElfBuilder::kTextAddr + 0x30)});
    // guest-crt's serve_wait.S, past its `out`: mov $-1,%eax; mov $-1,%edx; xrstor64 clean(%rip).
    std::vector<uint8_t>& text = b.blobs[ElfBuilder::kText].bytes;
    const uint8_t reset[] = {0xb8, 0xff, 0xff, 0xff, 0xff, 0xba, 0xff, 0xff, 0xff, 0xff, 0x48, 0x0f, 0xae, 0x2d};
    const uint64_t at = kServeResume - ElfBuilder::kTextAddr;
    text.resize(at);
    text.insert(text.end(), std::begin(reset), std::end(reset));
    store(text, text.size(), static_cast<int32_t>(kCleanImage - (kServeResume + cpu::kXstateResetCodeSize)));
    text.push_back(0xc3); // ret
    b.phdrs[ElfBuilder::kText].p_filesz = b.phdrs[ElfBuilder::kText].p_memsz = text.size();
    b.symbols.push_back({"__hl_serve_wait", kServeResume - 1, 1 + cpu::kXstateResetCodeSize + 1});
    // FCW 0x37f and MXCSR 0x1f80, all else zero: no component marked.
    std::vector<uint8_t>& rodata = b.blobs[ElfBuilder::kRodata].bytes;
    const uint64_t image = kCleanImage - ElfBuilder::kRodataAddr;
    rodata.resize(image + cpu::kCleanXsaveImageSize, 0);
    store(rodata, image, uint16_t{0x37f});
    store(rodata, image + 24, uint32_t{0x1f80});
    b.phdrs[ElfBuilder::kRodata].p_filesz = b.phdrs[ElfBuilder::kRodata].p_memsz = rodata.size();
    return Image::parse("fake.hl", b.build());
}

Registers at_pc(uint64_t pc)
{
    Registers r{};
    r.rip = pc;
    return r;
}

FakeStep hypercall(unsigned number, uint32_t value, uint64_t pc)
{
    FakeStep step;
    step.exit = {.reason = VcpuExit::Reason::IoOut, .port = static_cast<uint16_t>(HL_PORT_BASE + number),
                 .size = 4, .value = value, .count = 1};
    step.registers = at_pc(pc);
    return step;
}

FakeStep exit_step(uint32_t status)
{
    return hypercall(HL_CALL_EXIT, status);
}

FakeStep write_step(FakeBackend& fake, uint32_t fd, const std::string& text)
{
    FakeStep step = hypercall(HL_CALL_WRITE, kScratch);
    step.guest = [&fake, fd, text] {
        fake.write_as_guest(kScratch + 0x100, {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
        fake.put(kScratch, hl_write_req{.fd = fd, ._pad = 0, .buf = kScratch + 0x100, .len = text.size(), .result = 0});
    };
    return step;
}

FakeStep abort_step(FakeBackend& fake, const std::string& message)
{
    FakeStep step = hypercall(HL_CALL_ABORT, kScratch);
    step.guest = [&fake, message] {
        fake.write_as_guest(kScratch + 0x100, {reinterpret_cast<const uint8_t*>(message.data()), message.size()});
        fake.put(kScratch, hl_abort_req{.msg = kScratch + 0x100, .len = message.size()});
    };
    return step;
}

FakeStep ready_step(uint64_t pc)
{
    return hypercall(HL_CALL_READY, 0, pc);
}

FakeStep return_step(uint64_t pc)
{
    return hypercall(HL_CALL_RETURN, 0, pc);
}

FakeStep result_step(FakeBackend& fake, uint64_t bits, uint64_t len)
{
    FakeStep step = return_step();
    step.guest = [&fake, bits, len] {
        auto frame = fake.get<hl_call_frame>(HL_CALL_AREA_ADDR);
        frame.ret = {bits, len};
        fake.put(HL_CALL_AREA_ADDR, frame);
    };
    return step;
}

FakeStep fault_step(FakeBackend& fake, unsigned vector, uint64_t fault_pc, uint64_t error_code, uint64_t cr2)
{
    // rdx, rax, [error code], then rip, cs, rflags, rsp, ss as the CPU pushed them.
    std::vector<uint64_t> frame{0xd0d0, 0xa0a0};
    if (cpu::vector_has_error_code(vector))
        frame.push_back(error_code);
    const std::vector<uint64_t> pushed{fault_pc, cpu::kUserCodeSelector, 0x202, 0x7ff000, cpu::kUserDataSelector};
    frame.insert(frame.end(), pushed.begin(), pushed.end());
    const uint64_t rsp = kFaultStackTop - frame.size() * 8;
    FakeStep step;
    step.exit = {.reason = VcpuExit::Reason::Mmio, .size = 4, .value = vector, .write = true,
                 .address = HL_FAULT_REPORT_PHYS};
    step.registers = at_pc(cpu::report_rip(vector));
    step.registers->rsp = rsp;
    step.fault_address = cr2;
    step.guest = [&fake, frame, rsp] {
        fake.write_as_guest(rsp, {reinterpret_cast<const uint8_t*>(frame.data()), frame.size() * 8});
    };
    return step;
}

FakeStep syscall_step(uint64_t number, std::array<uint64_t, 6> args, uint64_t return_pc)
{
    FakeStep step;
    step.exit = {.reason = VcpuExit::Reason::Mmio, .size = 4, .value = static_cast<uint32_t>(number), .write = true,
                 .address = HL_SYSCALL_REPORT_PHYS};
    Registers r = at_pc(cpu::report_rip(cpu::kSyscallVector));
    r.rax = number;
    r.rdi = args[0];
    r.rsi = args[1];
    r.rdx = args[2];
    r.r10 = args[3];
    r.r8 = args[4];
    r.r9 = args[5];
    r.rcx = return_pc;
    r.r11 = 0x202;
    step.registers = r;
    return step;
}

FakeStep exit_of(VcpuExit::Reason reason)
{
    FakeStep step;
    step.exit.reason = reason;
    return step;
}

FakeStep kvm_failure(const std::string& message)
{
    FakeStep step;
    step.kvm_error = message;
    return step;
}

namespace {

SandboxOptions collecting_output(SandboxOptions options, std::string& out, std::string& err)
{
    options.output = [&out, &err](int fd, std::span<const uint8_t> bytes) -> int64_t {
        (fd == 1 ? out : err).append(bytes.begin(), bytes.end());
        return static_cast<int64_t>(bytes.size());
    };
    return options;
}

} // namespace

FakeSandbox::FakeSandbox(SandboxOptions options)
    : sandbox(fake_image(), collecting_output(std::move(options), out, err), fake.make_vm())
{
}

void FakeSandbox::initialize()
{
    fake.then(ready_step());
    const RunResult result = sandbox.initialize();
    if (result.ending != RunResult::Ending::Ready)
        throw FakeMisuse("FakeSandbox::initialize: " + result.message);
}

} // namespace hl::test
