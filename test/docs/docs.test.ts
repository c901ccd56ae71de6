/**
 * The documents of the repository: README.md and docs/*.md. Their generated tables are exactly what
 * scripts/docs.ts builds from the code, every relative link reaches a file (and heading) of this repository,
 * nothing points outside it, and the hand-written route tables of the protocol list exactly the routes of
 * lib/routes.ts.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { httpRouteKey, httpRoutes, webSocketRoutes } from '../../lib/routes.ts';
import {
  documentPaths,
  generatedSectionsOf,
  generatedTables,
  renderGeneratedSections,
} from '../../scripts/docs-tables.ts';

const rootUrl = new URL('../../', import.meta.url);
const root = fileURLToPath(rootUrl);
const documents = documentPaths(rootUrl);
const read = (path: string) => readFileSync(join(root, path), 'utf8');

/** The text outside fenced code blocks and inline code, where links and headings live. */
function prose(text: string): string {
  return text.replaceAll(/^```[\s\S]*?^```/gm, '').replaceAll(/`[^`\n]*`/g, '');
}

/** The targets of the Markdown links of a document that are not web addresses. */
function relativeLinks(text: string): string[] {
  const targets = [...prose(text).matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] as string);
  return targets.filter((target) => !/^[a-z]+:/i.test(target));
}

/** The anchors GitHub gives a document's headings: lower case, punctuation dropped, spaces as hyphens. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  for (const match of text.replaceAll(/^```[\s\S]*?^```/gm, '').matchAll(/^#{1,6} +(.+)$/gm)) {
    const base = (match[1] as string)
      .toLowerCase()
      .replaceAll(/[^\p{L}\p{N} _-]/gu, '')
      .replaceAll(' ', '-');
    let anchor = base;
    for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

/** Why a link of `document` is broken, or undefined when it reaches a file (and heading) of the repository. */
function brokenLink(document: string, target: string): string | undefined {
  const [path = '', anchor] = target.split('#');
  const file = path === '' ? join(root, document) : resolve(root, dirname(document), decodeURI(path));
  const inside = relative(root, file);
  if (inside.startsWith('..') || inside.startsWith('/')) return 'points outside the repository';
  if (!existsSync(file)) return 'points to a file that does not exist';
  if (anchor !== undefined && statSync(file).isFile() && file.endsWith('.md')) {
    if (!anchorsOf(readFileSync(file, 'utf8')).has(anchor)) return `has no heading for #${anchor}`;
  }
  return undefined;
}

describe.each(documents)('%s', (document) => {
  const text = read(document);

  it('has every generated table exactly as scripts/docs.ts builds it from the code', () => {
    expect(text).toBe(renderGeneratedSections(text, document));
  });

  it('links only to files and headings that exist in this repository', () => {
    const broken = relativeLinks(text)
      .map((target) => ({ target, problem: brokenLink(document, target) }))
      .filter((link) => link.problem !== undefined);

    expect(broken).toEqual([]);
  });

  it('names no document outside the repository', () => {
    expect(text).not.toMatch(/\.\.\/shared\b/);
  });
});

describe('the generated tables', () => {
  it('are each used in at least one document', () => {
    const used = new Set(documents.flatMap((document) => generatedSectionsOf(read(document))));

    expect([...used].sort()).toEqual(Object.keys(generatedTables).sort());
  });

  it('refuse a marker without its closing marker, and a table name that does not exist', () => {
    expect(() => renderGeneratedSections('<!-- generated:keys -->\n', 'broken.md')).toThrow(/no matching/);
    expect(() =>
      renderGeneratedSections('<!-- generated:nothing -->\n<!-- /generated:nothing -->', 'broken.md'),
    ).toThrow(/no generated table is called "nothing"/);
  });

  it('rebuild a table whose content was edited by hand', () => {
    const edited = '<!-- generated:websocket-routes -->\n| made up |\n<!-- /generated:websocket-routes -->';

    const rendered = renderGeneratedSections(edited, 'edited.md');

    expect(rendered).not.toContain('made up');
    for (const route of webSocketRoutes) expect(rendered).toContain(`\`${route.routeKey}\``);
  });
});

describe('the link check', () => {
  it('finds a link to a missing file, outside the repository, or to a missing heading', () => {
    expect(brokenLink('docs/PROTOCOL.md', 'no-such-file.md')).toMatch(/does not exist/);
    expect(brokenLink('README.md', '../shared/design/PROTOCOL.md')).toMatch(/outside the repository/);
    expect(brokenLink('README.md', 'docs/PROTOCOL.md#no-such-heading')).toMatch(/no heading/);
    expect(brokenLink('README.md', 'docs/PROTOCOL.md#planned-version-2')).toBeUndefined();
  });
});

describe('docs/PROTOCOL.md', () => {
  const text = read('docs/PROTOCOL.md');

  it('describes exactly the HTTP routes of lib/routes.ts in its route table', () => {
    const described = [...text.matchAll(/^\| `((?:GET|POST|PUT|PATCH|DELETE) \/[^`]*)` \|/gm)].map(
      (match) => match[1],
    );

    expect(described.sort()).toEqual(httpRoutes.map(httpRouteKey).sort());
  });

  it('describes exactly the WebSocket actions of lib/routes.ts in its frame table', () => {
    const described = [...text.matchAll(/^\| `\{"action":"([a-z_]+)"/gm)].map((match) => match[1]);
    const actions = webSocketRoutes.map((route) => route.routeKey).filter((key) => !key.startsWith('$'));

    expect([...new Set(described)].sort()).toEqual(actions.sort());
  });
});

describe('README.md', () => {
  it('gives a reason for exactly the packages package.json depends on', () => {
    const manifest = JSON.parse(read('package.json')) as Record<string, Record<string, string> | undefined>;
    const section =
      /^## Dependencies[^\n]*\n([\s\S]*?)(?=^## |$(?![\s\S]))/m.exec(read('README.md'))?.[1] ?? '';
    const firstCells = [...section.matchAll(/^\| ([^|]+) \|/gm)].map((match) => match[1] as string);
    const named = firstCells.flatMap((cell) => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1]));

    expect(named.sort()).toEqual(
      [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})].sort(),
    );
  });
});
