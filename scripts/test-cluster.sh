#!/usr/bin/env bash
# `make test-cluster`: the portal as it runs on more than one machine, on this one. Throwaway
# PostgreSQL and Redis (scripts/with-services.sh) and an S3-compatible server (moto's) are
# shared by two web instances behind nginx (deploy/nginx/svd-portal.conf), two Celery workers
# and one scheduler, which tests/cluster starts; its tests sign a record through one instance
# and read it through the other. Everything started here is stopped whatever the outcome.
# Arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" != "--with-services" ]; then
    # Debian's nginx lives in /usr/sbin, which is not on every user's PATH.
    if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
        if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
            echo "Installing nginx …"
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
        else
            echo "This needs Debian's nginx: sudo apt-get install nginx" >&2
            exit 1
        fi
    fi
    export DJANGO_SETTINGS_MODULE=svd_portal.settings.test
    exec scripts/with-services.sh scripts/test-cluster.sh --with-services "$@"
fi
shift

PY=.venv/bin/python
CLUSTER_DIR=$(mktemp -d "${TMPDIR:-/tmp}/svd-cluster.XXXXXX")
S3_PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
moto_pid=""

cleanup() {
    status=$?
    # The tests stop what they start; should they be killed first, the process groups they
    # wrote down are stopped here.
    if [ -f "$CLUSTER_DIR/pids" ]; then
        while read -r pid; do
            kill -KILL -- "-$pid" 2>/dev/null || true
        done <"$CLUSTER_DIR/pids"
    fi
    if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null || true; fi
    wait 2>/dev/null || true
    if [ "$status" -ne 0 ]; then
        # The folder goes: what each process said goes to the output first.
        for log in "$CLUSTER_DIR"/*.log; do
            [ -f "$log" ] && { echo "== $(basename "$log") (end)"; tail -n 30 "$log"; }
        done
    fi
    rm -rf "$CLUSTER_DIR"
    exit $status
}
trap cleanup EXIT INT TERM

.venv/bin/moto_server -H 127.0.0.1 -p "$S3_PORT" >"$CLUSTER_DIR/moto.log" 2>&1 &
moto_pid=$!
export CLUSTER_DIR
export CLUSTER_S3_ENDPOINT="http://127.0.0.1:$S3_PORT"
export CLUSTER_S3_BUCKET=svd-portal-private
# moto takes any key; the bucket is made as an operator would, before the portal starts.
$PY - <<'EOF'
import os
import time

import boto3
import botocore.exceptions

s3 = boto3.client(
    "s3",
    endpoint_url=os.environ["CLUSTER_S3_ENDPOINT"],
    region_name="eu-west-2",
    aws_access_key_id="cluster",
    aws_secret_access_key="cluster",
)
deadline = time.monotonic() + 30
while True:
    try:
        s3.create_bucket(
            Bucket=os.environ["CLUSTER_S3_BUCKET"],
            CreateBucketConfiguration={"LocationConstraint": "eu-west-2"},
        )
        break
    except botocore.exceptions.EndpointConnectionError:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.2)
EOF
echo "S3 (moto) on $CLUSTER_S3_ENDPOINT, bucket $CLUSTER_S3_BUCKET"

.venv/bin/pytest tests/cluster -p no:cacheprovider "$@"
