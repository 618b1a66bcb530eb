// hlrun's subcommands besides running a program: `hlrun call` and `hlrun inspect`.
// Each takes the arguments after its own name (argv[0] is "call" or "inspect").
#pragma once

namespace hl::cli {

// hlrun call [OPTIONS] IMAGE FUNCTION [ARGS...]
int hlrun_call(int argc, char** argv);

// hlrun inspect [--json] IMAGE
int hlrun_inspect(int argc, char** argv);

} // namespace hl::cli
