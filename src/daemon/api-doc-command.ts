// `haas api-doc`: print the API's OpenAPI 3.1 document, built in-process from the route table
// (the same document GET /v0/openapi.json serves), so it works without a daemon. It lives on the
// daemon's side because only that half may read the server's route table (test/arrows.test.ts).
import { Command } from 'clipanion';

/** `haas api-doc`: the OpenAPI document of this build's API, as JSON on stdout. */
export class ApiDocCommand extends Command {
  static override paths = [['api-doc']];
  static override usage = Command.Usage({
    category: 'Daemon',
    description: 'print the OpenAPI 3.1 document of the API (no daemon needed)',
    details: `
      The document is generated from the route table and the request body schemas of this build, the same one a running daemon serves at GET /v0/openapi.json (no credentials needed there). Paths are relative to the server URL /v0.
    `,
    examples: [['Save it for a code generator', '$0 api-doc > haas-openapi.json']],
  });

  async execute(): Promise<number> {
    const [{ routeTable }, { apiDocument }] = await Promise.all([import('../server/app.js'), import('../server/openapi.js')]);
    this.context.stdout.write(JSON.stringify(apiDocument(routeTable()), null, 2) + '\n');
    return 0;
  }
}
