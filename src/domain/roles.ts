/** The roles a token carries, least to most powerful (the contract's `Role`). */
export const ROLES = ['VIEWER', 'WORKER', 'OPERATOR', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

/** Who is asking: the role of their token (or ADMIN when the server runs open on loopback). */
export interface Viewer {
  role: Role;
  tokenName: string | null;
  tokenId: string | null;
}
