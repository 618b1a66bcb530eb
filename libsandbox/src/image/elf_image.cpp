// hl::Image: reads a guest ELF image, decides its personality, enforces the
// image rules of hl-abi(7) for it and keeps what the loader needs (segments,
// entry, note, program headers, TLS) plus symbols for traces.
#include <hl/image.hpp>
#include <hl/text.hpp>
#include <hl/units.hpp>

#include <hl/abi.h>

#include "image/elf_exports.hpp"
#include "image/elf_linux_rules.hpp"
#include "image/elf_notes.hpp"
#include "image/elf_rules.hpp"

#include <gelf.h>
#include <libelf.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace hl {
namespace {

struct ElfCloser {
    void operator()(Elf* elf) const { elf_end(elf); }
};
using ElfHandle = std::unique_ptr<Elf, ElfCloser>;

struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
};

[[noreturn]] void unreadable(const std::string& name, int error) {
    throw ImageError(ImageError::Kind::Unreadable, name + ": cannot read: " + std::strerror(error));
}

// elf_version() sets process-wide libelf state; a function-local static makes
// the one call thread-safe.
bool libelf_ready() {
    static const bool ready = elf_version(EV_CURRENT) != EV_NONE;
    return ready;
}

// Hands `copy` to libelf. elfutils refuses a whole file whose section header
// table is out of bounds, but sections are not needed to run an image, so on
// failure libelf is asked again with a copy whose section header fields are
// cleared, which `fallback` keeps for as long as the handle.
//
// libelf reads `bytes` in place and never writes them: elf_memory opens
// them as ELF_C_READ_MMAP_PRIVATE, whose in-place use only writes when the
// caller updates the file (elf_update, gelf_update_*), which hl never does,
// or converts another byte order, which check_elf_header refuses first.
// (Checked over the unit tests' images and every fuzz seed: the bytes after
// parsing were the bytes before.) So the usual image costs no copy: on
// these hosts each fresh page of one is a ~2 us page fault.
ElfHandle open_elf(const std::string& name, const std::vector<uint8_t>& bytes, std::vector<uint8_t>& fallback) {
    if (!libelf_ready())
        throw ImageError(ImageError::Kind::Unreadable, name + ": cannot read: libelf is unusable");
    auto open = [](const std::vector<uint8_t>& image) {
        return ElfHandle(elf_memory(reinterpret_cast<char*>(const_cast<uint8_t*>(image.data())), image.size()));
    };
    ElfHandle elf = open(bytes);
    if (!elf || elf_kind(elf.get()) != ELF_K_ELF) {
        elf.reset();
        fallback = bytes;
        Elf64_Ehdr ehdr;
        std::memcpy(&ehdr, fallback.data(), sizeof ehdr);
        ehdr.e_shoff = 0;
        ehdr.e_shnum = 0;
        ehdr.e_shstrndx = SHN_UNDEF;
        std::memcpy(fallback.data(), &ehdr, sizeof ehdr);
        elf = open(fallback);
    }
    if (!elf || elf_kind(elf.get()) != ELF_K_ELF)
        rules::reject(name, "ELF header", std::string("libelf cannot read it (") + elf_errmsg(-1) + ")",
                      "a well-formed ELF file");
    return elf;
}

std::vector<GElf_Phdr> read_program_headers(const std::string& name, Elf* elf, size_t count) {
    std::vector<GElf_Phdr> phdrs(count);
    for (size_t i = 0; i < count; ++i) {
        if (gelf_getphdr(elf, static_cast<int>(i), &phdrs[i]) == nullptr)
            rules::reject(name, "program header " + std::to_string(i),
                          std::string("libelf cannot read it (") + elf_errmsg(-1) + ")",
                          "a well-formed program header");
    }
    return phdrs;
}

// The end address of section `index` when it is loaded and holds address,
// else 0 (no such section, SHN_XINDEX's extended indices included).
uint64_t section_end(Elf* elf, size_t index, uint64_t address) {
    GElf_Shdr shdr;
    Elf_Scn* scn = index == SHN_UNDEF || index >= SHN_LORESERVE ? nullptr : elf_getscn(elf, index);
    if (scn == nullptr || gelf_getshdr(scn, &shdr) == nullptr || !(shdr.sh_flags & SHF_ALLOC) ||
        shdr.sh_addr > UINT64_MAX - shdr.sh_size || address < shdr.sh_addr || address >= shdr.sh_addr + shdr.sh_size)
        return 0;
    return shdr.sh_addr + shdr.sh_size;
}

// Hand-written assembly often gives its functions no size (musl's memcpy,
// say): such a function is taken to reach the next symbol or the end of its
// section, as perf and gdb take it, so that faults, traces and profiles in it
// are named.
void size_unsized_functions(std::vector<Symbol>& symbols, std::vector<std::pair<Symbol, uint64_t>>& with_ends) {
    std::stable_sort(with_ends.begin(), with_ends.end(),
                     [](const auto& a, const auto& b) { return a.first.address < b.first.address; });
    for (auto group = with_ends.begin(); group != with_ends.end();) {
        const uint64_t address = group->first.address;
        const auto next = std::find_if(group, with_ends.end(), [address](const auto& s) { return s.first.address != address; });
        // A sized symbol at the same address names it already (a label beside its function).
        const bool sized = std::any_of(group, next, [](const auto& s) { return s.first.size != 0; });
        for (; group != next; ++group) {
            auto& [symbol, end] = *group;
            if (!sized && end > address)
                symbol.size = (next == with_ends.end() ? end : std::min(end, next->first.address)) - address;
            symbols.push_back(std::move(symbol));
        }
    }
}

// Symbols only make traces readable, so any inconsistency in the section
// tables drops them all instead of rejecting a runnable image.
std::vector<Symbol> read_symbols(Elf* elf) {
    std::vector<Symbol> symbols;
    // Each symbol, and for a function without a size the end of its section (else 0).
    std::vector<std::pair<Symbol, uint64_t>> with_ends;
    Elf_Scn* scn = nullptr;
    while ((scn = elf_nextscn(elf, scn)) != nullptr) {
        GElf_Shdr shdr;
        if (gelf_getshdr(scn, &shdr) == nullptr)
            return {};
        if (shdr.sh_type != SHT_SYMTAB)
            continue;
        if (shdr.sh_entsize != sizeof(Elf64_Sym))
            return {};
        Elf_Data* data = elf_getdata(scn, nullptr);
        if (data == nullptr)
            return {};
        const size_t count = data->d_size / sizeof(Elf64_Sym);
        if (count > INT_MAX) // gelf_getsym takes an int index
            return {};
        for (size_t i = 1; i < count; ++i) {
            GElf_Sym sym;
            if (gelf_getsym(data, static_cast<int>(i), &sym) == nullptr)
                return {};
            const int type = GELF_ST_TYPE(sym.st_info);
            if ((type != STT_FUNC && type != STT_OBJECT) || sym.st_value == 0)
                continue;
            const char* sym_name = elf_strptr(elf, shdr.sh_link, sym.st_name);
            if (sym_name == nullptr)
                return {};
            // Names go into fault messages and traces: one line of plain text.
            if (*sym_name != '\0')
                with_ends.push_back({{sym.st_value, sym.st_size, printable(sym_name)},
                                     type == STT_FUNC && sym.st_size == 0 ? section_end(elf, sym.st_shndx, sym.st_value) : 0});
        }
        break; // an executable has at most one .symtab
    }
    size_unsized_functions(symbols, with_ends);
    return symbols;
}

} // namespace

const char* personality_name(Personality personality) {
    return personality == Personality::Linux ? "linux" : "hl";
}

Architecture host_architecture() {
#if defined(__aarch64__)
    return Architecture::Aarch64;
#else
    return Architecture::X86_64;
#endif
}

const char* architecture_name(Architecture architecture) {
    return architecture == Architecture::Aarch64 ? "aarch64" : "x86-64";
}

Image Image::load(const std::filesystem::path& path) {
    return load(path, host_architecture());
}

Image Image::load(const std::filesystem::path& path, Architecture architecture) {
    const std::string name = path.string();
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        unreadable(name, errno);
    FdCloser closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        unreadable(name, errno);
    if (S_ISDIR(st.st_mode))
        unreadable(name, EISDIR);
    // A bound, so that /dev/zero or an endless pipe cannot eat the host's memory.
    constexpr size_t kMaxImageFile = size_t{256} << 20;
    auto too_big = [&] {
        throw ImageError(ImageError::Kind::Invalid,
                         name + ": file size: more than 256Mi, expected an hl image of at most 256Mi");
    };
    if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > kMaxImageFile)
        too_big();
    // Read in place: a regular file's size is known, and each page a
    // bounce buffer touches costs a page fault (~2 us on these hosts).
    std::vector<uint8_t> bytes(S_ISREG(st.st_mode) ? static_cast<size_t>(st.st_size) + 1 : 65536);
    size_t size = 0;
    for (;;) {
        if (size == bytes.size()) { // a pipe, or a file that grew
            if (bytes.size() > kMaxImageFile)
                too_big();
            bytes.resize(std::min(bytes.size() * 2, kMaxImageFile + 1));
        }
        const ssize_t got = ::read(fd, bytes.data() + size, bytes.size() - size);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            unreadable(name, errno);
        if (got == 0)
            break;
        size += static_cast<size_t>(got);
    }
    if (size > kMaxImageFile)
        too_big();
    bytes.resize(size);
    return parse(name, std::move(bytes), architecture);
}

Image Image::parse(std::string name, std::vector<uint8_t> bytes) {
    return parse(std::move(name), std::move(bytes), host_architecture());
}

Image Image::parse(std::string name, std::vector<uint8_t> bytes, Architecture architecture) {
    // The hl note decides which rules apply, so it is looked for first.
    const Personality personality = rules::detect_personality(bytes);
    // Bounds are checked by hand first so that libelf only ever sees a header
    // and program header table that lie inside the buffer.
    const Elf64_Ehdr ehdr = rules::check_elf_header(name, bytes, personality, architecture);

    std::vector<uint8_t> fallback;
    const ElfHandle elf = open_elf(name, bytes, fallback);
    const std::vector<GElf_Phdr> phdrs = read_program_headers(name, elf.get(), ehdr.e_phnum);

    auto c = std::make_shared<Contents>();
    c->personality_ = personality;
    if (personality == Personality::Linux)
        rules::check_linux_kind(name, ehdr, phdrs, bytes);
    // An hl image linked against musl may have a PT_TLS; its note is checked below.
    const bool musl_hl = personality == Personality::Hl &&
                         (rules::peek_note_flags(phdrs, bytes) & HL_NOTE_LINUX_SYSCALLS) != 0;
    c->segments_ = rules::check_program_headers(name, phdrs, bytes.size(), personality, musl_hl);
    rules::check_entry(name, ehdr.e_entry, c->segments_);
    c->program_headers_address_ =
        rules::program_headers_address(c->segments_, ehdr.e_phoff, uint64_t{ehdr.e_phnum} * ehdr.e_phentsize);
    if (personality == Personality::Hl) {
        c->note_ = rules::find_note(name, phdrs, bytes);
        if (musl_hl)
            c->tls_ = rules::find_tls(name, phdrs, c->segments_);
    } else {
        rules::check_notes(name, phdrs, bytes, [](const rules::Note&) {});
        c->note_ = ImageNote{0, 0, HL_STACK_DEFAULT, HL_HEAP_DEFAULT};
        c->tls_ = rules::find_tls(name, phdrs, c->segments_);
        rules::check_phdr_segment(name, phdrs, c->program_headers_address_);
    }
    c->symbols_ = read_symbols(elf.get());
    // Exports are called through the hl runtime, which a Linux executable lacks.
    if (personality == Personality::Hl)
        c->exports_ = rules::read_exports(name, elf.get(), c->segments_, bytes);
    c->entry_ = ehdr.e_entry;
    c->program_header_size_ = ehdr.e_phentsize;
    c->program_header_count_ = ehdr.e_phnum;
    c->program_header_offset_ = ehdr.e_phoff;
    c->name_ = std::move(name);
    c->bytes_ = std::move(bytes);
    Image image;
    image.c_ = std::move(c);
    return image;
}

bool Image::serves_system_calls() const {
    return c_->personality_ == Personality::Linux || (c_->note_.flags & HL_NOTE_LINUX_SYSCALLS) != 0;
}

std::span<const uint8_t> Image::program_header_bytes() const {
    // check_elf_header put the table inside the file.
    return std::span<const uint8_t>(c_->bytes_).subspan(c_->program_header_offset_,
                                                   size_t{c_->program_header_count_} * c_->program_header_size_);
}

std::span<const uint8_t> Image::segment_bytes(const Segment& segment) const {
    if (segment.filesz == 0)
        return {};
    if (segment.offset > c_->bytes_.size() || c_->bytes_.size() - segment.offset < segment.filesz)
        throw std::out_of_range(c_->name_ + ": segment file data lies outside the image");
    return std::span<const uint8_t>(c_->bytes_).subspan(segment.offset, segment.filesz);
}

std::optional<std::string> Image::symbolize(uint64_t address) const {
    // The candidates are the symbols at the highest start address <= address;
    // aliases share that address, so look at each of them.
    auto upper = std::upper_bound(c_->symbols_.begin(), c_->symbols_.end(), address,
                                  [](uint64_t a, const Symbol& s) { return a < s.address; });
    if (upper == c_->symbols_.begin())
        return std::nullopt;
    const uint64_t start = std::prev(upper)->address;
    for (auto it = std::prev(upper);; --it) {
        if (it->address != start)
            break;
        if (address - it->address < it->size) {
            const uint64_t offset = address - it->address;
            if (offset == 0)
                return it->name;
            return it->name + "+" + rules::hex(offset);
        }
        if (it == c_->symbols_.begin())
            break;
    }
    return std::nullopt;
}

const Export* Image::find_export(std::string_view name) const {
    for (const Export& e : c_->exports_)
        if (e.name == name)
            return &e;
    return nullptr;
}

uint64_t Image::end_address() const {
    uint64_t end = 0;
    for (const Segment& segment : c_->segments_)
        end = std::max(end, segment.vaddr + segment.memsz);
    return end;
}

bool Image::same_as(const Image& other) const {
    return c_ == other.c_ || c_->bytes_ == other.c_->bytes_;
}

} // namespace hl
