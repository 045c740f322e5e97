/**
 * The manifest editor: a dialog with a training's YAML (Odahu's shape: `kind`, `id`, `spec`) that creates (POST)
 * or updates and reruns (PUT) it. The server parses and validates the YAML; its message is shown as it comes.
 */
import type { ModelTraining } from '../../src/domain/types.js';
import { errorText } from './api.js';
import { h } from './dom.js';
import { saveManifest } from './endpoints.js';
import { toYaml } from './yaml-text.js';

export const NEW_TRAINING_YAML = `kind: ModelTraining
id: my-training
spec:
  model:
    name: my-model
    version: "1.0"
  toolchain: mlflow
  entrypoint: main
  workDir: ./
  hyperParameters:
    epochs: "10"
  algorithmSource:
    vcs:
      connection: my-repo
      reference: main
  resources:
    requests:
      cpu: "1"
      memory: 1Gi
`;

/** The manifest of an existing training, as `gangplank training get -o yaml` would give it to edit. */
export function manifestOf(training: ModelTraining): string {
  return toYaml({ kind: 'ModelTraining', id: training.id, spec: training.spec });
}

export interface EditorOptions {
  title: string;
  method: 'POST' | 'PUT';
  yaml: string;
  onSaved(training: ModelTraining): void;
}

export function openEditor(options: EditorOptions): HTMLDialogElement {
  const text = h('textarea', {
    attrs: { id: 'manifest', spellcheck: 'false', 'aria-label': 'manifest (YAML)' },
  });
  text.value = options.yaml;
  const error = h('p', { class: 'error', attrs: { id: 'manifest-error', role: 'alert' } });
  const save = h(
    'button',
    { class: 'primary', attrs: { id: 'manifest-save', type: 'submit' } },
    options.method === 'POST' ? 'Create' : 'Save and rerun',
  );
  const close = (): void => {
    dialog.close();
    dialog.remove();
  };
  const form = h(
    'form',
    {
      attrs: { method: 'dialog' },
      on: {
        submit: (event) => {
          event.preventDefault();
          save.disabled = true;
          error.textContent = '';
          saveManifest(options.method, text.value).then(
            (training) => {
              close();
              options.onSaved(training);
            },
            (failure: unknown) => {
              save.disabled = false;
              error.textContent = errorText(failure);
            },
          );
        },
      },
    },
    h('h2', {}, options.title),
    text,
    error,
    h(
      'div',
      { class: 'buttons' },
      h('button', { attrs: { type: 'button' }, on: { click: close } }, 'Cancel'),
      save,
    ),
  );
  const dialog = h('dialog', { attrs: { id: 'editor' } }, form);
  document.body.appendChild(dialog);
  dialog.showModal();
  text.focus();
  // The manifest opens at its first line, where `id` and `spec` are.
  text.setSelectionRange(0, 0);
  text.scrollTop = 0;
  return dialog;
}
