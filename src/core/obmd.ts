// HIL's obmd (CCI-MOC/obmd), as core sees it: node tokens for nodes whose BMC
// is run by an external obmd. The client (src/outside/obmd.ts) is given to core
// through `Core.obmd`. Credentials written into an obmd URI
// (`http://user:pass@host/...`) never reach a message or a client: every
// message names obmd by its URI with them masked (src/uri-credentials.ts).

/** What the obmd client needs to know about a node. */
export interface ObmdNode { label: string; obmd_uri: string | null; obmd_admin_token: string | null }

/** A node's obmd: fetches and revokes node tokens; failures are OBMError (502) naming obmd by its masked URI. */
export interface Obmd {
  /** Ask obmd for a new node token. */
  fetchToken(node: ObmdNode): Promise<string>;
  /** Revoke the node's current token at obmd. */
  revokeToken(node: ObmdNode): Promise<void>;
  /** Power the node off through obmd with a node token (a lease's release). */
  powerOff(node: ObmdNode, token: string): Promise<void>;
}
