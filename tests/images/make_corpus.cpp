// Writes the malformed-image corpus of tests/images: one small ELF file per
// case, crafted from tests/unit/elf_builder.hpp's valid image, and
// expected.tsv with what hl::Image::load must say about each. Every case is
// parsed before anything is written, and a case whose message differs stops
// the run, so the manifest is never just whatever the validator said.
//
//   hl_make_corpus DIR           write the corpus into DIR
//   hl_make_corpus --check DIR   compare DIR with what would be written; exit 1 on any difference
//
// The cases live in corpus_*.cpp, one file per part of an image (corpus.hpp).
#include "corpus.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace hl::corpus;
namespace fs = std::filesystem;

// Parses each case as Image::load would name it; returns the cases whose outcome differs.
int verify(const std::vector<Case>& cases) {
    int wrong = 0;
    std::set<std::string> names;
    for (const Case& c : cases) {
        if (!names.insert(c.name).second) {
            std::fprintf(stderr, "%s: two cases with this name\n", c.name.c_str());
            ++wrong;
        }
        std::string got;
        try {
            const hl::Image image = hl::Image::parse(c.name, c.bytes);
            got = hl::test::accepted_outcome(image);
        } catch (const hl::ImageError& e) {
            const std::string prefix = c.name + ": ";
            got = std::string(e.what()).rfind(prefix, 0) == 0 ? std::string(e.what()).substr(prefix.size()) : e.what();
        }
        if (got != c.expected) {
            std::fprintf(stderr, "%s:\n  expected: %s\n  got:      %s\n", c.name.c_str(), c.expected.c_str(),
                         got.c_str());
            ++wrong;
        }
    }
    return wrong;
}

std::string manifest(const std::vector<Case>& cases) {
    std::string text =
        "# The malformed-image corpus: FILE, a tab, then the message hl::Image::load gives after \"PATH: \",\n"
        "# or (accepted) / (accepted without symbols) for images that break no rule of hl-abi(7), with\n"
        "# \"as linux\" after \"accepted\" for static Linux executables (no hl note).\n"
        "# Written with the files by make_corpus.cpp (hl_make_corpus DIR); do not edit by hand.\n";
    for (const Case& c : cases)
        text += c.name + "\t" + c.expected + "\n";
    return text;
}

std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace
int main(int argc, char** argv) {
    const bool check = argc == 3 && std::string(argv[1]) == "--check";
    if (argc != 2 && !check) {
        std::fprintf(stderr, "usage: hl_make_corpus [--check] DIR\n");
        return 2;
    }
    const fs::path dir = argv[argc - 1];
    std::vector<Case> cases;
    truncations(cases);
    elf_header(cases);
    program_headers(cases);
    notes_and_hl_note(cases);
    exports(cases);
    linux_images(cases);
    if (const int wrong = verify(cases); wrong != 0) {
        std::fprintf(stderr, "hl_make_corpus: %d of %zu cases do not get their expected message; nothing written\n",
                     wrong, cases.size());
        return 1;
    }
    std::vector<std::pair<std::string, std::string>> files; // name, contents
    for (const Case& c : cases)
        files.emplace_back(c.name, std::string(c.bytes.begin(), c.bytes.end()));
    files.emplace_back("expected.tsv", manifest(cases));
    int differences = 0;
    for (const auto& [name, contents] : files) {
        const fs::path path = dir / name;
        if (check) {
            if (!fs::exists(path) || read(path) != contents) {
                std::fprintf(stderr, "%s: differs from what make_corpus writes\n", path.c_str());
                ++differences;
            }
            continue;
        }
        std::ofstream(path, std::ios::binary).write(contents.data(), static_cast<std::streamsize>(contents.size()));
    }
    if (check && differences != 0) {
        std::fprintf(stderr, "hl_make_corpus: %d files differ; regenerate with: hl_make_corpus %s\n", differences,
                     dir.c_str());
        return 1;
    }
    if (!check)
        std::printf("hl_make_corpus: wrote %zu images and expected.tsv to %s\n", cases.size(), dir.c_str());
    return 0;
}
