/** The web app's entry: header (token field, who the token is), hash routing, one view mounted at a time. */
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { errorText, readToken, saveToken } from './api.js';
import { mountCompare } from './compare-view.js';
import type { View, ViewContext } from './context.js';
import { byId, fill, h } from './dom.js';
import { uiConfig, userInfo, type UiConfig } from './endpoints.js';
import { mountList } from './list-view.js';
import type { Access } from './permissions.js';
import { compareHref, parseRoute } from './route.js';
import { mountRun } from './run-view.js';
import { onSelectionChange, selectedRuns } from './selection.js';

const viewBox = byId('view');
const notice = byId('notice');
let mounted: View | undefined;
let config: UiConfig | undefined;

/** The caller's roles: `GET /api/v1/user/info` answers them for the token sent (none without a valid one). */
async function access(): Promise<Access> {
  config ??= await uiConfig().catch(() => ({ prometheus: false, pushgateway: false, auth: true }));
  if (!config.auth) return { auth: false, roles: [] };
  try {
    const who = await userInfo();
    byId('whoami').textContent = who.username ? `${who.username} (${who.roles.join(', ') || 'no role'})` : '';
    return { auth: true, roles: who.roles };
  } catch {
    byId('whoami').textContent = '';
    return { auth: true, roles: [] };
  }
}

let generation = 0;
function route(): void {
  const mine = ++generation;
  mounted?.dispose();
  mounted = undefined;
  notice.textContent = '';
  fill(viewBox, h('p', { class: 'muted' }, 'Loading…'));
  const context: ViewContext = {
    access: access(),
    notify: (message) => {
      if (mine === generation) notice.textContent = message;
    },
  };
  const target = parseRoute(location.hash);
  fill(viewBox);
  if (target.view === 'run') mounted = mountRun(viewBox, context, target.trainingId, target.runId);
  else if (target.view === 'compare') mounted = mountCompare(viewBox, context, target.runs);
  else mounted = mountList(viewBox, context);
}

function show(): void {
  try {
    route();
  } catch (error) {
    notice.textContent = errorText(error);
  }
}

function drawCompareLink(): void {
  const picked = selectedRuns();
  const link = byId<HTMLAnchorElement>('compare-link');
  link.href = compareHref(picked);
  link.textContent = picked.length ? `Compare (${picked.length})` : 'Compare';
}

byId<HTMLInputElement>('token').value = readToken();
byId('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  saveToken(byId<HTMLInputElement>('token').value.trim());
  show();
});
window.addEventListener('hashchange', show);
onSelectionChange(drawCompareLink);
drawCompareLink();
show();
