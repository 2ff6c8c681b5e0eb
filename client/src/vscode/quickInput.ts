/**
 * Prompter over VS Code's QuickPick/InputBox: step numbers, a Back button from step 2 on, Escape cancels.
 * Every shown input is announced on `onDidShow` so the in-editor tests can drive the real prompts
 * (set the value or the active item, then run `workbench.action.acceptSelectedQuickOpenItem`).
 */
import * as vscode from 'vscode';
import type { InputStep, PickItem, PickManyStep, PickStep, Prompter, StepResult } from '../common/prompter';

export interface ShownInput {
  id: string;
  step: number;
  totalSteps: number;
  input: vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox;
}

interface Item<T> extends vscode.QuickPickItem {
  value: T;
  free?: string;
}

export class QuickInputPrompter implements Prompter {
  private readonly shown = new vscode.EventEmitter<ShownInput>();
  readonly onDidShow = this.shown.event;
  current: ShownInput | undefined;

  input(step: InputStep): Promise<StepResult<string>> {
    const box = vscode.window.createInputBox();
    box.title = step.title;
    box.step = step.step;
    box.totalSteps = step.totalSteps;
    box.prompt = step.prompt;
    box.placeholder = step.placeholder;
    box.value = step.value ?? '';
    box.ignoreFocusOut = true;
    box.buttons = step.step > 1 ? [vscode.QuickInputButtons.Back] : [];
    // While typing, an empty box shows no error (only Enter on it does).
    const check = (value: string, accepting = false): boolean => {
      const error = step.validate?.(value);
      if (error && (accepting || value !== '')) {
        box.validationMessage = { message: error, severity: vscode.InputBoxValidationSeverity.Error };
        return false;
      }
      if (error) {
        box.validationMessage = undefined;
        return false;
      }
      const info = step.info?.(value);
      box.validationMessage = info ? { message: info, severity: vscode.InputBoxValidationSeverity.Info } : undefined;
      return true;
    };
    check(box.value);
    return this.run<string>(step, box, (finish, disposables) => {
      disposables.push(
        box.onDidChangeValue((v) => check(v)),
        box.onDidAccept(() => {
          const value = box.value;
          if (check(value, true)) {
            finish({ kind: 'ok', value });
          }
        }),
      );
    });
  }

  pick<T>(step: PickStep<T>): Promise<StepResult<T>> {
    const qp = vscode.window.createQuickPick<Item<T>>();
    this.setup(qp, step);
    qp.matchOnDescription = true;
    const base: Item<T>[] = step.items.map((i) => toItem(i));
    const update = (text: string): void => {
      const free = step.freeText;
      const t = text.trim();
      if (!free || !t || base.some((i) => i.label === t)) {
        if (qp.items.length !== base.length) {
          qp.items = base;
        }
        return;
      }
      const error = free.validate?.(t);
      const extra: Item<T> = {
        label: error ? `$(error) ${t}` : free.label(t),
        detail: error,
        alwaysShow: true,
        value: free.toValue(t),
        free: t,
      };
      qp.items = [...base, extra];
    };
    qp.items = base;
    // The asked-for item, else the first: set here, not left to the widget, so it is active as soon as shown.
    const active = base.find((i) => i.value === step.active) ?? base[0];
    if (active) {
      qp.activeItems = [active];
    }
    return this.run<T>(step, qp, (finish, disposables) => {
      disposables.push(
        qp.onDidChangeValue(update),
        qp.onDidAccept(() => {
          let chosen = qp.selectedItems[0] ?? qp.activeItems[0];
          const typed = qp.value.trim();
          if (!chosen && typed && step.freeText) {
            update(typed);
            chosen = qp.items.find((i) => i.free === typed);
          }
          if (!chosen) {
            return;
          }
          if (chosen.free !== undefined && step.freeText?.validate?.(chosen.free)) {
            return;
          }
          finish({ kind: 'ok', value: chosen.value });
        }),
      );
    });
  }

  pickMany<T>(step: PickManyStep<T>): Promise<StepResult<T[]>> {
    const qp = vscode.window.createQuickPick<Item<T>>();
    this.setup(qp, step);
    qp.canSelectMany = true;
    const items = step.items.map((i) => toItem(i));
    qp.items = items;
    qp.selectedItems = items.filter((i) => step.selected?.includes(i.value));
    return this.run<T[]>(step, qp, (finish, disposables) => {
      disposables.push(
        qp.onDidChangeValue((text) => {
          const errors = (step.freeText ? step.freeText.split(text) : [])
            .map((t) => step.freeText?.validate?.(t))
            .filter((e): e is string => !!e);
          qp.placeholder = errors.length ? errors[0] : step.placeholder;
        }),
        qp.onDidAccept(() => {
          const values = qp.selectedItems.map((i) => i.value);
          const free = step.freeText;
          if (free) {
            for (const t of free.split(qp.value)) {
              if (free.validate?.(t)) {
                qp.placeholder = free.validate(t);
                return;
              }
              const v = free.toValue(t);
              if (!values.includes(v)) {
                values.push(v);
              }
            }
          }
          finish({ kind: 'ok', value: values });
        }),
      );
    });
  }

  private setup<T>(qp: vscode.QuickPick<Item<T>>, step: PickStep<T> | PickManyStep<T>): void {
    qp.title = step.title;
    qp.step = step.step;
    qp.totalSteps = step.totalSteps;
    qp.placeholder = step.placeholder;
    qp.ignoreFocusOut = true;
    qp.buttons = step.step > 1 ? [vscode.QuickInputButtons.Back] : [];
  }

  private run<R>(
    step: { id: string; step: number; totalSteps: number },
    input: vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox,
    wire: (finish: (r: StepResult<R>) => void, disposables: vscode.Disposable[]) => void,
  ): Promise<StepResult<R>> {
    return new Promise<StepResult<R>>((resolve) => {
      const disposables: vscode.Disposable[] = [];
      let done = false;
      const finish = (r: StepResult<R>): void => {
        if (done) {
          return;
        }
        done = true;
        resolve(r);
        for (const d of disposables) {
          d.dispose();
        }
        if (this.current?.input === input) {
          this.current = undefined;
        }
        input.dispose();
      };
      wire(finish, disposables);
      disposables.push(
        input.onDidTriggerButton((b) => {
          if (b === vscode.QuickInputButtons.Back) {
            finish({ kind: 'back' });
          }
        }),
        input.onDidHide(() => finish({ kind: 'cancel' })),
      );
      input.show();
      this.current = { id: step.id, step: step.step, totalSteps: step.totalSteps, input };
      this.shown.fire(this.current);
    });
  }

  dispose(): void {
    this.shown.dispose();
  }
}

function toItem<T>(i: PickItem<T>): Item<T> {
  return { label: i.label, description: i.description, detail: i.detail, value: i.value };
}
