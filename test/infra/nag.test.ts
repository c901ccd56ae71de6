/**
 * cdk-nag's AwsSolutions checks: the stack passes them with only the acknowledgements of
 * lib/nag-acknowledgements.ts, each acknowledgement has a reason and is still needed, and without one the synth
 * fails (so the check can fail at all).
 */
import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { ChatStack, type ChatStackProps } from '../../lib/chat-stack.ts';
import {
  addNagChecks,
  type NagAcknowledgement,
  nagAcknowledgements,
} from '../../lib/nag-acknowledgements.ts';
import { cdkContext, synthChatStack, TEST_WEB_CLIENT } from './synth.ts';

/** The findings cdk-nag reports on a stack, as `rule id @ construct path`. */
function findingsOf(app: App): string[] {
  const report = new AwsSolutionsChecks().validateScope(app);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.ruleName} @ ${resource.constructPath}`),
  );
}

/** A chat stack in an app with the checks, not yet synthesized; with the web client, so that every part is there. */
function chatApp(props: Partial<ChatStackProps> = {}): { app: App; stack: ChatStack } {
  const app = new App({
    context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] },
    builtinCloudFormationValidation: false,
  });
  const stack = new ChatStack(app, 'ServerlessChat', {
    stageName: 'prod',
    pushPlatformArns: TEST_PUSH_PLATFORM_ARNS,
    webClient: TEST_WEB_CLIENT,
    ...props,
  });
  addNagChecks(app);
  return { app, stack };
}

const TEST_PUSH_PLATFORM_ARNS = {
  apns: 'arn:aws:sns:us-east-1:123456789012:app/APNS/chat',
  fcm: 'arn:aws:sns:us-east-1:123456789012:app/GCM/chat',
};

function without(acknowledgement: NagAcknowledgement): readonly NagAcknowledgement[] {
  return nagAcknowledgements.filter((candidate) => candidate !== acknowledgement);
}

describe('the AwsSolutions checks', () => {
  it.each([
    ['the default stack', {}],
    ['a stack with an alarm e-mail', { alarmEmail: 'oncall@example.com' }],
    ['a stack without push platform applications', { pushPlatformArns: {} }],
    ['an ephemeral stack on another stage', { retainData: false, stageName: 'dev' }],
    [
      'a stack with the web client and allowed origins',
      { webClient: TEST_WEB_CLIENT, allowedOrigins: ['https://chat.example.com'] },
    ],
    ['an ephemeral stack with the web client', { webClient: TEST_WEB_CLIENT, retainData: false }],
  ] as const)('pass on %s with only the acknowledged findings', (_name, props) => {
    // Act: synthesis runs the checks and throws on any unacknowledged error or warning.
    const { app } = synthChatStack({ props });

    expect(findingsOf(app)).toEqual([]);
  });

  it('fail the synth when a finding is not acknowledged', () => {
    const smg4 = nagAcknowledgements.find((acknowledgement) => acknowledgement.rule === 'AwsSolutions-SMG4');
    if (!smg4) throw new Error('SMG4 is not acknowledged any more: pick another finding for this test');
    const { app } = chatApp({ nagAcknowledgements: without(smg4) });

    expect(() => app.synth()).toThrow(/AwsSolutions-SMG4/);
  });
});

describe.each(
  nagAcknowledgements.map((acknowledgement) => [
    `${acknowledgement.rule}${acknowledgement.finding ? ` [${acknowledgement.finding}]` : ''}`,
    acknowledgement,
  ]),
)('the acknowledgement of %s', (_name, acknowledgement) => {
  it('says where it applies and why, at some length', () => {
    expect(acknowledgement.rule).toMatch(/^AwsSolutions-[A-Z]+\d+$/);
    expect(acknowledgement.where.length).toBeGreaterThan(5);
    expect(acknowledgement.reason.length).toBeGreaterThan(120);
  });

  it('targets constructs of the stack with its own rule', () => {
    const { stack } = chatApp();
    const targets = acknowledgement.targets(stack);

    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) {
      expect(target.id === acknowledgement.rule || target.id.startsWith(`${acknowledgement.rule}[`)).toBe(
        true,
      );
    }
  });

  it('is needed: without it, the finding is reported on each of its targets', () => {
    const { app, stack } = chatApp({ nagAcknowledgements: without(acknowledgement) });
    const findings = findingsOf(app);
    const targets = acknowledgement.targets(stack);

    for (const target of targets) {
      expect(
        findings.some((finding) => finding.startsWith(`${target.id} @ ${target.scope.node.path}/`)),
      ).toBe(true);
    }
    // ...and nothing else.
    for (const finding of findings) {
      expect(targets.some((target) => finding.startsWith(`${target.id} @ ${target.scope.node.path}/`))).toBe(
        true,
      );
    }
  });
});
