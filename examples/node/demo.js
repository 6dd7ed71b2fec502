// raftcache from Node.js through plain generated stubs (no smart client): set, get, getMulti and
// invalidateTag against a running cluster, each call sent to whichever node comes next; any node serves any key.
// Run: npm ci && node demo.js [host:port,...]   (default: the dev cluster, 127.0.0.1:7070-7072)
'use strict';
const path = require('path');
const assert = require('assert');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const { partitionOf } = require('./routing');

const PROTO_ROOT = path.join(__dirname, '..', '..', 'proto', 'src', 'main', 'proto');
const definition = protoLoader.loadSync(
  ['raftcache/v1/cache.proto', 'raftcache/v1/cluster.proto'],
  { includeDirs: [PROTO_ROOT], keepCase: false, longs: String, enums: String, defaults: true });
const v1 = grpc.loadPackageDefinition(definition).raftcache.v1;

const targets = (process.argv[2] || process.env.RAFTCACHE_TARGETS || '127.0.0.1:7070,127.0.0.1:7071,127.0.0.1:7072')
  .split(',').filter(Boolean);
const caches = targets.map((t) => new v1.Cache(t, grpc.credentials.createInsecure()));
const cluster = new v1.Cluster(targets[0], grpc.credentials.createInsecure());
let next = 0;
const anyNode = () => caches[next++ % caches.length];

// Nodes running --auth tokens need "authorization: Bearer <token>" on every call (the dev cluster runs open).
const metadata = new grpc.Metadata();
if (process.env.RAFTCACHE_TOKEN) {
  metadata.set('authorization', `Bearer ${process.env.RAFTCACHE_TOKEN}`);
}

/** Calls a unary method with a 5 s deadline and returns a promise of its response. */
function call(client, method, request) {
  return new Promise((resolve, reject) => {
    client[method](request, metadata, { deadline: Date.now() + 5000 },
      (err, res) => (err ? reject(err) : resolve(res)));
  });
}

async function main() {
  const ns = 'node-example';
  const run = Date.now().toString(36); // fresh keys per run: the demo can run against a long-lived cluster
  const key = (i) => Buffer.from(`user:${run}:${i}`);

  const topology = await call(cluster, 'getTopology', {});
  const p = topology.partitionCount;
  console.log(`cluster ${topology.clusterId}, epoch ${topology.epoch}, ${p} partitions, members:`,
    topology.members.map((m) => `${m.nodeId}@${m.clientAddress}`).join(' '));

  for (let i = 0; i < 6; i++) {
    const tags = i % 2 === 0 ? ['even'] : [];
    const r = await call(anyNode(), 'set', { namespace: ns, key: key(i), value: Buffer.from(`value ${i}`), ttlMs: 600000, tags });
    assert.ok(r.applied, `set ${i} applied`);
    // ROUTING.md in JavaScript agrees with the node about the key's partition.
    assert.strictEqual(r.servedBy.partition, partitionOf(ns, key(i), p), `partition of key ${i}`);
  }
  const got = await call(anyNode(), 'get', { namespace: ns, key: key(3), consistency: 'LINEARIZABLE' });
  assert.ok(got.found);
  assert.strictEqual(got.value.toString(), 'value 3');
  console.log(`get user:${run}:3 -> "${got.value}" (version ${got.version}, served by ${got.servedBy.nodeId}, partition ${got.servedBy.partition})`);

  const multi = await call(anyNode(), 'getMulti', { namespace: ns, keys: [0, 1, 2, 3, 4, 5, 99].map(key), consistency: 'LEASE' });
  assert.deepStrictEqual(multi.results.map((r) => r.found), [true, true, true, true, true, true, false]);
  console.log(`getMulti of 7 keys -> ${multi.results.filter((r) => r.found).length} found`);

  const inv = await call(anyNode(), 'invalidateTag', { namespace: ns, tag: 'even' });
  assert.strictEqual(Number(inv.deletedCount), 3, 'the three even keys were tagged');
  const after = await call(anyNode(), 'getMulti', { namespace: ns, keys: [0, 1, 2, 3, 4, 5].map(key), consistency: 'LINEARIZABLE' });
  assert.deepStrictEqual(after.results.map((r) => r.found), [false, true, false, true, false, true]);
  console.log(`invalidateTag "even" removed ${inv.deletedCount}; the odd keys remain`);

  // Errors carry a stable reason in google.rpc.ErrorInfo; the status code alone is enough here.
  await assert.rejects(call(anyNode(), 'set', { namespace: 'bad namespace!', key: key(0), value: Buffer.from('x') }),
    (err) => err.code === grpc.status.INVALID_ARGUMENT);
  console.log('demo.js: all checks passed');
}

main().then(() => process.exit(0), (err) => { console.error('demo.js failed:', err); process.exit(1); });
