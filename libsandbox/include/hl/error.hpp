// hl::Error: the base of the typed errors that cross libsandbox's boundary.
// Each module throws its own subclass; only the CLIs turn them into text and
// exit codes. Outcomes of a run (guest exited, faulted, timed out) are not
// errors: they are RunResult values (see sandbox.hpp).
#pragma once

#include <hl/version.hpp>

#include <stdexcept>
#include <string>

namespace hl {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The image file could not be read, or it breaks a rule of hl-abi(7).
class ImageError : public Error {
public:
    enum class Kind { Unreadable, Invalid };
    ImageError(Kind kind, const std::string& message) : Error(message), kind_(kind) {}
    Kind kind() const { return kind_; }

private:
    Kind kind_;
};

// The requested limits cannot hold the image (memory too small, arguments too long, ...).
class LayoutError : public Error {
public:
    using Error::Error;
};

// A SandboxOptions value cannot be used as given (a mapped directory that
// is not a directory, or a guest path that is not absolute).
class OptionError : public Error {
public:
    using Error::Error;
};

// A call the host asked for cannot be made as asked: unknown export, wrong
// argument count or types, a value over the ABI's limits, a sandbox that is
// not ready or is poisoned. The guest did not run.
class CallError : public Error {
public:
    using Error::Error;
};

// The CallError of arguments that do not fit the export: their count, a
// type, a value over the ABI's limits, a string that is not UTF-8. What the
// caller sent is at fault, not the sandbox.
class ArgumentError : public CallError {
public:
    using CallError::CallError;
};

// A snapshot file could not be read (Unreadable), is not one or is damaged
// (Invalid), was written in another format (Version), or needs what this
// host lacks (Host: CPU features).
class SnapshotError : public Error {
public:
    enum class Kind { Unreadable, Invalid, Version, Host };
    SnapshotError(Kind kind, const std::string& message) : Error(message), kind_(kind) {}
    Kind kind() const { return kind_; }

private:
    Kind kind_;
};

// The host's KVM is missing, unusable, or failed an ioctl.
class KvmError : public Error {
public:
    using Error::Error;
};

} // namespace hl
