/** The functions and constants the calculator accepts: shared by the tool's description and the engine's check. */
export const CALCULATOR_FUNCTIONS: readonly string[] = [
  'abs', 'sqrt', 'cbrt', 'exp', 'log', 'log10', 'log2', 'sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'atan2', 'sinh',
  'cosh', 'tanh', 'round', 'floor', 'ceil', 'min', 'max', 'hypot', 'sign',
];

export const CALCULATOR_CONSTANTS: readonly string[] = ['pi', 'e', 'tau'];

/** Longest expression accepted, in characters. */
export const MAX_EXPRESSION_LENGTH = 500;
