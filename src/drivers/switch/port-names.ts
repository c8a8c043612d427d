// Port name patterns shared by more than one switch driver (a vendor's own pattern stays in its
// dialect file): a leaf, so that the mock need not import the CLI session engine for them.

/** Port names of the Dell switches (and, as in HIL, of the mock): gi1/0/5, te1/0/1. */
export const DELL_PORT = /^(gi|te)\d+\/\d+(\/\d+)?$/;
