// {{name}}-host: runs {{name}}'s guest image in a micro-VM and calls its
// functions, as a serverless host would.
//   {{name}}-host [IMAGE]     (default: build/{{name}}.hl)
#include <hl/confine.hpp>
#include <hl/sandbox.hpp>

#include <cstdio>
#include <string>
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
        // Typed calls (hl/typed_call.hpp): the arguments become the exports'
        // parameter types, the results come back as C++ values, and a call
        // that does not return throws hl::CallFailed.
        const int64_t sum = sandbox.call<int64_t>("add", 2, 40);
        const std::string greeting = sandbox.call<std::string>("greet", "world");
        std::printf("add(2, 40) = %lld\n", static_cast<long long>(sum));
        std::printf("greet(\"world\") = %s\n", hl::json_string(greeting).c_str());
        return 0;
    } catch (const hl::Error& error) {
        std::fprintf(stderr, "{{name}}-host: %s\n", error.what());
        return 1;
    }
}
