"""Benchmark: building an image manifest from S3 versus the bare listing it cannot avoid.

Run from the repository root: ``python -m benchmarks.manifest_build`` (``--help`` for options). Nothing
leaves the machine: a moto S3 server listens on 127.0.0.1 in a child process.

For each prefix size (10k, 100k and 1M image objects) a worker subprocess runs, alternating (ABBA):

- the floor: a plain boto3 ListObjectsV2 pagination of the prefix that does nothing with the keys;
- the build: the handler's real ``data_setup.build_manifest`` (image type, no sampling), which lists the
  same prefix on the same server and writes the manifest there (multipart upload).

It prints the median times, the ratio build/floor and each worker's peak RSS (VmHWM: the server's memory
is not counted) as a Markdown table. See benchmarks/README.md for the server-side adjustments (moto's own
ListObjectsV2 is quadratic and slow at this scale) and the results.
"""

from __future__ import annotations

import argparse
import bisect
import json
import logging
import multiprocessing
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: The Lambda's code root: the worker imports ``index`` and ``data_setup`` from it as top-level modules,
#: as Lambda does (importing the ``groundtruth_cdk`` package would load aws-cdk-lib and start Node).
HANDLER_ROOT = ROOT / "groundtruth_cdk" / "handlers" / "labeling_job"
REGION = "us-east-1"
DATA_BUCKET = "bench-data"
ARTIFACTS_BUCKET = "bench-artifacts"
#: Same keys in both: one listed by the fast handler (bench-), one by moto's own (the format check).
CHECK_FAST_BUCKET = "bench-check"
CHECK_MOTO_BUCKET = "check-moto"
CHECK_KEYS = 2_500

#: label -> (objects under the prefix, repetitions of each measurement).
SIZES: dict[str, tuple[int, int]] = {"10k": (10_000, 15), "100k": (100_000, 6), "1m": (1_000_000, 4)}
WORKER_TIMEOUT_SECONDS = 1_500
SERVER_START_TIMEOUT_SECONDS = 300

FAKE_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}

LOGGER = logging.getLogger("benchmarks.manifest_build")


def data_key(label: str, index: int) -> str:
    """Return the key of image ``index`` under the ``label`` prefix (camera/day folders, ~45 characters)."""
    return f"{label}/cam-{index % 8:02d}/day-{index // 50_000:03d}/frame-{index:07d}.jpg"


# --------------------------------------------------------------------------------------------------
# Server process: moto with a fast ListObjectsV2 for the bench- buckets
# --------------------------------------------------------------------------------------------------


def _install_fast_listing() -> None:
    """Replace moto's ListObjectsV2 handler for ``bench-`` buckets (no delimiter) with an indexed one.

    moto 5.2.5 re-scans, re-filters and re-sorts the whole bucket for every page (quadratic over a
    pagination) and serializes about 0.3-0.6 ms per key: hours for 1M keys. This handler answers the
    same request from a sorted index of the bucket's key names (bisect, rebuilt when the key count
    changes) and writes the XML directly, in the wire format moto uses (checked by :func:`_check_format`
    against moto's own handler). Both the floor and the build go through it.
    """
    from moto.s3.responses import S3Response

    original = S3Response.list_objects_v2
    indexes: dict[str, tuple[int, list[str]]] = {}

    def sorted_names(bucket: Any) -> list[str]:
        cached = indexes.get(bucket.name)
        if cached is None or cached[0] != len(bucket.keys):
            names = sorted(dict.keys(bucket.keys))
            cached = (len(names), names)
            indexes[bucket.name] = cached
        return cached[1]

    def list_objects_v2(self: Any) -> Any:
        query = self.querystring
        if not self.bucket_name.startswith("bench-") or any(
            name in query for name in ("delimiter", "fetch-owner", "start-after")
        ):
            return original(self)
        bucket = self.backend.get_bucket(self.bucket_name)
        prefix = query.get("prefix", [""])[0]
        token = query.get("continuation-token", [None])[0]
        max_keys = int(query.get("max-keys", ["1000"])[0])
        url = query.get("encoding-type", [None])[0] == "url"
        names = sorted_names(bucket)
        start = bisect.bisect_left(names, prefix)
        if token is not None:
            start = max(start, bisect.bisect_right(names, bytes.fromhex(token).decode("utf-8")))
        end = bisect.bisect_left(names, prefix[:-1] + chr(ord(prefix[-1]) + 1)) if prefix else len(names)
        stop = min(end, start + max_keys)
        quote = urllib.parse.quote if url else _xml_escape
        parts = [
            '<?xml version="1.0" encoding="utf-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
        ]
        parts.append(f"<IsTruncated>{'true' if stop < end else 'false'}</IsTruncated>")
        store = bucket.keys
        for name in names[start:stop]:
            key = store[name]
            parts.append(
                f"<Contents><Key>{quote(name)}</Key><LastModified>{key.last_modified_ISO8601}</LastModified>"
                f"<ETag>{_xml_escape(key.etag)}</ETag><Size>{key.size}</Size>"
                f"<StorageClass>{key.storage_class}</StorageClass></Contents>"
            )
        parts.append(f"<Name>{bucket.name}</Name><Prefix>{quote(prefix)}</Prefix><MaxKeys>{max_keys}</MaxKeys>")
        if url:
            parts.append("<EncodingType>url</EncodingType>")
        parts.append(f"<KeyCount>{stop - start}</KeyCount>")
        if stop < end:
            parts.append(f"<NextContinuationToken>{names[stop - 1].encode('utf-8').hex()}</NextContinuationToken>")
        parts.append("</ListBucketResult>")
        return 200, {"Content-Type": "application/xml"}, "".join(parts)

    S3Response.list_objects_v2 = list_objects_v2  # type: ignore[method-assign]


def _xml_escape(text: str) -> str:
    """Escape XML text content."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _populate(counts: dict[str, int]) -> None:
    """Create the buckets and put the keys straight into the moto backend (no HTTP PUT per key)."""
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.s3.models import FakeKey, s3_backends

    class BenchKey(FakeKey):
        """A listing-only object: a name and constant metadata (moto's FakeKey holds a buffer each)."""

        __module__ = "moto.s3.bench"  # moto files model classes by the second part of their module
        last_modified_ISO8601 = "2025-01-02T03:04:05.000Z"  # noqa: N815 (moto's name)
        etag = '"0f343b0931126a20f133d67c2b018a3b"'
        size = 48_213
        storage_class = "STANDARD"

        def __init__(self, name: str) -> None:
            self.name = name

    backend = s3_backends[DEFAULT_ACCOUNT_ID]["aws"]
    for name in (DATA_BUCKET, ARTIFACTS_BUCKET, CHECK_FAST_BUCKET, CHECK_MOTO_BUCKET):
        backend.create_bucket(name, REGION)
    data = backend.get_bucket(DATA_BUCKET).keys
    for label, count in counts.items():
        for index in range(count):
            name = data_key(label, index)
            data[name] = BenchKey(name)
    special = ["check/a b.jpg", "check/caf\u00e9.png", "check/x&y<z>.jpg", "check/+plus%.jpg"]
    for name in special + [data_key("check", index) for index in range(CHECK_KEYS - len(special))]:
        for bucket in (CHECK_FAST_BUCKET, CHECK_MOTO_BUCKET):
            backend.put_object(bucket, name, b"x" * 10)


def _serve(port: int, counts: dict[str, int], connection: Connection) -> None:
    """Server process: populate, serve on 127.0.0.1:``port``, stop when the parent says so."""
    os.environ.update(FAKE_ENVIRONMENT)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from moto.server import ThreadedMotoServer

    started = time.perf_counter()
    _install_fast_listing()
    _populate(counts)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    connection.send(time.perf_counter() - started)
    connection.recv()
    server.stop()


# --------------------------------------------------------------------------------------------------
# Worker process: the measurements for one size
# --------------------------------------------------------------------------------------------------


def _handler_modules() -> tuple[Any, Any]:
    """Return the handler's ``index`` and ``data_setup`` modules, loaded the way Lambda loads them."""
    if str(HANDLER_ROOT) not in sys.path:
        sys.path.insert(0, str(HANDLER_ROOT))
    import data_setup  # type: ignore[import-not-found]
    import index  # type: ignore[import-not-found]

    return index, data_setup


def _client(endpoint: str) -> Any:
    """Return an S3 client for the local server, configured like the handler's own."""
    import boto3  # type: ignore[import-untyped,unused-ignore]

    index, _ = _handler_modules()
    return boto3.client("s3", endpoint_url=endpoint, region_name=REGION, config=index._CLIENT_CONFIG)


def list_floor(client: Any, bucket: str, prefix: str) -> int:
    """List ``prefix`` with plain ListObjectsV2 calls, doing nothing with the keys; return the count."""
    request: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix}
    count: int = 0
    while True:
        page = client.list_objects_v2(**request)
        count += int(page["KeyCount"])
        if not page.get("IsTruncated"):
            return count
        request["ContinuationToken"] = page["NextContinuationToken"]


def build(client: Any, label: str) -> int:
    """Build the manifest of the ``label`` prefix with the handler's code; return its line count."""
    index, data_setup = _handler_modules()
    index._CLIENTS["s3"] = client
    # MaxObjects as high as the prefix: the default (100,000, Ground Truth's quota) would stop the 1M build.
    document = {"Source": "S3Prefix", "Bucket": DATA_BUCKET, "Prefix": f"{label}/", "DataType": "image"}
    setup = data_setup.parse_setup(json.dumps({**document, "MaxObjects": SIZES[label][0]}))
    destination = data_setup.Destination(ARTIFACTS_BUCKET, f"bench/{label}/")
    outcome = data_setup.build_manifest(setup, destination, s3=client, retry=index._retry_transient, region=REGION)
    return int(outcome.object_count)


def _memory_kib(field: str) -> int:
    """Return a memory figure of this process from /proc/self/status (VmHWM: peak RSS), in KiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _worker(endpoint: str, label: str, count: int, repetitions: int) -> dict[str, Any]:
    """Measure the floor and the build of one prefix, alternating ABBA; return times and memory."""
    client = _client(endpoint)
    for name in ("index", "data_setup"):
        logging.getLogger(name).setLevel(logging.WARNING)
    client.list_objects_v2(Bucket=DATA_BUCKET, Prefix=f"{label}/", MaxKeys=1)  # connection, credentials
    baseline = _memory_kib("VmRSS")
    runs: dict[str, list[float]] = {"floor": [], "build": []}
    cpu: dict[str, list[float]] = {"floor": [], "build": []}
    measures: dict[str, Callable[[], int]] = {
        "floor": lambda: list_floor(client, DATA_BUCKET, f"{label}/"),
        "build": lambda: build(client, label),
    }
    for repetition in range(repetitions):
        order = ("floor", "build") if repetition % 2 == 0 else ("build", "floor")
        for name in order:
            started, started_cpu = time.perf_counter(), time.process_time()
            result = measures[name]()
            runs[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - started_cpu)
            if result != count:
                raise RuntimeError(f"{name} of {label} saw {result} objects, expected {count}")
    manifest = client.head_object(Bucket=ARTIFACTS_BUCKET, Key=f"bench/{label}/input.manifest")
    return {
        "label": label,
        "objects": count,
        "floor": runs["floor"],
        "build": runs["build"],
        "floor_cpu": cpu["floor"],
        "build_cpu": cpu["build"],
        "baseline_rss_kib": baseline,
        "peak_rss_kib": _memory_kib("VmHWM"),
        "manifest_bytes": manifest["ContentLength"],
    }


# --------------------------------------------------------------------------------------------------
# Orchestration
# --------------------------------------------------------------------------------------------------


def _free_port() -> int:
    """Return a free TCP port on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _check_format(endpoint: str) -> None:
    """Fail unless the fast handler lists exactly what moto's own handler lists, page for page."""
    client = _client(endpoint)
    pages: dict[str, list[list[tuple[Any, ...]]]] = {}
    for bucket in (CHECK_FAST_BUCKET, CHECK_MOTO_BUCKET):
        paginator = client.get_paginator("list_objects_v2")
        pages[bucket] = [
            [(item["Key"], item["Size"], item["ETag"], item["StorageClass"]) for item in page.get("Contents", [])]
            + [(page["KeyCount"], page["IsTruncated"], page["Prefix"])]
            for page in paginator.paginate(Bucket=bucket, Prefix="check/", PaginationConfig={"PageSize": 1000})
        ]
    if pages[CHECK_FAST_BUCKET] != pages[CHECK_MOTO_BUCKET]:
        raise RuntimeError("the fast ListObjectsV2 handler does not list what moto's own handler lists")
    print(f"format check: the fast handler lists {CHECK_KEYS} keys exactly like moto's own, page for page")


def _run_worker(endpoint: str, label: str, count: int, repetitions: int) -> dict[str, Any]:
    """Run one size's measurements in a fresh subprocess (so its peak RSS is its own)."""
    command = [sys.executable, "-m", "benchmarks.manifest_build", "--worker", label, "--endpoint", endpoint]
    command += ["--objects", str(count), "--repetitions", str(repetitions)]
    environment = {**os.environ, **FAKE_ENVIRONMENT}
    completed = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=WORKER_TIMEOUT_SECONDS, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"worker {label} failed:\n{completed.stdout}\n{completed.stderr}")
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def _table(results: Sequence[dict[str, Any]]) -> str:
    """Return the results as a Markdown table."""
    lines = [
        "| objects | reps | floor: bare listing (median s) | build (median s) | build / floor "
        "| client CPU build / floor | floor keys/s | manifest | peak RSS (MiB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        floor = statistics.median(result["floor"])
        built = statistics.median(result["build"])
        cpu_ratio = statistics.median(result["build_cpu"]) / statistics.median(result["floor_cpu"])
        lines.append(
            f"| {result['objects']:,} | {len(result['floor'])} | {floor:.2f} | {built:.2f} | {built / floor:.3f} "
            f"| {cpu_ratio:.3f} | {result['objects'] / floor:,.0f} | {result['manifest_bytes'] / 2**20:.1f} MiB "
            f"| {result['peak_rss_kib'] / 1024:.1f} |"
        )
    return "\n".join(lines)


def _orchestrate(labels: Sequence[str], repetition_override: int | None) -> int:
    """Start the server, run a worker per size, print the table and check the targets."""
    counts = {label: SIZES[label][0] for label in labels}
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    server = context.Process(target=_serve, args=(port, counts, child), daemon=True)
    started = time.perf_counter()
    server.start()
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_SECONDS
        while not parent.poll(1):
            if not server.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the moto server did not start (see its error above)")
        print(f"moto server on {endpoint}: {sum(counts.values()):,} keys put in {parent.recv():.1f} s")
        os.environ.update(FAKE_ENVIRONMENT)
        _check_format(endpoint)
        results = []
        for label in labels:
            count, repetitions = SIZES[label]
            result = _run_worker(endpoint, label, count, repetition_override or repetitions)
            print(
                f"{label}: floor {[round(t, 2) for t in result['floor']]} s, "
                f"build {[round(t, 2) for t in result['build']]} s, peak RSS {result['peak_rss_kib'] / 1024:.1f} MiB",
                flush=True,
            )
            results.append(result)
    finally:
        parent.send("stop")
        server.join(10)
        if server.is_alive():
            server.terminate()
    print()
    elapsed = time.perf_counter() - started
    print(f"Machine: {os.cpu_count()} cores, Python {platform.python_version()}, total {elapsed:.0f} s")
    print()
    print(_table(results))
    return _verdict(results)


def _verdict(results: Sequence[dict[str, Any]]) -> int:
    """Print whether the targets are met; return the exit status."""
    ratios = {r["label"]: statistics.median(r["build"]) / statistics.median(r["floor"]) for r in results}
    ok = all(ratio <= 1.25 for ratio in ratios.values())
    print()
    shown = ", ".join(f"{label} {ratio:.3f}" for label, ratio in ratios.items())
    print(f"target build <= 1.25 x floor: {'met' if ok else 'MISSED'} ({shown})")
    peaks = {r["label"]: r["peak_rss_kib"] / 1024 for r in results}
    if "10k" in peaks and "1m" in peaks:
        growth = peaks["1m"] - peaks["10k"]
        print(f"target peak RSS growth 10k -> 1M < 50 MiB: {'met' if growth < 50 else 'MISSED'} ({growth:+.1f} MiB)")
        ok = ok and growth < 50
    return 0 if ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.manifest_build", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default=",".join(SIZES), help="comma-separated sizes among 10k,100k,1m")
    parser.add_argument("--repetitions", type=int, help="repetitions of each measurement (default: per size)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--endpoint", help=argparse.SUPPRESS)
    parser.add_argument("--objects", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(_worker(args.endpoint, args.worker, args.objects, args.repetitions)))
        return 0
    labels = [label.strip() for label in args.sizes.split(",") if label.strip()]
    unknown = [label for label in labels if label not in SIZES]
    if unknown:
        parser.error(f"unknown sizes {unknown}; choose among {list(SIZES)}")
    return _orchestrate(labels, args.repetitions)


if __name__ == "__main__":
    sys.exit(main())
