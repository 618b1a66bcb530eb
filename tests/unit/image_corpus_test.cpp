// The malformed-image corpus of tests/images (written by make_corpus.cpp):
// every file gets exactly the message its manifest row gives, the manifest and
// the directory list the same files; and mutants of a valid image each load or
// are refused with one line, never anything else.
#include "elf_builder.hpp"

#include <hl/image.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

namespace {

using hl::Image;
using hl::ImageError;
using hl::test::ElfBuilder;
namespace fs = std::filesystem;

const fs::path kCorpus = HL_IMAGE_CORPUS_DIR;
// Files in tests/images that are not images: the manifest and the sources of
// hl_make_corpus (make_corpus.cpp, corpus.hpp, corpus_*.cpp).
bool is_image(const fs::path& file) {
    return file.filename() != "expected.tsv" && file.extension() != ".cpp" && file.extension() != ".hpp";
}

struct Row {
    std::string file;
    std::string expected; // the message after "PATH: ", or test::accepted_outcome's text
};

std::vector<Row> manifest() {
    std::ifstream in(kCorpus / "expected.tsv");
    REQUIRE(in.good());
    std::vector<Row> rows;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#')
            continue;
        const size_t tab = line.find('\t');
        INFO("expected.tsv: " << line);
        REQUIRE(tab != std::string::npos);
        rows.push_back({line.substr(0, tab), line.substr(tab + 1)});
    }
    return rows;
}

// SplitMix64: a fixed, portable sequence, so every run makes the same mutants.
struct Random {
    uint64_t state;
    uint64_t next() {
        uint64_t z = (state += 0x9e3779b97f4a7c15);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
        z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
        return z ^ (z >> 31);
    }
    uint64_t below(uint64_t n) { return next() % n; }
};

struct Field {
    size_t offset;
    size_t width; // 1, 2, 4 or 8
};

struct Range {
    size_t begin, end;
};

// Every header field of the seed image: ELF header, program headers, the two
// note headers, section headers and export records.
std::vector<Field> fields_of(const std::vector<uint8_t>& seed) {
    Elf64_Ehdr ehdr;
    std::memcpy(&ehdr, seed.data(), sizeof ehdr);
    std::vector<Field> fields;
    for (size_t at = EI_CLASS; at < EI_NIDENT; ++at)
        fields.push_back({at, 1});
    const size_t ehdr_fields[][2] = {{16, 2}, {18, 2}, {20, 4}, {24, 8}, {32, 8}, {40, 8}, {48, 4},
                                     {52, 2}, {54, 2}, {56, 2}, {58, 2}, {60, 2}, {62, 2}};
    for (const auto& f : ehdr_fields)
        fields.push_back({f[0], f[1]});
    const size_t phdr_fields[][2] = {{0, 4}, {4, 4}, {8, 8}, {16, 8}, {24, 8}, {32, 8}, {40, 8}, {48, 8}};
    for (size_t i = 0; i < ehdr.e_phnum; ++i)
        for (const auto& f : phdr_fields)
            fields.push_back({ehdr.e_phoff + i * sizeof(Elf64_Phdr) + f[0], f[1]});
    for (size_t note : {ElfBuilder::kNoteOffset, ElfBuilder::kNoteOffset + 0x18})
        for (size_t at = 0; at < sizeof(Elf64_Nhdr); at += 4)
            fields.push_back({note + at, 4});
    const size_t shdr_fields[][2] = {{0, 4},  {4, 4},  {8, 8},  {16, 8}, {24, 8},
                                     {32, 8}, {40, 4}, {44, 4}, {48, 8}, {56, 8}};
    for (size_t i = 0; i < ehdr.e_shnum; ++i)
        for (const auto& f : shdr_fields)
            fields.push_back({ehdr.e_shoff + i * sizeof(Elf64_Shdr) + f[0], f[1]});
    const size_t exports = ElfBuilder::kRodataOffset + (ElfBuilder::kExportsAddr - ElfBuilder::kRodataAddr);
    for (size_t i = 0; i < 2; ++i) {
        const size_t record = exports + i * sizeof(hl_export);
        fields.push_back({record, 8});
        for (size_t at = 8; at < sizeof(hl_export); ++at) // name and signature bytes
            fields.push_back({record + at, 1});
    }
    return fields;
}

// Where the validator reads: headers, notes, export records, section headers.
std::vector<Range> ranges_of(const std::vector<uint8_t>& seed) {
    Elf64_Ehdr ehdr;
    std::memcpy(&ehdr, seed.data(), sizeof ehdr);
    const size_t exports = ElfBuilder::kRodataOffset + (ElfBuilder::kExportsAddr - ElfBuilder::kRodataAddr);
    return {{0, ehdr.e_phoff + ehdr.e_phnum * sizeof(Elf64_Phdr)},
            {ElfBuilder::kNoteOffset, ElfBuilder::kNoteOffset + 0x40},
            {exports, exports + 2 * sizeof(hl_export)},
            {ehdr.e_shoff, ehdr.e_shoff + ehdr.e_shnum * sizeof(Elf64_Shdr)}};
}

// One mutation: a field set to an edge value, a byte changed, or the file cut.
std::string mutate(std::vector<uint8_t>& bytes, const std::vector<Field>& fields, const std::vector<Range>& ranges,
                   Random& random) {
    const uint64_t choice = random.below(10);
    if (choice < 6) {
        const Field f = fields[random.below(fields.size())];
        if (f.offset + f.width > bytes.size())
            return "field past the end";
        const uint64_t max = f.width == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * f.width)) - 1;
        uint64_t old = 0;
        std::memcpy(&old, bytes.data() + f.offset, f.width);
        const uint64_t edges[] = {0,       1,        max,          max - 1, (max >> 1) + 1, old + 1,
                                  old - 1, old << 1, old + 0x1000, 0x1000,  random.next(),
                                  old ^ (uint64_t{1} << random.below(8 * f.width))};
        const uint64_t value = edges[random.below(std::size(edges))] & max;
        std::memcpy(bytes.data() + f.offset, &value, f.width);
        return "field at " + std::to_string(f.offset) + " = " + hl::test::hex(value);
    }
    if (choice < 9) {
        const Range r = ranges[random.below(ranges.size())];
        const size_t at = r.begin + random.below(r.end - r.begin);
        if (at >= bytes.size())
            return "byte past the end";
        bytes[at] = static_cast<uint8_t>(random.next());
        return "byte at " + std::to_string(at);
    }
    bytes.resize(random.below(bytes.size()));
    return "cut to " + std::to_string(bytes.size());
}

// What an accepted image promises (see image.hpp): empty when it keeps them.
std::string broken_promise(const Image& image) {
    const bool hl_image = image.personality() == hl::Personality::Hl;
    const auto& segments = image.segments();
    for (size_t i = 0; i < segments.size(); ++i) {
        const hl::Segment& s = segments[i];
        if (s.memsz == 0 || s.filesz > s.memsz || (hl_image && s.vaddr % HL_PAGE_SIZE != 0) ||
            s.vaddr < HL_IMAGE_WINDOW_START || s.vaddr >= HL_IMAGE_WINDOW_END ||
            s.memsz > HL_IMAGE_WINDOW_END - s.vaddr || !s.readable || (s.writable && s.executable) ||
            (s.executable && s.filesz != s.memsz))
            return "segment " + std::to_string(i) + " breaks a PT_LOAD rule";
        const uint64_t page_start = s.vaddr / HL_PAGE_SIZE * HL_PAGE_SIZE;
        if (i > 0 && page_start < segments[i - 1].vaddr + segments[i - 1].memsz)
            return "segments share a page, overlap or are unsorted";
        if (image.segment_bytes(s).size() != s.filesz)
            return "segment bytes differ from filesz";
    }
    const auto table = image.program_header_bytes();
    if (image.program_header_size() != sizeof(Elf64_Phdr) || image.program_header_count() == 0 ||
        table.size() != size_t{image.program_header_count()} * image.program_header_size())
        return "the program header table breaks a rule";
    if (const auto at = image.program_headers_address()) {
        // The loaded segment holds the table's very bytes there.
        const bool loaded = std::any_of(segments.begin(), segments.end(), [&](const hl::Segment& s) {
            const auto bytes = image.segment_bytes(s);
            return *at >= s.vaddr && *at - s.vaddr <= bytes.size() && table.size() <= bytes.size() - (*at - s.vaddr) &&
                   std::equal(table.begin(), table.end(), bytes.begin() + static_cast<long>(*at - s.vaddr));
        });
        if (!loaded)
            return "the program header table is not loaded where program_headers_address says";
    }
    auto executable = [&](uint64_t address) {
        return std::any_of(segments.begin(), segments.end(), [&](const hl::Segment& s) {
            return s.executable && address >= s.vaddr && address - s.vaddr < s.memsz;
        });
    };
    if (!executable(image.entry()))
        return "entry point outside executable segments";
    const hl::ImageNote& note = image.note();
    if (!hl_image) {
        if (note.abi_version != 0 || note.stack_size != HL_STACK_DEFAULT || note.heap_size != HL_HEAP_DEFAULT ||
            !image.exports().empty())
            return "a Linux image has a note or exports";
        if (image.tls() && image.tls()->filesz > image.tls()->memsz)
            return "the PT_TLS breaks a rule";
        return {};
    }
    if (image.tls())
        return "an hl image has a PT_TLS";
    if (note.abi_version < HL_ABI_VERSION_MIN || note.abi_version > HL_ABI_VERSION || note.stack_size < HL_STACK_MIN || note.stack_size > HL_STACK_MAX ||
        note.stack_size % HL_PAGE_SIZE != 0 || note.heap_size > HL_HEAP_MAX)
        return "the hl note breaks a rule";
    for (const hl::Export& e : image.exports())
        if (!executable(e.thunk) || e.name.empty() || e.parameters.size() > HL_MAX_ARGS)
            return "export " + e.name + " breaks a record rule";
    (void)image.symbolize(image.entry());
    return {};
}

} // namespace

TEST_CASE("image corpus: the manifest and tests/images list the same files", "[elf][corpus]") {
    std::set<std::string> listed;
    for (const Row& row : manifest()) {
        INFO("expected.tsv lists " << row.file << " twice");
        CHECK(listed.insert(row.file).second);
    }
    std::set<std::string> present;
    for (const fs::directory_entry& entry : fs::directory_iterator(kCorpus))
        if (is_image(entry.path()))
            present.insert(entry.path().filename().string());
    for (const std::string& file : present) {
        INFO(file << " is in tests/images but has no row in expected.tsv");
        CHECK(listed.contains(file));
    }
    for (const std::string& file : listed) {
        INFO(file << " has a row in expected.tsv but is not in tests/images");
        CHECK(present.contains(file));
    }
}

TEST_CASE("image corpus: Image::load refuses every file with its message, naming the file", "[elf][corpus]") {
    size_t refused = 0;
    for (const Row& row : manifest()) {
        const fs::path path = kCorpus / row.file;
        INFO(row.file);
        std::string got;
        try {
            const Image image = Image::load(path);
            got = hl::test::accepted_outcome(image);
            CHECK(broken_promise(image).empty());
        } catch (const ImageError& e) {
            CHECK(e.kind() == ImageError::Kind::Invalid);
            const std::string prefix = path.string() + ": ";
            const std::string what = e.what();
            CHECK(what.rfind(prefix, 0) == 0);
            got = what.substr(std::min(prefix.size(), what.size()));
            ++refused;
        } catch (const std::exception& e) {
            got = std::string("(not an ImageError) ") + e.what();
        }
        CHECK(got == row.expected);
    }
    CHECK(refused >= 150); // a corpus emptied by mistake fails here
}

TEST_CASE("image corpus: 10,000 mutants of a valid image load or are refused in one line", "[elf][corpus]") {
    ElfBuilder b;
    b.add_exports({ElfBuilder::export_record("add", "lll"), ElfBuilder::export_record("greet", "ss", 0x100010)});
    const std::vector<uint8_t> seed = b.build();
    REQUIRE(Image::parse("seed", seed).exports().size() == 2);
    const std::vector<Field> fields = fields_of(seed);
    const std::vector<Range> ranges = ranges_of(seed);
    Random random{20240611};
    size_t loaded = 0, refused = 0, wrong = 0;
    std::string first_wrong;
    std::set<std::string> kinds; // "field: problem" without values, to see the spread
    for (int i = 0; i < 10000; ++i) {
        std::vector<uint8_t> bytes = seed;
        std::string how;
        for (uint64_t n = 1 + random.below(3); n > 0; --n)
            how += mutate(bytes, fields, ranges, random) + "; ";
        std::string problem;
        try {
            const Image image = Image::parse("mutant", std::move(bytes));
            problem = broken_promise(image);
            ++loaded;
        } catch (const hl::Error& e) {
            const std::string what = e.what();
            if (what.rfind("mutant: ", 0) != 0 || what.size() <= 8 || what.find('\n') != std::string::npos)
                problem = "bad message: " + what;
            kinds.insert(what.substr(0, what.find(':', 8)));
            ++refused;
        } catch (const std::exception& e) {
            problem = std::string("not an hl::Error: ") + e.what();
        }
        if (!problem.empty() && wrong++ == 0)
            first_wrong = "mutant " + std::to_string(i) + " (" + how + "): " + problem;
    }
    INFO(loaded << " loaded, " << refused << " refused, " << kinds.size() << " kinds of message");
    INFO(first_wrong);
    CHECK(wrong == 0);
    // Both outcomes are common, and the refusals reach every group of rules
    // (header, program headers, notes, exports), not just the first check.
    CHECK(loaded > 2000);
    CHECK(refused > 2000);
    CHECK(kinds.size() >= 20);
}
