#!/usr/bin/env bash
# Renders the first page of a report workbook to PNG so a person can look at it:
# LibreOffice (headless) converts the XLSX to PDF, pdftoppm turns page 1 into a PNG.
# usage: scripts/reports/render_preview.sh report.xlsx out.png [PAGE|last]
# (PAGE defaults to 1; `last` is the By hour sheet with its chart.)
set -euo pipefail

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    echo "usage: $0 report.xlsx out.png [PAGE|last]" >&2
    exit 2
fi
page=${3:-1}
xlsx=$(realpath "$1")
png=$(realpath -m "$2")

install_missing() {
    local packages=()
    command -v libreoffice >/dev/null || packages+=(libreoffice-calc)
    command -v pdftoppm >/dev/null || packages+=(poppler-utils)
    # Without a CJK font, Chinese cells render as empty boxes.
    fc-list :lang=zh 2>/dev/null | grep -q . || packages+=(fonts-wqy-microhei)
    [ ${#packages[@]} -eq 0 ] && return
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${packages[@]}"
}
install_missing

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A private profile: a user's running LibreOffice or a stale lock cannot block the conversion.
libreoffice --headless -env:UserInstallation="file://$work/profile" \
    --convert-to pdf --outdir "$work" "$xlsx" >"$work/convert.log" 2>&1 || {
    cat "$work/convert.log" >&2
    exit 1
}
pdf="$work/$(basename "${xlsx%.*}").pdf"
[ -s "$pdf" ] || { echo "LibreOffice produced no PDF" >&2; cat "$work/convert.log" >&2; exit 1; }
if [ "$page" = last ]; then
    page=$(pdfinfo "$pdf" | awk '/^Pages:/ { print $2 }')
fi
pdftoppm -png -r 110 -f "$page" -l "$page" -singlefile "$pdf" "${png%.png}"
echo "$png"
