// One sample of a running guest for its Profile: the registers at the
// interrupt, the function RIP is in (by the image's symbols) and how it
// stands with its frame, and the frame-pointer walk over guest memory.
#pragma once

#include <cstdint>

namespace hl {

class GuestMemory;
class Image;
class Profile;
class Vcpu;

// `ticks`: the timer's periods the sample stands for (hl/profile.hpp's add).
void take_sample(Vcpu& vcpu, const GuestMemory& memory, const Image& image, Profile& profile, uint64_t ticks);

} // namespace hl
