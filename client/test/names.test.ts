import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  annotateCommitMessage,
  invalidNameMessage,
  removeCommitMessage,
  sanitizeName,
  splitLabels,
  suggestName,
  suggestType,
  validateName,
} from '../src/common/names';

describe('GTO name rule (GTO 1.10 name_re)', () => {
  for (const valid of ['a', '1', 'ab', 'A', 'Ab_c', '1ab', 'a/b', 'a-b', 'a//b', 'model_A', 'DVCLive/Model']) {
    it(`accepts ${valid}`, () => assert.equal(validateName(valid), undefined));
  }
  for (const invalid of ['a.b', 'ab-', '_ab', '-ab', 'a:b', 'dir:name', 'a b', 'm/', '/m', 'über', '', 'ab\n']) {
    it(`rejects ${JSON.stringify(invalid)}`, () => assert.equal(validateName(invalid), invalidNameMessage(invalid)));
  }
  it("names what is invalid, in the server's words (not GTO's `Invalid value`)", () => {
    assert.equal(
      validateName('a.b'),
      "Invalid artifact name 'a.b': only letters, numbers, '_', '-' and '/' are allowed, and it must start and end with a letter or a number.",
    );
    assert.match(validateName('x y', 'label') ?? '', /^Invalid label 'x y': /);
    assert.match(validateName('Prod!', 'stage') ?? '', /^Invalid stage 'Prod!': /);
  });
});

describe('name and type suggestions', () => {
  const cases: [string, boolean, string, string | undefined][] = [
    ['models/rf.pkl', false, 'rf', 'model'],
    ['models/net.pt', false, 'net', 'model'],
    ['weights/bert.safetensors', false, 'bert', 'model'],
    ['m.onnx', false, 'm', 'model'],
    ['data/train.csv', false, 'train', 'dataset'],
    ['data/events.jsonl', false, 'events', 'dataset'],
    ['x.parquet', false, 'x', 'dataset'],
    ['data', true, 'data', 'dataset'],
    ['datasets/images', true, 'images', undefined],
    ['data_raw', true, 'data_raw', 'dataset'],
    ['src/train.py', false, 'train', undefined],
    ['models/My Model v2.pkl', false, 'My-Model-v2', 'model'],
    ['models/über.modell.h5', false, 'uber-modell', 'model'],
    ['archive.tar.gz', false, 'archive', undefined],
    ['models/_rf_.pkl', false, 'rf', 'model'],
    ['.hidden', false, 'hidden', undefined],
    ['models/…/😀.pkl', false, '', 'model'],
    ['models/fraud/model.onnx', false, 'fraud', 'model'],
    ['nlp/bert/weights.safetensors', false, 'bert', 'model'],
    ['models/model.pkl', false, 'model', 'model'],
  ];
  for (const [p, folder, name, type] of cases) {
    it(`${p}${folder ? '/' : ''} -> ${name || '(none)'} / ${type ?? '(no type)'}`, () => {
      assert.equal(suggestName(p, folder), name);
      assert.equal(suggestType(p, folder), type);
      if (name) {
        assert.equal(validateName(name), undefined);
      }
    });
  }
  it('sanitises to something GTO accepts or nothing', () => {
    assert.equal(sanitizeName('--a..b--'), 'a-b');
    assert.equal(sanitizeName('---'), '');
  });
});

describe('labels and commit messages', () => {
  it('splits free label text', () => assert.deepEqual(splitLabels(' ml, cool  fast,,'), ['ml', 'cool', 'fast']));
  it("builds GTO's annotate message", () => {
    assert.equal(annotateCommitMessage('rf'), 'Annotate artifact `rf`');
    assert.equal(
      annotateCommitMessage('rf', 'model', 'models/rf.pkl'),
      'Annotate artifact `rf` of type `model` with path `models/rf.pkl`',
    );
    assert.equal(annotateCommitMessage('rf', undefined, 'm.pkl'), 'Annotate artifact `rf` with path `m.pkl`');
  });
  it("builds GTO's remove message", () => assert.equal(removeCommitMessage('rf'), 'Remove annotation for artifact `rf`'));
});
