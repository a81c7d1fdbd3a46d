#!/bin/sh
# The .phpt suite against the extension built with AddressSanitizer and
# UndefinedBehaviorSanitizer, LeakSanitizer on:
#   sh scripts/asan.sh [run-tests.php arguments]      default: -j$(nproc) tests
# e.g. sh scripts/asan.sh tests/live/fault_tls.phpt
#
# The sanitizer build lives in .build-asan/ (configure run from there, so
# modules/sqauth.so is never replaced). Stock PHP is not built with ASan: the
# runtime is preloaded, after tests/asan/no_deepbind.so, which clears the
# RTLD_DEEPBIND flag PHP opens extensions with (ASan refuses it). PHP runs with
# USE_ZEND_ALLOC=0, so every emalloc is a malloc that ASan sees and LeakSanitizer
# checks at exit; a report on stderr fails the test. tests/asan/lsan.supp lists
# the few allocations that are not ours and are not freed on purpose.
# Needs the top-level configure (scripts/build.sh makes it) and gcc's libasan.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
B=$root/.build-asan
CC=gcc
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
mkdir -p "$B"
[ -f "$root/configure" ] || { echo "asan.sh: run scripts/build.sh first (it makes ./configure)" >&2; exit 1; }
if [ ! -f "$B/Makefile" ] || [ "$root/configure" -nt "$B/Makefile" ]; then
    (cd "$B" && "$root/configure" --enable-sqauth CC=$CC CFLAGS="-O1 -g -fno-omit-frame-pointer $SAN" \
        LDFLAGS="$SAN" >configure.log 2>&1) || { tail -n 30 "$B/configure.log"; exit 1; }
fi
make -C "$B" -j"$(nproc)" >"$B/make.log" 2>&1 || { tail -n 40 "$B/make.log"; exit 1; }
if grep -E "(warning|error):" "$B/make.log" >/dev/null; then
    echo "asan.sh: the compiler warned about our code:" >&2
    grep -E -A3 "(warning|error):" "$B/make.log" >&2
    exit 1
fi
$CC -shared -fPIC -O2 -Wall -Wextra -o "$B/no_deepbind.so" "$root/tests/asan/no_deepbind.c" -ldl

libasan=$($CC -print-file-name=libasan.so)
[ -f "$libasan" ] || { echo "asan.sh: $CC has no libasan.so" >&2; exit 1; }
# The PHP the tests run (also as PHP_BINARY for their child processes, which
# inherit the environment). verify_asan_link_order=0: the shim comes first.
cat >"$B/php" <<EOF
#!/bin/sh
LD_PRELOAD="$B/no_deepbind.so:$libasan" exec php "\$@"
EOF
chmod +x "$B/php"
export USE_ZEND_ALLOC=0
# keep sqauth.so mapped at exit so that leak reports name its functions
export ZEND_DONT_UNLOAD_MODULES=1
# A caller's own ASAN_OPTIONS come last and win: fast_unwind_on_malloc=0 gives
# whole leak stacks (the frame that called emalloc too) for 25% more time.
export ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}
export LSAN_OPTIONS=suppressions=$root/tests/asan/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# run-tests.php triples its per-test timeout when SKIP_ASAN is set
export SKIP_ASAN=1
[ $# -gt 0 ] || set -- -j"$(nproc)" "$root/tests"
cd "$root"
TEST_PHP_EXECUTABLE=$B/php TEST_PHP_SRCDIR=$root NO_INTERACTION=1 \
    php -n -d open_basedir= -d output_buffering=0 -d memory_limit=-1 run-tests.php \
    -n -d extension_dir="$B/modules" -d extension=sqauth "$@"
