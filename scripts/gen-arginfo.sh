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
php "$tmp/gen_stub.php" -f sqauth.stub.php
# PHP 8.2's gen_stub.php writes namespaced function names into C strings
# without escaping the backslash ("sqauth\cram_md5_response"), which C reads
# as an unknown escape and the attribute lookup then fails. Later gen_stub
# versions escape it; do the same here, and nothing else.
sed -i 's/"sqauth\\\([a-z_0-9]*\)"/"sqauth\\\\\1"/g' sqauth_arginfo.h
