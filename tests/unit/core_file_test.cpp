// ELF core files without KVM: the x86-64 notes, the signals of exceptions,
// the writer's container and holes, and every refusal of the reader
// (CoreFile::load), each naming the file and what was wrong.
#include "arch.hpp"
#include "core/core_format.hpp"
#include "core/core_writer.hpp"
#include "snapshot/file_io.hpp"

#include <hl/core_file.hpp>
#include <hl/error.hpp>

#include <catch2/catch.hpp>

#include <csignal>
#include <cstring>
#include <elf.h>
#include <fcntl.h>
#include <filesystem>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace hl;

namespace {

constexpr uint64_t kPage = 4096;

// A file in memory, named by its /proc path.
struct MemoryFile {
    int fd = memfd_create("core", MFD_CLOEXEC);
    std::string path() const { return "/proc/self/fd/" + std::to_string(fd); }
    ~MemoryFile() { close(fd); }
    std::vector<uint8_t> bytes() const
    {
        struct stat st {};
        fstat(fd, &st);
        std::vector<uint8_t> out(static_cast<size_t>(st.st_size));
        REQUIRE(read_exactly(fd, out.data(), out.size(), 0));
        return out;
    }
    void replace(const std::vector<uint8_t>& bytes) const
    {
        REQUIRE(ftruncate(fd, 0) == 0);
        REQUIRE(write_exactly(fd, bytes.data(), bytes.size(), 0));
    }
};

arch::CoreThread sample_thread()
{
    arch::CoreThread t;
    t.registers = {.rax = 1, .rbx = 2, .rcx = 3, .rdx = 4, .rsi = 5, .rdi = 6, .rsp = 0x7000, .rbp = 0x7010,
                   .r8 = 8, .r9 = 9, .r10 = 10, .r11 = 11, .r12 = 12, .r13 = 13, .r14 = 14, .r15 = 15,
                   .rip = 0x100027, .rflags = 0x10246};
    t.thread_pointer = 0x5000;
    t.signal = SIGSEGV;
    return t;
}

// Three pages of text (one of zeros between two of data), one of data.
struct SampleMemory {
    std::vector<uint8_t> text = std::vector<uint8_t>(3 * kPage, 0);
    std::vector<uint8_t> data = std::vector<uint8_t>(kPage, 0);
    SampleMemory()
    {
        text[0] = 0xc3;
        text[2 * kPage + 5] = 0x90;
        data[100] = 42;
    }
};

CoreContents sample_contents(const SampleMemory& memory)
{
    CoreContents c;
    c.machine = arch::core_machine();
    c.thread_note = arch::core_thread_note(sample_thread());
    c.process_note = arch::core_process_note({"faults.hl", "faults.hl nested"});
    c.stop = {{std::string(core::kKeyVersion), "9.9.9"},        {std::string(core::kKeyImage), "/img/faults.hl"},
              {std::string(core::kKeyImageSha256), "abc123"},   {std::string(core::kKeyEnding), "faulted"},
              {std::string(core::kKeyMessage), "guest fault"}, {std::string(core::kKeyWhere), "main+0x12"}};
    c.memory = {{0x100000, memory.text, false, true}, {0x105000, memory.data, true, false}};
    return c;
}

Elf64_Ehdr header_of(const std::vector<uint8_t>& bytes)
{
    Elf64_Ehdr eh;
    std::memcpy(&eh, bytes.data(), sizeof eh);
    return eh;
}

Elf64_Phdr phdr_of(const std::vector<uint8_t>& bytes, size_t index)
{
    Elf64_Phdr p;
    std::memcpy(&p, bytes.data() + sizeof(Elf64_Ehdr) + index * sizeof p, sizeof p);
    return p;
}

template <typename T>
void put(std::vector<uint8_t>& bytes, size_t offset, T value)
{
    std::memcpy(bytes.data() + offset, &value, sizeof value);
}

// What CoreFile::load says of the sample core after `change`.
std::string refusal(const std::function<void(std::vector<uint8_t>&)>& change)
{
    const SampleMemory memory;
    MemoryFile file;
    write_core_file(file.fd, sample_contents(memory));
    std::vector<uint8_t> bytes = file.bytes();
    change(bytes);
    file.replace(bytes);
    try {
        CoreFile::load(file.path());
    } catch (const ImageError& error) {
        CHECK(error.kind() == ImageError::Kind::Invalid);
        const std::string message = error.what();
        CHECK(message.rfind(file.path() + ": ", 0) == 0);
        return message.substr(file.path().size() + 2);
    }
    FAIL("CoreFile::load accepted the changed core");
    return {};
}

// The offset of the notes and of the HL note's description in the sample core.
size_t notes_offset(const std::vector<uint8_t>& bytes) { return phdr_of(bytes, 0).p_offset; }

// Rewrites the notes segment as `notes` (it must fit where the old ones were).
void replace_notes(std::vector<uint8_t>& bytes, const std::vector<uint8_t>& notes)
{
    const size_t at = notes_offset(bytes);
    const size_t room = phdr_of(bytes, 1).p_offset - at;
    REQUIRE(notes.size() <= room);
    std::memset(bytes.data() + at, 0, room);
    std::memcpy(bytes.data() + at, notes.data(), notes.size());
    put<uint64_t>(bytes, sizeof(Elf64_Ehdr) + offsetof(Elf64_Phdr, p_filesz), notes.size());
}

std::vector<uint8_t> note(std::string_view name, uint32_t type, const std::vector<uint8_t>& desc)
{
    const size_t name_room = (name.size() + 1 + 3) / 4 * 4;
    std::vector<uint8_t> out(12 + name_room + (desc.size() + 3) / 4 * 4, 0);
    put<uint32_t>(out, 0, static_cast<uint32_t>(name.size() + 1));
    put<uint32_t>(out, 4, static_cast<uint32_t>(desc.size()));
    put<uint32_t>(out, 8, type);
    std::memcpy(out.data() + 12, name.data(), name.size());
    if (!desc.empty())
        std::memcpy(out.data() + 12 + name_room, desc.data(), desc.size());
    return out;
}

std::vector<uint8_t> stop_desc(const std::vector<std::string>& words)
{
    std::vector<uint8_t> out;
    for (const std::string& w : words) {
        out.insert(out.end(), w.begin(), w.end());
        out.push_back(0);
    }
    return out;
}

std::vector<uint8_t> linux_notes()
{
    auto out = note("CORE", NT_PRSTATUS, arch::core_thread_note(sample_thread()));
    const auto process = note("CORE", NT_PRPSINFO, arch::core_process_note({"p", "p"}));
    out.insert(out.end(), process.begin(), process.end());
    return out;
}

const std::vector<std::string> kAllStopFields = {"hl", "1", "image", "i", "image-sha256", "s", "ending", "faulted",
                                                 "message", "m", "where", "w"};

} // namespace

TEST_CASE("core notes: the thread's registers, thread pointer and signal read back as written")
{
    const arch::CoreThread t = sample_thread();
    const auto desc = arch::core_thread_note(t);
    CHECK(desc.size() == 336);   // sizeof(struct elf_prstatus) on x86-64, what gdb expects
    const auto back = arch::read_core_thread_note(desc);
    REQUIRE(back);
    CHECK(back->signal == SIGSEGV);
    CHECK(back->thread_pointer == 0x5000);
    CHECK(back->registers.rip == 0x100027);
    CHECK(back->registers.rsp == 0x7000);
    CHECK(back->registers.r15 == 15);
    CHECK(back->registers.rflags == 0x10246);
    CHECK_FALSE(arch::read_core_thread_note(std::span(desc).first(335)));
}

TEST_CASE("core notes: the process note keeps the name and arguments, cut to what Linux keeps")
{
    const auto desc = arch::core_process_note({"a-very-long-program-name.hl", std::string(100, 'x')});
    CHECK(desc.size() == 136);   // sizeof(struct elf_prpsinfo) on x86-64
    const auto back = arch::read_core_process_note(desc);
    REQUIRE(back);
    CHECK(back->program == "a-very-long-pro");   // 15 bytes and the NUL
    CHECK(back->arguments == std::string(79, 'x'));
    CHECK_FALSE(arch::read_core_process_note(std::span(desc).first(10)));
}

TEST_CASE("core notes: each exception gets the signal a Linux process would")
{
    CHECK(arch::signal_for_exception(14) == SIGSEGV);   // #PF
    CHECK(arch::signal_for_exception(13) == SIGSEGV);   // #GP
    CHECK(arch::signal_for_exception(0) == SIGFPE);     // #DE
    CHECK(arch::signal_for_exception(19) == SIGFPE);    // #XM
    CHECK(arch::signal_for_exception(6) == SIGILL);     // #UD
    CHECK(arch::signal_for_exception(3) == SIGTRAP);    // #BP
    CHECK(arch::signal_for_exception(17) == SIGBUS);    // #AC
    CHECK(arch::signal_for_exception(32) == SIGSYS);    // a system call from an hl guest
}

TEST_CASE("core writer: an ET_CORE file whose segments hold the memory, its zero pages holes, read back whole")
{
    const SampleMemory memory;
    MemoryFile file;
    write_core_file(file.fd, sample_contents(memory));
    const auto bytes = file.bytes();
    const Elf64_Ehdr eh = header_of(bytes);
    CHECK(eh.e_type == ET_CORE);
    CHECK(eh.e_machine == EM_X86_64);
    REQUIRE(eh.e_phnum == 3);
    CHECK(phdr_of(bytes, 0).p_type == PT_NOTE);
    const Elf64_Phdr text = phdr_of(bytes, 1), data = phdr_of(bytes, 2);
    CHECK(text.p_type == PT_LOAD);
    CHECK(text.p_vaddr == 0x100000);
    CHECK(text.p_flags == (PF_R | PF_X));
    CHECK(text.p_offset % kPage == 0);
    CHECK(data.p_flags == (PF_R | PF_W));
    CHECK(data.p_offset == text.p_offset + 3 * kPage);
    CHECK(bytes.size() == data.p_offset + kPage);
    CHECK(std::memcmp(bytes.data() + text.p_offset, memory.text.data(), memory.text.size()) == 0);
    CHECK(bytes[data.p_offset + 100] == 42);
    // The page of zeros between the text's two pages was never written: a hole.
    const off_t hole = lseek(file.fd, static_cast<off_t>(text.p_offset + kPage), SEEK_DATA);
    CHECK(hole == static_cast<off_t>(text.p_offset + 2 * kPage));

    const CoreFile core = CoreFile::load(file.path());
    CHECK(core.hl_version == "9.9.9");
    CHECK(core.image == "/img/faults.hl");
    CHECK(core.image_sha256 == "abc123");
    CHECK(core.ending == "faulted");
    CHECK(core.message == "guest fault");
    CHECK(core.where == "main+0x12");
    CHECK(core.program == "faults.hl");
    CHECK(core.arguments == "faults.hl nested");
    CHECK(core.signal == SIGSEGV);
    REQUIRE(core.registers.size() == 19);
    CHECK(core.registers[16] == std::pair<std::string, uint64_t>{"rip", 0x100027});
    CHECK(core.registers[18] == std::pair<std::string, uint64_t>{"fs_base", 0x5000});
    REQUIRE(core.segments.size() == 2);
    CHECK(core.segments[0].address == 0x100000);
    CHECK(core.segments[0].size == 3 * kPage);
    CHECK(core.segments[0].executable);
    CHECK_FALSE(core.segments[0].writable);
    CHECK(core.segments[1].writable);
    CHECK(CoreFile::is_core_file(file.path()));
}

TEST_CASE("core writer: a file it cannot write to is one line with the reason")
{
    const SampleMemory memory;
    const int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    CHECK_THROWS_WITH(write_core_file(fd, sample_contents(memory)), "cannot write the core file: Bad file descriptor");
    close(fd);
}

TEST_CASE("write_file_whole: a failure leaves nothing behind and names the file")
{
    const std::string dir = std::filesystem::temp_directory_path() / ("hl-core-test-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir);
    const std::string path = dir + "/core";
    CHECK_THROWS_WITH(write_file_whole(path, "core file", 0600, [](int) { throw Error("cannot write the core file: boom"); }),
                      path + ": cannot write the core file: boom");
    CHECK(std::filesystem::is_empty(dir));
    CHECK_THROWS_WITH(write_file_whole(dir + "/missing/core", "core file", 0600, [](int) {}),
                      "cannot write the core file " + dir + "/missing/core: No such file or directory");
    CHECK_THROWS_AS(write_file_whole(path, "core file", 0600, [](int) { throw std::bad_alloc(); }), std::bad_alloc);
    CHECK(std::filesystem::is_empty(dir));
    // A link planted where the file beside goes is replaced, its target untouched.
    const std::string target = dir + "-target";
    std::filesystem::create_symlink(target, path + ".tmp." + std::to_string(getpid()));
    write_file_whole(path, "core file", 0600, [](int fd) { REQUIRE(write(fd, "x", 1) == 1); });
    CHECK(std::filesystem::file_size(path) == 1);
    CHECK_FALSE(std::filesystem::exists(target));
    CHECK((std::filesystem::status(path).permissions() & std::filesystem::perms::all) ==
          (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
    std::filesystem::remove_all(dir);
}

TEST_CASE("core reader: files that are not readable cores are refused by name")
{
    CHECK_THROWS_WITH(CoreFile::load("/nonexistent/core"), "cannot read /nonexistent/core: No such file or directory");
    CHECK_THROWS_WITH(CoreFile::load("/tmp"), "cannot read /tmp: not a regular file");
    CHECK_FALSE(CoreFile::is_core_file("/nonexistent/core"));
    MemoryFile empty;
    CHECK_FALSE(CoreFile::is_core_file(empty.path()));
    CHECK_THROWS_WITH(CoreFile::load(empty.path()), empty.path() + ": not an ELF file");
}

TEST_CASE("core reader: every broken header, segment and note is refused with what was wrong")
{
    CHECK(refusal([](auto& b) { b[EI_CLASS] = ELFCLASS32; }) == "not a 64-bit little-endian ELF file");
    CHECK(refusal([](auto& b) { put<uint16_t>(b, offsetof(Elf64_Ehdr, e_type), ET_EXEC); }) ==
          "e_type is 2, expected ET_CORE (4): not a core file");
    CHECK(refusal([](auto& b) { put<uint16_t>(b, offsetof(Elf64_Ehdr, e_machine), EM_AARCH64); }) ==
          "e_machine is 183, expected 62, this host's");
    CHECK(refusal([](auto& b) { put<uint16_t>(b, offsetof(Elf64_Ehdr, e_phentsize), 32); }) ==
          "e_phentsize is 32, expected 56");
    CHECK(refusal([](auto& b) { put<uint16_t>(b, offsetof(Elf64_Ehdr, e_phnum), 0); }) ==
          "e_phnum is 0, expected 1 to 1025");
    CHECK(refusal([](auto& b) { put<uint64_t>(b, offsetof(Elf64_Ehdr, e_phoff), b.size()); }).find(
              "the program headers (e_phoff ") == 0);
    const size_t ph1 = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr);
    const size_t ph2 = ph1 + sizeof(Elf64_Phdr);
    CHECK(refusal([&](auto& b) { put<uint64_t>(b, ph1 + offsetof(Elf64_Phdr, p_filesz), b.size()); }).find(
              "program header 1 lies past the end of the file") == 0);
    CHECK(refusal([&](auto& b) { put<uint64_t>(b, ph1 + offsetof(Elf64_Phdr, p_memsz), 1); }) ==
          "program header 1: p_filesz 12288 differs from p_memsz 1");
    CHECK(refusal([&](auto& b) { put<uint64_t>(b, ph2 + offsetof(Elf64_Phdr, p_vaddr), 0x101000); }) ==
          "program header 2 at 0x101000 overlaps or precedes the one before");
    CHECK(refusal([&](auto& b) { put<uint32_t>(b, ph2 + offsetof(Elf64_Phdr, p_type), PT_DYNAMIC); }) ==
          "program header 2 has type 2, expected PT_NOTE or PT_LOAD");
    CHECK(refusal([&](auto& b) { put<uint32_t>(b, ph1 + offsetof(Elf64_Phdr, p_type), PT_NOTE); }) ==
          "program header 1 is a second PT_NOTE");
    CHECK(refusal([&](auto& b) {
              put<uint32_t>(b, sizeof(Elf64_Ehdr), PT_LOAD);
              put<uint64_t>(b, sizeof(Elf64_Ehdr) + offsetof(Elf64_Phdr, p_memsz), phdr_of(b, 0).p_filesz);
          }) ==
          "no PT_NOTE: the registers and the HL note are missing");
    CHECK(refusal([&](auto& b) {
              b.resize(b.size() + 70000);
              put<uint64_t>(b, sizeof(Elf64_Ehdr) + offsetof(Elf64_Phdr, p_filesz), 70000);
          }) == "the notes take 70000 bytes, more than 65536");
}

TEST_CASE("core reader: missing or malformed notes are refused with what was wrong")
{
    auto with_notes = [](std::vector<uint8_t> notes) {
        return refusal([&](auto& b) { replace_notes(b, notes); });
    };
    auto joined = [](std::vector<uint8_t> a, const std::vector<uint8_t>& b) {
        a.insert(a.end(), b.begin(), b.end());
        return a;
    };
    CHECK(with_notes(linux_notes()) == "no HL note: not a core file hl wrote");
    CHECK(with_notes(joined(joined(linux_notes(), note("CORE", NT_PRSTATUS, arch::core_thread_note(sample_thread()))),
                            note("HL", 1, stop_desc(kAllStopFields)))) == "a second NT_PRSTATUS note");
    CHECK(with_notes(joined(joined(linux_notes(), note("HL", 1, stop_desc(kAllStopFields))),
                            note("HL", 1, stop_desc(kAllStopFields)))) == "a second HL note");
    CHECK(with_notes(joined(linux_notes(), note("HL", 1, stop_desc({"evil\n\x1b[2J"})))) ==
          "the HL note's key 'evil\\x0a\\x1b[2J' has no value");
    CHECK(with_notes(note("HL", 1, stop_desc(kAllStopFields))) == "no NT_PRSTATUS note: the registers are missing");
    CHECK(with_notes(joined(note("CORE", NT_PRSTATUS, arch::core_thread_note(sample_thread())),
                            note("HL", 1, stop_desc(kAllStopFields)))) == "no NT_PRPSINFO note");
    CHECK(with_notes(joined(note("CORE", NT_PRSTATUS, {1, 2, 3, 4}), note("HL", 1, stop_desc(kAllStopFields)))) ==
          "the NT_PRSTATUS note has 4 bytes, not this architecture's");
    CHECK(with_notes(joined(note("CORE", NT_PRPSINFO, {1, 2, 3, 4}), note("HL", 1, stop_desc(kAllStopFields)))) ==
          "the NT_PRPSINFO note has 4 bytes, not this architecture's");
    auto without = [&](size_t index) {
        std::vector<std::string> fields = kAllStopFields;
        fields.erase(fields.begin() + static_cast<long>(index), fields.begin() + static_cast<long>(index) + 2);
        return joined(linux_notes(), note("HL", 1, stop_desc(fields)));
    };
    CHECK(with_notes(without(0)) == "the HL note lacks its 'hl' field");
    CHECK(with_notes(without(6)) == "the HL note lacks its 'ending' field");
    CHECK(with_notes(without(10)) == "the HL note lacks its 'where' field");
    std::vector<uint8_t> unterminated = stop_desc(kAllStopFields);
    unterminated.pop_back();
    CHECK(with_notes(joined(linux_notes(), note("HL", 1, unterminated))) == "the HL note's last field lacks its NUL");
    CHECK(with_notes(joined(linux_notes(), note("HL", 1, stop_desc({"hl"})))) == "the HL note's key 'hl' has no value");
    std::vector<uint8_t> cut = note("HL", 1, stop_desc(kAllStopFields));
    put<uint32_t>(cut, 4, 4000);   // n_descsz past the notes
    CHECK(with_notes(joined(linux_notes(), cut)).find("a note at notes offset ") == 0);
    CHECK(with_notes(joined(linux_notes(), {1, 2, 3})) == "a note header is cut short at notes offset 512");
}
