#!/usr/bin/env bash
# deploy.sh: one command from a function module to a working Dialogflow CX
# webhook. Deploys the function behind IAM with gcloud, then wires it to its
# agents with cmd/cxhook. Safe to rerun. ./deploy.sh --help for the flags.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: ./deploy.sh --project P --region R [options]

Deploys a Go function module (this checkout's root, or --source DIR) as an
HTTP function that only IAM-allowed callers reach
(--no-allow-unauthenticated), then makes sure each agent project's
Dialogflow service agent exists and may invoke it, and that each agent has
a Webhook resource calling it with the service agent's ID token. Every step
changes only what differs: rerun it after any change.

Required:
  --project P            project ID of the function
  --region R             region of the function, e.g. us-central1

Options:
  --source DIR           the function's Go module, in any repository
                         (default: this checkout's root). It must register
                         its handler as functions.HTTP("Webhook", ...) in its
                         root package, and its go line must fit a Go runtime
                         of Cloud Functions; the runtime follows it (go 1.25.0:
                         go125). A replace to a directory outside DIR needs
                         the module vendored (go mod vendor): gcloud uploads
                         DIR alone, as its .gcloudignore filters it.
  --agent NAME           an agent that calls the function,
                         projects/A/locations/L/agents/ID; repeat for several
                         agents, in any projects. Without it the agent is
                         taken to be in P and you add the Webhook resource
                         yourself (the last step prints how).
  --name NAME            function name and the Webhook resource's display
                         name (default cxhook)
  --gen1                 deploy a 1st gen function (default: 2nd gen)
  --webhook-timeout D    how long Dialogflow waits for each call, e.g. 5s,
                         4.5s or 800ms; at most 30s (default 5s). Sets the
                         Webhook resource's timeout, the function's
                         CXHOOK_WEBHOOK_TIMEOUT and its own --timeout (D
                         rounded up to whole seconds).
  --min-instances N      instances kept warm to avoid cold starts (costs
                         money while idle; default: the platform's, 0)
  --concurrency N        requests per instance, 2nd gen only (default: the
                         platform's); above 1 needs 1 vCPU: --memory 512Mi --cpu 1
  --memory M             memory per instance, e.g. 512Mi (1st gen: 512MB);
                         the function's GOMEMLIMIT is set to 85% of it (of
                         the deployed function's memory without --memory, of
                         256M for a new function), so that a burst makes
                         the garbage collector work harder instead of
                         getting the instance killed; run deploy.sh with
                         GOMEMLIMIT set (e.g. GOMEMLIMIT=300MiB) to deploy
                         that value instead
  --cpu C                vCPUs per instance, 2nd gen only; needs --memory
  --dry-run              check the module and the flags, print what would be
                         run, and call nothing
  -h, --help             this help

Needs gcloud, logged in (gcloud auth login), and Go to build cmd/cxhook,
which runs as gcloud's account. Environment: gcloud's own (CLOUDSDK_*,
including the endpoint overrides and CLOUDSDK_AUTH_ACCESS_TOKEN_FILE, which
cxhook honours too); GOMEMLIMIT, deployed as it is instead of 85% of the
memory; CXHOOK_CLI=path runs a built cmd/cxhook instead.
EOF
}

fail() {
  printf 'deploy.sh: %s\n' "$*" >&2
  exit 2
}

say() {
  printf 'deploy.sh: %s\n' "$*" >&2
}

# quote sets quoted to its argument as a shell word: bare if that is safe,
# else in single quotes.
quote() {
  local sq="'" esc="'\\''"
  quoted=$1
  [[ $quoted =~ ^[-A-Za-z0-9_./:=@%+,]+$ ]] || quoted="$sq${quoted//$sq/$esc}$sq"
}

# show prints a command so that it can be pasted into a shell, with lines
# broken by backslashes before 100 columns, between flags: a --flag and
# its separate value stay together.
show() {
  local unit line="  $1" quoted
  shift
  while [[ $# -gt 0 ]]; do
    quote "$1"
    unit=$quoted
    if [[ $1 == --* && $1 != *=* && $# -gt 1 && $2 != -* ]]; then
      quote "$2"
      unit+=" $quoted"
      shift
    fi
    shift
    if ((${#line} + 1 + ${#unit} > 98)); then
      printf '%s \\\n' "$line"
      line="      $unit"
    else
      line+=" $unit"
    fi
  done
  printf '%s\n' "$line"
}

project=""
region=""
name="cxhook"
gen1=false
dry_run=false
source=""
min_instances=""
concurrency=""
memory=""
cpu=""
webhook_timeout="5s"
agents=()

# Accept --flag=value as well as --flag value.
args=()
for arg in "$@"; do
  case $arg in
    --*=*) args+=("${arg%%=*}" "${arg#*=}") ;;
    *) args+=("$arg") ;;
  esac
done
set -- ${args[@]+"${args[@]}"}

while [[ $# -gt 0 ]]; do
  flag=$1
  case $flag in
    -h | --help)
      usage
      exit 0
      ;;
    --gen1) gen1=true; shift; continue ;;
    --dry-run) dry_run=true; shift; continue ;;
    --project | --region | --agent | --name | --webhook-timeout | --min-instances | --concurrency | --memory | --cpu | --source)
      [[ $# -ge 2 && -n $2 ]] || fail "$flag needs a value (see --help)"
      value=$2
      shift 2
      ;;
    *) fail "unknown argument: $flag (see --help)" ;;
  esac
  case $flag in
    --project) project=$value ;;
    --region) region=$value ;;
    --agent) agents+=("$value") ;;
    --name) name=$value ;;
    --webhook-timeout) webhook_timeout=$value ;;
    --min-instances) min_instances=$value ;;
    --concurrency) concurrency=$value ;;
    --memory) memory=$value ;;
    --cpu) cpu=$value ;;
    --source) source=$value ;;
  esac
done

# Validate everything before calling anything.
[[ -n $project ]] || fail "--project is required (see --help)"
[[ -n $region ]] || fail "--region is required (see --help)"
[[ $project =~ ^[a-z][-a-z0-9]{4,28}[a-z0-9]$ ]] ||
  fail "--project $project: want a project ID, 6 to 30 lowercase letters, digits or hyphens, starting with a letter"
[[ $region =~ ^[a-z]+-[a-z]+[0-9]+$ ]] || fail "--region $region: want a region such as us-central1"
[[ $name =~ ^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$ ]] ||
  fail "--name $name: want up to 63 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen"
for agent in ${agents[@]+"${agents[@]}"}; do
  [[ $agent =~ ^projects/[^/]+/locations/[^/]+/agents/[^/]+$ ]] ||
    fail "--agent $agent: want projects/PROJECT/locations/LOCATION/agents/ID (the agent's resource name, from its settings)"
done
if [[ $webhook_timeout =~ ^([0-9]+)(\.([0-9]{1,3}))?s$ ]]; then
  fraction="${BASH_REMATCH[3]}000"
  timeout_ms=$((10#${BASH_REMATCH[1]} * 1000 + 10#${fraction:0:3}))
elif [[ $webhook_timeout =~ ^([0-9]+)ms$ ]]; then
  timeout_ms=$((10#${BASH_REMATCH[1]}))
else
  fail "--webhook-timeout $webhook_timeout: want seconds or milliseconds, such as 5s, 4.5s or 800ms"
fi
((timeout_ms > 0 && timeout_ms <= 30000)) ||
  fail "--webhook-timeout $webhook_timeout: want more than 0 and at most 30s (Dialogflow's limit)"
function_timeout=$(((timeout_ms + 999) / 1000))
if [[ -n $min_instances ]]; then
  [[ $min_instances =~ ^[0-9]{1,4}$ ]] || fail "--min-instances $min_instances: want a whole number from 0 to 1000"
  ((10#$min_instances <= 1000)) || fail "--min-instances $min_instances: want a whole number from 0 to 1000"
fi
if [[ -n $concurrency ]]; then
  [[ $concurrency =~ ^[0-9]{1,4}$ ]] || fail "--concurrency $concurrency: want a whole number from 1 to 1000"
  ((10#$concurrency >= 1 && 10#$concurrency <= 1000)) || fail "--concurrency $concurrency: want a whole number from 1 to 1000"
  [[ $gen1 == false ]] || fail "--concurrency: 1st gen functions serve one request per instance; drop --gen1 or --concurrency"
fi
if [[ -n $memory ]]; then
  [[ $memory =~ ^[0-9]+(\.[0-9]+)?[A-Za-z]*$ ]] || fail "--memory $memory: want a size such as 512Mi or 1Gi (1st gen: 512MB)"
fi
if [[ -n $cpu ]]; then
  [[ $cpu =~ ^([0-9]+|[0-9]*\.[0-9]+|[0-9]+m)$ ]] || fail "--cpu $cpu: want a number of vCPUs such as 1, 0.5 or 2000m"
  [[ $gen1 == false ]] || fail "--cpu: 1st gen functions take their CPU from --memory; drop --cpu"
  [[ -n $memory ]] || fail "--cpu needs --memory too (gcloud sets them together)"
fi
if [[ -n ${GOMEMLIMIT:-} ]]; then
  [[ $GOMEMLIMIT =~ ^([0-9]+(B|KiB|MiB|GiB|TiB)?|off)$ ]] ||
    fail "GOMEMLIMIT=$GOMEMLIMIT in the environment: want a size such as 200MiB or 1GiB, or off (or unset it: deploy.sh then derives it from --memory)"
fi
if [[ -n $source ]]; then
  [[ -d $source ]] || fail "--source $source: no such directory (want the directory of the function's go.mod)"
  source=$(cd "$source" && pwd)
fi

cd "$(dirname "${BASH_SOURCE[0]}")"
# gcloud runs from here: the default source is this checkout's root.
[[ -n $source ]] || source=.

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [[ -n ${CXHOOK_CLI:-} ]]; then
  cli=$CXHOOK_CLI
else
  command -v go >/dev/null || fail "go is not on PATH: install Go, or set CXHOOK_CLI to a built cmd/cxhook"
  say "building cmd/cxhook"
  go build -o "$tmp/cxhook" ./cmd/cxhook
  cli=$tmp/cxhook
fi

# The module must be one Cloud Functions can build and start. The runtime
# follows its go line, so that the two cannot drift: go 1.25.0 -> go125.
runtime=$("$cli" runtime --source "$source") || exit 2

# cxhook runs as the account gcloud uses, with a fresh access token for
# each call, unless CLOUDSDK_AUTH_ACCESS_TOKEN_FILE names a token already.
cxhook() {
  local token=${CLOUDSDK_AUTH_ACCESS_TOKEN_FILE:-}
  if [[ -z $token ]]; then
    token=$tmp/token
    (umask 077 && gcloud auth print-access-token >"$token") ||
      fail "gcloud has no credentials to lend cxhook: run gcloud auth login"
  fi
  CLOUDSDK_AUTH_ACCESS_TOKEN_FILE=$token "$cli" "$@"
}

common=(--project "$project" --region "$region" --name "$name" --webhook-timeout "$webhook_timeout")
for agent in ${agents[@]+"${agents[@]}"}; do
  common+=(--agent "$agent")
done
gen_flag=--gen2
generation="2nd gen"
if [[ $gen1 == true ]]; then
  common+=(--gen1)
  gen_flag=--no-gen2
  generation="1st gen"
fi
# cxhook env also derives GOMEMLIMIT from the memory (or passes on the
# GOMEMLIMIT of this environment).
env_args=("${common[@]}")
[[ -z $memory ]] || env_args+=(--memory "$memory")

# deploy_command sets deploy to the gcloud command, given the environment
# (KEY=VALUE lines). gcloud's ^|^ prefix makes | the separator, as the
# values hold commas.
deploy_command() {
  local env="^|^" sep="" line
  while IFS= read -r line; do
    [[ $line != *"|"* ]] || fail "environment value holds a '|': $line"
    env+="$sep$line"
    sep="|"
  done <<<"$1"
  deploy=(gcloud functions deploy "$name" "--project=$project" "--region=$region" "$gen_flag"
    "--runtime=$runtime" --trigger-http --no-allow-unauthenticated --entry-point=Webhook "--source=$source"
    "--timeout=${function_timeout}s" "--update-env-vars=$env")
  [[ -z $min_instances ]] || deploy+=("--min-instances=$min_instances")
  [[ -z $concurrency ]] || deploy+=("--concurrency=$concurrency")
  [[ -z $memory ]] || deploy+=("--memory=$memory")
  [[ -z $cpu ]] || deploy+=("--cpu=$cpu")
}

if [[ $dry_run == true ]]; then
  # Stop before printing anything if cxhook refuses the flags.
  env=$("$cli" env "${env_args[@]}" --dry-run) || exit
  plan=$("$cli" setup "${common[@]}" --dry-run) || exit
  echo "deploy.sh: dry run: nothing is deployed or changed. It would run:"
  deploy_command "$env"
  show "${deploy[@]}"
  show cxhook setup "${common[@]}"
  printf '%s\n' "$plan" | sed 's/^/    /'
  exit 0
fi

say "looking up the function's environment"
env=$(cxhook env "${env_args[@]}")
deploy_command "$env"
where=$source
[[ $where != . ]] || where=$PWD
say "deploying $where as $name ($generation, $runtime) to $project/$region"
"${deploy[@]}"
say "wiring $name to its agents"
cxhook setup "${common[@]}"
say "done"
