#!/bin/sh
# The whole test suite: installs what is needed, builds, then runs
#   1. the C core's known-answer tests (no PHP involved),
#   2. the .phpt suite, and SquirrelMail on sqauth in Chromium,
#   3. the .phpt suite again under valgrind (leaks and memory errors fail it),
#      again with the extension built under ASan+UBSan (scripts/asan.sh),
#      and the C core tests under valgrind,
#   4. composer.json for PIE (composer validate, PIE's php-ext schema), and
#      the PECL release check: `pecl package`, then `pecl install` of that
#      tarball and a smoke test of the installed extension.
# Ends with one line "N passed, N failed" over everything.
set -u
cd "$(dirname "$0")/.."
sh scripts/setup.sh || exit 1
sh scripts/build.sh || exit 1

passed=0
failed=0
count() { passed=$((passed + $1)); failed=$((failed + $2)); }
# Each section says how long the one before it took (CI has a time budget).
t_start=$(date +%s)
t_section=$t_start
section() {
    now=$(date +%s)
    [ "$now" = "$t_start" ] || printf '(%d s)\n' $((now - t_section))
    t_section=$now
    printf '\n=== %s\n' "$*"
}
jobs=$(nproc)

# The real servers the live tests log in to (Dovecot, openssl s_server),
# on loopback high ports, stopped again whatever happens.
section "real servers"
sh tests/setup/servers.sh start || exit 1
sh tests/setup/tls_peer.sh start || { sh tests/setup/servers.sh stop; exit 1; }
sh tests/setup/cyrus.sh start || { sh tests/setup/tls_peer.sh stop; sh tests/setup/servers.sh stop; exit 1; }
trap 'sh tests/setup/cyrus.sh stop >/dev/null 2>&1; sh tests/setup/tls_peer.sh stop >/dev/null 2>&1; sh tests/setup/servers.sh stop >/dev/null 2>&1' EXIT
eval "$(sh tests/setup/servers.sh env)"
# The live tests must not skip when the servers are meant to be up.
export SQAUTH_REQUIRE_SERVERS=1
# No retry: the start scripts return only once every server is ready
# (tests/setup/README.md, "Readiness").
if sh tests/setup/smoke.sh >smoke.log 2>&1; then
    tail -n 1 smoke.log
    count 1 0
else
    grep -A8 '^FAIL' smoke.log
    count 0 1
fi
# The Cyrus SASL peer, proven with libsasl2's own client first.
if sh tests/setup/cyrus/check.sh >cyrus-check.log 2>&1; then
    tail -n 1 cyrus-check.log
    count 1 0
else
    grep '^FAIL' cyrus-check.log
    count 0 1
fi

section "C core known-answer tests"
out=$(make -s -C src/core check OBJDIR=.build-test 2>&1)
echo "$out" | grep -v '^make' | tail -n 20
line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
if [ -n "$line" ]; then
    count "$(echo "$line" | cut -d' ' -f1)" "$(echo "$line" | cut -d' ' -f3)"
else
    count 0 1
fi

section "C core known-answer tests, built without libidn (SCRAM refuses non-ASCII)"
out=$(make -s -C src/core check HAVE_IDN=no OBJDIR=.build-test-noidn 2>&1)
line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
echo "$out" | grep -E '^FAIL' | head -n 20
if [ -n "$line" ]; then
    echo "$line"
    count "$(echo "$line" | cut -d' ' -f1)" "$(echo "$line" | cut -d' ' -f3)"
else
    echo "$out" | tail -n 20
    count 0 1
fi

section "DIGEST-MD5 security layers against Cyrus SASL's server code (in process)"
out=$(make -s -C src/core cyrus-check OBJDIR=.build-test 2>&1)
echo "$out" | grep -E '^FAIL' | head -n 20
line=$(echo "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
if [ -n "$line" ]; then
    echo "$line"
    count "$(echo "$line" | cut -d' ' -f1)" "$(echo "$line" | cut -d' ' -f3)"
else
    echo "$out" | tail -n 20
    count 0 1
fi

# The libFuzzer harnesses (tests/fuzz/) over their seed corpus and crash
# reproducers, under ASan and UBSan: every server-byte parser of the core.
section "fuzz harnesses over their corpus (libFuzzer, ASan, UBSan)"
if out=$(make -s -C src/core -j"$jobs" fuzz OBJDIR=.build-fuzz 2>&1 && make -s -C src/core fuzz-regress OBJDIR=.build-fuzz 2>&1); then
    echo "$out" | grep '^fuzz-regress'
    count "$(echo "$out" | grep -c '^fuzz-regress: .* ok')" 0
else
    echo "$out" | tail -n 30
    count 0 1
fi

# run-tests.php prints "Tests passed : N" and "Tests failed : N"; leaks under
# valgrind are counted as "Leaked" and as failures here.
# phpt RUNNER LABEL [run-tests options]
rm -f phpt-*.log
phpt_make() { NO_INTERACTION=1 REPORT_EXIT_STATUS=1 make -s test TESTS="$*"; }
phpt_asan() { sh scripts/asan.sh "$@"; }
phpt() {
    runner=$1
    label=$2
    shift 2
    section "$label"
    # one log per pass (phpt-make.log, phpt-make-2.log, phpt-asan.log), kept for a failure's diff
    log=phpt-${runner#phpt_}.log
    [ ! -e "$log" ] || log=phpt-${runner#phpt_}-2.log
    $runner -j"$jobs" -q --show-diff --show-slow 30000 "$@" tests >"$log" 2>&1
    cp "$log" phpt.log
    grep -E "^(FAIL|LEAK|BORK|SKIP)[[:space:]]" phpt.log | head -n 40
    # with -j the failures are named only in the summaries; show them and their diffs
    for sumry in "FAILED TEST SUMMARY" "LEAKED TEST SUMMARY" "BORKED TEST SUMMARY"; do
        sed -n "/^$sumry/,/^=====/p" phpt.log | grep -v '^=====' | head -n 20
    done
    sed -n 's/.*\[\(tests\/[^]]*\.phpt\)\]$/\1/p' phpt.log | sort -u | while read -r t; do
        d=${t%.phpt}.diff
        [ -s "$d" ] && { echo "--- $d"; head -n 30 "$d"; echo; }
    done
    sed -n '/^SLOW TEST SUMMARY/,/^=====/p' phpt.log | grep '^(' | head -n 5
    grep -E "^Tests (passed|failed|skipped)|^Tests leaked|^Number of tests" phpt.log
    p=$(sed -n 's/^Tests passed *: *\([0-9]*\).*/\1/p' phpt.log | head -n 1)
    f=$(sed -n 's/^Tests failed *: *\([0-9]*\).*/\1/p' phpt.log | head -n 1)
    l=$(sed -n 's/^Tests leaked *: *\([0-9]*\).*/\1/p' phpt.log | head -n 1)
    b=$(grep -c "^BORK" phpt.log)
    if [ -z "$p" ]; then
        tail -n 30 phpt.log
        count 0 1
    else
        count "$p" $(( ${f:-0} + ${l:-0} + b ))
    fi
}

phpt phpt_make "phpt suite"

# SquirrelMail on sqauth through Chromium (tests/squirrelmail/e2e.php); one
# "skip:" line without the fixture; screenshots in test-output/squirrelmail/.
section "SquirrelMail end to end (Chromium)"
php tests/squirrelmail/e2e.php >squirrelmail-e2e.log 2>&1
grep -E '^(not ok|skip:|    )' squirrelmail-e2e.log | head -n 40
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' squirrelmail-e2e.log | tail -n 1)
if [ -n "$line" ]; then
    tail -n 2 squirrelmail-e2e.log
    count "$(echo "$line" | cut -d' ' -f1)" "$(echo "$line" | cut -d' ' -f3)"
elif ! grep -q '^skip:' squirrelmail-e2e.log; then
    tail -n 20 squirrelmail-e2e.log
    count 0 1
fi

# PCRE's JIT code confuses memcheck (uninitialised-value reports in ??? frames).
# run-tests -m runs valgrind -q without a leak check: VALGRIND_OPTS asks for one.
VALGRIND_OPTS="--leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect" \
    phpt phpt_make "phpt suite under valgrind" -m -d pcre.jit=0
# The extension built with ASan+UBSan in .build-asan/, LeakSanitizer on (70-90 s).
phpt phpt_asan "phpt suite with ASan+UBSan+LSan"

section "C core tests under valgrind"
if valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        src/core/.build-test/test_core >/dev/null 2>valgrind-core.log; then
    echo "clean"
    count 1 0
else
    cat valgrind-core.log
    count 0 1
fi

# PIE reads composer.json: Composer's own validation (Debian's Composer 2.5
# predates the php-ext key and reports it only as a publish warning, so
# --no-check-publish) and our check against PIE's php-ext schema
# (tests/composer_json.phpt runs that one too, with broken variants).
section "composer.json for PIE"
if COMPOSER_ALLOW_SUPERUSER=1 composer validate --no-interaction --no-check-publish >composer-validate.log 2>&1 \
    && php -n scripts/check-composer-json.php >>composer-validate.log 2>&1; then
    tail -n 1 composer-validate.log
    count 1 0
else
    cat composer-validate.log
    count 0 1
fi

section "PECL package and install"
rm -f sqauth-*.tgz
if pecl package package.xml >pecl.log 2>&1 && tgz=$(ls sqauth-*.tgz 2>/dev/null) \
    && printf 'yes\n' | pecl install -f "./$tgz" >>pecl.log 2>&1 \
    && php -n -d extension=sqauth.so -r 'exit(SqAuth\cram_md5_response("tim", "tanstaaftanstaaf",
        "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+") === "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw" ? 0 : 1);'; then
    echo "$tgz packaged, installed with pecl into $(php-config --extension-dir), and works"
    count 1 0
else
    tail -n 30 pecl.log
    count 0 1
fi

printf '(%d s)\n\ntotal %d s\n' $(($(date +%s) - t_section)) $(($(date +%s) - t_start))
printf '\n%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
