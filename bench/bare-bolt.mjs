// A bare Bolt app, the yardstick for golive's Slack path: Bolt's HTTP receiver, one /release
// handler that acknowledges and answers privately with a fixed text, through the Web API at
// SLACK_API_URL. Plain JavaScript run by node, as golive's compiled code is.
import bolt from '@slack/bolt';

const { App, HTTPReceiver, LogLevel } = bolt;
const receiver = new HTTPReceiver({ signingSecret: process.env.SLACK_SIGNING_SECRET ?? '' });
const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  receiver,
  logLevel: LogLevel.ERROR,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
});
app.command('/release', async ({ ack, command, client }) => {
  await ack();
  await client.chat.postEphemeral({ channel: command.channel_id, user: command.user_id, text: 'Release 1: on track, 3 of 12 criteria answered.' });
});
await receiver.start(Number(process.env.PORT));
console.error(`bare bolt listening on port ${process.env.PORT}`);
