/**
 * What vscode-languageclient logs at error level, with a pop-up, when the server's connection closes while the
 * extension is stopping the server on purpose (GTO: Restart Server, a setting that needs a restart, the window
 * closing): the server exiting is then what was asked for. Pure: unit-tested in client/test/serverLog.test.ts.
 */
const EXPECTED_WHILE_STOPPING = [
  // The node client, on every exit of the server's process: after shutdown and exit, code 0 is the clean end.
  /^Server process exited with code 0\.$/,
  // handleConnectionClosed: the server's output closed before the client marked itself stopped.
  /^Connection to server got closed\. Server will not be restarted\.$/,
  // handleConnectionError: a message written to the server as it exits (EPIPE, stream destroyed).
  /^Client .+: connection to server is erroring\./,
];

/** Is this error-level message of the language client an expected part of stopping the server? */
export function expectedWhileStopping(message: string): boolean {
  return EXPECTED_WHILE_STOPPING.some((re) => re.test(message));
}
