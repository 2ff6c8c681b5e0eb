import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SingleFlight } from '../src/common/singleFlight';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('single-flight restart', () => {
  it('runs once, queues exactly one more for any number of calls during a run', async () => {
    const gates: { promise: Promise<void>; resolve: () => void }[] = [];
    let started = 0;
    const sf = new SingleFlight(() => {
      started++;
      const d = deferred();
      gates.push(d);
      return d.promise;
    });
    const first = sf.run();
    const second = sf.run();
    const third = sf.run();
    assert.equal(started, 1);
    assert.equal(second, third);
    gates[0]!.resolve();
    await first;
    await new Promise((r) => setImmediate(r));
    assert.equal(started, 2);
    gates[1]!.resolve();
    await second;
    assert.equal(started, 2);
    assert.equal(sf.busy, false);
  });

  it('still runs the queued job after a failure', async () => {
    let n = 0;
    const sf = new SingleFlight(async () => {
      n++;
      if (n === 1) {
        await new Promise((r) => setTimeout(r, 5));
        throw new Error('boom');
      }
    });
    const a = sf.run();
    const b = sf.run();
    await assert.rejects(a, /boom/);
    await b;
    assert.equal(n, 2);
  });

  it('idle() waits for the queued run too', async () => {
    let n = 0;
    const sf = new SingleFlight(async () => {
      await new Promise((r) => setTimeout(r, 5));
      n++;
    });
    void sf.run();
    void sf.run();
    await sf.idle();
    assert.equal(n, 2);
  });
});
