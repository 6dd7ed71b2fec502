#!/usr/bin/env bash
# Checks of deploy/ that need neither a Docker engine nor a Kubernetes cluster:
#   - every YAML file parses, and the Grafana dashboard JSON parses;
#   - every metric name in the alert rules and the dashboard is one the node exports (list below) or a
#     standard JVM/process/up metric, with labels those metrics have and real gRPC status code names;
#   - the Dockerfile runs the `raftcache` launcher with `node` on a JDK image, with the launcher's layout;
#   - every node flag and RAFTCACHE_* variable used in deploy/ exists (list below, and the node's own
#     `node --help` when a built jar is there);
#   - no flag of jvm.options is repeated in deploy/ (the launcher passes them all as @jvm.options);
#   - the Kubernetes and compose files agree with each other (ports, probes, selectors, memory, mounts);
#   - with promtool / kubectl / shellcheck installed: rule and config checks, alert unit tests, the
#     dashboard's PromQL, the kustomization build, and a lint of this script.
# Usage: deploy/check.sh   (from anywhere; exits non-zero when a check fails)
set -uo pipefail

DEPLOY="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$DEPLOY")"

# ---- what deploy/ may use --------------------------------------------------------------------------------
# Flags of `raftcache node`; each also reads RAFTCACHE_<FLAG_IN_UPPER_SNAKE> (--max-memory: RAFTCACHE_MAX_MEMORY).
NODE_FLAGS="config node-id host port metrics-port data-dir max-memory max-value-bytes partitions namespace-ttl cluster-id peers snapshot-interval
expiry-interval access-resolution average-value-bytes join replication-factor region zone postgres-url postgres-user auth
cluster-secret-file tls-cert tls-key tls-ca encryption-key-file help"
# Secrets the node reads only from its environment, never from a flag (so they stay out of process listings).
NODE_SECRET_ENV="RAFTCACHE_CLUSTER_SECRET RAFTCACHE_POSTGRES_PASSWORD RAFTCACHE_ENCRYPTION_KEYS"
# Flags of the client subcommands (get, set, del, stats); --target also reads RAFTCACHE_TARGET.
CLIENT_FLAGS="target confirm ttl token tls-ca help"
# Variables the launcher script itself reads (RAFTCACHE_SKIP_BUILD, RAFTCACHE_JAVA_OPTS) are allowed too:
# they are taken from the launcher, not listed here.

# Series the node exports (NodeMetrics), with their labels. Prometheus adds the target labels job and instance.
RAFTCACHE_METRICS="raftcache_requests_total:op,code
raftcache_request_seconds_bucket:op,le
raftcache_request_seconds_sum:op
raftcache_request_seconds_count:op
raftcache_hits_total:
raftcache_misses_total:
raftcache_evictions_total:
raftcache_expirations_total:
raftcache_entries:
raftcache_stored_bytes:
raftcache_offheap_bytes:
raftcache_memory_budget_bytes:
raftcache_partitions:"
# Standard series: Prometheus' up, and what simpleclient_hotspot's DefaultExports registers (0.16).
STANDARD_METRICS="up:
process_cpu_seconds_total:
process_max_fds:
process_open_fds:
process_resident_memory_bytes:
process_start_time_seconds:
process_virtual_memory_bytes:
jvm_info:runtime,vendor,version
jvm_buffer_pool_capacity_bytes:pool
jvm_buffer_pool_used_buffers:pool
jvm_buffer_pool_used_bytes:pool
jvm_classes_currently_loaded:
jvm_classes_loaded_total:
jvm_classes_unloaded_total:
jvm_gc_collection_seconds_count:gc
jvm_gc_collection_seconds_sum:gc
jvm_memory_bytes_committed:area
jvm_memory_bytes_init:area
jvm_memory_bytes_max:area
jvm_memory_bytes_used:area
jvm_memory_objects_pending_finalization:
jvm_memory_pool_allocated_bytes_total:pool
jvm_memory_pool_bytes_committed:pool
jvm_memory_pool_bytes_init:pool
jvm_memory_pool_bytes_max:pool
jvm_memory_pool_bytes_used:pool
jvm_memory_pool_collection_committed_bytes:pool
jvm_memory_pool_collection_init_bytes:pool
jvm_memory_pool_collection_max_bytes:pool
jvm_memory_pool_collection_used_bytes:pool
jvm_threads_current:
jvm_threads_daemon:
jvm_threads_deadlocked:
jvm_threads_deadlocked_monitor:
jvm_threads_peak:
jvm_threads_started_total:
jvm_threads_state:state"

# ---- reporting -------------------------------------------------------------------------------------------
passed=0 failed=0 skipped=0
ok()   { passed=$((passed + 1)); printf 'ok    %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL  %s\n' "$*"; }
skip() { skipped=$((skipped + 1)); printf 'skip  %s\n' "$*"; }
note() { printf '      %s\n' "$*"; }
indented() { local line; while IFS= read -r line; do printf '      %s\n' "$line"; done; }

echo "Checking $DEPLOY"

# ---- python3 and its yaml module -------------------------------------------------------------------------
PY="" YAML_SKIP_REASON=""
find_python() {
  local p
  for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import yaml' >/dev/null 2>&1; then
      PY="$p"
      return 0
    fi
  done
  return 1
}
if ! find_python; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "python3 cannot import yaml: installing Debian's python3-yaml"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-yaml; } >/dev/null 2>&1; then
      YAML_SKIP_REASON="installing python3-yaml with apt-get failed"
    fi
    find_python || YAML_SKIP_REASON="${YAML_SKIP_REASON:-python3-yaml installed, but no python3 can import yaml}"
  elif [ "$(id -u)" != 0 ]; then
    YAML_SKIP_REASON="python3 cannot import yaml and this is not root, so python3-yaml cannot be installed"
  else
    YAML_SKIP_REASON="python3 cannot import yaml and apt-get is not available"
  fi
  if [ -z "$PY" ]; then
    for p in python3 /usr/bin/python3; do
      if command -v "$p" >/dev/null 2>&1; then PY="$p"; break; fi
    done
  fi
fi

# ---- the node's own --help, when a jar is built ----------------------------------------------------------
HELP_FLAGS=""
JAR="$ROOT/node/target/raftcache-node.jar"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
if [ ! -f "$JAR" ]; then
  skip "flags against \`raftcache node --help\`: ${JAR#"$ROOT"/} is not built (only the list in this script is used)"
elif ! command -v "$JAVA" >/dev/null 2>&1; then
  skip "flags against \`raftcache node --help\`: no java found"
else
  if help_out=$(cd "$ROOT" && timeout 60 "$JAVA" @jvm.options -jar node/target/raftcache-node.jar node --help 2>&1); then
    HELP_FLAGS=$(grep -oE -- '--[a-z][a-z0-9-]*' <<<"$help_out" | sort -u | tr '\n' ' ')
    if [ -z "$HELP_FLAGS" ]; then
      skip "flags against \`raftcache node --help\`: its output lists no --flags"
      note "first line: $(head -n 1 <<<"$help_out")"
    else
      note "\`raftcache node --help\` lists: $HELP_FLAGS"
    fi
  else
    skip "flags against \`raftcache node --help\`: it did not work (exit status $?)"
    note "first line: $(head -n 1 <<<"$help_out")"
  fi
fi

# ---- the checks that parse files -------------------------------------------------------------------------
DASH_RULES="$(mktemp "${TMPDIR:-/tmp}/raftcache-dashboard-rules.XXXXXX")"
PY_ERRORS="$(mktemp "${TMPDIR:-/tmp}/raftcache-check-errors.XXXXXX")"
trap 'rm -f "$DASH_RULES" "$PY_ERRORS"' EXIT
if [ -z "$PY" ]; then
  fail "python3 is not installed: the YAML, JSON, metric, Dockerfile, flag and consistency checks cannot run"
else
  [ -n "$YAML_SKIP_REASON" ] && note "without the yaml module: $YAML_SKIP_REASON"
  while IFS=$'\t' read -r status message; do
    case "$status" in
      OK) ok "$message" ;;
      FAIL) fail "$message" ;;
      SKIP) skip "$message" ;;
      NOTE) note "$message" ;;
      *) fail "check.sh: unexpected output from the python checks: $status $message" ;;
    esac
  done < <(
    DEPLOY="$DEPLOY" ROOT="$ROOT" YAML_SKIP_REASON="$YAML_SKIP_REASON" HELP_FLAGS="$HELP_FLAGS" \
    NODE_FLAGS="$NODE_FLAGS" CLIENT_FLAGS="$CLIENT_FLAGS" NODE_SECRET_ENV="$NODE_SECRET_ENV" \
    RAFTCACHE_METRICS="$RAFTCACHE_METRICS" STANDARD_METRICS="$STANDARD_METRICS" DASH_RULES="$DASH_RULES" \
    "$PY" - <<'PYTHON' 2>"$PY_ERRORS" || printf 'FAIL\tthe python checks stopped with an error:\n'
import json
import os
import re
from pathlib import Path

DEPLOY = Path(os.environ["DEPLOY"])
ROOT = Path(os.environ["ROOT"])
SELF = DEPLOY / "check.sh"
try:
    import yaml
except ImportError:
    yaml = None


def out(status, message):
    print(f"{status}\t{message}", flush=True)


def rel(path):
    return str(Path(path).relative_to(ROOT))


def split_words(text):
    return [w for w in re.split(r"\s+", text) if w]


NODE_FLAGS = {"--" + f for f in split_words(os.environ["NODE_FLAGS"])}
CLIENT_FLAGS = {"--" + f for f in split_words(os.environ["CLIENT_FLAGS"])}
FLAGS_BY_SUBCOMMAND = {"node": NODE_FLAGS, "get": CLIENT_FLAGS, "set": CLIENT_FLAGS,
                       "del": CLIENT_FLAGS, "stats": CLIENT_FLAGS}
HELP_FLAGS = set(split_words(os.environ.get("HELP_FLAGS", "")))


def env_name(flag):
    return "RAFTCACHE_" + flag[2:].upper().replace("-", "_")


NODE_ENV = {env_name(f) for f in NODE_FLAGS if f != "--help"}
CLIENT_ENV = {env_name(f) for f in CLIENT_FLAGS if f != "--help"}
LAUNCHER = ROOT / "raftcache"
LAUNCHER_ENV = set(re.findall(r"\bRAFTCACHE_[A-Z0-9_]+", LAUNCHER.read_text())) if LAUNCHER.is_file() else set()
ALLOWED_ENV = NODE_ENV | CLIENT_ENV | LAUNCHER_ENV | set(split_words(os.environ.get("NODE_SECRET_ENV", "")))


def metric_table(text):
    table = {}
    for line in text.strip().splitlines():
        name, _, labels = line.strip().partition(":")
        table[name] = {l for l in labels.split(",") if l}
    return table


RAFTCACHE_METRICS = metric_table(os.environ["RAFTCACHE_METRICS"])
STANDARD_METRICS = metric_table(os.environ["STANDARD_METRICS"])
METRICS = {**RAFTCACHE_METRICS, **STANDARD_METRICS}
# Names that may appear in prose: the series above plus the histogram/summary family names.
METRIC_WORDS = set(METRICS) | {"raftcache_request_seconds", "jvm_gc_collection_seconds"}
TARGET_LABELS = {"job", "instance"}
GRPC_CODES = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
              "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED",
              "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"}
PROMQL_FUNCTIONS = {
    # aggregations
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
    "quantile",
    # functions
    "abs", "absent", "absent_over_time", "ceil", "changes", "clamp", "clamp_max", "clamp_min", "day_of_month",
    "day_of_week", "day_of_year", "days_in_month", "delta", "deriv", "exp", "floor", "histogram_quantile",
    "holt_winters", "hour", "idelta", "increase", "irate", "label_join", "label_replace", "ln", "log2", "log10",
    "minute", "month", "predict_linear", "rate", "resets", "round", "scalar", "sgn", "sort", "sort_desc",
    "sqrt", "time", "timestamp", "vector", "year", "avg_over_time", "min_over_time", "max_over_time",
    "sum_over_time", "count_over_time", "quantile_over_time", "stddev_over_time", "stdvar_over_time",
    "last_over_time", "present_over_time",
}
PROMQL_KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan", "by", "without", "on", "ignoring",
                   "group_left", "group_right"}

ALL_FILES = sorted(p for p in DEPLOY.rglob("*") if p.is_file())
YAML_FILES = [p for p in ALL_FILES if p.suffix in (".yml", ".yaml")]
TEXT_FILES = [p for p in ALL_FILES if p != SELF]
DOCKERFILE = DEPLOY / "Dockerfile"
ALERTS = DEPLOY / "prometheus" / "alerts.yml"
DASHBOARD = DEPLOY / "grafana" / "raftcache-dashboard.json"
COMPOSE = DEPLOY / "compose.yaml"
K8S = DEPLOY / "kubernetes"

# ---- YAML and JSON parse -----------------------------------------------------------------------------------
docs = {}
if yaml is None:
    out("SKIP", f"YAML parsing of {len(YAML_FILES)} files: {os.environ.get('YAML_SKIP_REASON') or 'no yaml module'}")
else:
    for path in YAML_FILES:
        try:
            docs[path] = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
            out("OK", f"YAML parses: {rel(path)} ({len(docs[path])} document{'s' if len(docs[path]) != 1 else ''})")
        except yaml.YAMLError as e:
            out("FAIL", f"YAML does not parse: {rel(path)}: {str(e).splitlines()[0]}")

dashboard = None
try:
    dashboard = json.loads(DASHBOARD.read_text())
    n = sum(1 for p in dashboard.get("panels", []) if p.get("type") != "row")
    out("OK", f"JSON parses: {rel(DASHBOARD)} ({n} panels)")
except (OSError, ValueError) as e:
    out("FAIL", f"JSON does not parse: {rel(DASHBOARD)}: {e}")

# ---- metric names ------------------------------------------------------------------------------------------


def strip_yaml_comments(text):
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def alert_exprs():
    """(where, expr) for every rule of alerts.yml; from the parsed YAML, or read from the text without yaml."""
    if ALERTS in docs:
        for doc in docs[ALERTS]:
            for group in doc.get("groups", []):
                for rule in group.get("rules", []):
                    yield rule.get("alert") or rule.get("record"), str(rule.get("expr", ""))
        return
    lines = ALERTS.read_text().splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"^(\s*)(?:- )?expr:\s*(.*)$", lines[i])
        i += 1
        if not m:
            continue
        indent, rest = len(m.group(1)), m.group(2).strip()
        if rest[:1] in ("|", ">"):
            block = []
            while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
                block.append(lines[i])
                i += 1
            yield "expr", "\n".join(block)
        else:
            yield "expr", rest.strip("'\"")


def dashboard_exprs():
    found = []

    def walk(node, title):
        if isinstance(node, dict):
            title = node.get("title", title)
            for key, value in node.items():
                if key == "expr" and isinstance(value, str):
                    found.append((title, value))
                else:
                    walk(value, title)
        elif isinstance(node, list):
            for value in node:
                walk(value, title)

    if dashboard is not None:
        walk(dashboard.get("panels", []), "panel")
        for var in dashboard.get("templating", {}).get("list", []):
            if var.get("type") == "query":
                q = var.get("query")
                q = q.get("query", "") if isinstance(q, dict) else q
                if q:
                    found.append((f"variable {var.get('name')}", q))
    return found


def check_expr(where, expr, problems):
    """Metric names, labels and code values of one PromQL expression (Grafana variables allowed)."""
    expr = re.sub(r"\$\{[^}]*\}|\$\w+", "x", expr)  # Grafana variables: inside strings or as a range
    m = re.fullmatch(r"\s*label_values\((.*),\s*(\w+)\s*\)\s*", expr, re.S)
    extra_labels = []
    if m:  # Grafana's label_values(selector, label)
        expr, extra_labels = m.group(1), [m.group(2)]
    elif re.fullmatch(r"\s*label_values\(\s*(\w+)\s*\)\s*", expr):
        return []
    used = []
    # Selectors with their matchers, before strings are blanked.
    for sel in re.finditer(r"([A-Za-z_:][A-Za-z0-9_:]*)?\s*\{([^{}]*)\}", expr):
        for lm in re.finditer(r"([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*\"((?:[^\"\\]|\\.)*)\"", sel.group(2)):
            label, value = lm.group(1), lm.group(3)
            extra_labels.append(label)
            if label == "code" and re.fullmatch(r"[A-Z_]+(\|[A-Z_]+)*", value):
                for code in value.split("|"):
                    if code not in GRPC_CODES:
                        problems.append(f"{where}: code \"{code}\" is not a gRPC status code name")
    s = re.sub(r"\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'", '""', expr)
    s = re.sub(r"\{[^{}]*\}", " ", s)
    s = re.sub(r"\[[^\]]*\]", " ", s)
    for clause in re.finditer(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^()]*)\)", s):
        extra_labels += [l.strip() for l in clause.group(1).split(",") if l.strip()]
    s = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)", " ", s)
    s = re.sub(r"\boffset\s+-?[0-9a-z]+", " ", s)
    s = re.sub(r"(?<![A-Za-z0-9_:])\d+(?:\.\d*)?(?:[eE][+-]?\d+)?", " ", s)
    for tok in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", s):
        name = tok.group(0)
        if name.lower() in PROMQL_KEYWORDS:
            continue
        if s[tok.end():].lstrip().startswith("("):
            if name not in PROMQL_FUNCTIONS:
                problems.append(f"{where}: unknown PromQL function {name}()")
        elif name not in METRICS:
            problems.append(f"{where}: metric {name} is not exported by the node nor a standard jvm_/process_/up metric")
        else:
            used.append(name)
    known_labels = set(TARGET_LABELS)
    for name in used:
        known_labels |= METRICS[name]
    for label in extra_labels:
        if label not in known_labels:
            problems.append(f"{where}: label {label} belongs to none of {sorted(set(used)) or 'its metrics'}"
                            f" (nor is it a target label)")
    return used


for path, exprs in ((ALERTS, list(alert_exprs())), (DASHBOARD, dashboard_exprs())):
    if not path.is_file():
        out("FAIL", f"{rel(path)} is missing")
        continue
    problems, used = [], set()
    for where, expr in exprs:
        used |= set(check_expr(where, expr, problems))
    # And every metric-like word anywhere in the file (comments aside), annotations and descriptions included.
    text = strip_yaml_comments(path.read_text()) if path.suffix != ".json" else path.read_text()
    for word in sorted(set(re.findall(r"\b(?:raftcache|jvm|process)_[a-z0-9_]+\b", text))):
        if word not in METRIC_WORDS:
            problems.append(f"{word} (in the text) is not a known metric name")
    if problems:
        for p in problems:
            out("FAIL", f"{rel(path)}: {p}")
    elif not exprs:
        out("FAIL", f"{rel(path)}: no PromQL expressions found")
    else:
        out("OK", f"metric names, labels and codes in {rel(path)}: {len(exprs)} expressions, "
                  f"{len(used)} series: {', '.join(sorted(used))}")

# ---- Dockerfile ------------------------------------------------------------------------------------------


def dockerfile_stages(text):
    text = re.sub(r"\\\n", " ", "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#")))
    stages = []
    for line in text.splitlines():
        if not line.strip():
            continue
        instr, _, args = line.strip().partition(" ")
        instr = instr.upper()
        if instr == "FROM":
            stages.append({"from": args.split()[0], "instructions": []})
        elif stages:
            stages[-1]["instructions"].append((instr, args.strip()))
    return stages


def exec_form(args):
    try:
        value = json.loads(args)
        if isinstance(value, list):
            return [str(v) for v in value]
    except ValueError:
        pass
    return ["/bin/sh", "-c", args]


image_env = {}
if not DOCKERFILE.is_file():
    out("FAIL", "deploy/Dockerfile is missing")
else:
    stages = dockerfile_stages(DOCKERFILE.read_text())
    final = stages[-1] if stages else {"from": "", "instructions": []}
    last = {}
    copies = []
    for instr, args in final["instructions"]:
        last[instr] = args
        if instr == "COPY":
            words = [w for w in args.split() if not w.startswith("--")]
            copies.append((words[:-1], words[-1]))
        if instr == "ENV":
            for key, value in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\S+)", args):
                image_env[key] = value.strip('"')
    entrypoint = exec_form(last.get("ENTRYPOINT", "[]"))
    cmd = exec_form(last.get("CMD", "[]"))
    argv = entrypoint + cmd
    problems = []
    base = final["from"].lower()
    if "jdk" not in base or "jre" in base:
        problems.append(f"the runtime image {final['from']} is not a JDK image (Chronicle Map needs jdk.compiler)")
    if not entrypoint or Path(entrypoint[0]).name != "raftcache":
        problems.append(f"ENTRYPOINT {entrypoint} does not run the raftcache launcher")
    if "node" not in argv[1:2] + cmd[:1]:
        problems.append(f"ENTRYPOINT + CMD {argv} do not run `raftcache node`")
    if any(Path(a).name == "java" for a in argv):
        problems.append("ENTRYPOINT/CMD start java directly instead of the launcher (which adds @jvm.options)")
    if image_env.get("RAFTCACHE_SKIP_BUILD") != "1":
        problems.append("RAFTCACHE_SKIP_BUILD=1 is not set: the launcher would try to run Maven")
    launcher_home = Path(entrypoint[0]).parent if entrypoint and entrypoint[0].startswith("/") else None
    if launcher_home is not None:
        dests = {str(Path(d)) for _, d in copies}
        for wanted in ("raftcache", "jvm.options", "node/target/raftcache-node.jar", "node/target/lib"):
            if str(launcher_home / wanted) not in dests:
                problems.append(f"nothing is copied to {launcher_home / wanted}, where the launcher looks for it")
    user = last.get("USER", "").split(":")[0]
    if not user or user in ("root", "0"):
        problems.append("the runtime stage does not switch to a non-root USER")
    if not {"7070", "9464"} <= set(" ".join(a for i, a in final["instructions"] if i == "EXPOSE").split()):
        problems.append("EXPOSE does not list both 7070 and 9464")
    if "VOLUME" not in last:
        problems.append("no VOLUME for the data directory")
    if problems:
        for p in problems:
            out("FAIL", f"deploy/Dockerfile: {p}")
    else:
        out("OK", f"deploy/Dockerfile: {final['from']} runs {' '.join(argv)} as user {user}, "
                  f"launcher layout under {launcher_home}")

# ---- flags and RAFTCACHE_* variables ---------------------------------------------------------------------
flag_uses = []  # (where, subcommand, flag)
env_uses = []  # (where, name)
INVOCATION = re.compile(r"(?<![\w./-])(?:\S*/)?raftcache(?::[\w.-]+)?\s+(node|get|set|del|stats)\b([^\n|;&#]*)")
for path in TEXT_FILES:
    text = path.read_text(errors="replace").replace("\\\n", " ")
    for m in INVOCATION.finditer(text):
        for flag in re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", m.group(2)):
            flag_uses.append((rel(path), m.group(1), flag))
    for name in re.findall(r"\bRAFTCACHE_[A-Z0-9_]+", text):
        env_uses.append((rel(path), name))


def argv_flags(where, argv):
    """Flags given to `raftcache <subcommand>` in an exec-form argument list."""
    argv = [str(a) for a in argv or []]
    for i, a in enumerate(argv):
        if a in FLAGS_BY_SUBCOMMAND:
            for b in argv[i + 1:]:
                if b.startswith("--"):
                    flag_uses.append((where, a, b.split("=", 1)[0]))
            return


def check_argv(where, args):
    """Arguments that replace the image's CMD: a subcommand first, then its flags."""
    args = [str(a) for a in args]
    if args and args[0] not in FLAGS_BY_SUBCOMMAND:
        out("FAIL", f"{where}: {args} does not start with a raftcache subcommand ({', '.join(FLAGS_BY_SUBCOMMAND)})")
    argv_flags(where, args)


if DOCKERFILE.is_file():
    argv_flags("deploy/Dockerfile ENTRYPOINT/CMD", argv)

# compose: the service built from deploy/Dockerfile (or running a raftcache image)
compose_node = None
if COMPOSE in docs and docs[COMPOSE]:
    for name, svc in (docs[COMPOSE][0].get("services") or {}).items():
        build = svc.get("build") or {}
        if str(svc.get("image", "")).startswith("raftcache") or (
                isinstance(build, dict) and str(build.get("dockerfile", "")).endswith("deploy/Dockerfile")):
            compose_node = (name, svc)
            env = svc.get("environment") or {}
            names = list(env) if isinstance(env, dict) else [str(e).split("=", 1)[0] for e in env]
            for n in names:
                if not n.startswith("RAFTCACHE_"):
                    out("FAIL", f"deploy/compose.yaml: service {name} sets {n}, which is no raftcache setting")
            command = svc.get("command") or []
            check_argv(f"deploy/compose.yaml service {name} command",
                       command.split() if isinstance(command, str) else command)

# kubernetes: the raftcache containers, and the ConfigMaps they read with envFrom
k8s_objects = [d for p, ds in docs.items() if p.parent == K8S for d in ds if isinstance(d, dict) and "kind" in d]
configmaps = {d["metadata"]["name"]: d for d in k8s_objects if d["kind"] == "ConfigMap"}
workloads = [d for d in k8s_objects if d["kind"] in ("StatefulSet", "Deployment", "DaemonSet")]


def node_containers(workload):
    for c in workload["spec"]["template"]["spec"].get("containers", []):
        if c.get("name") == "raftcache" or str(c.get("image", "")).startswith("raftcache"):
            yield c


for w in workloads:
    for c in node_containers(w):
        where = f"deploy/kubernetes {w['kind']}/{w['metadata']['name']}"
        if c.get("command"):
            out("FAIL", f"{where}: the container overrides the image's command (the raftcache launcher)")
        check_argv(f"{where} args", c.get("args") or [])
        for source in c.get("envFrom") or []:
            cm = configmaps.get((source.get("configMapRef") or {}).get("name"))
            for key in (cm or {}).get("data", {}) or {}:
                if not key.startswith("RAFTCACHE_"):  # RAFTCACHE_* names are checked with the others below
                    out("FAIL", f"{where}: ConfigMap {cm['metadata']['name']} key {key} becomes an environment"
                                f" variable of the node that nothing reads")

problems = []
for where, sub, flag in flag_uses:
    if flag not in FLAGS_BY_SUBCOMMAND[sub]:
        problems.append(f"{where}: `raftcache {sub} {flag}` is not a flag of `raftcache {sub}`")
    elif sub == "node" and HELP_FLAGS and flag not in HELP_FLAGS:
        problems.append(f"{where}: `raftcache node {flag}` is not in the node's --help output")
for where, name in env_uses:
    if name not in ALLOWED_ENV:
        problems.append(f"{where}: {name} is neither the variable of a flag listed in check.sh nor one the"
                        f" launcher reads")
    elif HELP_FLAGS and name in NODE_ENV and not any(env_name(f) == name for f in HELP_FLAGS):
        problems.append(f"{where}: {name} matches no flag in the node's --help output")
for p in sorted(set(problems)):
    out("FAIL", p)
if not problems:
    against = "this script's list and the node's --help" if HELP_FLAGS else "this script's list"
    out("OK", f"flags used in deploy/ exist ({against}): "
              f"{', '.join(sorted({f'{s} {f}' for _, s, f in flag_uses})) or 'none'}")
    out("OK", f"RAFTCACHE_* variables used in deploy/ exist: {', '.join(sorted({n for _, n in env_uses}))}")
if HELP_FLAGS:
    missing = sorted(f for f in NODE_FLAGS if f not in HELP_FLAGS)
    if missing:
        out("NOTE", f"in this script's list but not in the node's --help: {', '.join(missing)}")
    unlisted = sorted(f for f in HELP_FLAGS if f not in NODE_FLAGS and f != "--version")
    if unlisted:
        out("NOTE", f"in the node's --help but not in this script's list (so not usable in deploy/ yet): "
                    f"{', '.join(unlisted)}")

# ---- jvm.options is not repeated -------------------------------------------------------------------------
jvm_options = ROOT / "jvm.options"
if not jvm_options.is_file():
    out("FAIL", "jvm.options is missing at the repository root")
else:
    needles = set()
    for line in jvm_options.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        needles.add(line)
        m = re.match(r"^(--add-(?:opens|exports|reads|modules))[= ](.+)$", line)
        if m:
            needles.add(m.group(2))  # the same flag written with a space
        m = re.match(r"^(-D[^=]+)=", line)
        if m:
            needles.add(m.group(1))  # the same property with another value
    hits = [(rel(p), n) for p in ALL_FILES for n in sorted(needles) if n in p.read_text(errors="replace")]
    for where, needle in hits:
        out("FAIL", f"{where} repeats `{needle}` from jvm.options: the launcher already passes @jvm.options")
    if not hits:
        out("OK", f"none of the {len(needles)} jvm.options flags (or their values) is repeated in deploy/")

# ---- Kubernetes files agree with each other and with the image -------------------------------------------
SIZE_UNITS = {"": 1, "b": 1, "k": 2**10, "kb": 2**10, "kib": 2**10, "ki": 2**10, "m": 2**20, "mb": 2**20,
              "mib": 2**20, "mi": 2**20, "g": 2**30, "gb": 2**30, "gib": 2**30, "gi": 2**30, "t": 2**40,
              "ti": 2**40, "tib": 2**40}


def size_bytes(text):
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*", str(text))
    if not m or m.group(2).lower() not in SIZE_UNITS:
        raise ValueError(f"cannot read the size {text!r}")
    return float(m.group(1)) * SIZE_UNITS[m.group(2).lower()]


def container_env(c):
    env = {}
    for source in c.get("envFrom") or []:
        env.update((configmaps.get((source.get("configMapRef") or {}).get("name")) or {}).get("data") or {})
    for e in c.get("env") or []:
        env[e["name"]] = e.get("value", "<from the pod>")
    return env


if yaml is None:
    out("SKIP", "Kubernetes and compose consistency: needs the yaml module")
elif not workloads:
    out("FAIL", "deploy/kubernetes: no StatefulSet found")
else:
    for w in workloads:
        kind_name = f"{w['kind']}/{w['metadata']['name']}"
        spec, pod = w["spec"], w["spec"]["template"]
        pod_labels = pod["metadata"].get("labels", {})
        problems = []

        def selects(selector):
            return bool(selector) and all(pod_labels.get(k) == v for k, v in selector.items())

        if not selects(spec["selector"].get("matchLabels")):
            problems.append("its selector does not match its pod labels")
        services = [d for d in k8s_objects if d["kind"] == "Service" and selects(d["spec"].get("selector"))]
        headless = [s for s in services if s["spec"].get("clusterIP") == "None"]
        if w["kind"] == "StatefulSet":
            if spec.get("replicas") != 3:
                problems.append(f"replicas is {spec.get('replicas')}, not 3")
            if spec.get("serviceName") not in {s["metadata"]["name"] for s in headless}:
                problems.append(f"serviceName {spec.get('serviceName')} is not a headless Service selecting its pods")
            if not spec.get("volumeClaimTemplates"):
                problems.append("no volumeClaimTemplates for the data directory")
        if not [s for s in services if s["spec"].get("clusterIP") != "None"]:
            problems.append("no client Service selects its pods")
        if not [d for d in k8s_objects if d["kind"] == "PodDisruptionBudget"
                and selects(d["spec"].get("selector", {}).get("matchLabels"))]:
            problems.append("no PodDisruptionBudget selects its pods")
        if (pod["spec"].get("terminationGracePeriodSeconds") or 30) < 30:
            problems.append("terminationGracePeriodSeconds is below 30s: the stores may not finish flushing")
        for c in node_containers(w):
            env = {**image_env, **container_env(c)}
            ports = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
            grpc_port = int(env.get("RAFTCACHE_PORT", 7070))
            metrics_port = int(env.get("RAFTCACHE_METRICS_PORT", 9464))
            readiness, liveness = c.get("readinessProbe") or {}, c.get("livenessProbe") or {}
            if (readiness.get("grpc") or {}).get("port") != grpc_port:
                problems.append(f"the readiness probe is not a gRPC probe on the gRPC port {grpc_port}")
            http = liveness.get("httpGet") or {}
            if http.get("path") != "/healthz" or ports.get(http.get("port"), http.get("port")) != metrics_port:
                problems.append(f"the liveness probe is not HTTP GET /healthz on the metrics port {metrics_port}")
            # The pod's own --peers entry (id=host:grpcPort:raftPort) names the raft port, and must use the
            # gRPC port and the headless Service's DNS name; --join must reach the first pod's gRPC port.
            peer = env.get("RAFTCACHE_PEERS", "")
            m = re.fullmatch(r"\$\(RAFTCACHE_NODE_ID\)=\$\(RAFTCACHE_NODE_ID\)\.([a-z0-9-]+):(\d+):(\d+)", peer)
            raft_port = int(m.group(3)) if m else None
            if not m or int(m.group(2)) != grpc_port or m.group(1) not in {s["metadata"]["name"] for s in headless}:
                problems.append(f"RAFTCACHE_PEERS {peer!r} is not this pod's own entry by its headless-Service name"
                                f" on gRPC port {grpc_port}")
            join = env.get("RAFTCACHE_JOIN", "")
            if w["kind"] == "StatefulSet" and join != f"{w['metadata']['name']}-0.{spec.get('serviceName')}:{grpc_port}":
                problems.append(f"RAFTCACHE_JOIN {join!r} does not name the first pod's gRPC address")
            if set(ports.values()) != {grpc_port, raft_port, metrics_port}:
                problems.append(f"containerPorts {sorted(ports.values())} are not the gRPC, raft and metrics ports"
                                f" {[grpc_port, raft_port, metrics_port]}")
            try:
                budget = size_bytes(env.get("RAFTCACHE_MAX_MEMORY", "1GiB"))
                limit = size_bytes(((c.get("resources") or {}).get("limits") or {}).get("memory", "0"))
                if limit < 1.5 * budget:
                    problems.append(f"memory limit {limit / 2**30:.2f} GiB is not comfortably (1.5x) above"
                                    f" RAFTCACHE_MAX_MEMORY {budget / 2**30:.2f} GiB")
            except ValueError as e:
                problems.append(str(e))
            data_dir = env.get("RAFTCACHE_DATA_DIR")
            if data_dir not in {m["mountPath"] for m in c.get("volumeMounts", [])}:
                problems.append(f"the data directory {data_dir} is not a mounted volume")
            if not env.get("RAFTCACHE_NODE_ID"):
                problems.append("RAFTCACHE_NODE_ID is not set")
        for p in problems:
            out("FAIL", f"deploy/kubernetes {kind_name}: {p}")
        if not problems:
            out("OK", f"deploy/kubernetes {kind_name}: selectors, headless/client Services, PDB, probes on"
                      f" the node's ports, memory limit vs RAFTCACHE_MAX_MEMORY, data volume")

    # compose: mounts exist, Prometheus scrapes the node, Grafana loads the dashboard
    problems = []
    compose = docs.get(COMPOSE, [{}])[0] or {}
    for name, svc in (compose.get("services") or {}).items():
        for v in svc.get("volumes") or []:
            src = str(v).split(":")[0]
            if src.startswith("."):
                if not (COMPOSE.parent / src).exists():
                    problems.append(f"service {name} mounts {src}, which does not exist")
    if compose_node is None:
        problems.append("no service builds deploy/Dockerfile")
    else:
        name, svc = compose_node
        build = svc.get("build") or {}
        if not (isinstance(build, dict) and (COMPOSE.parent / build.get("context", ".")).resolve() == ROOT):
            problems.append(f"service {name} does not build with the repository root as context")
        env = svc.get("environment") or {}
        env = env if isinstance(env, dict) else dict(str(e).split("=", 1) for e in env)
        metrics_port = int(env.get("RAFTCACHE_METRICS_PORT", 9464))
        prom = docs.get(DEPLOY / "prometheus" / "prometheus.yml", [{}])[0] or {}
        targets = [t for job in prom.get("scrape_configs", []) if "raftcache" in job.get("job_name", "")
                   for sc in job.get("static_configs", []) for t in sc.get("targets", [])]
        if f"{name}:{metrics_port}" not in targets:
            problems.append(f"prometheus.yml has no job named *raftcache* scraping {name}:{metrics_port}")
        for rule_file in prom.get("rule_files", []):
            if not (DEPLOY / "prometheus" / rule_file).is_file():
                problems.append(f"prometheus.yml loads {rule_file}, which is not in deploy/prometheus/")
        try:
            if size_bytes(svc.get("mem_limit", "0")) < 1.5 * size_bytes(env.get("RAFTCACHE_MAX_MEMORY", "1GiB")):
                problems.append(f"service {name}: mem_limit is not comfortably (1.5x) above RAFTCACHE_MAX_MEMORY")
        except ValueError as e:
            problems.append(str(e))
    providers = docs.get(DEPLOY / "grafana" / "provisioning" / "dashboards" / "raftcache.yml", [{}])[0] or {}
    paths = [p.get("options", {}).get("path") for p in providers.get("providers", [])]
    grafana_mounts = [str(v) for svc in (compose.get("services") or {}).values()
                      for v in svc.get("volumes") or [] if "raftcache-dashboard.json" in str(v)]
    if not any(str(Path(m.split(":")[1]).parent) in paths for m in grafana_mounts):
        problems.append(f"the dashboard is not mounted into a provisioned dashboards path {paths}")
    for p in problems:
        out("FAIL", f"deploy/compose.yaml: {p}")
    if not problems:
        out("OK", "deploy/compose.yaml: builds deploy/Dockerfile from the repository root, Prometheus scrapes the"
                  " node and loads the rules, Grafana loads the dashboard, mounted files exist")

# The dashboard's PromQL for promtool (Grafana's variables replaced), written as JSON (which is YAML).
if dashboard is not None and os.environ.get("DASH_RULES"):
    exprs = [e for _, e in dashboard_exprs() if not e.lstrip().startswith("label_values")]
    rules = [{"record": f"dashboard:expr_{i}",
              "expr": re.sub(r"\$\{?(\w+)\}?", r"\1", re.sub(r"\$__(?:rate_interval|interval|range)", "5m", e))}
             for i, e in enumerate(exprs)]
    Path(os.environ["DASH_RULES"]).write_text(json.dumps({"groups": [{"name": "dashboard", "rules": rules}]}))
PYTHON
  )
  [ -s "$PY_ERRORS" ] && indented <"$PY_ERRORS"
fi

# ---- optional tools --------------------------------------------------------------------------------------
if command -v promtool >/dev/null 2>&1; then
  run_promtool() {
    local what="$1"; shift
    local log
    if log=$(cd "$DEPLOY/prometheus" && promtool "$@" 2>&1); then ok "promtool: $what"; else
      fail "promtool: $what"; head -n 40 <<<"$log" | indented; fi
  }
  run_promtool "check config prometheus.yml (and its rule files)" check config prometheus.yml
  run_promtool "check rules alerts.yml" check rules alerts.yml
  run_promtool "test rules alerts_test.yml (every alert fires on its scenario, and only there)" test rules alerts_test.yml
  if [ -s "$DASH_RULES" ]; then
    run_promtool "every PromQL expression of the dashboard parses" check rules "$DASH_RULES"
  fi
else
  skip "promtool checks (config, rules, alert unit tests, dashboard PromQL): promtool is not installed (Debian package: prometheus)"
fi

if command -v kubectl >/dev/null 2>&1; then
  if log=$(kubectl kustomize "$DEPLOY/kubernetes" 2>&1); then
    ok "kubectl kustomize deploy/kubernetes builds ($(grep -c '^kind:' <<<"$log") objects)"
  else
    fail "kubectl kustomize deploy/kubernetes"; head -n 20 <<<"$log" | indented
  fi
else
  skip "kustomization build: kubectl is not installed"
fi

if command -v shellcheck >/dev/null 2>&1; then
  if log=$(shellcheck "$DEPLOY/check.sh" 2>&1); then ok "shellcheck deploy/check.sh"; else
    fail "shellcheck deploy/check.sh"; head -n 40 <<<"$log" | indented; fi
else
  skip "shellcheck of this script: shellcheck is not installed"
fi

echo
echo "deploy: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
