/**
 * The prompts a multi-step flow needs, independent of VS Code. The extension implements this with
 * QuickPick/InputBox (client/src/vscode/quickInput.ts); unit tests use a scripted fake.
 */

export type StepResult<T> = { kind: 'ok'; value: T } | { kind: 'back' } | { kind: 'cancel' };

interface StepBase {
  /** Stable id of the step ("name", "type", ...), for tests and logs. */
  id: string;
  title: string;
  step: number;
  totalSteps: number;
  placeholder?: string;
}

export interface InputStep extends StepBase {
  prompt?: string;
  value?: string;
  /** Error shown under the box; accept is refused while there is one. */
  validate?: (value: string) => string | undefined;
  /** Information shown under the box (does not block accept). */
  info?: (value: string) => string | undefined;
}

export interface PickItem<T> {
  label: string;
  description?: string;
  detail?: string;
  value: T;
}

export interface FreeText<T> {
  /** Label of the extra item offered for what the user typed. */
  label: (text: string) => string;
  /** Error for typed text, or undefined when it can be used. */
  validate?: (text: string) => string | undefined;
  toValue: (text: string) => T;
}

export interface PickStep<T> extends StepBase {
  items: PickItem<T>[];
  /** The item to start on (compared with ===). */
  active?: T;
  /** Offer what the user types as a value. */
  freeText?: FreeText<T>;
}

export interface PickManyStep<T> extends StepBase {
  items: PickItem<T>[];
  /** Items checked at the start. */
  selected?: T[];
  /** Typed text is split into extra values ("a, b"), each validated. */
  freeText?: { split: (text: string) => string[]; validate?: (text: string) => string | undefined; toValue: (text: string) => T };
}

export interface Prompter {
  input(step: InputStep): Promise<StepResult<string>>;
  pick<T>(step: PickStep<T>): Promise<StepResult<T>>;
  pickMany<T>(step: PickManyStep<T>): Promise<StepResult<T[]>>;
}
