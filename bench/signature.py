"""The signature benchmark's baseline: what Odoo itself computes to sign a request.

Reads {"refresh_token", "prefix", "loop_seconds", "cases": [{"name", "body", "signature"}]} as JSON on
stdin; for each case loops json.dumps(json.loads(body), sort_keys=True) + HMAC-SHA256 + constant-time
comparison for loop_seconds (timed inside the loop, so interpreter start-up is not counted) and
prints one JSON object: per case the operations per wall-clock second (perf_counter) and per CPU
second of this process (process_time), and the SHA-256 of the canonical text (to prove both sides
computed the same thing).
"""
import base64
import hashlib
import hmac
import json
import sys
import time


def verify(key_b64, prefix, body, signature):
    canonical = json.dumps(json.loads(body), sort_keys=True)
    message = prefix + canonical
    digest = hmac.new(base64.b64decode(key_b64), message.encode(), hashlib.sha256).digest()
    return canonical, hmac.compare_digest(base64.b64encode(digest).decode(), signature)


def run_case(key_b64, prefix, case, loop_seconds):
    canonical, ok = verify(key_b64, prefix, case["body"], case["signature"])
    if not ok:
        raise SystemExit("python: signature mismatch on " + case["name"])
    ops = 0
    start = time.perf_counter()
    cpu_start = time.process_time()
    elapsed = 0.0
    while elapsed < loop_seconds:
        verify(key_b64, prefix, case["body"], case["signature"])
        ops += 1
        elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    return {
        "name": case["name"],
        "ops_per_second": ops / elapsed,
        "ops_per_cpu_second": ops / cpu if cpu > 0 else 0.0,
        "canonical_sha256": hashlib.sha256(canonical.encode()).hexdigest(),
    }


def main():
    job = json.load(sys.stdin)
    results = [run_case(job["refresh_token"], job["prefix"], case, job["loop_seconds"]) for case in job["cases"]]
    json.dump({"python": sys.version.split()[0], "cases": results}, sys.stdout)


main()
