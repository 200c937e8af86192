"""The portal on more than one machine, on this one (`make test-cluster`).

scripts/test-cluster.sh starts PostgreSQL, Redis and an S3-compatible server (moto's) and
names them in DATABASE_URL, REDIS_URL and CLUSTER_S3_*. The `cluster` fixture starts the
rest under the production settings, as README's "Running on more than one machine" lays it
out: two web instances (gunicorn A and B), two Celery workers, one scheduler, and nginx
running deploy/nginx/svd-portal.conf in front of both instances. nginx also has a listener
for each instance alone, so that a test can choose which instance answers.

Every instance shares the database (sessions included), Redis (the broker on database 0,
the cache on database 1), the bucket, the secret key, the signing certificate and
PORTAL_RELEASE; each has a metrics folder of its own, as it would on its own machine.
"""

import contextlib
import datetime
import ipaddress
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tests.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SITE = ROOT / "deploy" / "nginx" / "svd-portal.conf"
DEMO_PASSWORD = "cluster-demo-password"
PCC = "pcc@demo.example"
S3_REGION = "eu-west-2"
# A busy two-core machine starts eight Django processes at once.
STARTUP_SECONDS = 120

# Made through the services, as staff and the Chief Executive would: the record the PCC signs.
AWAITING_SIGNATURE = """
import datetime, json
from decisions import services
from partners.models import User
staff = User.objects.get(email="staff@demo.example")
record = services.decision_create(
    by=staff,
    title="Street outreach in Darlington town centre",
    received_on=datetime.date.today(),
    section_a="A request to fund street outreach workers on weekend evenings.",
    decision_text="To approve the outreach work.",
)
record = services.decision_submit(record=record, by=staff)
record = services.decision_approve(
    record=record,
    by=User.objects.get(email="ceo@demo.example"),
    advice_confirmed=True,
    name="Helen Carter",
)
print(json.dumps({"pk": record.pk, "reference": record.reference, "status": record.status}))
"""


@dataclass
class Cluster:
    folder: Path
    # https://127.0.0.1:<port>: the shipped site file's TLS server, sharing A and B.
    balanced: str
    # http://127.0.0.1:<port>: the site file's plain HTTP server.
    plain: str
    # https listeners that reach one instance only.
    instance_a: str
    instance_b: str
    # "127.0.0.1:<port>" of gunicorn A and B, as nginx logs the upstream it chose.
    upstream_a: str
    upstream_b: str
    tls_certificate: Path
    s3: object
    bucket: str
    pcc_key: str = ""
    record: dict = field(default_factory=dict)
    processes: dict = field(default_factory=dict)

    def session(self) -> requests.Session:
        """A client of its own (its own cookies) that trusts the cluster's certificate."""
        session = requests.Session()
        session.verify = str(self.tls_certificate)
        # Else REQUESTS_CA_BUNDLE, when set, replaces `verify`, and a proxy may be used.
        session.trust_env = False
        return session

    def access_log(self) -> list[dict]:
        """nginx's access log, one dict a request (the `cluster` log format below)."""
        text = (self.folder / "nginx" / "access.log").read_text()
        return [json.loads(line) for line in text.splitlines()]

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")


def tls_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, which the clients trust."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        # Its own issuer: the clients take it as the authority that vouches for it.
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "tls-cert.pem", folder / "tls-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def site_config(**values) -> str:
    """deploy/nginx/svd-portal.conf with this machine's addresses, ports and paths: each
    value it names is replaced exactly once, so that a change to the file fails here rather
    than leaving a test of something else."""
    text = SITE.read_text()
    replacements = {
        "    listen [::]:80;\n": "",
        "    listen [::]:443 ssl;\n": "",
        "listen 80;": f"listen 127.0.0.1:{values['plain_port']};",
        "listen 443 ssl;": f"listen 127.0.0.1:{values['tls_port']} ssl;",
        "server 10.0.0.11:8000;": f"server {values['upstream_a']};",
        "server 10.0.0.12:8000;": f"server {values['upstream_b']};",
        "/etc/letsencrypt/live/grants.opcc.example/fullchain.pem": str(values["cert"]),
        "/etc/letsencrypt/live/grants.opcc.example/privkey.pem": str(values["key"]),
        "/var/cache/nginx/svd-portal": str(values["cache"]),
    }
    for old, new in replacements.items():
        assert text.count(old) == 1, f"{SITE.name} no longer has {old!r} once"
        text = text.replace(old, new)
    return text


def nginx_config(folder: Path, *, site: Path, cert: Path, key: Path, instances: dict) -> str:
    """The main nginx.conf: nginx in the foreground with all its files in `folder`, the site
    file, and one TLS listener per instance (port → upstream)."""
    temp = {kind: folder / kind for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for path in temp.values():
        path.mkdir()
    alone = "\n".join(
        f"""
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        location / {{
            proxy_pass http://{upstream};
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Request-ID $request_id;
        }}
    }}"""
        for port, upstream in instances.items()
    )
    # Run as root, nginx would hand its workers to "nobody", who cannot write in `folder`.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{user}daemon off;
worker_processes 1;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {temp["client_body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    log_format cluster escape=json '{{"port": "$server_port", "request": "$request", '
        '"status": "$status", "upstream": "$upstream_addr", "request_id": "$request_id", '
        '"cache": "$upstream_cache_status"}}';
    access_log {folder / "access.log"} cluster;
    include {site};
{alone}
}}
"""


class Processes:
    """The cluster's long-running processes, each in a process group of its own (gunicorn's
    and Celery's children with it), written down in pids for the script to stop should
    the tests be killed before they stop them."""

    def __init__(self, folder: Path, env: dict):
        self.folder = folder
        self.env = env
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *args, **env) -> subprocess.Popen:
        with (self.folder / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                [str(a) for a in args],
                cwd=ROOT,
                env={**self.env, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running[name] = process
        with (self.folder / "pids").open("a") as pids:
            pids.write(f"{process.pid}\n")
        return process

    def dead(self) -> dict[str, int]:
        return {n: p.returncode for n, p in self.running.items() if p.poll() is not None}

    def stop(self) -> None:
        """SIGTERM to every group (gunicorn and Celery shut down warm), SIGKILL to what is
        left after ten seconds."""
        for process in self.running.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in self.running.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for process in self.running.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        (self.folder / "pids").write_text("")


def run(env: dict, *args, **extra_env) -> subprocess.Popen:
    """A manage.py command in the background; finish() waits for it and checks it."""
    return subprocess.Popen(
        [str(BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env={**env, **extra_env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(command: subprocess.Popen) -> str:
    out, err = command.communicate(timeout=STARTUP_SECONDS)
    assert command.returncode == 0, f"{' '.join(command.args)} failed:\n{out}\n{err}"
    return out


def wait_until(what: str, check, *, processes: Processes, timeout: float = STARTUP_SECONDS):
    """check()'s first true answer, polled; fails at once if a process has died."""
    deadline = time.monotonic() + timeout
    error = None
    while True:
        dead = processes.dead()
        assert not dead, f"exited while waiting for {what}: {dead}"
        try:
            answer = check()
        except requests.exceptions.SSLError:
            raise
        except (requests.ConnectionError, OSError) as refused:
            answer, error = None, refused
        if answer:
            return answer
        assert time.monotonic() < deadline, f"{what}: not ready after {timeout} s ({error})"
        time.sleep(0.25)


@pytest.fixture(scope="session", autouse=True)
def signing_certificate():
    """The suite's own development certificate is not needed: the cluster makes one."""


@pytest.fixture(autouse=True)
def empty_cache():
    """The cluster's cache is its own Redis database, shared by the tests in turn."""


@pytest.fixture(scope="session")
def cluster():
    if "CLUSTER_S3_ENDPOINT" not in os.environ:
        pytest.skip("needs the services scripts/test-cluster.sh starts: run make test-cluster")
    folder = Path(os.environ["CLUSTER_DIR"])
    redis_url = os.environ["REDIS_URL"]
    ports = {name: free_port() for name in ("a", "b", "tls", "plain", "alone_a", "alone_b")}
    tls_cert, tls_key = tls_certificate(folder)
    origins = [f"https://127.0.0.1:{ports[n]}" for n in ("tls", "alone_a", "alone_b")]
    passed_on = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PYTEST_", "PROMETHEUS_", "METRICS_", "TEST_"))
    }
    env = {
        **passed_on,
        "DJANGO_SETTINGS_MODULE": "svd_portal.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
        # The test's listeners have ports; nginx passes the host without one.
        "DJANGO_CSRF_TRUSTED_ORIGINS": ",".join(origins),
        "DATABASE_URL": os.environ["DATABASE_URL"],
        "REDIS_URL": redis_url,
        "CACHE_URL": f"{redis_url.rsplit('/', 1)[0]}/1",
        "EMAIL_URL": "consolemail://",
        "DEFAULT_FROM_EMAIL": "grants@opcc.example",
        "PRIVATE_STORAGE_S3_BUCKET": os.environ["CLUSTER_S3_BUCKET"],
        "PRIVATE_STORAGE_S3_ENDPOINT_URL": os.environ["CLUSTER_S3_ENDPOINT"],
        "PRIVATE_STORAGE_S3_REGION": S3_REGION,
        "PRIVATE_STORAGE_S3_ACCESS_KEY_ID": "cluster",
        "PRIVATE_STORAGE_S3_SECRET_ACCESS_KEY": "cluster",
        "DECISION_SIGNING_KEY": str(folder / "signing" / "key.pem"),
        "DECISION_SIGNING_CERT": str(folder / "signing" / "cert.pem"),
        "DJANGO_STATIC_ROOT": str(folder / "static"),
        "DJANGO_MEDIA_ROOT": str(folder / "media"),
        "DJANGO_PRIVATE_ROOT": str(folder / "private"),
        "METRICS_DIR": str(folder / "metrics" / "manage"),
        # One release everywhere: the instances keep and read the same pages.
        "PORTAL_RELEASE": "cluster-test",
        "PORTAL_TRUSTED_PROXY_COUNT": "1",
        "DEMO_PASSWORD": DEMO_PASSWORD,
    }

    # create_signing_certificate refuses the production settings: it makes a development pair.
    setup = [
        run(env, "create_signing_certificate", DJANGO_SETTINGS_MODULE="svd_portal.settings.local"),
        run(env, "migrate", "--noinput"),
        run(env, "collectstatic", "--noinput", "--verbosity", "0"),
    ]
    for command in setup:
        finish(command)
    seeded = finish(run(env, "seed_demo"))
    pcc_key = re.search(rf"^\s+{re.escape(PCC)}\s+([A-Z2-7 ]+)$", seeded, re.MULTILINE)
    assert pcc_key, seeded
    record = json.loads(finish(run(env, "shell", "-c", AWAITING_SIGNATURE)).splitlines()[-1])
    assert record["status"] == "awaiting_signature", record

    nginx_folder = folder / "nginx"
    nginx_folder.mkdir()
    upstreams = {"a": f"127.0.0.1:{ports['a']}", "b": f"127.0.0.1:{ports['b']}"}
    site = nginx_folder / "svd-portal.conf"
    site.write_text(
        site_config(
            plain_port=ports["plain"],
            tls_port=ports["tls"],
            upstream_a=upstreams["a"],
            upstream_b=upstreams["b"],
            cert=tls_cert,
            key=tls_key,
            cache=nginx_folder / "cache",
        )
    )
    main = nginx_folder / "nginx.conf"
    main.write_text(
        nginx_config(
            nginx_folder,
            site=site,
            cert=tls_cert,
            key=tls_key,
            instances={ports["alone_a"]: upstreams["a"], ports["alone_b"]: upstreams["b"]},
        )
    )

    processes = Processes(folder, env)
    try:
        for name in ("a", "b"):
            processes.start(
                f"web-{name}",
                BIN / "gunicorn",
                "--config",
                "svd_portal/gunicorn.conf.py",
                # Each its own, as on machines of their own (the default is in $HOME).
                f"--control-socket={folder / f'web-{name}.ctl'}",
                "svd_portal.wsgi:application",
                PORT=str(ports[name]),
                WEB_CONCURRENCY="2",
                WEB_THREADS="2",
                METRICS_DIR=str(folder / "metrics" / f"web-{name}"),
            )
            processes.start(
                f"worker-{name}",
                BIN / "celery",
                "-A",
                "svd_portal",
                "worker",
                "--without-mingle",
                "--without-gossip",
                "--concurrency=1",
                "--loglevel=INFO",
                f"--hostname={name}@%h",
                METRICS_DIR=str(folder / "metrics" / f"worker-{name}"),
            )
        processes.start(
            "beat",
            BIN / "celery",
            "-A",
            "svd_portal",
            "beat",
            "--loglevel=INFO",
            f"--schedule={folder / 'celerybeat-schedule'}",
            METRICS_DIR=str(folder / "metrics" / "beat"),
        )
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        processes.start("nginx", nginx, "-e", folder / "error.log", "-p", nginx_folder, "-c", main)
        made = Cluster(
            folder=folder,
            balanced=f"https://127.0.0.1:{ports['tls']}",
            plain=f"http://127.0.0.1:{ports['plain']}",
            instance_a=f"https://127.0.0.1:{ports['alone_a']}",
            instance_b=f"https://127.0.0.1:{ports['alone_b']}",
            upstream_a=upstreams["a"],
            upstream_b=upstreams["b"],
            tls_certificate=tls_cert,
            s3=boto3.client(
                "s3",
                endpoint_url=os.environ["CLUSTER_S3_ENDPOINT"],
                region_name=S3_REGION,
                aws_access_key_id="cluster",
                aws_secret_access_key="cluster",
            ),
            bucket=os.environ["CLUSTER_S3_BUCKET"],
            pcc_key=pcc_key[1],
            record=record,
            processes=processes.running,
        )
        client = made.session()
        for base in (made.instance_a, made.instance_b):
            wait_until(
                f"{base}/healthz/",
                lambda base=base: client.get(f"{base}/healthz/", timeout=10).status_code == 200,
                processes=processes,
            )
        # The workers say so once they take tasks from the broker.
        for name in ("a", "b"):
            wait_until(
                f"worker {name}",
                lambda name=name: " ready." in made.log(f"worker-{name}"),
                processes=processes,
            )
        yield made
    finally:
        processes.stop()
