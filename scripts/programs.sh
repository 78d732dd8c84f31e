#!/usr/bin/env bash
# Rebuilds the example programs the page offers in the "your program" and "ld-so" widgets
# (web/programs/), from web/programs/src with musl (MIT licence, so the page may ship its
# dynamic loader; see web/programs/README.md). The binaries are checked in so that the build
# of the site needs no C compiler; tests run each one natively and in the simulator and compare.
# Usage: scripts/programs.sh
set -euo pipefail
cd "$(dirname "$0")/../web/programs"
mkdir -p bin lib
CC=${MUSL_GCC:-musl-gcc}
CFLAGS=(-O2 -Wall -Wextra -Werror -fno-asynchronous-unwind-tables -Wl,--build-id=none -Wl,-S)
for p in hello fork share segv upper args sh sigframe; do
  "$CC" "${CFLAGS[@]}" -static -o "bin/$p" "src/$p.c"
done
# One dynamically linked program: its interpreter is musl's libc.so under the name the
# linker writes into PT_INTERP.
"$CC" "${CFLAGS[@]}" -o bin/hello-dyn src/hello.c
interp=$(readelf -l bin/hello-dyn | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
test "$interp" = /lib/ld-musl-x86_64.so.1
libc=$(readlink -f /lib/ld-musl-x86_64.so.1)
cp "$libc" lib/ld-musl-x86_64.so.1
ls -l bin lib
