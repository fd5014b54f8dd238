#!/usr/bin/env node
// Peer benchmark driver for bench/run: the JavaScript libraries people use today for Open
// Badges 3.0 / Verifiable Credentials, timed on the same inputs as obi, fully offline.
//
//   node ob3_bench.mjs ld SECONDS CONTEXTS_DIR FILE...
//        jsonld.canonize (expand + toRdf + RDFC-1.0, safe mode), Digital Bazaar `jsonld`
//   node ob3_bench.mjs di SECONDS CONTEXTS_DIR SIGNED_DIR FILE...
//        eddsa-rdfc-2022 sign (Digital Bazaar `@digitalbazaar/vc` issue() with
//        `@digitalbazaar/eddsa-rdfc-2022-cryptosuite`) of FILE, and verify (verifyCredential) of
//        SIGNED_DIR/signed-FILE, the credential obi signed with the same key
//   node ob3_bench.mjs jwt SECONDS CONTEXTS_DIR JWT_DIR
//        VC-JWT verify with `jose` of JWT_DIR/jwt-{EdDSA,ES256,RS256}.txt (obi's tokens): key
//        from `kid` (did:key) or the `jwk` header, signature, then iss/jti/nbf/sub checks
//
// bench/run copies this file next to the node_modules it installs from bench/peers/package.json
// (ES modules resolve packages relative to the script). Contexts come from CONTEXTS_DIR
// (crates/obi-ld/contexts: manifest.json maps URL -> file), did:key is resolved locally; nothing
// is fetched. Timing: a warm-up of a third of SECONDS (JIT, context caches), then calls until SECONDS
// have passed, at least one (the loop obi's bench/pipeline uses). One JSON line per measurement:
// {"op", "input", "n", "perSec", "ok"}.
import fs from 'node:fs';
import path from 'node:path';
import jsonld from 'jsonld';
import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as DidKey from '@digitalbazaar/did-method-key';
import * as jose from 'jose';

const [mode, secondsArg, contextsDir, ...rest] = process.argv.slice(2);
if(!mode || !secondsArg || !contextsDir) {
  console.error('usage: ob3_bench.mjs (ld|di|jwt) SECONDS CONTEXTS_DIR ...');
  process.exit(2);
}
const budgetNs = BigInt(Math.round(Number(secondsArg) * 1e9));

// ------------------------------------------------------------------------------ loader --
const contexts = new Map();
const manifest = JSON.parse(fs.readFileSync(path.join(contextsDir, 'manifest.json'), 'utf8'));
for(const [url, file] of Object.entries(manifest)) {
  contexts.set(url, JSON.parse(fs.readFileSync(path.join(contextsDir, file), 'utf8')));
}
const didKey = DidKey.driver();
didKey.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});

async function documentLoader(url) {
  const document = contexts.get(url);
  if(document) {
    return {contextUrl: null, documentUrl: url, document};
  }
  if(url.startsWith('did:key:')) {
    return {contextUrl: null, documentUrl: url, document: await didKey.get({url})};
  }
  throw new Error(`offline: ${url} is not pinned`);
}

// ------------------------------------------------------------------------------ timing --
async function timed(fn) {
  const w0 = process.hrtime.bigint();
  await fn();
  while(process.hrtime.bigint() - w0 < budgetNs / 3n) {
    await fn();
  }
  let n = 0;
  const t0 = process.hrtime.bigint();
  let elapsed = 0n;
  while(n < 1 || elapsed < budgetNs) {
    await fn();
    n++;
    elapsed = process.hrtime.bigint() - t0;
  }
  return {n, perSec: Math.round(n / (Number(elapsed) / 1e9) * 10) / 10};
}
function emit(op, input, r, extra = {}) {
  console.log(JSON.stringify({op, input, n: r.n, perSec: r.perSec, ok: true, ...extra}));
}
const readJson = f => JSON.parse(fs.readFileSync(f, 'utf8'));
const clone = o => structuredClone(o);

// ------------------------------------------------------------------------------- modes --
async function ld(files) {
  const opts = {algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader,
    safe: true};
  for(const file of files) {
    const doc = readJson(file);
    delete doc.proof;
    const first = await jsonld.canonize(doc, opts);
    const r = await timed(() => jsonld.canonize(doc, opts));
    emit('ld', path.basename(file), r, {quads: first.split('\n').length - 1});
  }
}

// The credential with its proof removed and its issuer set to `issuer` (what obi's side does).
function issuedBy(doc, issuer) {
  const c = clone(doc);
  delete c.proof;
  if(c.issuer && typeof c.issuer === 'object') {
    c.issuer.id = issuer;
  } else {
    c.issuer = issuer;
  }
  return c;
}

// Status is not checked on either side of this benchmark (obi's figure is the proof check).
const checkStatus = async () => ({verified: true});

async function di(signedDir, files) {
  // The key obi's side uses: Ed25519 from the seed [7; 32].
  const key = await Ed25519Multikey.generate({seed: new Uint8Array(32).fill(7)});
  const did = `did:key:${key.publicKeyMultibase}`;
  key.controller = did;
  key.id = `${did}#${key.publicKeyMultibase}`;
  const signer = key.signer();
  for(const file of files) {
    const name = path.basename(file);
    const unsigned = issuedBy(readJson(file), did);
    const sign = () => vc.issue({
      credential: clone(unsigned), documentLoader,
      suite: new DataIntegrityProof({signer, cryptosuite: eddsaRdfc2022,
        date: '2024-01-01T00:00:00Z'})
    });
    const ours = await sign();
    emit('di_sign', name, await timed(sign));
    // verify obi's signature of the same credential (same key, same created date)
    const obiSigned = readJson(path.join(signedDir, `signed-${name}`));
    const verify = async credential => {
      const result = await vc.verifyCredential({
        credential, documentLoader, checkStatus,
        suite: new DataIntegrityProof({cryptosuite: eddsaRdfc2022}),
        now: new Date('2024-06-01T00:00:00Z')
      });
      if(!result.verified) {
        const err = result.error || (result.results || []).find(x => x.error)?.error;
        throw new Error(`not verified: ${err && (err.message || err)}`);
      }
    };
    let target = obiSigned;
    let sameProof = ours.proof.proofValue === obiSigned.proof.proofValue;
    try {
      await verify(target);
    } catch(e) {
      console.error(`${name}: obi's signed credential did not verify (${e.message}); ` +
        'timing the peer\'s own signed credential instead');
      target = ours;
      sameProof = false;
    }
    emit('di_verify', name, await timed(() => verify(target)),
      {verifiedObiSignature: target === obiSigned, sameProofValue: sameProof});
  }
}

function issuerId(payload) {
  return typeof payload.issuer === 'string' ? payload.issuer : payload.issuer?.id;
}

async function keyFor(header) {
  if(header.jwk) {
    return jose.importJWK(header.jwk, header.alg);
  }
  if(header.kid?.startsWith('did:key:')) {
    const vm = await didKey.get({url: header.kid});
    const keyPair = await Ed25519Multikey.from(vm);
    return jose.importJWK(await Ed25519Multikey.toJwk({keyPair}), header.alg);
  }
  throw new Error(`no key for header ${JSON.stringify(header)}`);
}

async function verifyVcJwt(token) {
  const header = jose.decodeProtectedHeader(token);
  const key = await keyFor(header);
  const {payload} = await jose.jwtVerify(token, key,
    {currentDate: new Date(1_750_000_000 * 1000)});
  const iss = issuerId(payload);
  const problems = [];
  if(payload.iss !== iss) {
    problems.push('iss');
  }
  if(payload.jti !== payload.id) {
    problems.push('jti');
  }
  const from = payload.validFrom || payload.issuanceDate;
  if(payload.nbf !== Math.floor(Date.parse(from) / 1000)) {
    problems.push('nbf');
  }
  const sub = [].concat(payload.credentialSubject || [])[0]?.id;
  if(sub !== undefined && payload.sub !== sub) {
    problems.push('sub');
  }
  if(header.kid && iss.startsWith('did:') && !header.kid.startsWith(`${iss}#`)) {
    problems.push('kid not under the issuer DID');
  }
  if(problems.length) {
    throw new Error(`claims disagree: ${problems.join(', ')}`);
  }
}

async function jwt(dir) {
  for(const alg of ['EdDSA', 'ES256', 'RS256']) {
    const token = fs.readFileSync(path.join(dir, `jwt-${alg}.txt`), 'utf8').trim();
    emit('jwt_verify', alg, await timed(() => verifyVcJwt(token)));
  }
}

const modes = {
  ld: () => ld(rest),
  di: () => di(rest[0], rest.slice(1)),
  jwt: () => jwt(rest[0])
};
if(!modes[mode]) {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
modes[mode]().catch(e => {
  console.error(`ob3_bench ${mode}: ${e && e.stack || e}`);
  process.exit(1);
});
