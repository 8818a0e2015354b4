/*
 * Route 53's REST/XML wire format (API 2013-04-01), element names as in the SDK's model
 * (@aws-sdk/client-route-53 schemas). Responses are built by hand: the shapes are few and
 * fixed, and a hand-written writer keeps the element order AWS uses.
 */
import { XMLParser } from 'fast-xml-parser';
import { SandboxRecord } from '../fixtures';
import {
  ChangeAction,
  Route53Error,
  SandboxChange,
  Zone,
  displayName,
} from './store';

export const NAMESPACE = 'https://route53.amazonaws.com/doc/2013-04-01/';

export function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** `<Tag>value</Tag>`, or nothing when the value is undefined. */
export function el(
  tag: string,
  value: string | number | boolean | undefined,
): string {
  if (value === undefined) return '';
  return `<${tag}>${escapeXml(String(value))}</${tag}>`;
}

export function document(root: string, inner: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${NAMESPACE}">${inner}</${root}>`;
}

/**
 * The ErrorResponse Route 53 sends for every error, InvalidChangeBatch included: AWS
 * dropped the old `<InvalidChangeBatch><Messages>` body and now lists the messages inside
 * `[...]` in Message (aws/aws-sdk-kotlin #1433, #1435). The SDK reads Error/Code.
 */
export function errorXml(err: Route53Error, requestId: string): string {
  return document(
    'ErrorResponse',
    `<Error><Type>Sender</Type>${el('Code', err.code)}${el(
      'Message',
      err.message,
    )}</Error>${el('RequestId', requestId)}`,
  );
}

export function recordXml(r: SandboxRecord): string {
  let x = el('Name', displayName(r.name)) + el('Type', r.type);
  x += el('SetIdentifier', r.setIdentifier) + el('Weight', r.weight);
  x += el('TTL', r.ttl);
  if (r.values) {
    x += `<ResourceRecords>${r.values
      .map(v => `<ResourceRecord>${el('Value', v)}</ResourceRecord>`)
      .join('')}</ResourceRecords>`;
  }
  if (r.aliasTarget) {
    x += `<AliasTarget>${el('HostedZoneId', r.aliasTarget.hostedZoneId)}${el(
      'DNSName',
      r.aliasTarget.dnsName,
    )}${el(
      'EvaluateTargetHealth',
      r.aliasTarget.evaluateTargetHealth,
    )}</AliasTarget>`;
  }
  return `<ResourceRecordSet>${x}</ResourceRecordSet>`;
}

export function hostedZoneXml(zone: Zone): string {
  return `<HostedZone>${el('Id', `/hostedzone/${zone.id}`)}${el(
    'Name',
    zone.name,
  )}${el('CallerReference', zone.callerReference)}<Config>${el(
    'Comment',
    zone.comment,
  )}<PrivateZone>false</PrivateZone></Config>${el(
    'ResourceRecordSetCount',
    zone.records.size,
  )}</HostedZone>`;
}

export function delegationSetXml(zone: Zone): string {
  return `<DelegationSet><NameServers>${zone.nameServers
    .map(ns => el('NameServer', ns.replace(/\.$/, '')))
    .join('')}</NameServers></DelegationSet>`;
}

export function changeInfoXml(change: SandboxChange, status: string): string {
  return `<ChangeInfo>${el('Id', change.id)}${el('Status', status)}${el(
    'SubmittedAt',
    change.submittedAt,
  )}${el('Comment', change.comment)}</ChangeInfo>`;
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  // Keep every value a string: TXT values and names must not be coerced to numbers.
  parseTagValue: false,
  trimValues: true,
  // The two list members of a ChangeBatch; a single element must still be a list.
  isArray: tagName => tagName === 'Change' || tagName === 'ResourceRecord',
});

function parseIntStrict(field: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const s = String(v).trim();
  if (!/^-?\d+$/.test(s)) {
    throw new Route53Error(
      'InvalidInput',
      `Invalid request: ${field} must be an integer`,
    );
  }
  return Number(s);
}

/** Parses a ChangeResourceRecordSetsRequest body into actions and records. */
export function parseChangeBatch(body: string): {
  comment?: string;
  changes: Array<{ action: ChangeAction; record: SandboxRecord }>;
} {
  let doc: any;
  try {
    doc = parser.parse(body);
  } catch (e) {
    throw new Route53Error(
      'InvalidInput',
      `Invalid XML ; ${(e as Error).message}`,
    );
  }
  const batch = doc?.ChangeResourceRecordSetsRequest?.ChangeBatch;
  if (!batch) {
    throw new Route53Error(
      'InvalidInput',
      'ChangeBatch is not valid, expected ChangeResourceRecordSetsRequest',
    );
  }
  const changes = (batch.Changes?.Change ?? []).map((c: any) => {
    const rrs = c.ResourceRecordSet ?? {};
    const record: SandboxRecord = {
      name: String(rrs.Name ?? '').trim(),
      type: String(rrs.Type ?? '').trim(),
    };
    if (rrs.SetIdentifier !== undefined)
      record.setIdentifier = String(rrs.SetIdentifier);
    const weight = parseIntStrict('Weight', rrs.Weight);
    if (weight !== undefined) record.weight = weight;
    const ttl = parseIntStrict('TTL', rrs.TTL);
    if (ttl !== undefined) record.ttl = ttl;
    if (rrs.ResourceRecords?.ResourceRecord) {
      record.values = rrs.ResourceRecords.ResourceRecord.map((r: any) =>
        String(r.Value ?? ''),
      );
    }
    for (const unsupported of [
      'Region',
      'Failover',
      'GeoLocation',
      'MultiValueAnswer',
      'HealthCheckId',
      'TrafficPolicyInstanceId',
      'CidrRoutingConfig',
      'GeoProximityLocation',
    ]) {
      if (rrs[unsupported] !== undefined) {
        throw new Route53Error(
          'InvalidInput',
          `Invalid request: ${unsupported} is not implemented by the bluegreen AWS sandbox (a local stand-in)`,
        );
      }
    }
    if (rrs.AliasTarget) {
      record.aliasTarget = {
        hostedZoneId: String(rrs.AliasTarget.HostedZoneId ?? ''),
        dnsName: String(rrs.AliasTarget.DNSName ?? ''),
        evaluateTargetHealth:
          String(rrs.AliasTarget.EvaluateTargetHealth) === 'true',
      };
    }
    return { action: String(c.Action ?? '').trim() as ChangeAction, record };
  });
  return {
    comment: batch.Comment !== undefined ? String(batch.Comment) : undefined,
    changes,
  };
}
