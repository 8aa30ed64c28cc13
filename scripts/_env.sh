# Shared by scripts/*: where the Python >= 3.14.2 environment lives and how to
# run a command inside it. Sourced, never executed.
# shellcheck shell=bash

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REQUIREMENTS_FILE="$REPO_ROOT/requirements-dev.txt"
# The Home Assistant release every real Home Assistant process runs (e2e tests,
# browser test, scripts/develop), pinned there and nowhere else; pytest's
# in-process Home Assistant stays on the version its plugin pins.
HA_REQUIREMENTS_FILE="$REPO_ROOT/requirements-ha.txt"
# Home Assistant 2026.x refuses anything older than this.
MIN_PY_MAJOR=3
MIN_PY_MINOR=14
MIN_PY_MICRO=2

# The provisioned root file system is large and identical for every clone, so
# it lives outside the checkout and is reused by later clones and CI runs.
MOOGO_CACHE_DIR="${MOOGO_CACHE_DIR:-/var/cache/moogo-ha}"
ROOTFS="$MOOGO_CACHE_DIR/rootfs-sid"
CHROOT_VENV=/opt/moogo-venv
CHROOT_HA_VENV=/opt/moogo-ha-venv

log() { printf '[moogo] %s\n' "$*" >&2; }

# Prints the path of a native interpreter new enough for current HA, if any.
native_python() {
    local candidate
    for candidate in python3.14 python3.15 python3; do
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c "import sys; sys.exit(sys.version_info < ($MIN_PY_MAJOR, $MIN_PY_MINOR, $MIN_PY_MICRO))" 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

# "native" when the host has a new enough Python, else "chroot".
env_kind() {
    if [ -n "${MOOGO_FORCE_CHROOT:-}" ]; then
        echo chroot
    elif native_python >/dev/null; then
        echo native
    else
        echo chroot
    fi
}

# The Debian mirror the host already uses; never a hard-coded host name.
host_debian_mirror() {
    local uri=""
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
            /etc/apt/sources.list.d/debian.sources)
    fi
    if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
        uri=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):/) { print $i; exit } }' \
            /etc/apt/sources.list)
    fi
    if [ -z "$uri" ]; then
        log "cannot find a Debian mirror in the host's apt sources"
        return 1
    fi
    echo "$uri"
}

# Runs "$@" (a shell command line) inside the environment, from the repo root.
# In the chroot, mounts live in a private namespace that ends with the command,
# so nothing stays bind-mounted over the checkout afterwards.
# With IN_ENV_EXEC=1 the calling shell is replaced (exec all the way down), so
# a signal sent to the caller's PID reaches the command itself.
in_env() {
    local cmd="$*"
    local replace=""
    [ -n "${IN_ENV_EXEC:-}" ] && replace=exec
    if [ "$(env_kind)" = native ]; then
        local vars=(PATH="$REPO_ROOT/.venv/bin:$PATH" VIRTUAL_ENV="$REPO_ROOT/.venv"
            MOOGO_HA_VENV="$REPO_ROOT/.venv-ha" UV_NATIVE_TLS=1 UV_SYSTEM_CERTS=1)
        if [ -n "$replace" ]; then
            cd "$REPO_ROOT" && exec env "${vars[@]}" bash -c "$cmd"
        fi
        (cd "$REPO_ROOT" && env "${vars[@]}" bash -c "$cmd")
        return
    fi
    # Only what the tests and tools need is passed into the chroot.
    $replace unshare -m -- bash -c '
        set -e
        rootfs=$1; repo=$2; venv=$3; ha_venv=$4; cmd=$5
        mount --make-rprivate /
        mkdir -p "$rootfs/proc" "$rootfs/dev" "$rootfs/sys" "$rootfs/tmp" "$rootfs$repo"
        mount -t proc proc "$rootfs/proc"
        mount --rbind /dev "$rootfs/dev"
        mount --rbind /sys "$rootfs/sys" 2>/dev/null || true
        mount --bind "$repo" "$rootfs$repo"
        cp /etc/resolv.conf "$rootfs/etc/resolv.conf" 2>/dev/null || true
        exec chroot "$rootfs" /usr/bin/env -i \
            HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" CI="${CI:-}" \
            PATH="$venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
            VIRTUAL_ENV="$venv" MOOGO_HA_VENV="$ha_venv" PIP_DISABLE_PIP_VERSION_CHECK=1 \
            SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt UV_NATIVE_TLS=1 UV_SYSTEM_CERTS=1 \
            MOOGO_BENCH_ARGS="${MOOGO_BENCH_ARGS:-}" PYTEST_ADDOPTS="${PYTEST_ADDOPTS:-}" \
            bash -c "cd \"$repo\" && $cmd"
    ' _ "$ROOTFS" "$REPO_ROOT" "$CHROOT_VENV" "$CHROOT_HA_VENV" "$cmd"
}
