#!/usr/bin/env bash
# Runs the operator guide (docs/guide/) as a script, so that every command in it is exercised.
#
#   tests/guide/run_guide.sh MISYNC_BINARY SOURCE_DIR [GUIDE_DIR]
#
# The chapters are taken in the order the guide's index (GUIDE_DIR/README.md) links them; a
# chapter the index does not link is an error. In each chapter, fenced blocks are picked by their
# info string:
#
#   ```sh         run. Every such block of every chapter runs in order, in one bash process
#                 (set -e, pipefail), in a scratch folder, with MISYNC_BINARY first on PATH as
#                 `misync` and SRC set to SOURCE_DIR (the guide's "your checkout"). The first
#                 command that fails stops the test and names the chapter and line.
#   ```sh root    shown only: it needs root, systemd, the Debian package or another machine.
#                 Checked instead: the block must be valid bash (bash -n), and each line that
#                 runs misync (after `sudo`, `sudo -u USER`, `sudo env VAR=VALUE…`) must parse:
#                 it is run with --config pointing at a file that does not exist and must get
#                 as far as reading the configuration (or succeed, e.g. `misync version`).
#   ```toml check a configuration shown for a machine with the package: written to a file and
#                 checked with `misync check-config`, with $CREDENTIALS_DIRECTORY set to a folder
#                 holding a valid tokens.toml (so `credential:tokens.toml` resolves).
#
# Every other block (```text, ```toml, ```ini, plain ```) is output or a file shown, not run.
# Processes the guide starts in the background must write their pid to a *.pid file in the
# folder they run in; they are killed when the script ends. KEEP=1 keeps the scratch folder.
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 MISYNC_BINARY SOURCE_DIR [GUIDE_DIR]" >&2
  exit 2
fi
binary=$(realpath "$1")
src=$(realpath "$2")
guide=$(realpath "${3:-$src/docs/guide}")
[ -x "$binary" ] || { echo "guide: $binary is not an executable" >&2; exit 2; }
[ -f "$guide/README.md" ] || { echo "guide: no $guide/README.md" >&2; exit 2; }

scratch=$(mktemp -d /tmp/guide-run.XXXXXX)
cleanup() {
  local f
  for f in $(find "$scratch" -name '*.pid' 2>/dev/null); do
    kill "$(cat "$f")" 2>/dev/null || true
  done
  sleep 0.2
  if [ "${KEEP:-0}" = 1 ]; then
    echo "guide: scratch folder kept: $scratch" >&2
  else
    rm -rf "$scratch"
  fi
}
trap cleanup EXIT
mkdir -p "$scratch/bin" "$scratch/work" "$scratch/check/credentials"
ln -s "$binary" "$scratch/bin/misync"

# The chapters, in the order of the index's links.
chapters=()
while IFS= read -r c; do
  [ -f "$guide/$c" ] || { echo "guide: README.md links $c, which does not exist" >&2; exit 1; }
  chapters+=("$c")
done < <(grep -oE '\]\([A-Za-z0-9._-]+\.md\)' "$guide/README.md" | sed -E 's/^\]\((.*)\)$/\1/' |
  awk '!seen[$0]++')
for f in "$guide"/*.md; do
  b=$(basename "$f")
  [ "$b" = README.md ] && continue
  printf '%s\n' "${chapters[@]}" | grep -qxF "$b" ||
    { echo "guide: $b is not linked from README.md" >&2; exit 1; }
done
[ ${#chapters[@]} -gt 0 ] || { echo "guide: README.md links no chapter" >&2; exit 1; }

# Split every chapter into its blocks: run.sh (the runnable blocks, with a map from its line
# numbers to chapter:line), and one file per shown block and per configuration to check.
run="$scratch/run.sh"
map="$scratch/run.map"
: >"$map"
{
  echo 'set -eE -o pipefail'
  echo 'trap '\''rc=$?; echo "guide: FAILED at $(sed -n "${LINENO}p" "$GUIDE_MAP") (exit status $rc): $BASH_COMMAND" >&2; exit 1'\'' ERR'
} >"$run"
echo "-" >>"$map"
echo "-" >>"$map"
for c in "${chapters[@]}"; do
  awk -v chapter="$c" -v run="$run" -v map="$map" -v dir="$scratch/check" '
    # A fence may be indented (a block inside a list item): its lines lose that indentation.
    function body(line) { return substr(line, 1, indent) ~ /^[ \t]*$/ ? substr(line, indent + 1) : line }
    /^[ \t]*```/ {
      if (!inblock) {
        match($0, /^[ \t]*/); indent = RLENGTH
        info = substr($0, indent + 4); gsub(/^[ \t]+|[ \t]+$/, "", info)
        inblock = 1; start = NR
        if (info == "sh") { kind = "run"; print "# " chapter ":" NR >> run; print chapter ":" NR >> map }
        else if (info == "sh root" || info == "toml check") {
          kind = (info == "sh root") ? "root" : "toml"; n++
          out = dir "/" n "." kind; print chapter ":" NR > (out ".where"); close(out ".where"); printf "" > out
        }
        else if (info ~ /^(sh|bash|shell|console|powershell|ps1|cmd)( |$)/) {
          printf "guide: %s:%d: unknown block kind \"```%s\" (sh, sh root or toml check)\n", chapter, NR, info > "/dev/stderr"; bad = 1; kind = "skip"
        }
        else kind = "skip"
        next
      }
      inblock = 0
      if (kind == "root" || kind == "toml") close(out)
      next
    }
    inblock && kind == "run" { print body($0) >> run; print chapter ":" NR >> map; next }
    inblock && (kind == "root" || kind == "toml") { print NR "\t" body($0) >> out; next }
    END { if (inblock) { printf "guide: %s:%d: block not closed\n", chapter, start > "/dev/stderr"; bad = 1 }
          exit bad }
  ' "$guide/$c" || exit 1
  # awk numbers shown blocks per chapter: move them aside under the chapter's name.
  for f in "$scratch/check"/[0-9]*.root "$scratch/check"/[0-9]*.toml; do
    [ -e "$f" ] || continue
    mv "$f" "$scratch/check/${c%.md}-$(basename "$f")"
    mv "$f.where" "$scratch/check/${c%.md}-$(basename "$f").where"
  done
done
runnable=$(grep -c '^# .*\.md:[0-9]*$' "$run" || true)
[ "$runnable" -gt 0 ] || { echo "guide: no runnable (\`\`\`sh) block" >&2; exit 1; }

fail() { echo "guide: FAILED at $1: $2" >&2; exit 1; }

# Shown blocks: valid bash, and every misync invocation parses.
parsed=0
shown=0
for f in "$scratch/check"/*.root; do
  [ -e "$f" ] || continue
  shown=$((shown + 1))
  where=$(cat "$f.where")
  chapter=${where%%:*}
  cut -f2- "$f" >"$f.sh"
  bash -n "$f.sh" 2>"$f.err" || fail "$where" "not valid bash: $(cat "$f.err")"
  while IFS=$'\t' read -r line text; do
    cmd=${text%%#*}                                  # drop a trailing comment
    re='^[[:space:]]*(sudo[[:space:]]+(-u[[:space:]]+[^[:space:]]+[[:space:]]+)?(env([[:space:]]+[A-Za-z_][A-Za-z0-9_]*=[^[:space:]]*)+[[:space:]]+)?)?misync([[:space:]]+(.*))?$'
    [[ $cmd =~ $re ]] || continue
    args_text=${BASH_REMATCH[6]}
    eval "args=($args_text)"
    kept=()
    skip=0
    for a in "${args[@]}"; do
      if [ $skip = 1 ]; then skip=0; continue; fi
      if [ "$a" = --config ]; then skip=1; continue; fi
      kept+=("$a")
    done
    set +e
    out=$(cd "$scratch/check" && "$binary" --config /nonexistent/guide-parse-check.toml "${kept[@]}" 2>&1)
    rc=$?
    set -e
    if [ $rc -ne 0 ] && ! grep -q 'cannot read the configuration' <<<"$out"; then
      fail "$chapter:$line" "misync ${kept[*]}: does not parse: $(head -1 <<<"$out")"
    fi
    parsed=$((parsed + 1))
  done <"$f"
done

# Configurations shown: check-config.
printf '[[token]]\nname = "guide-check"\nscope = "admin"\nsha256 = "%s"\n' \
  "$(printf %s guide-check-token | sha256sum | cut -d' ' -f1)" >"$scratch/check/credentials/tokens.toml"
configs=0
for f in "$scratch/check"/*.toml; do
  [ -e "$f" ] || continue
  configs=$((configs + 1))
  where=$(cat "$f.where")
  cut -f2- "$f" >"$f.conf.toml"
  out=$(CREDENTIALS_DIRECTORY="$scratch/check/credentials" "$binary" --config "$f.conf.toml" check-config 2>&1) ||
    fail "$where" "misync check-config refuses the configuration shown: $out"
done

# The runnable blocks.
echo "guide: ${#chapters[@]} chapters; running $runnable blocks in $scratch/work" >&2
set +e
(cd "$scratch/work" && PATH="$scratch/bin:$PATH" SRC="$src" GUIDE_MAP="$map" bash "$run")
rc=$?
set -e
[ $rc -eq 0 ] || exit 1
echo "guide: passed: $runnable blocks run; $shown shown blocks checked ($parsed misync invocations parse); $configs configurations pass check-config" >&2
