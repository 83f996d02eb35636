// What a token may do, from its grants (the same rules as io.configd.model.Grant): the console offers
// only that. The node checks every call again; this only decides what is shown.

const RANK = { read: 1, write: 2, approve: 3, admin: 4 };

/** Whole segments: "services.payment" is under "services", not under "services.pay". */
export function isUnder(path, prefix) {
  return prefix === '' || path === prefix || path.startsWith(`${prefix}.`);
}

function allows(grant, access, env) {
  return RANK[grant.access] >= RANK[access] && (grant.env === '*' || grant.env === env);
}

export function may(me, access, env, key) {
  return me.grants.some((grant) => allows(grant, access, env) && isUnder(key, grant.prefix));
}

export function mayAll(me, access, env, prefix) {
  return me.grants.some((grant) => allows(grant, access, env) && isUnder(prefix, grant.prefix));
}

export function maySome(me, access, env) {
  return me.grants.some((grant) => allows(grant, access, env));
}

export function isRoot(me) {
  return me.grants.some((grant) => grant.access === 'admin' && grant.env === '*' && grant.prefix === '');
}

/** The fewest prefixes of env that cover everything the token may read there ("" for all of it). */
export function readRoots(me, env) {
  const prefixes = me.grants.filter((grant) => allows(grant, 'read', env)).map((grant) => grant.prefix);
  return [...new Set(prefixes)].filter((prefix) => !prefixes.some((other) => other !== prefix && isUnder(prefix, other)))
    .sort();
}
