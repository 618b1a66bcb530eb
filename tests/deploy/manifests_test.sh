#!/bin/sh
# deploy/'s manifests: yamllint, then validate.mjs (Kubernetes and KEDA
# schemas, unknown fields, the hostPath patch, hl's invariants) with the npm
# packages pinned in package-lock.json, installed into WORK_DIR.
# Usage: manifests_test.sh SOURCE_DIR WORK_DIR
set -eu
source=$1 work=$2/deploy-test
here=$(cd "$(dirname "$0")" && pwd)
for tool in node npm yamllint; do
    command -v $tool >/dev/null || { echo "FAIL: $tool is not installed (tests/bootstrap.sh installs it)"; exit 1; }
done
mkdir -p "$work"
# npm ci only when the lock file changed since the last install.
if ! cmp -s "$here/package-lock.json" "$work/package-lock.json" || [ ! -d "$work/node_modules" ]; then
    cp "$here/package.json" "$here/package-lock.json" "$work/"
    (cd "$work" && npm ci --no-audit --no-fund --loglevel=error) >"$work/npm.log" 2>&1 ||
        { echo "FAIL: npm ci in $work: $(tail -n 3 "$work/npm.log")"; rm -f "$work/package-lock.json"; exit 1; }
fi
yamllint --strict -c "$here/yamllint.yaml" "$source/deploy/kubernetes" "$source/deploy/prometheus.yml" ||
    { echo "FAIL: yamllint"; exit 1; }
cp "$here/validate.mjs" "$here/httpscaledobject.schema.json" "$work/"
node "$work/validate.mjs" "$source/deploy"
