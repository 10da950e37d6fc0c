// A bare Microsoft 365 Agents SDK bot, the yardstick for golive's Teams path: a CloudAdapter
// without authentication (as golive's TEAMS_LOCAL=1) on node's own HTTP server, echoing each
// message back through the Bot Connector named by the activity's serviceUrl.
import { createServer } from 'node:http';
import { CloudAdapter, OutboundHostValidator } from '@microsoft/agents-hosting';

const adapter = new CloudAdapter({}, undefined, undefined, { emitStackTrace: false }, new OutboundHostValidator({ enabled: false }));

const server = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const request = { headers: req.headers, method: req.method, body: JSON.parse(Buffer.concat(chunks).toString('utf8')), user: { name: 'anonymous' } };
    let code = 200;
    const response = {
      get headersSent() {
        return res.headersSent;
      },
      status(c) {
        code = c;
        return response;
      },
      setHeader(name, value) {
        if (!res.headersSent) res.setHeader(name, value);
        return response;
      },
      send(body) {
        if (res.writableEnded) return response;
        res.statusCode = code;
        res.end(body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
        return response;
      },
      end() {
        if (!res.writableEnded) {
          res.statusCode = code;
          res.end();
        }
        return response;
      },
    };
    adapter
      .process(request, response, async (context) => {
        if (context.activity.type === 'message') await context.sendActivity(`echo: ${context.activity.text}`);
      })
      .catch((error) => {
        console.error(`bare agents: ${error?.stack ?? error}`);
        if (!res.writableEnded) res.writeHead(500).end();
      });
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.error(`bare agents listening on port ${process.env.PORT}`));
