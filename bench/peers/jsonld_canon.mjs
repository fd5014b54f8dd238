#!/usr/bin/env node
// Peer benchmark: JSON-LD expand + toRdf + RDFC-1.0 with Digital Bazaar's `jsonld`
// (which uses `rdf-canonize`), on the same inputs and pinned contexts obi uses.
//
//   node bench/peers/jsonld_canon.mjs NODE_MODULES_DIR CONTEXTS_DIR N FILE...
//
// NODE_MODULES_DIR holds `jsonld` (bench/run installs it); CONTEXTS_DIR is
// crates/obi-ld/contexts (its manifest.json maps URL -> file). Nothing is fetched.
// Prints one JSON line per file: {file, n, perSec, quads}.
import fs from 'node:fs';
import path from 'node:path';
import {createRequire} from 'node:module';

const [modules, contextsDir, nArg, ...files] = process.argv.slice(2);
if(!modules || !contextsDir || !files.length) {
  console.error('usage: jsonld_canon.mjs NODE_MODULES_DIR CONTEXTS_DIR N FILE...');
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(modules), 'x.js'));
const jsonld = require('jsonld');

const manifest = JSON.parse(fs.readFileSync(path.join(contextsDir, 'manifest.json'), 'utf8'));
const docs = new Map();
for(const [url, file] of Object.entries(manifest)) {
  docs.set(url, JSON.parse(fs.readFileSync(path.join(contextsDir, file), 'utf8')));
}
const documentLoader = async url => {
  const document = docs.get(url);
  if(!document) {
    throw new Error(`not pinned: ${url}`);
  }
  return {contextUrl: null, documentUrl: url, document};
};

const n = Number(nArg || 200);
for(const file of files) {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  delete doc.proof;
  const opts = {algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader, safe: true};
  const first = await jsonld.canonize(doc, opts); // warm-up: context caches
  const t0 = process.hrtime.bigint();
  for(let i = 0; i < n; i++) {
    await jsonld.canonize(doc, opts);
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(JSON.stringify({file: path.basename(file), n,
    perSec: +(n / s).toFixed(1), quads: first.split('\n').length - 1}));
}
