/**
 * Probity's statistics: every formula the workstation uses, each written once. See the individual
 * modules for the formulas and their references.
 */
export * from './distributions.ts';
export * from './proportion.ts';
export * from './paired.ts';
export * from './random.ts';
export * from './sampling.ts';
export * from './agreement.ts';
export * from './finite.ts';
