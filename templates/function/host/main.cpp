// {{name}}-host: runs {{name}}'s guest image in a micro-VM and calls its
// functions, as a serverless host would.
//   {{name}}-host [IMAGE]     (default: build/{{name}}.hl)
#include <hl/confine.hpp>
#include <hl/sandbox.hpp>

#include <cstdio>
#include <string_view>

int main(int argc, char** argv)
{
    const char* path = argc > 1 ? argv[1] : "build/{{name}}.hl";
    try {
        hl::Sandbox sandbox(hl::Image::load(path), {});
        // The guest calls this with HL_HOST_FN(void, log_line, (hl_string, text)).
        sandbox.register_host("log_line", [](std::string_view text) {
            std::printf("guest says: %.*s\n", static_cast<int>(text.size()), text.data());
        });
        // From here on this thread may make only the system calls a sandbox's
        // run loop needs (hl/confine.hpp): no files, sockets or processes.
        hl::confine_this_thread();
        if (const hl::RunResult init = sandbox.initialize(); init.ending != hl::RunResult::Ending::Ready) {
            std::fprintf(stderr, "{{name}}-host: the guest did not get ready: %s\n", init.message.c_str());
            return 1;
        }
        sandbox.set_fresh_per_call(true); // every call starts from the state right after initialisation
        const hl::RunResult sum = sandbox.call("add", {int64_t{2}, int64_t{40}});
        const hl::RunResult greeting = sandbox.call("greet", {std::string("world")});
        for (const hl::RunResult* r : {&sum, &greeting})
            if (r->ending != hl::RunResult::Ending::Returned) {
                std::fprintf(stderr, "{{name}}-host: call failed: %s\n", r->message.c_str());
                return 1;
            }
        std::printf("add(2, 40) = %s\n", hl::format_value(sum.value).c_str());
        std::printf("greet(\"world\") = %s\n", hl::format_value(greeting.value).c_str());
        return 0;
    } catch (const hl::Error& error) {
        std::fprintf(stderr, "{{name}}-host: %s\n", error.what());
        return 1;
    }
}
