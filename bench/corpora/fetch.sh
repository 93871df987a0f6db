#!/usr/bin/env bash
# Build the generalisation corpora under bench/data/corpora/ from Debian packages.
#
#   bench/corpora/fetch.sh            # all corpora
#   bench/corpora/fetch.sh gimp-zh    # one corpus
#
# Needs apt-get and dpkg-deb (no root for the download), plus chromium and
# pandoc for the PDF and DOCX versions, and a CJK font so that chromium prints
# Chinese text instead of empty boxes
# (apt-get install -y chromium pandoc fonts-noto-cjk).
# Idempotent: packages are cached in bench/data/debs/, and files that already
# exist are kept. Delete bench/data/corpora/<name>/ to rebuild one corpus.
# See bench/corpora/README.md for what each corpus holds and why.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA="$ROOT/bench/data"
DEBS="$DATA/debs"
OUT="$DATA/corpora"

# gimp-zh: the parts of the Chinese GIMP 2.10 manual that Debian's
# gimp-help-zh-cn ships translated (most of the manual is still English),
# chapter by chapter, in reading order.
GIMP_PKG=gimp-help-zh-cn
GIMP_DIR=usr/share/gimp/2.0/help/zh_CN
GIMP_PAGES=(
  # Preface and chapter 1, Introduction
  preface.html
  introduction.html
  gimp-introduction-whats-new.html
  # Chapter 4, What to do if you are stuck
  gimp-getting-unstuck.html
  gimp-using-getting-unstuck.html
  gimp-using-getting-unstuck-gui.html
  gimp-using-getting-unstuck-export.html
  # Chapter 6 section 2, Preparing images for the web
  gimp-using-web.html
  gimp-using-web-reducing-file-size.html
  gimp-using-web-transparency.html
  # Appendix A, GIMP history (the translated releases)
  gimp-introduction-history.html
  gimp-introduction-history-early-days.html
  gimp-introduction-history-1-0.html
  gimp-introduction-history-2-0.html
  gimp-introduction-history-2-2.html
  gimp-introduction-history-2-4.html
  gimp-introduction-history-2-6.html
  # Appendix B, Reporting bugs and requesting enhancements
  gimp-introduction-bugs.html
  # Appendix E, GNU Free Documentation License
  legal.html
  gfdl-1.html
  gfdl-2.html
  gfdl-3.html
  gfdl-4.html
  gfdl-5.html
  gfdl-6.html
  gfdl-7.html
  gfdl-8.html
  gfdl-9.html
  gfdl-10.html
  gfdl-addendum.html
)
GIMP_DERIVED=(
  introduction.html
  gimp-using-web.html
  gimp-introduction-history.html
  gimp-introduction-history-early-days.html
  gimp-introduction-history-2-0.html
  gimp-introduction-history-2-4.html
  gimp-introduction-bugs.html
  gfdl-4.html
)

# pytutorial-en: the whole Python 3.11 tutorial from python3.11-doc.
PY_PKG=python3.11-doc
PY_DIR=usr/share/doc/python3.11/html/tutorial
PY_DERIVED=(
  appetite.html
  interpreter.html
  introduction.html
  controlflow.html
  datastructures.html
  modules.html
  errors.html
  classes.html
)

say() { printf '%s\n' "$*"; }

# Download and unpack a package once; echo the unpacked root.
unpack() {
  local pkg="$1" tree="$DEBS/$1"
  mkdir -p "$DEBS"
  if [ ! -d "$tree" ]; then
    local tmp
    tmp="$(mktemp -d)"
    (cd "$tmp" && apt-get download "$pkg" >/dev/null 2>&1) || {
      say "error: apt-get download $pkg failed; run apt-get update, or check that $pkg is in your sources" >&2
      rm -rf "$tmp"; exit 1
    }
    dpkg-deb -x "$tmp"/"$pkg"_*.deb "$tmp/root"
    mv "$tmp/root" "$tree"
    say "unpacked $(basename "$tmp"/"$pkg"_*.deb) -> ${tree#"$ROOT"/}" >&2
    rm -rf "$tmp"
  fi
  printf '%s\n' "$tree"
}

copy_pages() {
  local src="$1" dest="$2"; shift 2
  mkdir -p "$dest"
  local made=0 kept=0 page
  for page in "$@"; do
    [ -f "$src/$page" ] || { say "error: $page is missing from $src" >&2; exit 1; }
    if [ -f "$dest/$page" ]; then kept=$((kept + 1)); continue; fi
    cp "$src/$page" "$dest/$page"
    made=$((made + 1))
  done
  say "html:  ${dest#"$ROOT"/}: $made copied, $kept kept, $(du -sk "$dest" | cut -f1) KB"
}

need() {
  command -v "$1" >/dev/null 2>&1 || {
    say "error: $1 is needed for the PDF/DOCX versions; install it with: apt-get install -y $2" >&2
    exit 1
  }
}

make_derived() {
  local corpus="$1"; shift
  local html="$OUT/$corpus/html" pdf="$OUT/$corpus/pdf" docx="$OUT/$corpus/docx"
  need chromium chromium
  need pandoc pandoc
  mkdir -p "$pdf" "$docx"
  local page stem made_pdf=0 made_docx=0
  for page in "$@"; do
    stem="${page%.html}"
    if [ ! -s "$pdf/$stem.pdf" ]; then
      local profile
      profile="$(mktemp -d)"
      timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --print-to-pdf="$pdf/$stem.pdf" \
        --no-pdf-header-footer "file://$html/$page" >/dev/null 2>&1 || true
      rm -rf "$profile"
      [ -s "$pdf/$stem.pdf" ] || { say "error: chromium made no PDF for $html/$page" >&2; exit 1; }
      made_pdf=$((made_pdf + 1))
    fi
    if [ ! -s "$docx/$stem.docx" ]; then
      # Run from the page's folder so relative links resolve; missing images only warn.
      (cd "$html" && pandoc -f html -t docx -o "$docx/$stem.docx" "$page" 2>/dev/null)
      made_docx=$((made_docx + 1))
    fi
  done
  say "pdf:   ${pdf#"$ROOT"/}: $made_pdf made, $(ls "$pdf" | wc -l) files, $(du -sk "$pdf" | cut -f1) KB"
  say "docx:  ${docx#"$ROOT"/}: $made_docx made, $(ls "$docx" | wc -l) files, $(du -sk "$docx" | cut -f1) KB"
}

build_gimp_zh() {
  # Without a CJK font chromium prints boxes and the PDF text layer loses every Chinese character.
  if [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
    say "error: no Chinese font found (fc-list :lang=zh); install one with: apt-get install -y fonts-noto-cjk" >&2
    exit 1
  fi
  local tree
  tree="$(unpack "$GIMP_PKG")"
  copy_pages "$tree/$GIMP_DIR" "$OUT/gimp-zh/html" "${GIMP_PAGES[@]}"
  make_derived gimp-zh "${GIMP_DERIVED[@]}"
}

build_pytutorial_en() {
  local tree pages
  tree="$(unpack "$PY_PKG")"
  mapfile -t pages < <(cd "$tree/$PY_DIR" && LC_ALL=C ls -1 -- *.html)
  copy_pages "$tree/$PY_DIR" "$OUT/pytutorial-en/html" "${pages[@]}"
  make_derived pytutorial-en "${PY_DERIVED[@]}"
}

# manpages-zh: the simplified-Chinese manual pages (roff), as Markdown, one file per page; the scale
# benchmark (bench/scale.py) draws its paragraphs from them. No PDF/DOCX versions.
MAN_PKG=manpages-zh
MAN_DIR=usr/share/man/zh_CN

build_manpages_zh() {
  local tree out="$OUT/manpages-zh/md"
  tree="$(unpack "$MAN_PKG")"
  if [ -d "$out" ]; then
    say "md:    ${out#"$ROOT"/}: kept, $(ls "$out" | wc -l) files"
  else
    python3 "$ROOT/bench/corpora/manpages.py" "$tree/$MAN_DIR" "$out"
  fi
}

main() {
  local names=("$@")
  [ ${#names[@]} -gt 0 ] || names=(gimp-zh pytutorial-en)
  local name
  for name in "${names[@]}"; do
    say "== $name"
    case "$name" in
      gimp-zh) build_gimp_zh ;;
      pytutorial-en) build_pytutorial_en ;;
      manpages-zh) build_manpages_zh ;;
      *) say "error: unknown corpus '$name'; choose gimp-zh, pytutorial-en or manpages-zh" >&2; exit 2 ;;
    esac
  done
}

main "$@"
