// A file hlrun writes after it has confined itself (hl/confine.hpp), when it
// may no longer create, rename or remove files: a temporary beside PATH, made
// now, and a keeper process, forked now, that renames it over PATH on
// commit() and removes it otherwise, also when hlrun dies first. PATH appears
// whole or not at all; a file already there is untouched unless committed over.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <sys/types.h>

namespace hl::cli {

class DeferredFile {
public:
    DeferredFile() = default;
    ~DeferredFile();   // discard(), unless committed
    DeferredFile(const DeferredFile&) = delete;
    DeferredFile& operator=(const DeferredFile&) = delete;

    // Creates the temporary and starts the keeper; returns an error
    // ("cannot write PATH: REASON"), or empty.
    std::string open(const std::string& path);
    bool is_open() const { return fd_ >= 0; }
    // The temporary, open for writing, empty.
    int fd() const { return fd_; }
    const std::string& path() const { return path_; }
    // Renames the temporary over PATH; returns an error, or empty.
    std::string commit();
    // Removes the temporary; PATH stays as it was.
    void discard();

private:
    // Tells the keeper what to do and waits until it is done; its answer: 0,
    // an errno, or -1 when it did not answer in 10 seconds.
    int ask_keeper(char command);
    int fd_ = -1;
    int command_fd_ = -1;                    // the keeper reads its one command from this pipe
    std::atomic<uint32_t>* answer_ = nullptr; // shared with the keeper: kPending until it answers
    std::string path_;
    std::string temporary_;
};

} // namespace hl::cli
