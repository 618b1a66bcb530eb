// hlrun's subcommands besides running a program: `hlrun call`, `hlrun inspect`
// and `hlrun snapshot`. Each takes the arguments after its own name (argv[0]
// is the subcommand's name).
#pragma once

namespace hl::cli {

// hlrun call [OPTIONS] IMAGE FUNCTION [ARGS...]
int hlrun_call(int argc, char** argv);

// hlrun inspect [--json] IMAGE|SNAPSHOT
int hlrun_inspect(int argc, char** argv);

// hlrun snapshot -o FILE [OPTIONS] IMAGE [ARGS...]
int hlrun_snapshot(int argc, char** argv);

// hlrun serve [OPTIONS] IMAGE|SNAPSHOT
int hlrun_serve(int argc, char** argv);

// hlrun doctor
int hlrun_doctor(int argc, char** argv);

} // namespace hl::cli
