import { SlimError } from '../errors.js';

/** A registry failure: the user's one line, exit 2 (a SlimError, so the CLI prints it as such). */
export class RegistryError extends SlimError {
  constructor(message: string) {
    super(message, 2);
  }
}
