/** Numbered, append-only migrations shared by the PGlite and PostgreSQL adapters. */
import { migration0001 } from './0001-initial.js';
import { migration0002 } from './0002-run-history.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** In order. Append new ones; never change or remove one that shipped. */
export const MIGRATIONS: readonly Migration[] = [migration0001, migration0002];
