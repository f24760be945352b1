#!/usr/bin/env bash
# Backs up a Stepwise installation, while it runs, into a new directory:
#   database.sqlite   SQLite: an online backup (SQLite's backup API: one consistent snapshot, the
#                     server keeps writing meanwhile), checked with PRAGMA integrity_check
#   database.pgdump   PostgreSQL: pg_dump -Fc (one consistent snapshot; pg_restore reads it)
#   blobs/            the local blob store (DATA_DIR/blobs, or STORAGE_URL file://…), copied after
#                     the database so that every screenshot the snapshot names is in it. S3 blobs
#                     are not copied: use bucket versioning or `aws s3 sync` (docs/deploy.md).
#   jwt_secret        DATA_DIR/jwt_secret when the server generated one (JWT_SECRET unset): it
#                     signs tokens and blob URLs and derives the default check-session key
#   settings.env      a copy of --env-file, when given
#   MANIFEST          what is in the backup
# The directory is made 0700: it holds secrets. Run it as the service user, e.g.
#   runuser -u stepwise -- /opt/stepwise/current/scripts/backup.sh \
#     --env-file /etc/stepwise/stepwise.env --workdir /var/lib/stepwise /var/backups/stepwise/$(date +%F-%H%M)
#
# Settings: DATABASE_URL, DATA_DIR, STORAGE_URL, read from --env-file (what the service runs
# with: it wins), else the environment, else WORKDIR/.env, else the server's defaults. Relative
# paths are resolved against --workdir (default: the current directory), as the server does from
# its working directory. restore.sh puts a backup back.
set -euo pipefail

usage() {
  echo "usage: $0 [--env-file FILE] [--workdir DIR] DEST" >&2
  exit 2
}

env_file='' workdir=. dest=''
while [ $# -gt 0 ]; do
  case "$1" in
    --env-file) env_file=${2:?}; shift 2 ;;
    --workdir) workdir=${2:?}; shift 2 ;;
    -h|--help) usage ;;
    -*) usage ;;
    *) [ -z "$dest" ] || usage; dest=$1; shift ;;
  esac
done
[ -n "$dest" ] || usage
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/backup-settings.sh
source "$here/backup-settings.sh"
load_settings "$env_file" "$workdir"

if [ -e "$dest" ]; then
  echo "backup: $dest exists; give a new directory" >&2
  exit 1
fi
mkdir -p "$(dirname "$dest")"
# Written under a temporary name and renamed at the end: a backup directory is complete or absent.
partial="$dest.partial.$$"
trap 'rm -rf "$partial"' EXIT
(umask 077 && mkdir "$partial")

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
case "$db_kind" in
  sqlite)
    [ -f "$sqlite_path" ] || { echo "backup: no SQLite database at $sqlite_path" >&2; exit 1; }
    schema=$(python3 - "$sqlite_path" "$partial/database.sqlite" <<'PY'
import sqlite3, sys
src_path, dst_path = sys.argv[1], sys.argv[2]
# mode=rw: never create a database that is not there. The server's own writes wait at most
# its busy_timeout for the moment the snapshot starts; the copy is one read transaction.
src = sqlite3.connect(f"file:{src_path}?mode=rw", uri=True, timeout=30)
dst = sqlite3.connect(dst_path)
with dst:
    src.backup(dst)
src.close()
check = dst.execute("PRAGMA integrity_check").fetchone()[0]
if check != "ok":
    sys.exit(f"backup: the copy fails PRAGMA integrity_check: {check}")
print(dst.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0])
dst.close()
PY
)
    ;;
  postgresql)
    command -v pg_dump >/dev/null || { echo "backup: pg_dump not found (apt-get install postgresql-client)" >&2; exit 1; }
    pg_dump --format=custom --file="$partial/database.pgdump" --dbname="$database_url"
    schema=$(psql "$database_url" -X -At -c 'SELECT MAX(version) FROM schema_migrations')
    ;;
esac

blob_files=0
if [ "$blob_kind" = file ]; then
  mkdir "$partial/blobs"
  if [ -d "$blob_dir" ]; then
    # Files are written under .tmp-* and renamed whole: those are writes in progress. A file the
    # server removes while it is copied is skipped, not an error.
    tar -C "$blob_dir" --exclude='.tmp-*' --ignore-failed-read --warning=no-file-removed \
      --warning=no-file-changed -cf - . | tar -C "$partial/blobs" -xf -
  fi
  blob_files=$(find "$partial/blobs" -type f | wc -l)
fi
if [ -f "$data_dir/jwt_secret" ]; then cp -p "$data_dir/jwt_secret" "$partial/jwt_secret"; fi
if [ -n "$env_file" ]; then cp -p "$env_file" "$partial/settings.env"; fi

{
  echo "created_at=$started"
  echo "host=$(hostname)"
  echo "database=$db_kind"
  echo "schema_version=$schema"
  echo "blobs=$blob_kind"
  echo "blob_files=$blob_files"
  echo "jwt_secret=$([ -f "$partial/jwt_secret" ] && echo file || echo "not in DATA_DIR (JWT_SECRET set, or never started)")"
} >"$partial/MANIFEST"
sync "$partial" 2>/dev/null || sync
mv "$partial" "$dest"
trap - EXIT
echo "backup: $dest ($db_kind schema $schema, $blob_files blob files$([ "$blob_kind" = s3 ] && echo ', S3 blobs not copied'))"
