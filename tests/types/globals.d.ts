// The tests compile with lib es2020 only (no DOM), which proves js/index.d.ts needs no DOM or
// Node types (Mini Program projects have neither). The apps just need a console.
declare const console: {
  log(...args: any[]): void;
  warn(...args: any[]): void;
};
