# shellcheck shell=bash disable=SC2034  # the variables set here are read by backup.sh and restore.sh
# The storage settings of a Stepwise installation, read the way the server reads them; sourced by
# backup.sh and restore.sh. load_settings ENV_FILE WORKDIR sets:
#   database_url, db_kind (sqlite | postgresql), sqlite_path (absolute, SQLite only),
#   data_dir (absolute), blob_kind (file | s3), blob_dir (absolute, file only)
# Precedence: ENV_FILE (what the service runs with), the environment, WORKDIR/.env, the defaults.
# An empty value means the default, as for the server.

# The last value of KEY in an env file, parsed as the server parses .env (core/config.cpp):
# comments, `export `, surrounding quotes, a trailing " # comment".
_env_file_value() {
  local file=$1 key=$2 line k v found=''
  [ -n "$file" ] && [ -f "$file" ] || return 0
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line#"${line%%[![:space:]]*}"}"
    line="${line%"${line##*[![:space:]]}"}"
    case "$line" in ''|'#'*) continue ;; esac
    line="${line#export }"
    case "$line" in *=*) ;; *) continue ;; esac
    k="${line%%=*}"; k="${k%"${k##*[![:space:]]}"}"
    [ "$k" = "$key" ] || continue
    v="${line#*=}"; v="${v#"${v%%[![:space:]]*}"}"
    if [ ${#v} -ge 2 ] && { [ "${v:0:1}" = '"' ] || [ "${v:0:1}" = "'" ]; } && [ "${v: -1}" = "${v:0:1}" ]; then
      v="${v:1:${#v}-2}"
    elif [[ "$v" == *" #"* ]]; then
      v="${v%% #*}"; v="${v%"${v##*[![:space:]]}"}"
    fi
    found=$v
  done <"$file"
  printf '%s' "$found"
}

_setting() {  # _setting KEY DEFAULT
  local v
  v=$(_env_file_value "$_settings_env_file" "$1")
  [ -n "$v" ] || v=${!1:-}
  [ -n "$v" ] || v=$(_env_file_value "$_settings_workdir/.env" "$1")
  [ -n "$v" ] || v=$2
  printf '%s' "$v"
}

_absolute() {  # a path as the server sees it from its working directory
  case "$1" in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$_settings_workdir" "${1#./}" ;; esac
}

load_settings() {
  _settings_env_file=$1
  if [ -n "$_settings_env_file" ] && [ ! -r "$_settings_env_file" ]; then
    echo "cannot read $_settings_env_file" >&2
    return 1
  fi
  _settings_workdir=$(cd "$2" 2>/dev/null && pwd) || { echo "no such directory: $2" >&2; return 1; }
  database_url=$(_setting DATABASE_URL 'sqlite:///./app.db')
  data_dir=$(_absolute "$(_setting DATA_DIR ./data)")
  case "$database_url" in
    sqlite:///*)
      db_kind=sqlite
      sqlite_path=${database_url#sqlite://}
      sqlite_path=${sqlite_path#/}
      sqlite_path=$(_absolute "${sqlite_path%%\?*}")
      ;;
    postgresql://*|postgres://*) db_kind=postgresql; sqlite_path='' ;;
    *) echo "DATABASE_URL must start with sqlite:/// or postgresql://" >&2; return 1 ;;
  esac
  local storage_url
  storage_url=$(_setting STORAGE_URL '')
  case "$storage_url" in
    '') blob_kind='file'; blob_dir=$data_dir/blobs ;;
    file://*) blob_kind='file'; blob_dir=$(_absolute "${storage_url#file://}") ;;
    s3://*) blob_kind=s3; blob_dir='' ;;
    *) echo "STORAGE_URL must start with file:// or s3://" >&2; return 1 ;;
  esac
}
