#!/bin/sh
# The container image of deploy/Dockerfile: built with podman from the
# context deploy/context.sh makes (hlrun and a snapshot of the functions test
# guest), its configuration checked, then run as it would be in the pod
# (read-only root, no capability, /dev/kvm passed in) until it answers a
# call, and stopped with SIGTERM, after which it must exit 0.
# Usage: image_test.sh SOURCE_DIR BUILD_DIR
set -eu
source=$1 build=$2
for tool in podman runc strip curl; do
    command -v $tool >/dev/null || { echo "FAIL: $tool is not installed (tests/bootstrap.sh installs it)"; exit 1; }
done
# Taking the snapshot runs the guest: without /dev/kvm there is no image to build.
if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
    echo "skipped: /dev/kvm cannot be opened for reading and writing here"
    exit 0
fi
# It makes a device node for the container's user, which takes root.
if [ "$(id -u)" -ne 0 ]; then
    echo "skipped: the image test makes a device node for KVM, which needs root"
    exit 0
fi
tmp=$(mktemp -d "$build/deploy-image.XXXXXX")
# Storage of its own, so that nothing is left in the host's: vfs and runc
# work where overlay mounts and crun (cgroups v1 and v2 mixed) do not.
podman() { command podman --root "$tmp/storage" --runroot "$tmp/run" --storage-driver vfs --runtime runc "$@"; }
cleanup() { podman rm -f -t 0 hl-deploy-test >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT

sh "$source/deploy/context.sh" "$build/bin/hlrun" "$build/tests/guests/functions/functions.hl" "$tmp/context" 2>"$tmp/err" ||
    { echo "FAIL: deploy/context.sh: $(cat "$tmp/err")"; exit 1; }
podman build --isolation chroot -t localhost/hl-serve:test "$tmp/context" >"$tmp/build.log" 2>&1 ||
    { echo "FAIL: podman build: $(tail -n 5 "$tmp/build.log")"; exit 1; }

config=$(podman image inspect --format '{{.Config.User}}|{{.Config.Entrypoint}}|{{.Config.Cmd}}' localhost/hl-serve:test)
[ "$config" = "65532:65532|[/usr/bin/hlrun serve]|[/srv/guest.hlsnap]" ] ||
    { echo "FAIL: the image's user, entrypoint and command are $config"; exit 1; }
podman image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' localhost/hl-serve:test | grep -qx 'HL_LISTEN=0.0.0.0:8080' ||
    { echo "FAIL: the image does not set HL_LISTEN=0.0.0.0:8080"; exit 1; }
layers=$(podman image inspect --format '{{len .RootFS.Layers}}' localhost/hl-serve:test)
[ "$layers" = 2 ] || { echo "FAIL: the image has $layers layers, not hlrun's and the snapshot's"; exit 1; }

# The pod's user opens /dev/kvm as nodes have it (systemd makes it 0666); a
# node of its own for KVM's device number stands in for a host whose
# /dev/kvm is closer (0600 root here), open to the image's group only.
mknod -m 0660 "$tmp/kvm" c $((0x$(stat -c %t /dev/kvm))) $((0x$(stat -c %T /dev/kvm))) &&
    chgrp 65532 "$tmp/kvm" || { echo "FAIL: cannot make a device node for KVM in $tmp"; exit 1; }
# As in the pod, listening on loopback here (port 0: any free one). The
# limits are lowered because podman's defaults may be above the host's hard
# limits, which it cannot raise without CAP_SYS_RESOURCE.
podman run -d --name hl-deploy-test --read-only --network host --cap-drop all --security-opt no-new-privileges \
    --device "$tmp/kvm:/dev/kvm" --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 -e HL_LISTEN=127.0.0.1:0 \
    localhost/hl-serve:test >"$tmp/run.log" 2>&1 || { echo "FAIL: podman run: $(tail -n 3 "$tmp/run.log")"; exit 1; }
url=""
for _ in $(seq 150); do
    url=$(podman logs hl-deploy-test 2>&1 | sed -n 's|^hlrun: info: serving /srv/guest.hlsnap on \(http://[0-9.:]*\) .*|\1|p')
    [ -n "$url" ] && break
    sleep 0.2
done
[ -n "$url" ] || { echo "FAIL: the container did not start serving: $(podman logs hl-deploy-test 2>&1 | tail -n 3)"; exit 1; }
ready=$(curl -s --max-time 5 "$url/readyz") || true
[ "$ready" = ready ] || { echo "FAIL: /readyz answered '$ready'"; exit 1; }
value=$(curl -s --max-time 5 -X POST "$url/v1/call/add" -d '[2, 3]') || true
[ "$value" = '{"value":5}' ] || { echo "FAIL: POST /v1/call/add answered '$value'"; exit 1; }
curl -s --max-time 5 "$url/metrics" | grep -q '^hl_inflight_requests ' || { echo "FAIL: /metrics has no hl_inflight_requests"; exit 1; }
podman stop -t 10 hl-deploy-test >/dev/null
status=$(podman inspect --format '{{.State.ExitCode}}' hl-deploy-test)
[ "$status" = 0 ] || { echo "FAIL: after SIGTERM the container exited $status: $(podman logs hl-deploy-test 2>&1 | tail -n 2)"; exit 1; }
echo "the image builds, serves a call read-only as user 65532, and drains on SIGTERM"
