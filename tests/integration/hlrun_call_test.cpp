// hlrun call and hlrun inspect as a user types them.
#include "process.hpp"

#include <nlohmann/json.hpp>

using namespace hl::test;

namespace {

const std::string kFunctions = guest_image("functions");

} // namespace

TEST_CASE("hlrun inspect lists the exports with their signatures, without running anything")
{
    auto r = hlrun({"inspect", kFunctions});
    CHECK(r.status == 0);
    CHECK(r.out.find("personality hl\nentry       0x100000 (_start)\nabi         2\nstack       256Ki\n") !=
          std::string::npos);
    CHECK(r.out.find("exports     34\n") != std::string::npos);
    CHECK(r.out.find("  i64 add(i64, i64)\n") != std::string::npos);
    CHECK(r.out.find("  bytes reverse(bytes)\n") != std::string::npos);
    CHECK(r.out.find("  0x00100000 ") != std::string::npos);
    CHECK(r.out.find(" r-x\n") != std::string::npos);
    r = hlrun({"inspect", "--json", kFunctions});
    CHECK(r.status == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["personality"] == "hl");
    CHECK(j["abi"] == 2);
    CHECK(j["tls"].is_null());
    CHECK(j["exports"].size() == 34);
    bool found = false;
    for (const auto& e : j["exports"])
        if (e["name"] == "sum8") {
            found = true;
            CHECK(e["returns"] == "i64");
            CHECK(e["parameters"] == nlohmann::json::array({"i32", "i64", "u64", "bool", "i32", "i64", "u64", "i64"}));
        }
    CHECK(found);
    r = hlrun({"inspect", guest_image("hello")});
    CHECK(r.out.find("exports     0\n") != std::string::npos);
    r = hlrun({"inspect", "/nonexistent.hl"});
    CHECK(r.status == 121);
    CHECK(r.err == "hlrun: error: /nonexistent.hl: cannot read: No such file or directory\n");
}

TEST_CASE("hlrun inspect shows a static Linux executable: its personality, TLS and segments, no note or exports")
{
    // Crafted in tests/images like musl-gcc -static output (corpus_linux.cpp).
    const std::string image = std::string(HL_TEST_SOURCE_DIR) + "/images/linux-tls-relro-phdr.elf";
    auto r = hlrun({"inspect", image});
    CHECK(r.status == 0);
    CHECK(r.out == "image       " + image + "\n"
                   "personality linux: static executable, no hl note\n"
                   "entry       0x100000 (_start)\n"
                   "tls         0x102fc0, 32 bytes (4 from the file), align 8\n"
                   "segments\n"
                   "  0x00100000          96 bytes  r-x\n"
                   "  0x00101000           6 bytes  r--\n"
                   "  0x00102fc0        6144 bytes  rw-\n"
                   "  0x00200000         512 bytes  r--\n");
    r = hlrun({"inspect", "--json", image});
    CHECK(r.status == 0);
    const auto j = nlohmann::json::parse(r.out);
    CHECK(j["personality"] == "linux");
    CHECK(j["entry"] == 0x100000);
    CHECK(j["abi"].is_null());
    CHECK(j["stack"].is_null());
    CHECK(j["heap"].is_null());
    CHECK(j["tls"] == nlohmann::json{{"address", 0x102fc0}, {"size", 32}, {"file_size", 4}, {"align", 8}});
    CHECK(j["segments"].size() == 4);
    CHECK(j["segments"][2] == nlohmann::json{{"address", 0x102fc0}, {"size", 6144}, {"permissions", "rw-"}});
    CHECK(j["exports"] == nlohmann::json::array());
    const std::string plain = std::string(HL_TEST_SOURCE_DIR) + "/images/linux-valid.elf";
    r = hlrun({"inspect", plain});
    CHECK(r.out.find("\ntls         none\nsegments\n") != std::string::npos);
    CHECK(nlohmann::json::parse(hlrun({"inspect", "--json", plain}).out)["tls"].is_null());
}

TEST_CASE("hlrun call parses arguments by the signature and prints the result")
{
    HL_REQUIRE_KVM();
    CHECK(hlrun({"call", kFunctions, "add", "2", "-5"}).out == "-3\n");
    CHECK(hlrun({"call", kFunctions, "add", "0x10", "1"}).out == "17\n");
    CHECK(hlrun({"call", kFunctions, "greet", "wörld"}).out == "hello, wörld!\n");
    CHECK(hlrun({"call", kFunctions, "is_even", "4"}).out == "true\n");
    CHECK(hlrun({"call", kFunctions, "scale", "1.5", "2"}).out == "3\n");
    CHECK(hlrun({"call", kFunctions, "reverse", "0x0102ff"}).out == "0xff0201\n");
    CHECK(hlrun({"call", kFunctions, "sum8", "1", "2", "3", "true", "-5", "6", "7", "8"}).out == "23\n");
    const auto r = hlrun({"call", kFunctions, "reset"});
    CHECK(r.status == 0);
    CHECK(r.out.empty());
    const auto said = hlrun({"call", kFunctions, "say", "hi there"});
    CHECK(said.out == "hi there\n");
}

TEST_CASE("hlrun call --json, --repeat, --fresh and --stats")
{
    HL_REQUIRE_KVM();
    auto r = hlrun({"call", "--json", kFunctions, "greet", "x"});
    CHECK(r.status == 0);
    auto j = nlohmann::json::parse(r.out);
    CHECK(j["function"] == "greet");
    CHECK(j["type"] == "string");
    CHECK(j["result"] == "hello, x!");
    r = hlrun({"call", "--json", kFunctions, "reset"});
    CHECK(nlohmann::json::parse(r.out)["result"].is_null());
    r = hlrun({"call", "--json", kFunctions, "scale", "inf", "2"});
    CHECK(nlohmann::json::parse(r.out)["result"].is_null()); // JSON has no infinity
    CHECK(nlohmann::json::parse(hlrun({"call", "--json", kFunctions, "scale", "1.5", "2"}).out)["result"] == 3.0);
    // Without --fresh the counter keeps counting; with it, every call starts over.
    CHECK(hlrun({"call", "--repeat", "5", kFunctions, "next"}).out == "105\n");
    r = hlrun({"call", "--repeat", "5", "--fresh", "--stats", kFunctions, "next"});
    CHECK(r.out == "101\n");
    CHECK_THAT(r.err, Catch::Matches("5 calls \\(fresh\\): min [0-9]+\\.[0-9]us  p50 [0-9]+\\.[0-9]us  "
                                     "p99 [0-9]+\\.[0-9]us  max [0-9]+\\.[0-9]us  avg [0-9]+\\.[0-9]us\n"));
}

TEST_CASE("hlrun call prints every byte of a string: as it is to a pipe, escaped on a terminal")
{
    HL_REQUIRE_KVM();
    const std::string with_nul("before\0after\n", 13);
    auto r = hlrun({"call", kFunctions, "with_nul"});
    CHECK(r.status == 0);
    CHECK(r.out == with_nul);
    r = hlrun({"call", kFunctions, "echo", "tab\there \x1b[31m red \xc2\x9b caf\xc3\xa9"});
    CHECK(r.out == "tab\there \x1b[31m red \xc2\x9b caf\xc3\xa9\n");

    r = hlrun_on_terminal({"call", kFunctions, "with_nul"});
    CHECK(r.status == 0);
    CHECK(r.out == "before\\x00after\n");
    r = hlrun_on_terminal({"call", kFunctions, "echo", "tab\there \x1b[31m red \xc2\x9b caf\xc3\xa9 back\\slash"});
    CHECK(r.out == "tab\\x09here \\x1b[31m red \\xc2\\x9b caf\xc3\xa9 back\\x5cslash\n");
    CHECK(hlrun_on_terminal({"call", kFunctions, "add", "2", "3"}).out == "5\n");

    // --json: every byte, as JSON escapes it, on a pipe and on a terminal alike.
    for (const auto& json : {hlrun({"call", "--json", kFunctions, "with_nul"}),
                             hlrun_on_terminal({"call", "--json", kFunctions, "with_nul"})}) {
        CHECK(json.status == 0);
        CHECK(json.out.find("\"result\":\"before\\u0000after\"") != std::string::npos);
        CHECK(nlohmann::json::parse(json.out)["result"] == std::string("before\0after", 12));
    }
}

TEST_CASE("hlrun call refuses what does not match, each with one line")
{
    auto r = hlrun({"call", kFunctions, "nope"});
    CHECK(r.status == 120);
    CHECK(r.err.rfind("hlrun: error: " + kFunctions + ": no export named 'nope'; the image exports: ", 0) == 0);
    r = hlrun({"call", kFunctions, "ad", "1", "2"});
    CHECK(r.status == 120);
    CHECK(r.err.rfind("hlrun: error: " + kFunctions + ": no export named 'ad' (did you mean add?); the image exports: ", 0) == 0);
    r = hlrun({"call", kFunctions, "add", "1"});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: add takes 2 arguments, got 1 (i64 add(i64, i64))\n");
    r = hlrun({"call", kFunctions, "add", "1", "x"});
    CHECK(r.err == "hlrun: error: add: argument 2: 'x' is not an i64 (i64 add(i64, i64))\n");
    r = hlrun({"call", kFunctions, "negate", "3000000000"});
    CHECK(r.err == "hlrun: error: negate: argument 1: '3000000000' is not an i32 (out of range) (i32 negate(i32))\n");
    r = hlrun({"call", kFunctions, "twice", "99999999999999999999"});   // past 64 bits: a number still
    CHECK(r.err == "hlrun: error: twice: argument 1: '99999999999999999999' is not a u64 (out of range) (u64 twice(u64))\n");
    r = hlrun({"call", kFunctions, "twice", "-1"});
    CHECK(r.err == "hlrun: error: twice: argument 1: '-1' is not a u64 (negative) (u64 twice(u64))\n");
    r = hlrun({"call", kFunctions, "is_even", "maybe"});
    CHECK(r.status == 120);
    r = hlrun({"call", kFunctions, "reverse", "0x123"});
    CHECK(r.err == "hlrun: error: reverse: argument 1: '0x123' is not bytes (hex digits in pairs, like 0x01ff) (bytes reverse(bytes))\n");
    r = hlrun({"call", kFunctions});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: missing FUNCTION; usage: hlrun call [OPTIONS] IMAGE FUNCTION [ARGS...]\n");
    r = hlrun({"call", "--repeat", "0", kFunctions, "next"});
    CHECK(r.status == 120);
    CHECK(lines(r.err).size() == 1);
    r = hlrun({"call", guest_image("hello"), "main"});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: " + guest_image("hello") +
                       ": no export named 'main'; the image exports: nothing (see HL_EXPORT in hl-abi(7))\n");
}

TEST_CASE("hlrun call reports a call that faults or runs too long")
{
    HL_REQUIRE_KVM();
    auto r = hlrun({"call", kFunctions, "crash"});
    CHECK(r.status == 125);
    CHECK(r.err.rfind("hlrun: error: guest fault: page fault (#PF) at hl_thunk_crash", 0) == 0);
    r = hlrun({"call", kFunctions, "quit", "3"});
    CHECK(r.status == 125);
    CHECK(r.err == "hlrun: error: the guest exited with status 3 during a call to quit\n");
    r = hlrun({"call", "-t", "150ms", kFunctions, "spin"});
    CHECK(r.status == 124);
    CHECK(r.err == "hlrun: error: guest timed out after 150ms\n");
}

TEST_CASE("hlrun of a function guest says it is ready for calls")
{
    HL_REQUIRE_KVM();
    const auto r = hlrun({kFunctions});
    CHECK(r.status == 0);
    CHECK(r.err == "hlrun: info: the guest called hl_serve and waits for calls; use 'hlrun call " + kFunctions +
                       " FUNCTION ARGS...'\n");
}
