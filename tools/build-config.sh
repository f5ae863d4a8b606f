# Sourced by tools/demo.sh and tools/test.sh: one configuration of build/ for
# both README commands, so either may run first, any number of times, and
# neither undoes the other. Every option is given explicitly, so a build/ left
# by an older checkout or by hand (tests turned off, say) is set right again.
#
#   redress_configure BUILD_DIR [extra cmake args...]
redress_configure() {
  local dir=$1; shift
  cmake -S . -B "$dir" \
    -DREDRESS_WERROR=ON -DREDRESS_BUILD_TESTS=ON -DREDRESS_BUILD_EXAMPLES=ON \
    -DREDRESS_BUILD_TOOLS=ON -DREDRESS_BUILD_C_API=ON -DREDRESS_BUILD_BENCH=ON \
    -DREDRESS_BUILD_SQLITE=ON -DREDRESS_BUILD_PG=ON -DREDRESS_INSTALL=ON "$@" >/dev/null
}

redress_jobs() { nproc 2>/dev/null || echo 2; }
