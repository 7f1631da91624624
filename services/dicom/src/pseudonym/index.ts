export {
  isOwnPseudonym,
  PSEUDONYM_KINDS,
  type PseudonymKind,
  pseudonymInputSchema,
  pseudonymize,
  pseudonymPattern,
  pseudonymSchema,
} from './pseudonymize.ts';
