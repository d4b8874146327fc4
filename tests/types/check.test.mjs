// Type-level tests of js/index.d.ts (see check.mjs). Run: node --test tests/types/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareNegative, declaredEnums, runtimeConstants, tsc } from './check.mjs';

test('an app written against the official API compiles against index.d.ts (strict)', () => {
  const r = tsc('tsconfig.json');
  assert.equal(r.status, 0, r.output);
  assert.deepEqual(r.errors, []);
});

test('negative.ts fails to compile with exactly the errors it announces', () => {
  const { result, expected, missing, unexpected } = compareNegative();
  assert.ok(expected.length > 0, 'negative.ts announces no errors');
  assert.notEqual(result.status, 0, 'negative.ts compiled');
  assert.deepEqual(missing, [], `announced errors tsc did not report:\n${result.output}`);
  assert.deepEqual(unexpected, [], 'errors on lines that announce none (or another code)');
});

test('TIM.EVENT and TIM.TYPES of index.d.ts are the runtime constants', async () => {
  const declared = await declaredEnums();
  const runtime = await runtimeConstants();
  assert.deepEqual(declared, runtime);
  assert.deepEqual(Object.keys(declared.EVENT), Object.keys(runtime.EVENT), 'EVENT order');
  assert.deepEqual(Object.keys(declared.TYPES), Object.keys(runtime.TYPES), 'TYPES order');
});
