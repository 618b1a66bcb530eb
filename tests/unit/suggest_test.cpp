// "Did you mean": edit distances and the choice of a suggestion.
#include <hl/suggest.hpp>

#include <catch2/catch.hpp>

using namespace hl;

TEST_CASE("suggest: edits count insertions, deletions, substitutions and swapped neighbours once each")
{
    CHECK(edit_distance("compile", "compile") == 0);
    CHECK(edit_distance("comple", "compile") == 1);     // a letter left out
    CHECK(edit_distance("--memroy", "--memory") == 1);  // two swapped
    CHECK(edit_distance("ad", "add") == 1);
    CHECK(edit_distance("nwe", "new") == 1);
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(edit_distance("", "abc") == 3);
    CHECK(edit_distance("abc", "") == 3);
    CHECK(edit_distance("ca", "abc") == 3);             // swaps are not combined with later edits
}

TEST_CASE("suggest: the nearest candidate within reach, none when two are as near or none is near")
{
    const std::vector<std::string> commands = {"new", "compile", "run", "clean"};
    CHECK(closest("comple", commands) == "compile");
    CHECK(closest("nwe", commands) == "new");
    CHECK(closest("rnu", commands) == "run");
    CHECK(closest("deploy", commands) == std::nullopt);
    CHECK(closest("compile", commands) == std::nullopt);   // the word itself: no slip to mend
    CHECK(closest("", commands) == std::nullopt);
    CHECK(closest("ab", {"ac", "ad"}) == std::nullopt);    // a tie
    // A word cut short, when only one candidate goes on from it.
    CHECK(closest("--prof", {"--profile", "--memory"}) == "--profile");
    CHECK(closest("--pro", {"--profile", "--profile-hz"}) == std::nullopt);
    CHECK(closest("c", {"call"}) == std::nullopt);          // one letter says too little
    // Longer words allow more edits, never more than three.
    CHECK(closest("--trace-fromat", {"--trace-format", "--trace-filter"}) == "--trace-format");
    CHECK(closest("abcdefghijklmnopqrst", {"abcdefghijklmnopqxyz"}) == "abcdefghijklmnopqxyz");
    CHECK(closest("abcdefghijklmnopqrst", {"abcdefghijklmnopwxyz"}) == std::nullopt);
    CHECK(did_you_mean("ad", {"add", "negate"}) == " (did you mean add?)");
    CHECK(did_you_mean("zzz", {"add"}).empty());
}
