#!/usr/bin/env bash
# Builds the test control plane (kube-apiserver and etcd) from the Go module proxy into a cache
# folder keyed by their versions, and prints where they are. Idempotent: when both binaries are
# already cached it prints their folder and exits in milliseconds, so `npm test` and .ci/run can
# call it every time. Needs only Go (>= the `go` line of test/controlplane/go/*/go.mod) and the
# module proxy. The first build compiles about 2,000 packages and takes many minutes on 2 cores.
#
#   scripts/build-controlplane.sh           build what is missing, print progress to stderr
#   scripts/build-controlplane.sh --print   print the bin folder (stdout) without building; exit 1 if incomplete
#
# Environment:
#   CLUSTERSET_CACHE_DIR        cache root (default ~/.cache/clusterset)
#   CLUSTERSET_BUILD_JOBS       go build -p (default 2)
#   CLUSTERSET_KEEP_GOCACHE=1   keep the Go build cache after success (default: removed, it is ~1-2 GB)
set -euo pipefail
{ # the braces make bash read the whole file first: editing it during a build cannot break the run

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
gomods="$repo/test/controlplane/go"
# shellcheck source=/dev/null
source "$gomods/versions.env"
cache_root="${CLUSTERSET_CACHE_DIR:-$HOME/.cache/clusterset}"
dest="$cache_root/controlplane/${KUBERNETES_VERSION}_${ETCD_VERSION}"
bin="$dest/bin"

say() { printf '[controlplane %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
fail() { printf '[controlplane] ERROR: %s\n' "$*" >&2; exit 1; }
have_both() { [[ -x "$bin/kube-apiserver" && -x "$bin/etcd" ]]; }

if [[ "${1:-}" == "--print" ]]; then
  have_both || exit 1
  echo "$bin"
  exit 0
fi

if have_both; then
  say "kube-apiserver $KUBERNETES_VERSION and etcd $ETCD_VERSION are cached in $bin"
  echo "$bin"
  exit 0
fi

# Non-login shells (CI, npm scripts) may lack the Go folder on PATH although Go is installed there.
if ! command -v go >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then PATH="$PATH:/usr/local/go/bin"; fi
command -v go >/dev/null 2>&1 || fail "Go is not installed (or not on PATH). The test control plane is built from source with
  Go >= 1.26 and the Go module proxy. Install Go, or put prebuilt binaries at
  $bin/kube-apiserver and $bin/etcd."

# The machines start on their own Go; a `toolchain` line in a dependency must not make the go
# command fetch another one behind our back. Both modules declare `go 1.26.0`.
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
need="$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$gomods/kube-apiserver/go.mod")"
have="$(go env GOVERSION)"
have="${have#go}"
if [[ "$(printf '%s\n%s\n' "$need" "$have" | sort -V | head -n1)" != "$need" ]]; then
  fail "Go $have is too old: kube-apiserver $KUBERNETES_VERSION needs Go >= $need (or export GOTOOLCHAIN=go$need+auto)."
fi

mkdir -p "$dest"
# One build at a time per cache folder: two test runs starting together must not both compile.
exec 9>"$dest/.build.lock"
if ! flock -n 9; then
  say "another build holds $dest/.build.lock; waiting for it"
  flock 9
  if have_both; then echo "$bin"; exit 0; fi
fi

jobs="${CLUSTERSET_BUILD_JOBS:-2}"
export CGO_ENABLED=0
export GOFLAGS="-mod=readonly -buildvcs=false"
# A private build cache, removed after success: it is large and useless once the binaries exist.
export GOCACHE="$dest/.gocache"
started=$SECONDS

# Counts `go build -v` package lines so that a long compile shows it is alive without flooding the log.
progress() {
  local what="$1" n=0 line
  while IFS= read -r line; do
    if [[ "$line" == go:* || "$line" == *": "* || "$line" == *"#"* ]]; then
      printf '%s\n' "$line" >&2 # errors and download notices pass through whole
      continue
    fi
    n=$((n + 1))
    if ((n % 100 == 0)); then say "$what: $n packages compiled ($((SECONDS - started)) s so far)"; fi
  done
  say "$what: $n packages compiled"
}

build() { # build <name> <module dir> <package> [extra -ldflags]
  local name="$1" dir="$2" pkg="$3" ldflags="-s -w ${4:-}" out="$bin/.$1.partial"
  if [[ -x "$bin/$name" ]]; then say "$name already cached"; return 0; fi
  mkdir -p "$bin"
  say "$name: downloading modules listed in ${dir#"$repo"/}/go.sum (GOMODCACHE=$(go env GOMODCACHE))"
  (cd "$dir" && go mod download) || fail "$name: module download failed (is the Go module proxy reachable? GOPROXY=$(go env GOPROXY))"
  say "$name: compiling $pkg with go build -p $jobs (CGO_ENABLED=0 -trimpath -ldflags='-s -w')"
  local status=0
  (cd "$dir" && go build -v -p "$jobs" -trimpath -ldflags="$ldflags" -o "$out" "$pkg" 2>&1) | progress "$name" || status=$?
  if [[ $status -ne 0 || ! -x "$out" ]]; then
    rm -f "$out"
    fail "$name: go build failed (see the lines above). Module: ${dir#"$repo"/}; versions in test/controlplane/go/versions.env."
  fi
  mv -f "$out" "$bin/$name" # atomic: a half-written binary never counts as cached
  say "$name: built $(du -h "$bin/$name" | cut -f1) in $((SECONDS - started)) s"
}

say "building kube-apiserver $KUBERNETES_VERSION and etcd $ETCD_VERSION into $bin (first build: many minutes on 2 cores)"
build etcd "$gomods/etcd" go.etcd.io/etcd/server/v3
# Kubernetes' own build stamps its version through -X; without it /version says v0.0.0-master.
minor="${KUBERNETES_VERSION#v1.}"
minor="${minor%%.*}"
v="k8s.io/component-base/version"
build kube-apiserver "$gomods/kube-apiserver" k8s.io/kubernetes/cmd/kube-apiserver \
  "-X $v.gitVersion=$KUBERNETES_VERSION -X $v.gitMajor=1 -X $v.gitMinor=$minor -X $v.gitTreeState=clean"
if [[ "${CLUSTERSET_KEEP_GOCACHE:-}" != "1" ]]; then
  go clean -cache >/dev/null 2>&1 || true
  rm -rf "$GOCACHE"
fi
"$bin/etcd" --version >&2
"$bin/kube-apiserver" --version >&2
say "done in $((SECONDS - started)) s; binaries use $(du -sh "$bin" | cut -f1)"
echo "$bin"
exit 0
}
