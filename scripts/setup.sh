#!/bin/sh
# Installs what sqauth needs to build, test and benchmark on Debian 12.
# Idempotent: does nothing when every package is already there.
set -eu
PACKAGES="build-essential pkg-config autoconf git php8.2-cli php8.2-dev php8.2-fpm php-pear php-parser
libssl-dev libxml2-dev libidn-dev openssl valgrind clang libclang-rt-14-dev
php-auth-sasl php-horde-imap-client php-symfony-mailer php-net-smtp composer php-phpstan-phpdoc-parser
dovecot-imapd dovecot-pop3d dovecot-submissiond dovecot-lmtpd dovecot-managesieved curl gsasl
libapache2-mod-php8.2
libsasl2-dev libsasl2-modules sasl2-bin
imapproxy chromium chromium-driver"

missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
    exit 0
fi
echo "setup: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
