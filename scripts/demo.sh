#!/bin/sh
# The main job: installs what is needed, builds the extension, and runs every
# SASL mechanism against its RFC example, printing each exchange.
set -eu
cd "$(dirname "$0")/.."
sh scripts/setup.sh
sh scripts/build.sh
php -n -d extension="$(pwd)/modules/sqauth.so" examples/rfc-exchanges.php
