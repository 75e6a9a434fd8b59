#!/usr/bin/env bash
# Re-download the client's third-party libraries at the versions pinned in web/vendor/manifest.json
# (npm pack: the registry's tarball, no toolchain installed), copy the browser builds into web/vendor/
# and check each file's sha256 against the manifest. `--record` writes the new hashes instead
# (after changing a version in the manifest on purpose).
# Usage: scripts/vendor-web.sh [--record]
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-check}
WORK=$(mktemp -d /tmp/lqt-vendor.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
PY=${PYTHON:-python3}
$PY - "$MODE" "$WORK" <<'PYEOF'
import hashlib, json, re, subprocess, sys, tarfile
from pathlib import Path

mode, work = sys.argv[1], Path(sys.argv[2])
manifest_path = Path("web/vendor/manifest.json")
manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
# The only change made to a vendored file: Vant's icon font names a CDN as a fallback after its
# inline woff2; the fallback is removed so no stylesheet can point at another host.
PATCHES = {"vant.css": lambda text: re.sub(r",\s*url\(//at\.alicdn\.com[^)]*\)\s*format\([^)]*\)", "", text)}
failed = False
for lib in manifest["libraries"]:
    spec = f"{lib['name']}@{lib['version']}"
    out = subprocess.run(["npm", "pack", spec, "--silent", "--pack-destination", str(work)],
                         check=True, capture_output=True, text=True).stdout.split()[-1]
    with tarfile.open(work / out) as tar:
        tar.extractall(work / lib["name"], filter="data")
    for item in lib["files"]:
        data = (work / lib["name"] / "package" / item["from"]).read_bytes()
        if item["to"] in PATCHES:
            data = PATCHES[item["to"]](data.decode("utf-8")).encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        target = Path("web/vendor") / item["to"]
        if mode == "--record":
            item["sha256"] = digest
        elif digest != item.get("sha256"):
            print(f"{spec} {item['from']}: sha256 {digest} differs from the manifest", file=sys.stderr)
            failed = True
            continue
        target.write_bytes(data)
        print(f"{spec:24} {item['to']:32} {len(data):>8} bytes  sha256 {digest[:16]}…")
if mode == "--record":
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
sys.exit(1 if failed else 0)
PYEOF
