import { Stack } from 'aws-cdk-lib';
import * as budgets from 'aws-cdk-lib/aws-budgets';
import { Construct } from 'constructs';

/** An AWS Budgets cost budget for the account, with who is told. */
export interface BudgetSettings {
  /** The monthly cost, in US dollars, that the notifications are measured against. */
  readonly monthlyUsd: number;
  /** An e-mail address told directly by AWS Budgets (no confirmation needed). */
  readonly email?: string;
  /**
   * An existing SNS topic told instead of (or as well as) the e-mail. Its policy must let
   * `budgets.amazonaws.com` publish to it (docs/deployment.md).
   */
  readonly topicArn?: string;
}

/** The share of the budget, in percent, at which each notification goes out. */
export const BUDGET_NOTIFICATIONS = [
  // Spent: most of the month's budget is gone.
  { notificationType: 'ACTUAL', threshold: 80 },
  // Forecast: at this pace the month ends over budget, told early enough to act.
  { notificationType: 'FORECASTED', threshold: 100 },
] as const;

/**
 * A monthly cost budget with notifications when 80% of it is spent and when the month is forecast to end over
 * it. AWS Budgets watches the whole account's cost (a budget filtered by this stack's tag would see nothing until
 * the tag is activated for cost allocation by hand), so it is a ceiling for everything the account runs.
 */
export class ChatBudget extends Construct {
  readonly budget: budgets.CfnBudget;

  constructor(scope: Construct, id: string, settings: BudgetSettings) {
    super(scope, id);
    const subscribers = [
      ...(settings.email ? [{ subscriptionType: 'EMAIL', address: settings.email }] : []),
      ...(settings.topicArn ? [{ subscriptionType: 'SNS', address: settings.topicArn }] : []),
    ];
    if (subscribers.length === 0)
      throw new Error('A budget needs an e-mail address or an SNS topic to tell.');
    this.budget = new budgets.CfnBudget(this, 'Budget', {
      budget: {
        budgetName: `${Stack.of(this).stackName}-monthly`,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: settings.monthlyUsd, unit: 'USD' },
      },
      notificationsWithSubscribers: BUDGET_NOTIFICATIONS.map((notification) => ({
        notification: { ...notification, comparisonOperator: 'GREATER_THAN', thresholdType: 'PERCENTAGE' },
        subscribers,
      })),
    });
  }
}
