# Shared set-up for scripts/dynlua, scripts/test and scripts/bench: system packages, then a
# build when sources are newer than the binary. Sourced, not run.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PATH="/opt/swift/usr/bin:$PATH"

# Installs the C libraries dynlua links against, GNU parallel (the sweep tests run shards
# with it) and Fashion-MNIST (data.fashion_mnist), only when one is missing.
ensure_system_packages() {
    local missing=()
    pkg-config --exists lua5.4 2>/dev/null || missing+=(liblua5.4-dev)
    pkg-config --exists openblas 2>/dev/null || missing+=(libopenblas-dev)
    pkg-config --exists zlib 2>/dev/null || missing+=(zlib1g-dev)
    [ -f /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz ] || missing+=(dataset-fashion-mnist)
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
    command -v parallel >/dev/null 2>&1 || missing+=(parallel)
    apt_install "${missing[@]}"
}

# The daemons and clients of a one-node Slurm cluster (scripts/test-slurm).
ensure_slurm_packages() {
    local missing=()
    command -v munged >/dev/null 2>&1 || missing+=(munge)
    command -v slurmctld >/dev/null 2>&1 || missing+=(slurmctld)
    command -v slurmd >/dev/null 2>&1 || missing+=(slurmd)
    command -v sbatch >/dev/null 2>&1 || missing+=(slurm-client)
    apt_install "${missing[@]}"
}

apt_install() {
    [ $# -eq 0 ] && return 0
    echo "dynlua: installing $* (apt-get)" >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >&2
}

# True when the binary is missing or older than any source, manifest or shim.
build_is_stale() {
    local binary="$1"
    [ -x "$binary" ] || return 0
    [ -n "$(find "$root/Package.swift" "$root/Sources" -newer "$binary" -print -quit)" ]
}

ensure_release_build() {
    if build_is_stale "$root/.build/release/dynlua"; then
        echo "dynlua: building (release)..." >&2
        (cd "$root" && swift build -c release >&2) || { echo "dynlua: build failed" >&2; exit 1; }
    fi
}
