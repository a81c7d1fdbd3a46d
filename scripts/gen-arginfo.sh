#!/bin/sh
# Regenerates sqauth_arginfo.h from sqauth.stub.php with php-dev's gen_stub.php.
# gen_stub.php wants to download PHP-Parser; we point it at Debian's php-parser
# package instead (apt-get install php-parser), in a throwaway folder.
set -eu
cd "$(dirname "$0")/.."
build_dir=$(ls -d /usr/lib/php/*/build | head -n 1)
[ -f "$build_dir/gen_stub.php" ] || { echo "gen_stub.php not found (install php8.2-dev)" >&2; exit 1; }
[ -f /usr/share/php/PhpParser/Parser/Php7.php ] || { echo "install php-parser" >&2; exit 1; }
version=$(sed -n 's/^ *\$version = "\(4\.[0-9.]*\)";.*/\1/p' "$build_dir/gen_stub.php" | head -n 1)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$build_dir/gen_stub.php" "$tmp/"
mkdir -p "$tmp/PHP-Parser-$version"
ln -s /usr/share/php "$tmp/PHP-Parser-$version/lib"
# The stub's PHPDoc is written for IDEs and static analysers: array shapes
# (array{cafile?: string, ...}), list<...>, int<1, 65535>. PHP 8.2's
# gen_stub.php reads @param/@return itself and fails on those types; it only
# needs them for parameters and returns without a declared type
# ("resource"). So it reads a copy in which every other @param/@return is
# renamed to a tag it ignores; the arginfo it writes is the same.
mkdir "$tmp/stub"
sed -e '/@\(param\|return\) \+resource\b/!s/@\(param\|return\)\b/@phpdoc-\1/' sqauth.stub.php >"$tmp/stub/sqauth.stub.php"
php "$tmp/gen_stub.php" -f "$tmp/stub/sqauth.stub.php"
# PHP 8.2's gen_stub.php writes namespaced function names into C strings
# without escaping the backslash ("sqauth\cram_md5_response"), which C reads
# as an unknown escape and the attribute lookup then fails. Later gen_stub
# versions escape it; do the same here, and nothing else.
sed -i 's/"sqauth\\\([a-z_0-9]*\)"/"sqauth\\\\\1"/g' "$tmp/stub/sqauth_arginfo.h"
# The header records the hash of the stub it came from: the real one, so that
# the build's own gen_stub rule sees an up-to-date header and leaves it alone
# (tests/manual/stub_shapes.phpt checks it).
hash=$(php -r 'echo sha1(str_replace("\r\n", "\n", file_get_contents("sqauth.stub.php")));')
sed "s/^ \* Stub hash: [0-9a-f]* \*\/$/ * Stub hash: $hash *\//" "$tmp/stub/sqauth_arginfo.h" >sqauth_arginfo.h
grep -q "Stub hash: $hash " sqauth_arginfo.h || { echo "gen-arginfo.sh: could not record the stub hash" >&2; exit 1; }
