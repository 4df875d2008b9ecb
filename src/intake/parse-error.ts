/** A record that cannot be read as its format: rejected with this reason, the rest of the batch goes on. */
export class ParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParseError';
  }
}
