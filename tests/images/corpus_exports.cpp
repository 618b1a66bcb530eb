// The corpus: the .hl_exports section and each export record's name,
// signature and thunk.
#include "corpus.hpp"

namespace hl::corpus {
namespace {

const std::string kNotInRodata =
    " is not inside a read-only loaded segment, expected the records in rodata (link with hlbuild)";

} // namespace

void exports(std::vector<Case>& out) {
    auto with = [&](const std::string& name, const ElfBuilder& b, const std::string& expected) {
        out.push_back({name, b.build(), expected});
    };
    auto section = [&](const std::string& name, uint64_t addr, uint64_t size, const std::string& expected) {
        ElfBuilder b = with_exports();
        b.exports_shdr.sh_addr = addr;
        b.exports_shdr.sh_size = size;
        with(name, b, "section .hl_exports: " + expected);
    };
    const uint64_t at = ElfBuilder::kExportsAddr;
    // The section: whole records, at most 256 of them, inside rodata's file bytes.
    section("exports-size-8.elf", at, 8, "size 0x8 is not a whole number of records, expected a multiple of 80 bytes");
    section("exports-size-81.elf", at, 81,
            "size 0x51 is not a whole number of records, expected a multiple of 80 bytes");
    section("exports-count-257.elf", at, 257 * 80, "257 exports, expected at most 256");
    const uint64_t most = ~uint64_t{0} / 80;
    section("exports-count-max.elf", at, most * 80, std::to_string(most) + " exports, expected at most 256");
    section("exports-in-text.elf", ElfBuilder::kTextAddr, 80, "at 0x100000" + kNotInRodata);
    section("exports-in-data.elf", ElfBuilder::kDataAddr, 80, "at 0x102000" + kNotInRodata);
    section("exports-outside-segments.elf", 0x500000, 160, "at 0x500000" + kNotInRodata);
    section("exports-past-rodata-bytes.elf", at, 3 * 80, "at " + hex(at) + kNotInRodata);
    section("exports-addr-max.elf", ~uint64_t{0} - 79, 80, "at " + hex(~uint64_t{0} - 79) + kNotInRodata);
    // Each record: name, signature and thunk.
    auto record = [&](const std::string& name, const hl_export& bad, const std::string& expected) {
        with(name, with_exports({ElfBuilder::export_record("add", "lll"), bad}), "export 1 " + expected);
    };
    const std::string ident = ", expected a C identifier";
    record("export-name-empty.elf", ElfBuilder::export_record("", "v"), "name: empty or not NUL-terminated" + ident);
    record("export-name-unterminated.elf", ElfBuilder::export_record(std::string(56, 'a'), "v"),
           "name: empty or not NUL-terminated" + ident);
    record("export-name-leading-digit.elf", ElfBuilder::export_record("9lives", "v"),
           "name: '9lives' is not an identifier" + ident);
    record("export-name-dash.elf", ElfBuilder::export_record("add-one", "v"),
           "name: 'add-one' is not an identifier" + ident);
    record("export-name-newline.elf", ElfBuilder::export_record("add\nx", "v"),
           "name: 'add\\x0ax' is not an identifier" + ident);
    record("export-name-utf8.elf", ElfBuilder::export_record("na\xc3\xafve", "v"),
           "name: 'na\xc3\xafve' is not an identifier" + ident);
    record("export-name-duplicate.elf", ElfBuilder::export_record("add", "v"),
           "name: 'add' is exported twice, expected unique export names");
    const std::string types = ", expected a return type and up to 8 parameter types";
    record("export-signature-empty.elf", ElfBuilder::export_record("f", ""),
           "(f) signature: empty or not NUL-terminated" + types);
    record("export-signature-unterminated.elf", ElfBuilder::export_record("f", std::string(16, 'l')),
           "(f) signature: empty or not NUL-terminated" + types);
    record("export-signature-return-x.elf", ElfBuilder::export_record("f", "x"),
           "(f) signature: unknown return type 'x', expected one of i l u d b s y v");
    record("export-signature-return-control.elf", ElfBuilder::export_record("f", "\x01"),
           "(f) signature: unknown return type '\\x01', expected one of i l u d b s y v");
    record("export-signature-param-void.elf", ElfBuilder::export_record("f", "lv"),
           "(f) signature: unknown parameter type 'v', expected one of i l u d b s y");
    record("export-signature-param-newline.elf", ElfBuilder::export_record("f", "l\n"),
           "(f) signature: unknown parameter type '\\x0a', expected one of i l u d b s y");
    record("export-signature-9-params.elf", ElfBuilder::export_record("f", "llllllllll"),
           "(f) signature: 9 parameters, expected at most 8");
    const std::string code = " is not in an executable segment, expected the address of its code";
    record("export-thunk-0.elf", ElfBuilder::export_record("f", "v", 0), "(f) thunk: 0x0" + code);
    record("export-thunk-rodata.elf", ElfBuilder::export_record("f", "v", ElfBuilder::kRodataAddr),
           "(f) thunk: 0x101000" + code);
    record("export-thunk-after-text.elf", ElfBuilder::export_record("f", "v", 0x100060), "(f) thunk: 0x100060" + code);
    record("export-thunk-max.elf", ElfBuilder::export_record("f", "v", ~uint64_t{0}),
           "(f) thunk: 0xffffffffffffffff" + code);
    with("export-first-record-bad.elf", with_exports({ElfBuilder::export_record("", "v")}),
         "export 0 name: empty or not NUL-terminated" + ident);
}

} // namespace hl::corpus
