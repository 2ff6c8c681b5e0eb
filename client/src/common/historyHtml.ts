/**
 * The history panel's page: `gto history` as a real <table> (newest first), styled with the theme's
 * --vscode-* variables, keyboard first (rows focusable; arrows, Home/End move; Enter reveals the row's version in
 * the Registry view; C copies its tag), no remote resource and a Content-Security-Policy with a nonce. Pure: the
 * extension (vscode/historyPanel.ts) gives the nonce and the webview's source and answers the page's messages.
 */
import { shortSha } from './actions';
import type { HistoryRow } from './contract';
import { absoluteTime, relativeTime, toSeconds } from './time';

/** What the page posts to the extension. */
export type HistoryMessage = { type: 'reveal'; index: number } | { type: 'copyTag'; index: number };

/** Rows the page shows at most (GTO's history of a 10,000-tag registry would be a 10,000-row table). */
export const MAX_ROWS = 2000;

const EVENT_WORDS: Record<string, string> = {
  registration: 'registered',
  deregistration: 'deregistered',
  assignment: 'assigned',
  unassignment: 'unassigned',
  deprecation: 'deprecated',
  commit: 'commit',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function isSha(s: string | null): boolean {
  return !!s && /^[0-9a-f]{40}$/.test(s);
}

export function historyHtml(
  rows: HistoryRow[],
  o: { nonce: string; cspSource: string; title: string; withArtifact: boolean; nowMs: number },
): string {
  const shown = rows.slice(0, MAX_ROWS);
  // The message last: it is the one column that wraps.
  const head = ['When', ...(o.withArtifact ? ['Artifact'] : []), 'Event', 'Version', 'Stage', 'By', 'Tag', 'Message'];
  const body = shown
    .map((r, i) => {
      const t = toSeconds(r.timestamp);
      const version = r.version === null ? '' : isSha(r.version) ? shortSha(r.version) : r.version;
      const cells = [
        `<td title="${escapeHtml(absoluteTime(t))}">${escapeHtml(Number.isFinite(t) ? relativeTime(t, o.nowMs) : String(r.timestamp))}</td>`,
        ...(o.withArtifact ? [`<td>${escapeHtml(r.artifact)}</td>`] : []),
        `<td class="event ${escapeHtml(r.event)}">${escapeHtml(EVENT_WORDS[r.event] ?? r.event)}</td>`,
        `<td>${escapeHtml(version)}</td>`,
        `<td>${escapeHtml(r.stage ?? '')}</td>`,
        `<td title="${escapeHtml(r.author_email ?? '')}">${escapeHtml(r.author ?? '')}</td>`,
        // The commit as the tag's tooltip: one column less for the message.
        `<td class="mono" title="commit ${escapeHtml(r.commit)}">${escapeHtml(isSha(r.ref) ? shortSha(r.ref) : r.ref)}</td>`,
        `<td class="message">${escapeHtml(r.message ?? '')}</td>`,
      ];
      return `<tr data-index="${i}" tabindex="${i === 0 ? 0 : -1}">${cells.join('')}</tr>`;
    })
    .join('\n');
  const more = rows.length > shown.length ? `<p>${rows.length - shown.length} older events not shown.</p>` : '';
  const empty = rows.length === 0 ? '<p>No GTO tags yet: register a version to start the history.</p>' : '';
  const csp = `default-src 'none'; style-src 'nonce-${o.nonce}'; script-src 'nonce-${o.nonce}'; img-src ${o.cspSource};`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${escapeHtml(o.title)}</title>
<style nonce="${o.nonce}">
  body { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 16px 16px; }
  h1 { font-size: 1.2em; font-weight: 600; }
  p.hint { color: var(--vscode-descriptionForeground); }
  table { border-collapse: collapse; width: 100%; }
  th { text-align: left; font-weight: 600; color: var(--vscode-descriptionForeground); border-bottom: 1px solid var(--vscode-panel-border, var(--vscode-widget-border, transparent)); padding: 4px 8px; position: sticky; top: 0; background: var(--vscode-editor-background); }
  td { padding: 3px 8px; vertical-align: top; white-space: nowrap; }
  td.message { white-space: normal; min-width: 12em; }
  td.mono { font-family: var(--vscode-editor-font-family); }
  tbody tr:nth-child(even) { background: var(--vscode-list-hoverBackground, transparent); background: color-mix(in srgb, var(--vscode-list-hoverBackground) 40%, transparent); }
  tbody tr:hover { background: var(--vscode-list-hoverBackground); }
  tbody tr:focus { outline: 1px solid var(--vscode-focusBorder); outline-offset: -1px; background: var(--vscode-list-activeSelectionBackground); color: var(--vscode-list-activeSelectionForeground); }
  td.event.registration { color: var(--vscode-charts-green, inherit); }
  td.event.assignment { color: var(--vscode-charts-blue, inherit); }
  td.event.deregistration, td.event.unassignment, td.event.deprecation { color: var(--vscode-charts-red, inherit); }
</style>
</head>
<body>
<h1>${escapeHtml(o.title)}</h1>
<p class="hint">Newest first. ↑/↓ move, Enter shows the version in the Registry view, C copies the tag.</p>
${empty}<table aria-label="${escapeHtml(o.title)}">
<thead><tr>${head.map((h) => `<th scope="col">${h}</th>`).join('')}</tr></thead>
<tbody>
${body}
</tbody>
</table>
${more}
<script nonce="${o.nonce}">
  const vscode = acquireVsCodeApi();
  const rows = Array.from(document.querySelectorAll('tbody tr'));
  const focusRow = (i) => {
    const row = rows[Math.max(0, Math.min(rows.length - 1, i))];
    if (!row) return;
    rows.forEach((r) => r.setAttribute('tabindex', '-1'));
    row.setAttribute('tabindex', '0');
    row.focus();
  };
  document.addEventListener('keydown', (e) => {
    const row = e.target.closest ? e.target.closest('tbody tr') : null;
    const i = row ? rows.indexOf(row) : -1;
    const moves = { ArrowDown: i + 1, ArrowUp: i - 1, Home: 0, End: rows.length - 1, PageDown: i + 10, PageUp: i - 10 };
    if (e.key in moves) {
      focusRow(i < 0 ? 0 : moves[e.key]);
      e.preventDefault();
    } else if (row && e.key === 'Enter') {
      vscode.postMessage({ type: 'reveal', index: i });
      e.preventDefault();
    } else if (row && (e.key === 'c' || e.key === 'C')) {
      vscode.postMessage({ type: 'copyTag', index: i });
      e.preventDefault();
    }
  });
  rows.forEach((r, i) => r.addEventListener('dblclick', () => vscode.postMessage({ type: 'reveal', index: i })));
  focusRow(0);
</script>
</body>
</html>
`;
}
