/**
 * List query parameters, parsed the way Odahu does (`size` default 500, `page` 0-based, repeatable exact-match
 * filters where `*` means no filter, any other parameter refused) plus Gangplank's `state` filter and `sort`.
 */
import { BadRequestError } from '../domain/errors.js';
import type { TrainingState } from '../domain/types.js';
import { TRAINING_STATES } from '../domain/types.js';
import type { Page, TrainingSortField } from '../store/store.js';

/** Odahu's `MaxSize`, also its default page size. */
export const DEFAULT_PAGE_SIZE = 500;
/** Gangplank refuses larger pages to bound the work of one request. */
export const MAX_PAGE_SIZE = 5000;

type Query = Record<string, string | string[] | undefined>;

function values(query: Query, name: string): string[] {
  const value = query[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Go `strconv.Atoi` text for a bad integer. */
function atoi(name: string, text: string, fallback: number): number {
  if (!/^[+-]?\d+$/.test(text)) throw new BadRequestError(`strconv.Atoi: parsing "${text}": invalid syntax`);
  const value = Number(text);
  if (!Number.isSafeInteger(value))
    throw new BadRequestError(`strconv.Atoi: parsing "${text}": value out of range`);
  if (value < 0) throw new BadRequestError(`the ${name} URL parameter must not be negative`);
  return text === '' ? fallback : value;
}

function single(query: Query, name: string, fallback: number): number {
  const all = values(query, name);
  if (all.length > 1) throw new BadRequestError(`the ${name} URL parameter must be only one`);
  return all[0] === undefined ? fallback : atoi(name, all[0], fallback);
}

export function parsePage(query: Query): Page {
  const size = single(query, 'size', DEFAULT_PAGE_SIZE);
  if (size > MAX_PAGE_SIZE)
    throw new BadRequestError(`the size URL parameter must not exceed ${MAX_PAGE_SIZE}`);
  const page = single(query, 'page', 0);
  if (size * page > Number.MAX_SAFE_INTEGER)
    throw new BadRequestError('the page URL parameter is out of range');
  return { size, page };
}

/** Refuses any parameter not in `allowed` with Odahu's text. */
export function rejectUnknown(query: Query, allowed: readonly string[]): void {
  for (const name of Object.keys(query)) {
    if (!allowed.includes(name)) throw new BadRequestError(`cannot find ${name} url parameter`);
  }
}

/** Values of a repeatable filter; `undefined` when absent or when any value is `*`. */
export function filter(query: Query, name: string): string[] | undefined {
  const all = values(query, name);
  if (all.length === 0 || all.includes('*')) return undefined;
  return all;
}

const SORT_FIELDS: readonly TrainingSortField[] = ['id', 'createdAt', 'updatedAt', 'state', 'modelName'];

/** `sort=createdAt` ascending, `sort=-createdAt` descending. */
export function parseSort(query: Query): { field: TrainingSortField; descending: boolean } | undefined {
  const all = values(query, 'sort');
  if (all.length > 1) throw new BadRequestError('the sort URL parameter must be only one');
  const text = all[0];
  if (text === undefined || text === '') return undefined;
  const descending = text.startsWith('-');
  const field = (descending ? text.slice(1) : text) as TrainingSortField;
  if (!SORT_FIELDS.includes(field)) {
    throw new BadRequestError(
      `cannot sort by "${text}": use one of ${SORT_FIELDS.join(', ')}, with "-" for descending`,
    );
  }
  return { field, descending };
}

export function parseStates(query: Query): TrainingState[] | undefined {
  const states = filter(query, 'state');
  for (const state of states ?? []) {
    if (!(TRAINING_STATES as readonly string[]).includes(state)) {
      throw new BadRequestError(`unknown state "${state}": use one of ${TRAINING_STATES.join(', ')}`);
    }
  }
  return states as TrainingState[] | undefined;
}
