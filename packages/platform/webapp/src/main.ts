/** The web app's entry: header (token field, who am I), hash routing, one view mounted at a time. */
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { errorText, readToken, saveToken } from './api.js';
import { byId, fill, h } from './dom.js';
import { parseRoute } from './route.js';

const view = byId('view');
let dispose: (() => void) | undefined;

function route(): void {
  dispose?.();
  dispose = undefined;
  const target = parseRoute(location.hash);
  fill(view, h('p', { class: 'muted' }, `Loading ${target.view}…`));
}

byId<HTMLInputElement>('token').value = readToken();
byId('token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  saveToken(byId<HTMLInputElement>('token').value.trim());
  route();
});
window.addEventListener('hashchange', route);
try {
  route();
} catch (error) {
  byId('notice').textContent = errorText(error);
}
