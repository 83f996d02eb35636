// Validates Kubernetes manifests against the API's JSON Schemas (kubernetes-models: validators generated from the
// Kubernetes OpenAPI document), as kubectl --dry-run=client would: types, required fields, enums and formats.
// Usage: node validate-manifests.mjs FILE.yaml...   Prints one line per object; exits 1 if any is invalid.
//        node validate-manifests.mjs --print FILE.yaml...   Prints the objects as one JSON array (for the tests).
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

const modelPath = (apiVersion, kind) => {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : [null, apiVersion];
  return group === null ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
};

const args = process.argv.slice(2);
if (args[0] === '--print') {
  const objects = args.slice(1).flatMap((file) => parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS()))
    .filter((o) => o !== null);
  console.log(JSON.stringify(objects));
  process.exit(0);
}

let invalid = 0;
for (const file of args) {
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    if (doc.errors.length > 0) {
      console.log(`INVALID ${file}: YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
      invalid++;
      continue;
    }
    const object = doc.toJS();
    if (object === null) continue;
    const name = `${object.kind}/${object.metadata?.name}`;
    if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
      console.log(`INVALID ${file}: an object without apiVersion and kind`);
      invalid++;
      continue;
    }
    let Model;
    try {
      Model = (await import(modelPath(object.apiVersion, object.kind)))[object.kind];
    } catch (e) {
      Model = undefined;
    }
    if (typeof Model !== 'function') {
      console.log(`INVALID ${file} ${name}: no schema for ${object.apiVersion} ${object.kind}`);
      invalid++;
      continue;
    }
    try {
      new Model(object).validate();
      console.log(`valid ${file} ${name}`);
    } catch (e) {
      console.log(`INVALID ${file} ${name}: ${e.message}`);
      invalid++;
    }
  }
}
process.exit(invalid === 0 ? 0 : 1);
