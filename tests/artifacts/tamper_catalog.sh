#!/bin/sh
# tamper_catalog.sh IN OUT: copies a signed catalog with its OSAttr value "2:10.0" (UTF-16LE,
# inside the signed certificate trust list) changed to "3:10.0", the edit an attacker would
# make to widen where a catalog applies. Its signature must no longer verify.
set -eu
offset=$(LC_ALL=C grep -obUaP '2\x00:\x001\x000\x00\.\x000\x00' "$1" | head -n 1 | cut -d: -f1)
[ -n "$offset" ] || { echo "tamper_catalog.sh: no OSAttr 2:10.0 in $1" >&2; exit 1; }
cp "$1" "$2"
printf '3' | dd of="$2" bs=1 seek="$offset" conv=notrunc status=none
