// The web client runs in browsers: its files see the DOM's types. The rest of the repository runs on Node and
// keeps tsconfig's `lib` without the DOM; this reference is the one place that adds it.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
