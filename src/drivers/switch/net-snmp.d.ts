// The part of the npm package `net-snmp` (which ships no types) that haas
// uses: a manager session for the `snmp` driver, and an agent for the test lab.
declare module 'net-snmp' {
  export const Version1: 0;
  export const Version2c: 1;
  export const Version3: 3;

  export const ObjectType: {
    Integer: 2; OctetString: 4; Null: 5; OID: 6; Gauge: 66; Unsigned32: 66; Counter: 65;
    NoSuchObject: 128; NoSuchInstance: 129; EndOfMibView: 130;
  } & Record<number, string>;
  export const ErrorStatus: Record<string, number> & Record<number, string>;
  export const SecurityLevel: { noAuthNoPriv: 1; authNoPriv: 2; authPriv: 3 };
  export const AuthProtocols: Record<string, number>;
  export const PrivProtocols: Record<string, number>;
  export const AccessControlModelType: { None: 0; Simple: 1 };
  export const MibProviderType: { Scalar: 1; Table: 2 };
  export const MaxAccess: Record<string, number>;
  export const PduType: Record<string, number>;

  export type VarbindValue = Buffer | string | number | boolean | null;

  export interface Varbind {
    oid: string;
    type: number;
    value: VarbindValue;
  }

  export interface SessionOptions {
    port?: number;
    retries?: number;
    timeout?: number;
    backoff?: number;
    transport?: 'udp4' | 'udp6';
    version?: number;
    idBitsSize?: 16 | 32;
  }

  export interface User {
    name: string;
    level: number;
    authProtocol?: number;
    authKey?: string;
    privProtocol?: number;
    privKey?: string;
  }

  export type Callback<T> = (error: Error | null, result: T) => void;

  export interface Session {
    get(oids: string[], cb: Callback<Varbind[]>): void;
    set(varbinds: Varbind[], cb: Callback<Varbind[]>): void;
    /** feed returns true to stop early. */
    subtree(oid: string, maxRepetitions: number, feed: (varbinds: Varbind[]) => boolean | void, done: (error: Error | null) => void): void;
    close(): void;
    on(event: 'error', listener: (e: Error) => void): this;
    on(event: 'close', listener: () => void): this;
  }

  export function createSession(target: string, community: string, options?: SessionOptions): Session;
  export function createV3Session(target: string, user: User, options?: SessionOptions): Session;
  export function isVarbindError(varbind: Varbind): boolean;
  export function varbindError(varbind: Varbind): string;

  export class RequestFailedError extends Error { status: number }
  export class RequestTimedOutError extends Error {}
  export class ResponseInvalidError extends Error { code: number }

  // --- agent side (the test lab) ---

  export interface TableColumn {
    number: number;
    name: string;
    type: number;
    maxAccess: number;
    rowStatus?: boolean;
    defVal?: VarbindValue;
  }

  export interface MibRequest {
    oid: string;
    operation: number;
    setValue?: VarbindValue;
    testSet?: boolean;
    commitSet?: boolean;
    done(error?: { errorStatus: number; type?: number; value?: VarbindValue }): void;
  }

  export interface TableProvider {
    name: string;
    type: 2;
    oid: string;
    maxAccess: number;
    tableColumns: TableColumn[];
    /** `length`: a fixed-length index part (e.g. a MAC address, 6), encoded without a length sub-identifier. */
    tableIndex: Array<{ columnName: string; length?: number }>;
    handler?: (request: MibRequest) => void;
  }

  export interface Mib {
    registerProvider(provider: TableProvider): void;
    addTableRow(provider: string, row: VarbindValue[]): void;
    getTableCells(provider: string, byRow?: boolean, includeInstances?: boolean): unknown[][];
    getTableSingleCell(provider: string, column: number, rowIndex: number[]): VarbindValue;
    setTableSingleCell(provider: string, column: number, rowIndex: number[], value: VarbindValue): void;
  }

  export interface Authorizer {
    addCommunity(community: string): void;
    addUser(user: User): void;
  }

  export interface Agent {
    getAuthorizer(): Authorizer;
    getMib(): Mib;
    /** Called once per SET phase (test, then commit) with every varbind's request; a non-zero status fails them all. */
    setBulkSetHandler(cb: (requests: MibRequest[], mib: Mib, testSet: boolean) => number | undefined): void;
    close(cb?: () => void): void;
  }

  export interface AgentOptions {
    port: number;
    address?: string;
    disableAuthorization?: boolean;
    accessControlModelType?: number;
    engineID?: string;
  }

  export function createAgent(options: AgentOptions, callback: (error: Error | null, data: unknown) => void): Agent;

  export const ObjectTypeUtil: {
    castSetValue(type: number, value: VarbindValue, constraints?: unknown): VarbindValue;
  };

  const snmp: {
    Version2c: typeof Version2c;
    Version3: typeof Version3;
    ObjectType: typeof ObjectType;
    ErrorStatus: typeof ErrorStatus;
    SecurityLevel: typeof SecurityLevel;
    AuthProtocols: typeof AuthProtocols;
    PrivProtocols: typeof PrivProtocols;
    AccessControlModelType: typeof AccessControlModelType;
    MibProviderType: typeof MibProviderType;
    MaxAccess: typeof MaxAccess;
    PduType: typeof PduType;
    createSession: typeof createSession;
    createV3Session: typeof createV3Session;
    isVarbindError: typeof isVarbindError;
    varbindError: typeof varbindError;
    RequestFailedError: typeof RequestFailedError;
    RequestTimedOutError: typeof RequestTimedOutError;
    ResponseInvalidError: typeof ResponseInvalidError;
    createAgent: typeof createAgent;
    ObjectTypeUtil: typeof ObjectTypeUtil;
  };
  export default snmp;
}
