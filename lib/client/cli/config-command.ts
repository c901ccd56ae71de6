/** `chat config`: save the API URLs (e.g. the stack outputs after `cdk deploy`), or show the settings in use. */
import type { Command } from 'commander';
import { type CliConfig, checkUrl, configPath, readConfig, resolveEndpoints, writeConfig } from './config.ts';
import type { Cli, CommandContext } from './context.ts';
import { shortTimestamp } from './output.ts';

/** Adds `config` to `program`. */
export function addConfigCommand(program: Command, cli: Cli): void {
  program
    .command('config')
    .description(
      'save --api-url and --ws-url (e.g. the stack outputs after cdk deploy), or show the settings',
    )
    .addHelpText(
      'after',
      `
Examples:
  chat config --api-url https://abc123.execute-api.eu-west-1.amazonaws.com \\
              --ws-url wss://def456.execute-api.eu-west-1.amazonaws.com/prod
  chat config                      show the URLs in use, where they come from, and the login`,
    )
    .action(
      cli.action(async (context) => {
        const { apiUrl, wsUrl } = context.options;
        if (apiUrl !== undefined || wsUrl !== undefined) saveUrls(context, apiUrl, wsUrl);
        else showSettings(context);
      }),
    );
}

function saveUrls(context: CommandContext, apiUrl: string | undefined, wsUrl: string | undefined): void {
  const directory = context.configDirectory;
  const updated: CliConfig = {
    ...readConfig(directory),
    ...(apiUrl === undefined ? {} : { apiUrl: checkUrl(apiUrl, ['http:', 'https:'], 'HTTP API URL') }),
    ...(wsUrl === undefined ? {} : { wsUrl: checkUrl(wsUrl, ['ws:', 'wss:'], 'WebSocket URL') }),
  };
  const path = writeConfig(directory, updated);
  context.say(`Saved in ${path}:`);
  if (updated.apiUrl !== undefined) context.say(`  HTTP API       ${updated.apiUrl}`);
  if (updated.wsUrl !== undefined) context.say(`  WebSocket API  ${updated.wsUrl}`);
}

function showSettings(context: CommandContext): void {
  const directory = context.configDirectory;
  const config = readConfig(directory);
  // Without options: the URLs as they would be resolved for any other command.
  const endpoints = resolveEndpoints({}, context.io.env, config);
  const login = config.login;
  context.say(`HTTP API       ${endpoints.apiUrl}  (${endpoints.apiUrlSource})`);
  context.say(`WebSocket API  ${endpoints.wsUrl}  (${endpoints.wsUrlSource})`);
  context.say(
    `Logged in as   ${login === undefined ? '-' : `${login.username} on ${login.apiUrl} until ${shortTimestamp(login.expiresAt)}`}`,
  );
  context.say(`Config file    ${configPath(directory)}`);
}
