// libFuzzer target: bytes as a core file, through CoreFile::load, which
// hlrun inspect uses on any file whose header says ET_CORE.
//
// ImageError is the documented refusal, one line naming the file. Any other
// exception, a crash or a sanitizer report is a finding; so is a loaded core
// that does not describe the input (more segments than the program headers
// could hold).
#include "file_refusal.hpp"

#include <hl/core_file.hpp>
#include <hl/error.hpp>

#include <cstdint>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

using namespace hl;

namespace {

[[noreturn]] void finding(const std::string& what) { fuzz::finding("fuzz_core", what); }

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    const int fd = memfd_create("fuzz.core", MFD_CLOEXEC);
    if (fd < 0 || write(fd, data, size) != static_cast<ssize_t>(size))
        finding("cannot set up the input file");
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    try {
        const CoreFile core = CoreFile::load(path);
        if (core.segments.size() * 56 > size || core.registers.size() != 19)
            finding("a loaded core that does not describe its file");
    } catch (const ImageError& error) {
        fuzz::check_refusal("fuzz_core", path, error.what());
    } catch (const std::exception& error) {
        finding(std::string("an undocumented exception: ") + error.what());
    }
    close(fd);
    return 0;
}
