/**
 * Synthesizes the chat stack the way `cdk synth` would, for the infra tests. `new App()` does not read cdk.json
 * in a test, so its feature flags are passed in here; otherwise the template would differ from the deployed one.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ChatStack, type ChatStackProps } from '../../lib/chat-stack.ts';
import { addNagChecks } from '../../lib/nag-acknowledgements.ts';

/** The repository root. */
export const repoRoot = new URL('../..', import.meta.url);

const cdkJson = JSON.parse(readFileSync(new URL('cdk.json', repoRoot), 'utf8')) as {
  context: Record<string, unknown>;
};

/** The context of cdk.json (feature flags), which `cdk synth` passes to the app. */
export const cdkContext: Readonly<Record<string, unknown>> = cdkJson.context;

/** A stand-in for the built web client (the stack's `webClient` prop): one index.html. */
export const TEST_WEB_CLIENT = {
  assetsDirectory: fileURLToPath(new URL('test/infra/fixtures/web-client', repoRoot)),
} as const;

export interface SynthOptions {
  /**
   * Bundle every function with esbuild and validate the template, as `cdk synth` does (seconds). Otherwise
   * bundling and the template validator are skipped (milliseconds): the template is the same but for asset hashes.
   */
  readonly bundle?: boolean;
  /** Where the cloud assembly goes. Default: a fresh temporary directory. */
  readonly outdir?: string;
  /** Stack props over the defaults (`stageName: 'prod'`, data retained). */
  readonly props?: Partial<ChatStackProps>;
}

export function synthChatStack(options: SynthOptions = {}): {
  app: App;
  stack: ChatStack;
  template: Template;
} {
  const app = new App({
    outdir: options.outdir,
    context: options.bundle ? { ...cdkContext } : { ...cdkContext, 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: options.bundle === true,
  });
  const stack = new ChatStack(app, 'ServerlessChat', { stageName: 'prod', ...options.props });
  // As bin/app.ts does: every template the infra tests read has passed cdk-nag (synthesis throws otherwise).
  addNagChecks(app);
  return { app, stack, template: Template.fromStack(stack) };
}
