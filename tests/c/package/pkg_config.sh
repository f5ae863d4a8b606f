#!/bin/sh
# Builds and runs the C consumer against an installed prefix through
# pkg-config alone: pkg_config.sh PREFIX LIBDIR CC SOURCE OUTPUT [CFLAGS...]
set -eu
prefix=$1 libdir=$2 cc=$3 source=$4 output=$5
shift 5
PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
export PKG_CONFIG_PATH
pkg-config --exists --print-errors redress-c
# shellcheck disable=SC2046,SC2068
"$cc" $@ -std=c99 -Wall -Wextra -pedantic -Werror -o "$output" "$source" $(pkg-config --cflags --libs redress-c)
LD_LIBRARY_PATH="$(pkg-config --variable=libdir redress-c)" "$output"
