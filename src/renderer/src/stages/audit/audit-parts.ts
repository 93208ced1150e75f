export const num = (n: number): string => n.toLocaleString('en-US');
