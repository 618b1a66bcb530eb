// The names and messages every caller of a guest function shares
// (image.hpp): which names a function may have, the wrong-argument-count
// message and the unknown-export message.
#include "elf_builder.hpp"

#include <hl/image.hpp>

#include <catch2/catch.hpp>

using hl::test::ElfBuilder;
using hl::test::valid;

TEST_CASE("function names: C identifiers that fit the ABI's name field", "[exports]") {
    for (const char* name : {"a", "_", "_start", "add", "Z9", "snake_case_42"})
        CHECK(hl::valid_function_name(name));
    for (const char* name : {"", "9lives", "add-one", "bad name", "a.b", "na\xc3\xafve", "x\n", "\xe9t\xe9"})
        CHECK_FALSE(hl::valid_function_name(name));
    CHECK_FALSE(hl::valid_function_name(std::string_view("a\0b", 3)));
    // HL_EXPORT_NAME_MAX counts the NUL: 55 characters fit, 56 do not.
    CHECK(hl::valid_function_name(std::string(HL_EXPORT_NAME_MAX - 1, 'x')));
    CHECK_FALSE(hl::valid_function_name(std::string(HL_EXPORT_NAME_MAX, 'x')));
}

TEST_CASE("argument count: one message, singular and plural", "[exports]") {
    const hl::Export add{.index = 0, .name = "add", .result = 'l', .parameters = "ll", .thunk = 0};
    CHECK(hl::argument_count_error(add, 1) == "add takes 2 arguments, got 1 (i64 add(i64, i64))");
    const hl::Export twice{.index = 1, .name = "twice", .result = 's', .parameters = "s", .thunk = 0};
    CHECK(hl::argument_count_error(twice, 0) == "twice takes 1 argument, got 0 (string twice(string))");
    const hl::Export tick{.index = 2, .name = "tick", .result = 'v', .parameters = "", .thunk = 0};
    CHECK(hl::argument_count_error(tick, 3) == "tick takes 0 arguments, got 3 (void tick())");
}

TEST_CASE("unknown export: the message lists what the image exports, or says it exports nothing", "[exports]") {
    const hl::Image with = valid([](ElfBuilder& b) {
        b.add_exports({ElfBuilder::export_record("add", "lll"), ElfBuilder::export_record("greet", "ss")});
    });
    CHECK(hl::unknown_export_error(with, "nope") == "no export named 'nope'; the image exports: add, greet");
    CHECK(hl::unknown_export_error(with, "ad") ==
          "no export named 'ad' (did you mean add?); the image exports: add, greet");
    CHECK(hl::unknown_export_error(with, "gret") ==
          "no export named 'gret' (did you mean greet?); the image exports: add, greet");
    CHECK(hl::unknown_export_error(valid(), "main") ==
          "no export named 'main'; the image exports: nothing (see HL_EXPORT in hl-abi(7))");
}
