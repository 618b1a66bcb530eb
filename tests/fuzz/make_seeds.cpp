// Writes the generated part of the seed corpus: hand-made images (built with
// the unit tests' ElfBuilder) into DIR/image, exit sequences for
// fuzz_hypercall (hypercall_input.hpp) into DIR/hypercall and small core
// files into DIR/core, one file per case,
// named after it. The real guest images and the project files in
// tests/fuzz/corpus are kept by hand; image/guest-hello.hl, built for ABI
// version 1, is also the image hlrun_test.cpp runs to show that version 1
// images still run: keep it as it is. Regenerate with
//   cmake --build build-fuzz --target fuzz_make_seeds && build-fuzz/bin/fuzz_make_seeds tests/fuzz/corpus
#include "hypercall_input.hpp"

#include "x86_64/cpu_tables.hpp"
#include "elf_builder.hpp"
#include "backend.hpp"
#include "arch.hpp"
#include "core/core_writer.hpp"

#include <hl/abi.h>
#include <hl/layout.hpp>

#include <cstdio>
#include <fcntl.h>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

using namespace hl;
using test::ElfBuilder;
namespace fs = std::filesystem;

namespace {

void write_file(const fs::path& path, const std::vector<uint8_t>& bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out)
        throw std::runtime_error("cannot write " + path.string());
}

// ---- Images: one per family of rules, each a small step from valid. ----

void write_images(const fs::path& dir)
{
    auto image = [&](const char* name, const test::Mutation& mutate) {
        ElfBuilder b;
        mutate(b);
        write_file(dir / name, b.build());
    };
    image("builder-valid.elf", [](ElfBuilder&) {});
    image("builder-stripped.elf", [](ElfBuilder& b) { b.sections = false; });
    image("builder-writable-text.elf", [](ElfBuilder& b) { b.phdrs[ElfBuilder::kText].p_flags |= PF_W; });
    image("builder-entry-in-data.elf", [](ElfBuilder& b) { b.ehdr.e_entry = ElfBuilder::kDataAddr; });
    image("builder-dynamic.elf", [](ElfBuilder& b) { b.add_phdr({PT_DYNAMIC, PF_R, 0, 0, 0, 0, 0, 8}); });
    image("builder-overlapping-pages.elf", [](ElfBuilder& b) { b.phdrs[ElfBuilder::kRodata].p_vaddr = ElfBuilder::kTextAddr + 0x80; });
    image("builder-two-notes.elf", [](ElfBuilder& b) {
        auto notes = ElfBuilder::hl_note(ElfBuilder::default_note());
        const auto once = notes;
        notes.insert(notes.end(), once.begin(), once.end());
        b.set_notes(notes);
    });
    image("builder-huge-heap.elf", [](ElfBuilder& b) {
        b.set_notes(ElfBuilder::hl_note({HL_ABI_VERSION, 0, HL_STACK_DEFAULT, HL_HEAP_MAX}));
    });
    image("builder-8-aligned-note.elf", [](ElfBuilder& b) {
        b.set_notes(ElfBuilder::hl_note(ElfBuilder::default_note(), 8));
        b.phdrs[ElfBuilder::kNote].p_align = 8;
    });
    auto patched = [&](const char* name, size_t offset, auto value) {
        auto bytes = ElfBuilder().build();
        ElfBuilder::put(bytes, offset, value);
        write_file(dir / name, bytes);
    };
    patched("builder-shoff-past-end.elf", offsetof(Elf64_Ehdr, e_shoff), uint64_t{0x100000});
    patched("builder-phnum-65.elf", offsetof(Elf64_Ehdr, e_phnum), uint16_t{65});
    patched("builder-elf32.elf", EI_CLASS, uint8_t{ELFCLASS32});
    const auto whole = ElfBuilder().build();
    write_file(dir / "builder-cut-after-headers.elf",
               ElfBuilder().build(sizeof(Elf64_Ehdr) + 4 * sizeof(Elf64_Phdr)));
    write_file(dir / "builder-cut-in-symbols.elf", ElfBuilder().build(ElfBuilder::kSectionsOffset + 40));
    write_file(dir / "empty", {});

    // Static Linux executables (no hl note), as musl-gcc -static links them:
    // a start for the Linux rules, PT_TLS, PT_PHDR and the loaded headers.
    auto linux_image = [&](const char* name, const test::Mutation& mutate) {
        image(name, [&](ElfBuilder& b) { mutate(b.linux_image()); });
    };
    linux_image("builder-linux-valid.elf", [](ElfBuilder&) {});
    linux_image("builder-linux-musl-like.elf", [](ElfBuilder& b) {
        b.data_mid_page(0xfc0);
        b.add_phdr({PT_TLS, PF_R, 0x3fc0, 0x102fc0, 0x102fc0, 4, 0x44, 4});
        b.add_phdr({PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 0, 16});
        b.add_phdr({PT_GNU_RELRO, PF_R, 0x3fc0, 0x102fc0, 0x102fc0, 0x40, 0x40, 1});
    });
    linux_image("builder-linux-loaded-headers.elf", [](ElfBuilder& b) {
        b.load_headers(0x200000);
        b.add_phdr({PT_PHDR, PF_R, 0x40, 0x200040, 0x200040, 6 * sizeof(Elf64_Phdr), 6 * sizeof(Elf64_Phdr), 8});
    });
    linux_image("builder-linux-shares-page.elf", [](ElfBuilder& b) { b.move_data(ElfBuilder::kRodataAddr + 0x800); });
    linux_image("builder-linux-dynamic-pie.elf", [](ElfBuilder& b) {
        b.ehdr.e_type = ET_DYN;
        b.add_phdr({PT_INTERP, PF_R, 0x200, 0, 0, 4, 4, 1});
    });
    linux_image("builder-linux-glibc.elf", [](ElfBuilder& b) {
        b.set_notes(ElfBuilder::note_entry("GNU", NT_GNU_ABI_TAG, {0, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0}));
    });
}

// ---- Exit sequences, against the layout fuzz_hypercall uses. ----

// The exits of one seed, with the bytes each one stores first.
class Exits {
public:
    fuzz::ExitRecord& add(uint8_t reason, uint16_t port, uint32_t value, std::vector<uint8_t> block = {},
                          uint32_t block_at = 0)
    {
        fuzz::ExitRecord r{};
        r.reason = reason;
        r.size = 4;
        r.port = port;
        r.value = value;
        r.count = 1;
        r.block_length = static_cast<uint16_t>(block.size());
        r.block_at = block_at;
        records_.push_back(r);
        blocks_.push_back(std::move(block));
        return records_.back();
    }
    fuzz::ExitRecord& out(unsigned call, uint32_t value, std::vector<uint8_t> block = {}, uint32_t block_at = 0)
    {
        return add(static_cast<uint8_t>(VcpuExit::Reason::IoOut), static_cast<uint16_t>(HL_PORT_BASE + call), value,
                   std::move(block), block_at);
    }
    std::vector<uint8_t> bytes() const
    {
        std::vector<uint8_t> all;
        for (size_t i = 0; i < records_.size(); ++i) {
            const auto* header = reinterpret_cast<const uint8_t*>(&records_[i]);
            all.insert(all.end(), header, header + sizeof records_[i]);
            all.insert(all.end(), blocks_[i].begin(), blocks_[i].end());
        }
        return all;
    }

private:
    std::vector<fuzz::ExitRecord> records_;
    std::vector<std::vector<uint8_t>> blocks_;
};

template <typename T>
std::vector<uint8_t> block(const T& value, std::string_view tail = {}, size_t tail_at = sizeof(T))
{
    std::vector<uint8_t> bytes(std::max(sizeof value, tail_at + tail.size()));
    std::memcpy(bytes.data(), &value, sizeof value);
    std::copy(tail.begin(), tail.end(), bytes.begin() + static_cast<ptrdiff_t>(tail_at));
    return bytes;
}

hl_host_call_req host_request(const char* name, const char* signature, std::vector<hl_value> args, uint32_t at)
{
    hl_host_call_req req{};
    std::snprintf(req.name, sizeof req.name, "%s", name);
    std::snprintf(req.signature, sizeof req.signature, "%s", signature);
    req.argc = static_cast<uint32_t>(args.size());
    std::copy(args.begin(), args.end(), req.args);
    req.ret_buf = at + 1024;
    req.ret_buf_size = 256;
    return req;
}

void write_hypercalls(const fs::path& dir)
{
    const Image image = test::valid();
    const Layout layout = Layout::compute(image.segments(), image.note(), HL_MEMORY_DEFAULT);
    const auto heap = static_cast<uint32_t>(layout.heap_start());
    auto seed = [&](const std::string& name, const Exits& exits) { write_file(dir / name, exits.bytes()); };
    using R = VcpuExit::Reason;
    auto reason = [](R r) { return static_cast<uint8_t>(r); };

    { Exits e; e.out(HL_CALL_EXIT, 3); seed("exit-3", e); }
    { Exits e; e.out(HL_CALL_WRITE, heap, block(hl_write_req{1, 0, heap + 64, 6, 0}, "hello\n", 64), heap); seed("write-stdout", e); }
    { Exits e; e.out(HL_CALL_WRITE, heap, block(hl_write_req{2, 0, ElfBuilder::kRodataAddr, 5, 0}), heap); seed("write-stderr-from-rodata", e); }
    { Exits e; e.out(HL_CALL_WRITE, heap, block(hl_write_req{1, 0, HL_GDT_ADDR, 8, 0}), heap); seed("write-buffer-in-gdt", e); }
    { Exits e; e.out(HL_CALL_WRITE, ElfBuilder::kRodataAddr); seed("write-request-in-rodata", e); }
    { Exits e; e.out(HL_CALL_ABORT, heap, block(hl_abort_req{heap + 16, 9}, "bad\nthing"), heap); seed("abort-two-lines", e); }
    { Exits e; e.out(HL_CALL_CLOCK, heap, block(hl_clock_req{0}), heap); seed("clock", e); }
    { Exits e; e.out(HL_CALL_READY, 0); seed("ready", e); }
    { Exits e; e.out(HL_CALL_READY, HL_READY_RELOADS_FPU); seed("ready-reloads-fpu", e); }
    { Exits e; e.out(HL_CALL_READY, 0).phase = 1; seed("ready-during-call", e); }
    { Exits e; e.out(HL_CALL_RETURN, 0); seed("return-outside-call", e); }

    // Returns: the frame at the call area, a string or bytes result just after it.
    const uint32_t after_frame = HL_CALL_AREA_ADDR + sizeof(hl_call_frame);
    for (const auto& [name, type, ret] : {std::tuple{"return-string", 's', hl_value{after_frame, 5}},
                                          std::tuple{"return-bytes", 'y', hl_value{after_frame, 5}},
                                          std::tuple{"return-i64", 'l', hl_value{uint64_t(-7), 0}},
                                          std::tuple{"return-string-unmapped", 's', hl_value{8, 5}}}) {
        hl_call_frame frame{};
        frame.ret = ret;
        Exits e;
        fuzz::ExitRecord& r = e.out(HL_CALL_RETURN, 0, block(frame, "hello"), HL_CALL_AREA_ADDR);
        r.phase = 1;
        r.result_type = static_cast<uint8_t>(std::string_view(fuzz::kResultTypes).find(type));
        seed(name, e);
    }

    // Host calls: the request at the heap, string arguments 512 bytes in, the result buffer 1024 bytes in.
    const uint32_t arg = heap + 512;
    auto host = [&](const std::string& name, const hl_host_call_req& req, std::string_view data = {}) {
        Exits e;
        e.out(HL_CALL_HOST, heap, block(req, data, 512), heap).phase = 1;
        seed(name, e);
    };
    host("host-echo", host_request("echo", "ss", {{arg, 5}}, heap), "hello");
    host("host-blob", host_request("blob", "yy", {{arg, 4}}, heap), "\x01\x02\x03\x04");
    host("host-repeat-too-long", host_request("repeat", "su", {{300, 0}}, heap));
    host("host-add", host_request("add", "lll", {{2, 0}, {3, 0}}, heap));
    host("host-narrow", host_request("narrow", "iib", {{5, 0}, {1, 0}}, heap));
    host("host-half", host_request("half", "dd", {{0x4010000000000000, 0}}, heap));
    host("host-nothing", host_request("nothing", "v", {}, heap));
    host("host-fails", host_request("fails", "ls", {{arg, 2}}, heap), "no");
    host("host-throws", host_request("throws", "b", {}, heap));
    host("host-unknown", host_request("missing", "l", {}, heap));
    host("host-wrong-signature", host_request("echo", "sy", {{arg, 1}}, heap), "x");
    host("host-argc-mismatch", host_request("add", "lll", {{1, 0}}, heap));
    host("host-not-utf8", host_request("echo", "ss", {{arg, 2}}, heap), "\xc3\x28");

    // A call: initialised, a host call and a write inside the call, then the return.
    {
        Exits e;
        e.out(HL_CALL_READY, 0);
        e.out(HL_CALL_HOST, heap, block(host_request("echo", "ss", {{arg, 2}}, heap), "hi", 512), heap).phase = 1;
        e.out(HL_CALL_WRITE, heap + 2048, block(hl_write_req{1, 0, heap + 1024, 2, 0}), heap + 2048).phase = 1;
        hl_call_frame frame{};
        frame.ret = {heap + 1024, 2};
        fuzz::ExitRecord& r = e.out(HL_CALL_RETURN, 0, block(frame), HL_CALL_AREA_ADDR);
        r.phase = 1;
        r.result_type = 6; // 's'
        seed("call-sequence", e);
    }

    // Fault reports: a stub's write to the report page, its frame on the IST stack.
    auto fault = [&](const std::string& name, unsigned vector, uint64_t rip, bool error_code) {
        const uint64_t frame_at = HL_IST_STACK_ADDR + HL_IST_STACK_SIZE - 8 * 8;
        std::vector<uint64_t> words{0x11, 0x22};
        if (error_code)
            words.push_back(0x2); // a write to a page that is not present
        for (uint64_t w : {uint64_t{ElfBuilder::kTextAddr + 0x18}, uint64_t{cpu::kUserCodeSelector}, uint64_t{0x202},
                           uint64_t{0x3ff000}, uint64_t{cpu::kUserDataSelector}})
            words.push_back(w);
        std::vector<uint8_t> frame(words.size() * 8);
        std::memcpy(frame.data(), words.data(), frame.size());
        Exits e;
        fuzz::ExitRecord& r = e.add(reason(R::Mmio), 0, vector, frame, static_cast<uint32_t>(frame_at));
        r.flags = fuzz::kFlagMmioWrite | fuzz::kFlagMmioReportPage;
        r.rsp = frame_at;
        r.rip = rip;
        r.cr2 = 0x10;
        seed(name, e);
    };
    fault("fault-page-fault", 14, cpu::report_rip(14), true);
    fault("fault-invalid-opcode", 6, cpu::report_rip(6), false);
    fault("fault-syscall", cpu::kSyscallVector, cpu::report_rip(cpu::kSyscallVector), false);
    fault("fault-forged-report", 14, ElfBuilder::kTextAddr + 0x20, true);

    // Exits that are not hypercalls, and I/O outside the ABI.
    { Exits e; e.add(reason(R::Mmio), 0, 0xfee00000).flags = fuzz::kFlagMmioWrite; seed("mmio-unbacked-write", e); }
    { Exits e; e.add(reason(R::Hlt), 0, 0); seed("hlt", e); }
    { Exits e; e.add(reason(R::Shutdown), 0, 0); seed("shutdown", e); }
    { Exits e; e.add(reason(R::FailEntry), 0, 0); seed("fail-entry", e); }
    { Exits e; e.add(reason(R::InternalError), 0, 0); seed("internal-error", e); }
    { Exits e; e.add(reason(R::Interrupted), 0, 0).flags = fuzz::kFlagCancelled; seed("interrupted-cancelled", e); }
    { Exits e; e.add(reason(R::Other), 0, 0); seed("other-exit", e); }
    { Exits e; e.add(reason(R::IoIn), HL_PORT_BASE, 0); seed("in-from-hl-port", e); }
    { Exits e; e.add(reason(R::IoOut), 0x3f8, 0).size = 1; seed("out-to-serial", e); }
    { Exits e; e.out(HL_CALL_WRITE, heap).count = 3; seed("rep-out", e); }
}

} // namespace

// ---- Core files: hl's own, small, and one without its HL note. ----

void write_cores(const fs::path& dir)
{
    const std::vector<uint8_t> text(4096, 0x90), data(8192, 0);
    auto core = [&](const char* name, bool hl_note) {
        CoreContents c;
        c.machine = arch::core_machine();
        arch::CoreThread thread;
        thread.registers.rip = 0x100000;
        thread.signal = 11;
        c.thread_note = arch::core_thread_note(thread);
        c.process_note = arch::core_process_note({"guest.hl", "guest.hl nested"});
        if (hl_note)
            c.stop = {{"hl", "0.1.0"}, {"image", "guest.hl"}, {"image-sha256", std::string(64, 'a')},
                      {"ending", "faulted"}, {"message", "guest fault: page fault"}, {"where", "main+0x12"}};
        c.memory = {{0x100000, text, false, true}, {0x101000, data, true, false}};
        const fs::path path = dir / name;
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
            throw std::runtime_error("cannot write " + path.string());
        write_core_file(fd, c);
        ::close(fd);
    };
    core("hl.core", true);
    core("no-hl-note.core", false);
}

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR (writes CORPUS_DIR/image, CORPUS_DIR/hypercall and CORPUS_DIR/core)\n", argv[0]);
        return 2;
    }
    try {
        const fs::path root = argv[1];
        fs::create_directories(root / "image");
        fs::create_directories(root / "hypercall");
        fs::create_directories(root / "core");
        write_images(root / "image");
        write_hypercalls(root / "hypercall");
        write_cores(root / "core");
    } catch (const std::exception& error) {
        std::fprintf(stderr, "%s\n", error.what());
        return 1;
    }
    return 0;
}
