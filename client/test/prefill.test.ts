import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOwnFile, suggestedPrefill } from '../src/common/prefill';

describe("Annotate's start values from a file or folder", () => {
  it('suggests name, type and the path itself', () => {
    assert.deepEqual(suggestedPrefill('models/rf.pkl'), { name: 'rf', type: 'model', path: 'models/rf.pkl' });
    assert.deepEqual(suggestedPrefill('models/fraud/model.onnx'), { name: 'fraud', type: 'model', path: 'models/fraud/model.onnx' });
    assert.deepEqual(suggestedPrefill('src/train.py'), { name: 'train', type: undefined, path: 'src/train.py' });
  });
  it('a folder is named after itself; data folders are datasets', () => {
    assert.deepEqual(suggestedPrefill('data', true), { name: 'data', type: 'dataset', path: 'data' });
    assert.deepEqual(suggestedPrefill('models/rf.d', true), { name: 'rf-d', type: undefined, path: 'models/rf.d' });
  });
  it('no usable name: no name key, the rest still suggested', () => {
    const prefill = suggestedPrefill('models/😀.pkl');
    assert.deepEqual(prefill, { type: 'model', path: 'models/😀.pkl' });
    assert.ok(!('name' in prefill));
  });
  it("GTO's and DVC's own files suggest nothing", () => {
    for (const f of ['artifacts.yaml', '.gto', 'dvc.yaml', 'dvc.lock']) {
      assert.ok(isOwnFile(f), f);
    }
    for (const f of ['params.yaml', 'model.pkl', 'dvc.yml', 'artifacts.yml']) {
      assert.ok(!isOwnFile(f), f);
    }
  });
});
