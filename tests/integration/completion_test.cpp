// Shell completion, as each shell offers it: the scripts `hlrun completions
// SHELL` and `hlbuild completions SHELL` write, loaded into real bash, fish
// and zsh (zsh through zsh_complete.zsh), asked what they would offer for
// a command line. And the scripts know every option each command's --help
// lists, no more and no fewer.
#include "process.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>

using namespace hl::test;
namespace fs = std::filesystem;

namespace {

using Words = std::set<std::string>;

std::string script(const std::string& tool, const std::string& shell)
{
    const std::string file = shell == "bash" ? "bash/" + tool : shell == "zsh" ? "zsh/_" + tool : "fish/" + tool + ".fish";
    return std::string(HL_COMPLETIONS_DIR) + "/" + file;
}

// A directory with a file, a directory and the functions guest, where each shell runs.
struct Workspace {
    std::string dir = make_temp_dir();
    Workspace()
    {
        fs::copy_file(guest_image("functions"), dir + "/f.hl");
        fs::copy_file(guest_image("functions"), dir + "/my file.hl");
        write_file(dir + "/note.txt", "x\n");
        write_file(dir + "/-dash.txt", "x\n");
        fs::create_directory(dir + "/sub");
        fs::create_directory(dir + "/sub dir");
    }
    ~Workspace()
    {
        std::error_code error;   // a shell that was killed may still be leaving a file: not the test's failure
        fs::remove_all(dir, error);
    }
    // The tools as a user has them: on PATH.
    ProcessOptions options() const
    {
        std::vector<std::string> environment = {"PATH=" + fs::path(HL_HLRUN).parent_path().string() + ":/usr/bin:/bin",
                                                "HOME=" + dir, "TERM=dumb"};
        return {.timeout = std::chrono::seconds(60), .environment = environment, .cwd = dir};
    }
};

Words split_lines(const std::string& text)
{
    Words words;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty())
            words.insert(line.substr(0, line.find('\t')));   // fish adds "\tdescription"
    return words;
}

// Real bash, driven through a pseudo-terminal: it splits the line itself.
Words bash_offers(const Workspace& w, const std::string& tool, const std::string& line)
{
    const ProcessResult r = run_process({HL_ZSH, "-f", std::string(HL_TEST_SOURCE_DIR) + "/integration/bash_complete.zsh",
                                         script(tool, "bash"), tool, line},
                                        w.options());
    INFO(line << ": " << r.err);
    REQUIRE(r.status == 0);
    REQUIRE_FALSE(r.timed_out);
    return split_lines(r.out);
}

Words fish_offers(const Workspace& w, const std::string& tool, const std::string& line)
{
    const ProcessResult r = run_process(
        {HL_FISH, "--no-config", "-c", "source $argv[1]; and complete -C $argv[2]", script(tool, "fish"), line}, w.options());
    INFO(line << ": " << r.err);
    REQUIRE(r.status == 0);
    return split_lines(r.out);
}

// What zsh offers for each of lines, asked of one zsh.
std::map<std::string, Words> zsh_offers(const Workspace& w, const std::vector<std::string>& lines)
{
    std::vector<std::string> command = {HL_ZSH, "-f", std::string(HL_TEST_SOURCE_DIR) + "/integration/zsh_complete.zsh",
                                        fs::path(script("hlrun", "zsh")).parent_path().string()};
    command.insert(command.end(), lines.begin(), lines.end());
    const ProcessResult r = run_process(command, w.options());
    INFO(r.err);
    REQUIRE(r.status == 0);
    REQUIRE_FALSE(r.timed_out);
    std::map<std::string, Words> offers;
    std::istringstream in(r.out);
    for (const std::string& line : lines) {
        Words& words = offers[line];
        std::string match;
        while (std::getline(in, match) && match != "--end--")
            if (!match.empty())
                words.insert(match);
    }
    return offers;
}

bool has_all(const Words& offered, const Words& wanted)
{
    return std::includes(offered.begin(), offered.end(), wanted.begin(), wanted.end());
}

// The option names a command's --help lists ("-m,--memory TEXT ..." gives -m and --memory).
Words help_options(const std::vector<std::string>& command)
{
    const ProcessResult r = run_process(command);
    REQUIRE(r.status == 0);
    Words names;
    const std::regex option_line(R"j(^  (-[-\w]+(,-[-\w]+)*)\b)j");
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
        std::smatch match;
        if (!std::regex_search(line, match, option_line))
            continue;
        std::istringstream spellings(match[1].str());
        for (std::string name; std::getline(spellings, name, ',');)
            names.insert(name);
    }
    return names;
}

const std::vector<std::string> kHlrunCommands = {"call", "inspect", "snapshot", "serve", "doctor", "completions"};
const Words kHlbuildCommands = {"new", "init", "compile", "run", "clean", "completions"};

} // namespace

TEST_CASE("completion: bash offers commands, options, their values, files and an image's exports")
{
    const Workspace w;
    Words commands(kHlrunCommands.begin(), kHlrunCommands.end());
    CHECK(has_all(bash_offers(w, "hlrun", "hlrun "), commands));
    CHECK(has_all(bash_offers(w, "hlrun", "hlrun "), {"f.hl", "note.txt", "sub", "sub dir", "-dash.txt"}));
    // Quoted and escaped words, as bash splits them.
    CHECK(bash_offers(w, "hlrun", "hlrun sub\\ d") == Words{"sub dir"});
    CHECK(bash_offers(w, "hlrun", "hlrun 'sub d") == Words{"sub dir"});
    CHECK(bash_offers(w, "hlrun", "hlrun call my\\ file.hl a") == Words{"add"});
    CHECK(bash_offers(w, "hlrun", "hlrun call 'my file.hl' a") == Words{"add"});
    CHECK(bash_offers(w, "hlrun", "hlrun call ~/f.hl a") == Words{"add"});   // HOME is the workspace
    CHECK(bash_offers(w, "hlrun", "hlrun ca") == Words{"call"});
    CHECK(bash_offers(w, "hlrun", "hlrun -m 16Mi f") == Words{"f.hl"});   // no commands past the first word
    CHECK(bash_offers(w, "hlrun", "hlrun --me") == Words{"--memory"});
    CHECK(bash_offers(w, "hlrun", "hlrun call --st") == Words{"--stats", "--stats="});
    // bash puts back what follows the last '=' or ':' of the word.
    CHECK(bash_offers(w, "hlrun", "hlrun --stats=j") == Words{"json", "json:"});
    CHECK(bash_offers(w, "hlrun", "hlrun --stats=json:n") == Words{"note.txt"});
    CHECK(bash_offers(w, "hlrun", "hlrun --trace-format ") == Words{"text", "jsonl", "chrome"});
    CHECK(bash_offers(w, "hlrun", "hlrun --trace-format=j") == Words{"jsonl"});
    CHECK(bash_offers(w, "hlrun", "hlrun --dir ") == Words{"sub", "sub dir"});
    CHECK(bash_offers(w, "hlrun", "hlrun call f.hl a") == Words{"add"});
    CHECK(has_all(bash_offers(w, "hlrun", "hlrun call -n 3 f.hl "), {"add", "greet", "negate"}));
    CHECK(bash_offers(w, "hlrun", "hlrun call note.txt ").empty());   // not an image: nothing, quietly
    CHECK(bash_offers(w, "hlrun", "hlrun f.hl --").empty());   // the guest's: hlrun's options are over
    CHECK(bash_offers(w, "hlrun", "hlrun completions ") == Words{"bash", "zsh", "fish"});
    CHECK(bash_offers(w, "hlbuild", "hlbuild ") == kHlbuildCommands);
    CHECK(bash_offers(w, "hlbuild", "hlbuild new --template ") == Words{"c", "function", "musl"});
    CHECK(bash_offers(w, "hlbuild", "hlbuild new --libc=") == Words{"tiny", "musl"});
    CHECK(bash_offers(w, "hlbuild", "hlbuild compile ") == Words{"sub", "sub dir"});
    CHECK(has_all(bash_offers(w, "hlbuild", "hlbuild run -- "), {"f.hl", "note.txt"}));   // no PROJECT after --
}

TEST_CASE("completion: fish offers the same, with descriptions")
{
    const Workspace w;
    Words commands(kHlrunCommands.begin(), kHlrunCommands.end());
    CHECK(has_all(fish_offers(w, "hlrun", "hlrun "), commands));
    CHECK(has_all(fish_offers(w, "hlrun", "hlrun "), {"f.hl", "note.txt", "sub/"}));
    CHECK(fish_offers(w, "hlrun", "hlrun call my\\ file.hl a") == Words{"add"});
    CHECK(fish_offers(w, "hlrun", "hlrun call ~/f.hl a") == Words{"add"});
    CHECK(has_all(fish_offers(w, "hlrun", "hlrun --stats=json:"), {"--stats=json:-dash.txt", "--stats=json:sub dir/"}));
    CHECK(fish_offers(w, "hlrun", "/no/such/hlrun call f.hl a").empty());   // quietly
    CHECK(has_all(fish_offers(w, "hlbuild", "hlbuild run -- "), {"f.hl", "note.txt"}));
    CHECK(fish_offers(w, "hlrun", "hlrun -m 16Mi f") == Words{"f.hl"});
    CHECK(fish_offers(w, "hlrun", "hlrun --me") == Words{"--memory"});
    CHECK(fish_offers(w, "hlrun", "hlrun --stats=j") == Words{"--stats=json", "--stats=json:"});
    CHECK(has_all(fish_offers(w, "hlrun", "hlrun --stats=json:"), {"--stats=json:note.txt", "--stats=json:f.hl"}));
    CHECK(fish_offers(w, "hlrun", "hlrun --trace-format ") == Words{"text", "jsonl", "chrome"});
    CHECK(fish_offers(w, "hlrun", "hlrun --dir ") == (Words{"sub/", "sub dir/"}));
    CHECK(fish_offers(w, "hlrun", "hlrun call f.hl a") == Words{"add"});
    CHECK(fish_offers(w, "hlrun", "hlrun completions ") == Words{"bash", "zsh", "fish"});
    CHECK(fish_offers(w, "hlbuild", "hlbuild ") == kHlbuildCommands);
    CHECK(fish_offers(w, "hlbuild", "hlbuild new --template ") == Words{"c", "function", "musl"});
}

TEST_CASE("completion: zsh offers the same")
{
    const Workspace w;
    Words commands(kHlrunCommands.begin(), kHlrunCommands.end());
    const std::vector<std::string> lines = {"hlrun ",
                                            "hlrun call my\\ file.hl a",
                                            "hlrun call 'my file.hl' a",
                                            "hlrun call ~/f.hl a",
                                            "hlbuild run -- ",
                                            "hlrun -m 16Mi ",
                                            "hlrun --me",
                                            "hlrun --stats=j",
                                            "hlrun --trace-format ",
                                            "hlrun --dir ",
                                            "hlrun call f.hl a",
                                            "hlrun completions ",
                                            "hlbuild ",
                                            "hlbuild new --template "};
    auto offers = zsh_offers(w, lines);
    CHECK(has_all(offers["hlrun "], commands));
    CHECK(has_all(offers["hlrun "], {"f.hl", "note.txt", "sub"}));
    CHECK(offers["hlrun call my\\ file.hl a"] == Words{"add"});
    CHECK(offers["hlrun call 'my file.hl' a"] == Words{"add"});
    CHECK(offers["hlrun call ~/f.hl a"] == Words{"add"});
    CHECK(has_all(offers["hlbuild run -- "], {"f.hl", "note.txt"}));
    CHECK(has_all(offers["hlrun -m 16Mi "], {"f.hl", "note.txt", "sub"}));
    CHECK_FALSE(offers["hlrun -m 16Mi "].contains("call"));
    CHECK(offers["hlrun --me"] == Words{"--memory"});
    CHECK(offers["hlrun --stats=j"] == Words{"json", "json:"});
    CHECK(offers["hlrun --trace-format "] == Words{"text", "jsonl", "chrome"});
    CHECK(offers["hlrun --dir "] == (Words{"sub", "sub dir"}));
    CHECK(offers["hlrun call f.hl a"] == Words{"add"});
    CHECK(offers["hlrun completions "] == Words{"bash", "zsh", "fish"});
    CHECK(offers["hlbuild "] == kHlbuildCommands);
    CHECK(offers["hlbuild new --template "] == Words{"c", "function", "musl"});
}

TEST_CASE("completion: every command's options are those its --help lists")
{
    const Workspace w;
    auto offered = [&](const std::string& tool, const std::string& line) {
        Words names;
        for (const std::string& word : bash_offers(w, tool, line))
            if (!word.ends_with("="))   // --stats= beside --stats
                names.insert(word);
        return names;
    };
    CHECK(offered("hlrun", "hlrun -") == help_options({HL_HLRUN, "--help"}));
    for (const std::string& command : kHlrunCommands) {
        INFO("hlrun " << command);
        CHECK(offered("hlrun", "hlrun " + command + " -") == help_options({HL_HLRUN, command, "--help"}));
    }
    for (const std::string& command : kHlbuildCommands) {
        INFO("hlbuild " << command);
        CHECK(offered("hlbuild", "hlbuild " + command + " -") == help_options({HL_HLBUILD, command, "--help"}));
    }
}

TEST_CASE("completion: hlrun inspect --exports lists an image's functions, and refuses what has none")
{
    ProcessResult r = hlrun({"inspect", "--exports", guest_image("functions")});
    REQUIRE(r.status == 0);
    const Words names = split_lines(r.out);
    CHECK(has_all(names, {"add", "greet", "negate", "echo"}));
    r = hlrun({"inspect", "--exports", "--json", guest_image("functions")});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: --json excludes --exports; see hlrun inspect --help\n");
    r = hlrun({"completions", "tcsh"});
    CHECK(r.status == 120);
    CHECK(r.err == "hlrun: error: SHELL: 'tcsh' is not bash, zsh or fish; see hlrun completions --help\n");
    r = hlbuild({"completions"});
    CHECK(r.status == 2);
    CHECK(r.err == "hlbuild: error: missing SHELL; see hlbuild completions --help\n");
}
