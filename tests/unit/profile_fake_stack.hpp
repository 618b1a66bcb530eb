// Guest memory as the profiler's walk sees it (profile/frame_walk.hpp), for
// the tests of both architectures' walks: the 8-byte words the guest may read.
#pragma once

#include "profile/frame_walk.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

struct FakeStack {
    std::map<uint64_t, uint64_t> words;
    std::optional<uint64_t> read(uint64_t address) const
    {
        const auto it = words.find(address);
        return it == words.end() ? std::nullopt : std::optional<uint64_t>(it->second);
    }
    // A reader over these words; `calls` are the addresses that follow a call.
    hl::GuestReader reader(std::vector<uint64_t> calls = {}) const
    {
        return {[this](uint64_t a) { return read(a); },
                [calls](uint64_t word) { return std::find(calls.begin(), calls.end(), word) != calls.end(); }};
    }
    // A frame record at `frame`: the caller's frame pointer and the return address above it.
    void frame(uint64_t frame, uint64_t saved, uint64_t returns_to)
    {
        words[frame] = saved;
        words[frame + 8] = returns_to;
    }
};
