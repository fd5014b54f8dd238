// Canonical N-Quads (RDFC-1.0, safe mode) of a whole JSON-LD document, or of an
// N-Quads file (--nquads), with the offline document loader of ob3-oracle.mjs
// (extra documents: --doc URL=FILE). Usage: node canon-whole.mjs [--nquads] [--doc URL=FILE]... IN
import fs from 'node:fs';
import jsonld from 'jsonld';
import {documentLoader} from './ob3-oracle.mjs';
const args = process.argv.slice(2);
const docs = new Map();
let nquads = false;
let input;
for(let i = 0; i < args.length; i++) {
  if(args[i] === '--nquads') { nquads = true; }
  else if(args[i] === '--doc') {
    const spec = args[++i]; const eq = spec.indexOf('=');
    docs.set(spec.slice(0, eq), JSON.parse(fs.readFileSync(spec.slice(eq + 1), 'utf8')));
  } else { input = args[i]; }
}
const loader = async url => docs.has(url) ?
  {contextUrl: null, documentUrl: url, document: docs.get(url)} : documentLoader(url);
const text = fs.readFileSync(input, 'utf8');
const out = nquads ?
  await jsonld.canonize(text, {algorithm: 'RDFC-1.0', inputFormat: 'application/n-quads',
    format: 'application/n-quads'}) :
  await jsonld.canonize(JSON.parse(text), {algorithm: 'RDFC-1.0',
    format: 'application/n-quads', documentLoader: loader, safe: true});
process.stdout.write(out);
