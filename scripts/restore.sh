#!/usr/bin/env bash
# Puts a backup made by backup.sh into a fresh installation: the database named by DATABASE_URL
# (a SQLite file that does not exist yet, or an empty PostgreSQL database), the blobs into the
# local blob store (DATA_DIR/blobs or STORAGE_URL file://…), and jwt_secret into DATA_DIR. It
# refuses to write over anything that is there: restore into a new DATA_DIR and database, check
# it, then point the service at it. With the server stopped, as the service user:
#   runuser -u stepwise -- /opt/stepwise/current/scripts/restore.sh \
#     --env-file /etc/stepwise/stepwise.env --workdir /var/lib/stepwise /var/backups/stepwise/2026-01-31-0300
# Settings are read as backup.sh reads them. A newer release migrates the restored database
# forward when it starts. S3 blobs are not restored here (docs/deploy.md).
set -euo pipefail

usage() {
  echo "usage: $0 [--env-file FILE] [--workdir DIR] BACKUP_DIR" >&2
  exit 2
}

env_file='' workdir=. src=''
while [ $# -gt 0 ]; do
  case "$1" in
    --env-file) env_file=${2:?}; shift 2 ;;
    --workdir) workdir=${2:?}; shift 2 ;;
    -h|--help) usage ;;
    -*) usage ;;
    *) [ -z "$src" ] || usage; src=$1; shift ;;
  esac
done
[ -n "$src" ] || usage
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/backup-settings.sh
source "$here/backup-settings.sh"
load_settings "$env_file" "$workdir"

fail() { echo "restore: $*" >&2; exit 1; }
[ -f "$src/MANIFEST" ] || fail "$src is not a backup (no MANIFEST)"
backup_db=$(sed -n 's/^database=//p' "$src/MANIFEST")
backup_blobs=$(sed -n 's/^blobs=//p' "$src/MANIFEST")
[ "$backup_db" = "$db_kind" ] || fail "the backup is of a $backup_db database; DATABASE_URL is $db_kind"

# Everything is checked before anything is written.
case "$db_kind" in
  sqlite)
    for f in "$sqlite_path" "$sqlite_path-wal" "$sqlite_path-shm"; do
      [ ! -e "$f" ] || fail "$f exists; restore into a new database file"
    done
    ;;
  postgresql)
    command -v pg_restore >/dev/null || fail "pg_restore not found (apt-get install postgresql-client)"
    tables=$(psql "$database_url" -X -At -c \
      "SELECT COUNT(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')") \
      || fail "cannot reach the database of DATABASE_URL (create it first, empty)"
    [ "$tables" = 0 ] || fail "the database of DATABASE_URL has $tables tables; restore into an empty database"
    ;;
esac
if [ "$blob_kind" = file ] && [ -d "$blob_dir" ] && [ -n "$(ls -A "$blob_dir")" ]; then
  fail "$blob_dir is not empty; restore into a new DATA_DIR (or STORAGE_URL directory)"
fi
if [ -f "$src/jwt_secret" ] && [ -e "$data_dir/jwt_secret" ] && ! cmp -s "$src/jwt_secret" "$data_dir/jwt_secret"; then
  fail "$data_dir/jwt_secret exists and differs from the backup's"
fi

case "$db_kind" in
  sqlite)
    mkdir -p "$(dirname "$sqlite_path")"
    tmp="$sqlite_path.restore.$$"
    trap 'rm -f "$tmp"' EXIT
    cp "$src/database.sqlite" "$tmp"
    python3 - "$tmp" <<'PY'
import sqlite3, sys
con = sqlite3.connect(f"file:{sys.argv[1]}?mode=rw", uri=True)
check = con.execute("PRAGMA integrity_check").fetchone()[0]
if check != "ok":
    sys.exit(f"restore: the backup's database fails PRAGMA integrity_check: {check}")
con.close()
PY
    mv "$tmp" "$sqlite_path"
    trap - EXIT
    ;;
  postgresql)
    # One transaction: a restore that fails leaves the database empty, not half filled.
    pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
      --dbname="$database_url" "$src/database.pgdump"
    ;;
esac

if [ "$blob_kind" = file ]; then
  if [ "$backup_blobs" = file ]; then
    mkdir -p "$blob_dir"
    tar -C "$src/blobs" -cf - . | tar -C "$blob_dir" -xf -
  else
    echo "restore: the backup holds no blobs (they were in S3); screenshots stay where they were" >&2
  fi
elif [ "$backup_blobs" = file ]; then
  echo "restore: STORAGE_URL is s3: the backup's blobs/ must be uploaded to the bucket (docs/deploy.md)" >&2
fi
if [ -f "$src/jwt_secret" ]; then
  (umask 077 && mkdir -p "$data_dir")
  cp -p "$src/jwt_secret" "$data_dir/jwt_secret"
  chmod 600 "$data_dir/jwt_secret"
fi
echo "restore: $src restored (schema $(sed -n 's/^schema_version=//p' "$src/MANIFEST"), $db_kind, blobs $blob_kind)"
