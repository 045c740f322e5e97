/** Strict standard base64 as Go's `base64.StdEncoding` accepts it, with Go's error text. */

const ALPHABET = /[A-Za-z0-9+/]/;

/** `undefined` when valid, else Go's `illegal base64 data at input byte N`. */
export function base64Problem(text: string): string | undefined {
  let index = 0;
  for (; index < text.length; index++) {
    const char = text[index] ?? '';
    if (char === '=') break;
    if (!ALPHABET.test(char)) return `illegal base64 data at input byte ${index}`;
  }
  const padding = text.length - index;
  if (padding > 2 || !/^=*$/.test(text.slice(index))) return `illegal base64 data at input byte ${index}`;
  if (text.length % 4 !== 0) return `illegal base64 data at input byte ${text.length - (text.length % 4)}`;
  return undefined;
}

export function decodeBase64(text: string): string {
  return Buffer.from(text, 'base64').toString('utf8');
}

export function encodeBase64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}
