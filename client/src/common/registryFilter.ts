/**
 * "Filter..." of the Registry view: one quick pick where typed text searches (name, type, path, description,
 * labels, latest version) and the items narrow by stage, type or label, each then picked from the values in use.
 * Pure, over the Prompter.
 */
import type { Prompter } from './prompter';
import type { RegistryFilter } from './registryTree';

export const FILTER_TITLE = 'GTO: Filter the Registry';

type Facet = 'stage' | 'type' | 'label';
type Choice = { facet: Facet } | { text: string } | { clear: true };

const ANY = '\u0000any';

/** The filter after the prompts (undefined: cancelled, the filter stays). */
export async function chooseFilter(
  prompter: Prompter,
  current: RegistryFilter,
  choices: { stages: string[]; types: string[]; labels: string[] },
): Promise<RegistryFilter | undefined> {
  const facets: { facet: Facet; label: string; values: string[] }[] = [
    { facet: 'stage', label: 'By stage...', values: choices.stages },
    { facet: 'type', label: 'By type...', values: choices.types },
    { facet: 'label', label: 'By label...', values: choices.labels },
  ];
  // Back from the second step shows the first again (bounded: a person presses Back a few times at most).
  for (let round = 0; round < 50; round++) {
    const next = await askOnce(prompter, current, facets);
    if (next !== 'back') {
      return next;
    }
  }
  return undefined;
}

async function askOnce(
  prompter: Prompter,
  current: RegistryFilter,
  facets: { facet: Facet; label: string; values: string[] }[],
): Promise<RegistryFilter | undefined | 'back'> {
  const first = await prompter.pick<Choice>({
    id: 'filter',
    title: FILTER_TITLE,
    step: 1,
    totalSteps: 2,
    placeholder: current.text ? `Searching "${current.text}": type other text, or narrow down` : 'Type to search the artifacts, or narrow down',
    items: [
      ...facets.map((f) => ({
        label: f.label,
        description: current[f.facet] ? `now ${current[f.facet]}` : f.values.length ? f.values.join(', ') : 'none in use',
        value: { facet: f.facet } as Choice,
      })),
      ...(Object.keys(current).length ? [{ label: 'Clear the filter', value: { clear: true } as Choice }] : []),
    ],
    freeText: { label: (t) => `Search for "${t}"`, toValue: (t) => ({ text: t }) },
  });
  if (first.kind !== 'ok') {
    return undefined;
  }
  const choice = first.value;
  if ('clear' in choice) {
    return {};
  }
  if ('text' in choice) {
    return { ...current, text: choice.text };
  }
  const facet = facets.find((f) => f.facet === choice.facet) as (typeof facets)[number];
  const second = await prompter.pick<string>({
    id: `filter-${facet.facet}`,
    title: FILTER_TITLE,
    step: 2,
    totalSteps: 2,
    placeholder: facet.values.length ? `Show the artifacts with this ${facet.facet}` : `No artifact has a ${facet.facet}`,
    items: [
      ...facet.values.map((v) => ({ label: v, value: v })),
      { label: `Any ${facet.facet}`, description: 'drop this part of the filter', value: ANY },
    ],
    ...(current[facet.facet] ? { active: current[facet.facet] } : {}),
  });
  if (second.kind !== 'ok') {
    return second.kind === 'back' ? 'back' : undefined;
  }
  const next: RegistryFilter = { ...current };
  if (second.value === ANY) {
    delete next[facet.facet];
  } else {
    next[facet.facet] = second.value;
  }
  return next;
}
