export * from './document.ts';
export * from './instructions.ts';
export * from './validate.ts';
