/*
 * The little of the DNS wire format (RFC 1035) the sandbox's DNS stand-in needs: one
 * question in, A/CNAME/TXT answers out, no compression except the pointer to the
 * question's name.
 */

export interface DnsQuestion {
  id: number;
  /** Lower case, with the trailing dot. */
  name: string;
  type: number;
  /** The header's flags, to echo the opcode and RD. */
  flags: number;
  /** The question section as received, echoed in the answer. */
  question: Buffer;
}

export interface DnsAnswer {
  type: number;
  ttl: number;
  /** The record data, already encoded. */
  data: Buffer;
}

export const TYPE = { A: 1, CNAME: 5, TXT: 16 } as const;
export const RCODE = {
  NOERROR: 0,
  NXDOMAIN: 3,
  REFUSED: 5,
} as const;

/** Parses a query; undefined when it is not one question in class IN. */
export function parseQuery(message: Buffer): DnsQuestion | undefined {
  if (message.length < 12 || message.readUInt16BE(4) !== 1) {
    return undefined;
  }
  const labels: string[] = [];
  let offset = 12;
  for (;;) {
    const length = message[offset];
    if (length === undefined || length > 63) {
      return undefined; // compression in a question, or truncated
    }
    offset += 1;
    if (length === 0) break;
    labels.push(message.subarray(offset, offset + length).toString('latin1'));
    offset += length;
  }
  if (offset + 4 > message.length || message.readUInt16BE(offset + 2) !== 1) {
    return undefined;
  }
  return {
    id: message.readUInt16BE(0),
    flags: message.readUInt16BE(2),
    name: `${labels.join('.').toLowerCase()}.`,
    type: message.readUInt16BE(offset),
    question: message.subarray(12, offset + 4),
  };
}

/** An authoritative answer to `query`. */
export function buildResponse(
  query: Pick<DnsQuestion, 'id' | 'flags' | 'question'>,
  rcode: number,
  answers: DnsAnswer[],
): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.id, 0);
  // QR, the query's opcode, AA, the query's RD, the rcode.
  header.writeUInt16BE(
    0x8000 | (query.flags & 0x7800) | 0x0400 | (query.flags & 0x0100) | rcode,
    2,
  );
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  const records = answers.map(answer => {
    const fixed = Buffer.alloc(12);
    fixed.writeUInt16BE(0xc00c, 0); // the question's name
    fixed.writeUInt16BE(answer.type, 2);
    fixed.writeUInt16BE(1, 4); // IN
    fixed.writeUInt32BE(answer.ttl, 6);
    fixed.writeUInt16BE(answer.data.length, 10);
    return Buffer.concat([fixed, answer.data]);
  });
  return Buffer.concat([header, query.question, ...records]);
}

/** A name in wire form, uncompressed. */
export function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter(Boolean);
  return Buffer.concat([
    ...labels.map(label =>
      Buffer.concat([
        Buffer.from([label.length]),
        Buffer.from(label, 'latin1'),
      ]),
    ),
    Buffer.from([0]),
  ]);
}

/** The record data of a value as Route 53 stores it, for `type`. */
export function encodeValue(type: number, value: string): Buffer | undefined {
  if (type === TYPE.A) {
    const parts = value.split('.').map(Number);
    return parts.length === 4 && parts.every(p => p >= 0 && p <= 255)
      ? Buffer.from(parts)
      : undefined;
  }
  if (type === TYPE.CNAME) {
    return encodeName(value);
  }
  if (type === TYPE.TXT) {
    // Route 53 keeps TXT values quoted; each quoted string is one character-string.
    const strings = [...value.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map(m =>
      m[1].replace(/\\(.)/g, '$1'),
    );
    return Buffer.concat(
      strings.map(s =>
        Buffer.concat([Buffer.from([s.length]), Buffer.from(s)]),
      ),
    );
  }
  return undefined;
}
