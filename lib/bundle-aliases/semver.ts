/**
 * Stands in for `semver` inside the function bundles (an esbuild alias, see lib/bundling.ts). Its one user there
 * is jsonwebtoken, which asks at load whether the running Node.js supports RSA-PSS and asymmetric key details:
 * three fixed ranges, answered here without semver's 29 KB and the regular expressions it compiles at every cold
 * start. Any other question fails loudly (every bundle's load is tested) instead of getting a wrong answer.
 */

type Version = readonly [major: number, minor: number, patch: number];

function atLeast(version: Version, minimum: Version): boolean {
  for (let index = 0; index < 3; index++) {
    const a = version[index] as number;
    const b = minimum[index] as number;
    if (a !== b) return a > b;
  }
  return true;
}

/** The ranges jsonwebtoken 9 asks about (lib/psSupported.js, lib/*KeyDetailsSupported.js), as predicates. */
const knownRanges: Readonly<Record<string, (version: Version) => boolean>> = {
  '^6.12.0 || >=8.0.0': (v) => (v[0] === 6 && atLeast(v, [6, 12, 0])) || atLeast(v, [8, 0, 0]),
  '>=15.7.0': (v) => atLeast(v, [15, 7, 0]),
  '>=16.9.0': (v) => atLeast(v, [16, 9, 0]),
};

/** `semver.satisfies` for the ranges above and a plain `vX.Y.Z` version such as `process.version`. */
export function satisfies(version: string, range: string): boolean {
  const test = knownRanges[range];
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version);
  if (test === undefined || match === null) {
    throw new Error(`lib/bundle-aliases/semver.ts cannot answer satisfies(${version}, ${range}); update it`);
  }
  return test([Number(match[1]), Number(match[2]), Number(match[3])]);
}
