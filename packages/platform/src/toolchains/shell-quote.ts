/**
 * Quotes one word for a POSIX shell. Words made only of safe characters stay as they are; anything else is put in
 * single quotes, inside which the shell interprets nothing, with each `'` written as `'\''`. A quoted value can
 * therefore never end the word, start a command (`;`, `&&`, `$(…)`, backticks) or expand a variable.
 */
export function shellQuote(word: string): string {
  if (word === '') return "''";
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
