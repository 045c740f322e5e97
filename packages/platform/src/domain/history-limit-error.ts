import { ApiError } from './errors.js';

/** 413: storing a batch would take a run's history past its bound; nothing of the batch was stored. */
export class HistoryLimitError extends ApiError {
  constructor(runId: string, limit: number, stored: number, adding: number) {
    super(
      413,
      `run "${runId}" history is full: it holds ${stored} of at most ${limit} points and the batch adds ${adding} new ones`,
    );
  }
}
