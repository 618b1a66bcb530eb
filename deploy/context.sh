#!/bin/sh
# Makes the build context of the hl-serve image (deploy/Dockerfile) in DIR:
# hlrun, stripped, and a snapshot of GUEST taken now with `hlrun snapshot`.
# Taking it runs the guest's initialisation, so it needs /dev/kvm; and the
# snapshot holds the vCPU's state, so take it on a host with the same kind
# of CPU as the nodes that will run it (else hlrun exits 114, see hlrun(1)).
# Usage: context.sh HLRUN GUEST DIR [SNAPSHOT-OPTIONS...]
#   SNAPSHOT-OPTIONS go to `hlrun snapshot` before GUEST (e.g. --memory 64Mi).
set -eu
if [ $# -lt 3 ]; then
    echo "usage: context.sh HLRUN GUEST DIR [SNAPSHOT-OPTIONS...]" >&2
    exit 2
fi
hlrun=$1 guest=$2 dir=$3
shift 3
mkdir -p "$dir"
strip -o "$dir/hlrun" "$hlrun"
"$hlrun" snapshot -o "$dir/guest.hlsnap" "$@" "$guest"
cp "$(dirname "$0")/Dockerfile" "$dir/Dockerfile"
