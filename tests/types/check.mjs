// Type-level checks of js/index.d.ts with the repository's TypeScript (node_modules/.bin/tsc):
// - tsconfig.json (app.ts, ours.ts) must compile without errors;
// - tsconfig.negative.json (negative.ts) must fail with exactly the errors its lines announce
//   with a trailing `// error TSnnnn`;
// - the TIM.EVENT / TIM.TYPES enums of index.d.ts must hold exactly the values the package
//   ships (pkg/surface.js, made from the official API's fixture by the build).
// check.test.mjs runs these under node:test; `node tests/types/check.mjs` runs them alone.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..');
const tscPath = join(root, 'node_modules', '.bin', 'tsc');

/** Runs tsc on a tsconfig of this folder; returns its exit status, output and parsed errors. */
export function tsc(project) {
  if (!existsSync(tscPath)) {
    throw new Error(`${tscPath} not found: run npm install in ${root}`);
  }
  const r = spawnSync(tscPath, ['-p', join(here, project), '--pretty', 'false'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.error) throw r.error;
  const output = `${r.stdout}${r.stderr}`;
  const errors = [];
  for (const line of output.split('\n')) {
    const m = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(line);
    if (m) errors.push({ file: m[1], line: Number(m[2]), code: m[4], message: m[5] });
  }
  return { status: r.status, output, errors };
}

/** The `// error TSnnnn` announcements of a file of this folder, as `line:code` strings. */
export function announcedErrors(file) {
  const lines = readFileSync(join(here, file), 'utf8').split('\n');
  const out = [];
  lines.forEach((text, i) => {
    const m = /\/\/ error (TS\d+)\s*$/.exec(text);
    if (m) out.push(`${i + 1}:${m[1]}`);
  });
  return out;
}

/** Compares tsc's errors on `file` with its announcements; returns what differs. */
export function compareNegative(file = 'negative.ts', project = 'tsconfig.negative.json') {
  const result = tsc(project);
  const expected = announcedErrors(file);
  const target = relative(root, join(here, file));
  const got = result.errors.map((e) => (e.file === target ? `${e.line}:${e.code}` : `${e.file}:${e.line}:${e.code}`));
  const missing = expected.filter((x) => !got.includes(x));
  const unexpected = result.errors.filter((e, i) => !expected.includes(got[i]));
  return { result, expected, missing, unexpected };
}

/** `{EVENT: {...}, TYPES: {...}}` as declared by the enums of namespace TIM in js/index.d.ts. */
export async function declaredEnums() {
  const { default: ts } = await import('typescript');
  const path = join(root, 'js', 'index.d.ts');
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest);
  const out = {};
  for (const statement of source.statements) {
    if (!ts.isModuleDeclaration(statement) || statement.name.text !== 'TIM') continue;
    for (const decl of statement.body.statements) {
      if (!ts.isEnumDeclaration(decl)) continue;
      const values = {};
      for (const member of decl.members) {
        const init = member.initializer;
        if (init && ts.isStringLiteral(init)) values[member.name.text] = init.text;
        else if (init && ts.isNumericLiteral(init)) values[member.name.text] = Number(init.text);
        else throw new Error(`TIM.${decl.name.text}.${member.name.text}: no literal value`);
      }
      out[decl.name.text] = values;
    }
  }
  return out;
}

/** The runtime constants the enums must match. */
export async function runtimeConstants() {
  const { EVENT, TYPES } = await import(pathToFileURL(join(root, 'pkg', 'surface.js')).href);
  return { EVENT: { ...EVENT }, TYPES: { ...TYPES } };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  let failed = false;
  const ok = tsc('tsconfig.json');
  if (ok.status !== 0) {
    failed = true;
    console.log(`FAIL app.ts/ours.ts do not compile:\n${ok.output}`);
  } else console.log('ok   app.ts and ours.ts compile');
  const neg = compareNegative();
  if (neg.result.status === 0 || neg.missing.length || neg.unexpected.length) {
    failed = true;
    console.log(`FAIL negative.ts: missing ${JSON.stringify(neg.missing)}, unexpected:`);
    for (const e of neg.unexpected) console.log(`  ${e.file}(${e.line}) ${e.code} ${e.message}`);
  } else console.log(`ok   negative.ts fails with the ${neg.expected.length} announced errors`);
  const [declared, runtime] = [await declaredEnums(), await runtimeConstants()];
  if (JSON.stringify(declared) !== JSON.stringify(runtime)) {
    failed = true;
    console.log('FAIL TIM.EVENT/TIM.TYPES of index.d.ts differ from pkg/surface.js');
  } else console.log('ok   TIM.EVENT and TIM.TYPES match pkg/surface.js');
  process.exit(failed ? 1 : 0);
}
