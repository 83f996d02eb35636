'use strict';
// Typed reads, with the rules of the Java client's ConfigReader: a value that does not fit the type throws,
// saying what it is and what was expected, even when a default is given; a missing key gives the default.

class ConfigValueError extends Error {
  constructor(key, message) {
    super(message);
    this.name = 'ConfigValueError';
    this.key = key;
  }
}

const SIMPLE = /^(\d+)\s*(ms|s|m|h|d)$/;
const ISO = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const UNIT = { ms: 1, s: 1000, m: 60000, h: 3600000, d: 86400000 };

/** Milliseconds of '500ms', '30s', '5m', '2h', '1d' or ISO-8601 ('PT30S', 'P1DT2H'). */
function parseDuration(text) {
  const trimmed = String(text).trim();
  const simple = SIMPLE.exec(trimmed.toLowerCase());
  if (simple) {
    return Number(simple[1]) * UNIT[simple[2]];
  }
  const iso = ISO.exec(trimmed.toUpperCase());
  if (iso && trimmed.length > 1 && !trimmed.toUpperCase().endsWith('T')) {
    const [, d = 0, h = 0, m = 0, s = 0] = iso;
    return Math.round(Number(d) * UNIT.d + Number(h) * UNIT.h + Number(m) * UNIT.m + Number(s) * UNIT.s);
  }
  throw new Error(`'${text}' is not a duration; write ISO-8601 (PT30S) or a number and a unit: ms, s, m, h, d`);
}

function kind(value) {
  if (Array.isArray(value)) return 'a JSON array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'a JSON object' : `a ${typeof value}`;
}

function mismatch(key, env, value, expected) {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return new ConfigValueError(key, `${key} in ${env} is ${kind(value)} (${shown}), not ${expected}`);
}

const readers = {
  string(key, env, value) {
    if (['string', 'number', 'boolean'].includes(typeof value)) return String(value);
    throw mismatch(key, env, value, 'a string');
  },
  number(key, env, value) {
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number === 'number' && Number.isFinite(number)) return number;
    throw mismatch(key, env, value, 'a number');
  },
  int(key, env, value) {
    const number = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
    if (Number.isSafeInteger(number)) return number;
    throw mismatch(key, env, value, 'a whole number');
  },
  boolean(key, env, value) {
    if (typeof value === 'boolean') return value;
    if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
    throw mismatch(key, env, value, 'true or false');
  },
  duration(key, env, value) {
    if (typeof value !== 'string') throw mismatch(key, env, value, 'a duration string such as PT30S, 30s or 500ms');
    try {
      return parseDuration(value);
    } catch (e) {
      throw new ConfigValueError(key, `${key} in ${env}: ${e.message}`);
    }
  },
  json(key, env, value) {
    if (value !== null && typeof value === 'object') return structuredClone(value);
    throw mismatch(key, env, value, 'a JSON object or array');
  },
};

module.exports = { ConfigValueError, parseDuration, readers };
