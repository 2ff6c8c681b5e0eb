import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectedWhileStopping } from '../src/common/serverLog';

describe('the language client while the server is stopped on purpose', () => {
  it('the connection closing is expected, not an error', () => {
    // Measured in the in-editor restart test: logged twice per restart before.
    assert.equal(expectedWhileStopping('Server process exited with code 0.'), true);
    assert.equal(expectedWhileStopping('Connection to server got closed. Server will not be restarted.'), true);
    assert.equal(
      expectedWhileStopping('Client GTO Artifacts: connection to server is erroring.\nwrite EPIPE\nShutting down server.'),
      true,
    );
  });
  it('anything else stays an error', () => {
    for (const m of [
      'Stopping server timed out',
      'Server process exited with code 1.',
      'Server process exited with signal SIGKILL.',
      'Request textDocument/hover failed.',
      'Server initialization failed.',
    ]) {
      assert.equal(expectedWhileStopping(m), false, m);
    }
  });
});
