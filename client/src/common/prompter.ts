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

/** One step of a multi-step flow: shown or skipped (decided when it is reached), run with its displayed number. */
export interface FlowStep {
  id: string;
  shown: () => boolean;
  run: (stepNumber: number) => Promise<StepResult<unknown>>;
}

/** The number a step shows: how many shown steps come before it, plus one. */
export function stepNumber(steps: readonly FlowStep[], index: number): number {
  return steps.slice(0, index + 1).filter((s) => s.shown()).length;
}

/**
 * Runs the shown steps in order. Back returns to the previous shown step (at the first one it shows it again);
 * Escape ends the flow: false. True when the last step was accepted.
 */
export async function runSteps(steps: readonly FlowStep[]): Promise<boolean> {
  let i = 0;
  const shownStack: number[] = [];
  while (i < steps.length) {
    const step = steps[i];
    if (!step || !step.shown()) {
      i++;
      continue;
    }
    const r = await step.run(stepNumber(steps, i));
    if (r.kind === 'cancel') {
      return false;
    }
    if (r.kind === 'back') {
      const prev = shownStack.pop();
      if (prev !== undefined) {
        i = prev;
      }
      continue;
    }
    shownStack.push(i);
    i++;
  }
  return true;
}
