#!/usr/bin/env bash
# The benchmarks against the peers, reproducible by anyone on Debian or Ubuntu:
#   bash bench/run.sh            (installs hyperfine, fortune-mod, taskwarrior, time and jrnl if missing)
# Builds the data through closer's own code (bench/src/main.rs), times every command side by side
# with hyperfine, measures peak memory with GNU time, and prints one table of medians and ratios:
# for the static build README's install makes, and for a plain `cargo build --release` (dynamic,
# position-independent), side by side in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v hyperfine >/dev/null || need_apt+=(hyperfine)
[ -x /usr/games/fortune ] || command -v fortune >/dev/null || need_apt+=(fortune-mod)
command -v task >/dev/null || need_apt+=(taskwarrior)
[ -x /usr/bin/time ] || need_apt+=(time)
if [ ${#need_apt[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq && $sudo apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
command -v jrnl >/dev/null || python3 -m pip install --quiet --disable-pip-version-check jrnl
FORTUNE=$(command -v fortune || echo /usr/games/fortune)

# Built as README's install builds them: static, non-PIE (they start about a third faster).
HOST=$(rustc -vV | sed -n 's/^host: //p')
RUSTFLAGS="-C target-feature=+crt-static -C relocation-model=static" \
  cargo build --release --quiet --target "$HOST" -p closer-bench -p prompt-of-the-day -p needs-list -p touch-plan -p export
R=$PWD/target/$HOST/release
# And as a plain `cargo build --release` builds them: dynamic and position-independent.
cargo build --release --quiet -p prompt-of-the-day -p needs-list -p touch-plan -p export
D=$PWD/target/release
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# closer: 20 years of daily answers from two partners, 2,000 sessions, 500 needs; and 200 / 5,000 needs.
"$R/closer-bench" closer "$W/closer" --needs 500
"$R/closer-bench" closer "$W/needs200" --needs 200 --years 1 --sessions 10
"$R/closer-bench" closer "$W/needs5000" --needs 5000 --years 1 --sessions 10
# The same folders encrypted, as a couple's own two devices encrypt them: each partner says which
# of them uses their device (`couple me`, which makes and publishes their key), `couple encrypt`
# on Alex's device seals Alex's records and the shared ones, then on Sam's device Sam's own. Each
# device keeps its keys in its own config folder and its own cache; the timings run on Alex's.
for d in closer needs200; do cp -a "$W/$d" "$W/enc_$d"; done
device() { # folder, partner, command...: runs a command on that partner's device
  local d=$1 who=$2; shift 2
  env CLOSER_TODAY=2026-11-21 CLOSER_DIR="$W/enc_$d" XDG_CONFIG_HOME="$W/enc_$d.$who/config" \
    XDG_CACHE_HOME="$W/enc_$d.$who/cache" "$@" >/dev/null
}
for d in closer needs200; do
  device $d sam "$R/needs-list" couple me Sam
  device $d alex "$R/needs-list" couple me Alex
  device $d alex "$R/needs-list" couple encrypt
  device $d sam "$R/needs-list" couple encrypt
  # Needs that carry parts from both partners are sealed once both devices have signed theirs.
  device $d alex "$R/needs-list" couple encrypt
  # Both devices take their turn in the joint rounds the touch plan is computed through, Alex's
  # last, so that a timed run on Alex's device finds no turn left to take.
  for who in alex sam alex sam alex; do device $d $who "$R/touch-plan" today; done
  # And in the answers shared once both have taken their turn, which each device's
  # prompt-of-the-day does once after the folder is encrypted (a one-time cost, not timed).
  for who in alex sam alex; do device $d $who "$R/prompt-of-the-day"; done
done
# Folders written in the last two seconds are looked at again on every run; let them settle.
sleep 3
# The peers, at the same sizes.
for n in 100 5000; do
  mkdir -p "$W/task$n"
  printf 'data.location=%s\nconfirmation=off\nverbose=nothing\nhooks=off\n' "$W/task$n" > "$W/task$n.rc"
  "$R/closer-bench" tasks $n > "$W/tasks$n.json"
  TASKRC="$W/task$n.rc" task import "$W/tasks$n.json" >/dev/null 2>&1
done
"$R/closer-bench" jrnl 7300 > "$W/journal.txt"
printf 'colors: {body: none, date: none, tags: none, title: none}\ndefault_hour: 9\ndefault_minute: 0\neditor: ""\nencrypt: false\nhighlight: false\nindent_character: "|"\njournals:\n  default: %s\nlinewrap: 79\ntagsymbols: "@"\ntemplate: false\ntimeformat: "%%Y-%%m-%%d %%H:%%M"\nversion: v4.1\n' "$W/journal.txt" > "$W/jrnl.yaml"

# A device of its own for the plain folders: nothing from this machine's own config folder.
export CLOSER_TODAY=2026-11-21 NO_COLOR=1 XDG_CACHE_HOME="$W/cache" XDG_CONFIG_HOME="$W/config"
# A device lists its needs once before it is timed, as any device has: that builds its index
# (written only for a folder unchanged for two seconds).
sleep 3
for d in needs200 needs5000 closer; do CLOSER_DIR="$W/$d" "$R/needs-list" --plain >/dev/null; done
for d in needs200 closer; do device $d alex "$R/needs-list" --plain; done
# Alex's device, for the encrypted timings.
enc() { echo CLOSER_DIR="$W/enc_$1" XDG_CONFIG_HOME="$W/enc_$1.alex/config" XDG_CACHE_HOME="$W/enc_$1.alex/cache"; }
# Every row is timed in one hyperfine call beside `true` and `fortune`, so that a load passing
# during the run moves a row and its peer together; the slower peers (task, jrnl) are timed once.
run() { # name, [VAR=value ...], command: times the command itself (no wrapper) with those variables
  local name=$1; shift
  local vars=()
  while [[ $1 == *=* ]]; do vars+=("$1"); shift; done
  env "${vars[@]}" hyperfine -N --warmup 5 --min-runs 30 --style none --export-json "$W/$name.json" \
    true "$FORTUNE" "$*" >/dev/null
  env "${vars[@]}" /usr/bin/time -f %M -o "$W/$name.mem" "$@" >/dev/null 2>&1 || true
}
# Each closer command from both builds: static ("_s") and plain dynamic ("_d").
for b in s d; do
  [ $b = s ] && B=$R || B=$D
  run prompt_$b CLOSER_DIR="$W/closer" "$B/prompt-of-the-day"
  run needs200_$b CLOSER_DIR="$W/needs200" "$B/needs-list" --plain
  run needs5000_$b CLOSER_DIR="$W/needs5000" "$B/needs-list" --plain
  run touch_$b CLOSER_DIR="$W/closer" "$B/touch-plan" today
  run today_$b CLOSER_DIR="$W/closer" "$B/prompt-of-the-day" couple today
  run export_md_$b CLOSER_DIR="$W/closer" "$B/closer-export" --as Alex
  run export_json_$b CLOSER_DIR="$W/closer" "$B/closer-export" --as Alex --format json
  # The same on the encrypted folders, on Alex's device.
  run eprompt_$b $(enc closer) "$B/prompt-of-the-day"
  run eneeds200_$b $(enc needs200) "$B/needs-list" --plain
  run etouch_$b $(enc closer) "$B/touch-plan" today
  run etoday_$b $(enc closer) "$B/prompt-of-the-day" couple today
  run eexport_md_$b $(enc closer) "$B/closer-export" --as Alex
done
run task100 TASKRC="$W/task100.rc" task list
run task5000 TASKRC="$W/task5000.rc" task list
run jrnl_md jrnl --config-file "$W/jrnl.yaml" --export markdown
run jrnl_json jrnl --config-file "$W/jrnl.yaml" --export json

# Relocations each binary applies when it starts (a static build applies none).
if command -v readelf >/dev/null; then
  for t in prompt-of-the-day needs-list touch-plan closer-export; do
    echo "$t relocations: static $(readelf -rW "$R/$t" | grep -c '^[0-9a-f]\{8,\} ' || true), dynamic $(readelf -rW "$D/$t" | grep -c '^[0-9a-f]\{8,\} ' || true)"
  done
fi

python3 - "$W" <<'PY'
import json, sys, platform, os
w = sys.argv[1]
def med(n, i=-1): return json.load(open(f"{w}/{n}.json"))["results"][i]["median"]
# `true` and `fortune` are the first two commands of every row's own call.
def peer(a, b): return med(a, ("true", "fortune").index(b)) if b in ("true", "fortune") else med(b)
def mem(n):
    try: return int(open(f"{w}/{n}.mem").read().split()[-1]) / 1024
    except Exception: return float("nan")
closer_rows = [
    ("prompt-of-the-day (20 years of answers)", "prompt", "fortune", 0.5),
    ("prompt-of-the-day vs true", "prompt", "true", None),
    ("needs-list --plain, 200 needs", "needs200", "true", 3.0),
    ("needs-list --plain, 200 needs vs task list, 100 tasks", "needs200", "task100", None),
    ("needs-list --plain, 5,000 needs vs task list, 5,000 tasks", "needs5000", "task5000", 0.1),
    ("touch-plan today (2,000 sessions)", "touch", "true", 3.0),
    ("couple today (20 years of answers, 500 needs)", "today", "true", 3.0),
    ("export markdown (20 years) vs jrnl --export markdown (7,300)", "export_md", "jrnl_md", 0.1),
    ("export json (20 years) vs jrnl --export json (7,300)", "export_json", "jrnl_json", None),
    ("encrypted: prompt-of-the-day (20 years of answers)", "eprompt", "fortune", 0.5),
    ("encrypted: needs-list --plain, 200 needs", "eneeds200", "true", 3.0),
    ("encrypted: touch-plan today (2,000 sessions)", "etouch", "true", 3.0),
    ("encrypted: couple today (20 years of answers, 500 needs)", "etoday", "true", 3.0),
    ("encrypted: export markdown (20 years) vs jrnl --export markdown", "eexport_md", "jrnl_md", 0.15),
]
# Every closer row twice: the static build, then the plain dynamic one.
rows = [
    (f"{label} [{kind}]", f"{a}_{b}", peer, target)
    for b, kind in (("s", "static"), ("d", "dynamic"))
    for label, a, peer, target in closer_rows
]
print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}")
print(f"{'benchmark':72} {'median':>9} {'peer':>9} {'ratio':>7} {'target':>7} {'peak MiB':>8}")
for label, a, b, target in rows:
    ma, mb = med(a), peer(a, b)
    ratio = ma / mb
    t = f"<= {target}" if target else ""
    ok = "" if target is None else ("ok" if ratio <= target else "MISSED")
    print(f"{label:72} {ma*1000:7.2f}ms {mb*1000:7.2f}ms {ratio:7.3f} {t:>7} {mem(a):8.1f} {ok}")
spread = lambda i: f"{min(med(a, i) for _, a, _, _ in rows)*1000:.2f}-{max(med(a, i) for _, a, _, _ in rows)*1000:.2f}ms"
print(f"{'peers':72} true {spread(0)}, fortune {spread(1)} (medians over the rows' calls)")
print(f"{'':72} task list 5,000 {med('task5000')*1000:.1f}ms, jrnl markdown {med('jrnl_md')*1000:.0f}ms")
PY
