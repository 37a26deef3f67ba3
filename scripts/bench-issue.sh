#!/usr/bin/env bash
# Batch issuance throughput: N certificates from CSV with the release build on all cores, whole process
# (font loading included), against the goal of 500 signed certificates per second.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-2000}
./scripts/setup.sh >/dev/null
cargo build --release --locked -p ecert-cli >/dev/null 2>&1
out=bench-out; rm -rf "$out"; mkdir -p "$out"
./target/release/ecert demo --out "$out/demo" --today 2026-11-23 >/dev/null
python3 - "$N" > "$out/batch.csv" <<'PY'
import sys
W=[7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2]; C='10X98765432'
names=["张伟","王芳","李娜","刘洋","陈静","杨磊","赵敏","黄强","周杰","吴霞","刘䶮","王𠈌"]
print("qualification,name,id_number,sex,birth,approval_date,issue_date,management_number,query_number")
for i in range(int(sys.argv[1])):
    body="110101%04d%02d%02d%03d"%(1970+i%30,1+i%12,1+i%28,i%1000)
    print(f"Q{1+i%31:02d},{names[i%len(names)]},{body}{C[sum(int(x)*w for x,w in zip(body,W))%11]},,,2023-01-10,2023-03-15,B{i:09d},")
PY
start=$(date +%s.%N)
./target/release/ecert issue --pki "$out/demo/pki" --csv "$out/batch.csv" --out-dir "$out/pdf" --no-progress --signing-time 2026-11-23 >/dev/null
end=$(date +%s.%N)
python3 - "$N" "$start" "$end" "$(nproc)" <<'PY'
import sys
n, s, e, cores = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
rate = n / (e - s)
print(f"batch issuance: {n} certificates in {e-s:.2f} s on {cores} cores = {rate:.0f}/s (goal 500/s: {rate/500:.2f}x)")
PY
