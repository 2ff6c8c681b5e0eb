/**
 * GTO's name rule (gto/constants.py, GTO 1.10) and the suggestions derived from file names.
 * Pure: no `vscode` import, unit-tested in client/test/names.test.ts.
 */

/**
 * GTO 1.10 `name_re`: ASCII letters, digits, `_`, `-`, `/`; first and last character alphanumeric. A copy of the
 * server's (core/names.py), so prompts check as the user types; that one also lets a trailing newline through, as
 * GTO's `$` does.
 */
export const NAME_RE = /^[a-zA-Z0-9]([a-zA-Z0-9\-/_]*[a-zA-Z0-9])?$/;

/** What a name is, in the messages: the server's words (core/names.py, invalid_name_message). */
export type NameKind = 'artifact name' | 'type' | 'label' | 'stage';

/**
 * The error text for an invalid artifact name, type, label or stage, naming which: the server's text. (GTO says
 * `Invalid value 'a.b'. ... Value must be of len >= 2 ...`: no field, and a length its own rule does not ask.)
 */
export function invalidNameMessage(value: string, what: NameKind = 'artifact name'): string {
  return (
    `Invalid ${what} '${value}': only letters, numbers, '_', '-' and '/' are allowed, ` +
    'and it must start and end with a letter or a number.'
  );
}

/** Undefined when `value` is a valid GTO name, else the error message naming `what` it is. */
export function validateName(value: string, what: NameKind = 'artifact name'): string | undefined {
  return NAME_RE.test(value) ? undefined : invalidNameMessage(value, what);
}

const MODEL_EXTENSIONS = new Set(['.pkl', '.pt', '.pth', '.h5', '.onnx', '.joblib', '.bin', '.safetensors', '.ckpt']);
const DATASET_EXTENSIONS = new Set(['.csv', '.parquet', '.json', '.jsonl', '.tsv']);
const DOUBLE_EXTENSIONS = ['.tar.gz', '.tar.bz2', '.tar.xz'];

/** The last segment of a posix or windows path, without trailing separators. */
export function baseName(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, '');
  const parts = trimmed.split(/[\\/]/);
  return parts[parts.length - 1] ?? '';
}

/** The file name's extension in lower case (`.tar.gz` counts as one), or '' for none. */
export function extensionOf(fileName: string): string {
  const lower = fileName.toLowerCase();
  for (const ext of DOUBLE_EXTENSIONS) {
    if (lower.endsWith(ext) && lower.length > ext.length) {
      return ext;
    }
  }
  const dot = lower.lastIndexOf('.');
  return dot > 0 ? lower.slice(dot) : '';
}

/**
 * Turns any string into a valid GTO name, or '' when nothing usable is left:
 * accents are stripped, runs of other characters become `-`, and the ends are trimmed to alphanumerics.
 */
export function sanitizeName(raw: string): string {
  const ascii = raw.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  const replaced = ascii.replace(/[^a-zA-Z0-9\-/_]+/g, '-').replace(/-{2,}/g, '-');
  const trimmed = replaced.replace(/^[^a-zA-Z0-9]+/, '').replace(/[^a-zA-Z0-9]+$/, '');
  return NAME_RE.test(trimmed) ? trimmed : '';
}

/** Suggested artifact name for a file or folder path: its stem, sanitised (`models/rf.pkl` -> `rf`). */
/** File stems that say nothing about the artifact (`models/fraud/model.onnx`): the folder names it instead. */
const GENERIC_STEMS = new Set(['model', 'models', 'weights', 'checkpoint', 'best', 'final', 'latest', 'data', 'dataset', 'index', 'main']);

export function suggestName(path: string, isFolder = false): string {
  const base = baseName(path);
  const ext = isFolder ? '' : extensionOf(base);
  const stem = ext ? base.slice(0, base.length - ext.length) : base;
  const parts = path.replace(/\\/g, '/').split('/').filter((p) => p && p !== '.');
  const parent = parts.length > 1 ? parts[parts.length - 2] : undefined;
  if (!isFolder && parent && GENERIC_STEMS.has(stem.toLowerCase()) && !GENERIC_STEMS.has(parent.toLowerCase())) {
    return sanitizeName(parent);
  }
  return sanitizeName(stem);
}

/** Suggested artifact type for a path: `model` for model-ish files, `dataset` for data files and data* folders. */
export function suggestType(path: string, isFolder = false): string | undefined {
  const base = baseName(path);
  if (isFolder) {
    return /^data/i.test(base) ? 'dataset' : undefined;
  }
  const ext = extensionOf(base);
  if (MODEL_EXTENSIONS.has(ext)) {
    return 'model';
  }
  if (DATASET_EXTENSIONS.has(ext)) {
    return 'dataset';
  }
  return undefined;
}

/** Splits a free-text label entry ("a, b c") into its labels. */
export function splitLabels(text: string): string[] {
  return text
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** GTO's commit message for an annotate (gto/commit_message_generator.py). */
export function annotateCommitMessage(name: string, type?: string, path?: string): string {
  let msg = `Annotate artifact \`${name}\``;
  if (type) {
    msg += ` of type \`${type}\``;
  }
  if (path) {
    msg += ` with path \`${path}\``;
  }
  return msg;
}

/** GTO's commit message for a remove. */
export function removeCommitMessage(name: string): string {
  return `Remove annotation for artifact \`${name}\``;
}
