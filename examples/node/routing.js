// proto/ROUTING.md in JavaScript: XXH64 (seed 0) over UTF8(namespace) ‖ 0x00 ‖ key, then jump consistent hash.
// Run: node routing.js   (checks every golden vector in ROUTING.md; exits 1 on the first mismatch)
'use strict';
const fs = require('fs');
const path = require('path');

const M = (1n << 64n) - 1n;
const P1 = 0x9E3779B185EBCA87n, P2 = 0xC2B2AE3D27D4EB4Fn, P3 = 0x165667B19E3779F9n;
const P4 = 0x85EBCA77C2B2AE63n, P5 = 0x27D4EB2F165667C5n;

const rotl = (x, r) => ((x << BigInt(r)) | (x >> BigInt(64 - r))) & M;
const mul = (a, b) => (a * b) & M;
const add = (a, b) => (a + b) & M;
const round = (acc, lane) => mul(rotl(add(acc, mul(lane, P2)), 31), P1);
const merge = (acc, v) => add(mul(acc ^ round(0n, v), P1), P4);

/** XXH64 of a byte buffer with seed 0, as an unsigned BigInt. */
function xxh64(buf) {
  const n = buf.length;
  const read64 = (i) => buf.readBigUInt64LE(i);
  const read32 = (i) => BigInt(buf.readUInt32LE(i));
  let i = 0;
  let h;
  if (n >= 32) {
    let v1 = add(P1, P2), v2 = P2, v3 = 0n, v4 = (0n - P1) & M;
    while (i + 32 <= n) {
      v1 = round(v1, read64(i)); v2 = round(v2, read64(i + 8));
      v3 = round(v3, read64(i + 16)); v4 = round(v4, read64(i + 24)); i += 32;
    }
    h = add(add(rotl(v1, 1), rotl(v2, 7)), add(rotl(v3, 12), rotl(v4, 18)));
    h = merge(h, v1); h = merge(h, v2); h = merge(h, v3); h = merge(h, v4);
  } else {
    h = P5;
  }
  h = add(h, BigInt(n));
  while (i + 8 <= n) { h = add(mul(rotl(h ^ round(0n, read64(i)), 27), P1), P4); i += 8; }
  if (i + 4 <= n) { h = add(mul(rotl(h ^ mul(read32(i), P1), 23), P2), P3); i += 4; }
  while (i < n) { h = mul(rotl(h ^ mul(BigInt(buf[i]), P5), 11), P1); i += 1; }
  h ^= h >> 33n; h = mul(h, P2);
  h ^= h >> 29n; h = mul(h, P3);
  h ^= h >> 32n;
  return h;
}

/** Jump consistent hash of an unsigned 64-bit BigInt over p buckets (Number). */
function jump(hash, p) {
  let key = hash, b = -1, j = 0;
  while (j < p) {
    b = j;
    key = (key * 2862933555777941757n + 1n) & M;
    // Division first, then the multiplication, both in IEEE doubles, exactly as ROUTING.md says.
    j = Math.trunc((b + 1) * (2147483648 / (Number(key >> 33n) + 1)));
  }
  return b;
}

/** The routing bytes of a namespace (string) and key (Buffer). */
function routingBytes(namespace, key) {
  return Buffer.concat([Buffer.from(namespace, 'utf8'), Buffer.from([0]), key]);
}

function partitionOf(namespace, key, partitionCount) {
  return jump(xxh64(routingBytes(namespace, key)), partitionCount);
}

module.exports = { xxh64, jump, routingBytes, partitionOf };

if (require.main === module) {
  const spec = fs.readFileSync(path.join(__dirname, '..', '..', 'proto', 'ROUTING.md'), 'utf8');
  let checked = 0;
  const fail = (what) => { console.error('MISMATCH ' + what); process.exit(1); };
  // Plain XXH64 check vectors and jump-hash check vectors from the spec's tables.
  for (const m of spec.matchAll(/^\| `?([^|`]*?)`?\s*(\(39 bytes\)|\(32 bytes\))?\s*\| `([0-9a-f]{16})` \|$/gm)) {
    const input = m[1] === '(empty)' ? '' : m[1];
    const got = xxh64(Buffer.from(input, 'ascii')).toString(16).padStart(16, '0');
    if (got !== m[3]) fail(`xxh64(${JSON.stringify(input)}) = ${got}, spec says ${m[3]}`);
    checked++;
  }
  for (const m of spec.matchAll(/^\| `([0-9a-f]{16})` \| +(\d+) +\| +(\d+) +\|$/gm)) {
    const got = jump(BigInt('0x' + m[1]), Number(m[2]));
    if (got !== Number(m[3])) fail(`jump(${m[1]}, ${m[2]}) = ${got}, spec says ${m[3]}`);
    checked++;
  }
  let golden = 0;
  for (const m of spec.matchAll(/^\| `([^`]*)` \| ([0-9a-f]*) \| ([0-9a-f]{16}) \| (\d+) \| (\d+) \|$/gm)) {
    const [, ns, keyHex, hashHex, p64, p256] = m;
    const h = xxh64(routingBytes(ns, Buffer.from(keyHex, 'hex'))).toString(16).padStart(16, '0');
    if (h !== hashHex) fail(`hash of ${ns}/${keyHex} = ${h}, spec says ${hashHex}`);
    const a = partitionOf(ns, Buffer.from(keyHex, 'hex'), 64);
    const b = partitionOf(ns, Buffer.from(keyHex, 'hex'), 256);
    if (a !== Number(p64) || b !== Number(p256)) fail(`partitions of ${ns}/${keyHex} = ${a}/${b}, spec says ${p64}/${p256}`);
    golden++;
  }
  if (golden < 28 || checked < 16) fail(`found only ${golden} golden and ${checked} check vectors in ROUTING.md`);
  console.log(`routing.js: ${golden} golden vectors and ${checked} check vectors match ROUTING.md`);
}
