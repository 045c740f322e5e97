/**
 * Artifact downloads. A plain link cannot carry the bearer token, so with a token the file is fetched with it and
 * handed to the browser as a blob; without one the link downloads directly.
 */
import { errorText, readToken, send } from './api.js';
import { h } from './dom.js';

function filenameOf(response: Response, fallback: string): string {
  const disposition = response.headers.get('content-disposition') ?? '';
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  return match?.[1] ? decodeURIComponent(match[1]) : fallback;
}

export function downloadLink(
  url: string,
  name: string,
  notify: (message: string) => void,
): HTMLAnchorElement {
  const link = h('a', { class: 'download', attrs: { href: url, download: name } }, 'download');
  link.addEventListener('click', (event) => {
    if (!readToken()) return;
    event.preventDefault();
    send(url).then(
      async (response) => {
        const blob = await response.blob();
        const object = URL.createObjectURL(blob);
        const save = h('a', { attrs: { href: object, download: filenameOf(response, name) } });
        document.body.appendChild(save);
        save.click();
        save.remove();
        setTimeout(() => URL.revokeObjectURL(object), 60_000);
      },
      (error: unknown) => notify(`Download of ${name}: ${errorText(error)}`),
    );
  });
  return link;
}
