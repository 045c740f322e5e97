/**
 * The four prom-client classes the server's `/metrics` uses, required from their own files: prom-client's index
 * also loads the default process metrics, the Pushgateway client and the cluster aggregator (81 modules, ~30 ms of
 * `gangplank serve`'s start against ~5 ms for these). They are the very classes the index exports
 * (`exports.Counter = require('./lib/counter')`, …), typed by its declarations.
 */
import { createRequire } from 'node:module';
import type * as prom from 'prom-client';

const load = createRequire(import.meta.url);

export const Registry = load('prom-client/lib/registry') as typeof prom.Registry;
export const Counter = load('prom-client/lib/counter') as typeof prom.Counter;
export const Gauge = load('prom-client/lib/gauge') as typeof prom.Gauge;
export const Histogram = load('prom-client/lib/histogram') as typeof prom.Histogram;
export type Registry = prom.Registry;
export type Counter<T extends string = string> = prom.Counter<T>;
